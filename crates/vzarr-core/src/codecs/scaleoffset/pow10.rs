//! Powers of ten as glibc's `pow`/`powf` compute them (HDF5's D-scaling divides by them).

/// `10^d` as a correctly rounded f64 (Rust's float parsing rounds correctly), adjusted to
/// glibc's `pow(10.0, d)` — which HDF5 calls — where that is one unit in the last place
/// above: at d = 23 and d = 210 (checked for every d in -400..400; outside it both are 0
/// or infinity).
pub fn pow10_f64(d: i32) -> f64 {
    let exact: f64 = format!("1e{}", d).parse().unwrap_or(f64::NAN);
    if d == 23 || d == 210 {
        f64::from_bits(exact.to_bits() + 1)
    } else {
        exact
    }
}

/// `10^d` as a correctly rounded f32, which is what glibc's `powf(10.0f, d)` gives for
/// every d (-60..60 checked; beyond, both are 0 or infinity).
pub fn pow10_f32(d: i32) -> f32 {
    format!("1e{}", d).parse().unwrap_or(f32::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On glibc, the platform's `pow`/`powf` (what HDF5 calls) agree with ours.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn powers_of_ten_match_glibc() {
        let exponents: Vec<i32> = (-400..400).collect();
        for &d in &exponents {
            assert_eq!(
                pow10_f64(d).to_bits(),
                10f64.powf(f64::from(d)).to_bits(),
                "10^{}",
                d
            );
        }
        for &d in exponents.iter().filter(|d| d.abs() < 60) {
            assert_eq!(
                pow10_f32(d).to_bits(),
                10f32.powf(d as f32).to_bits(),
                "10^{} (f32)",
                d
            );
        }
    }
}
