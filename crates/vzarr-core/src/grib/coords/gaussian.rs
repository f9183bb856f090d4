//! Gaussian latitudes: the 2N roots of the Legendre polynomial P₂ₙ(sin φ), north to south.

/// Latitudes in degrees of a Gaussian grid with `n` parallels between a pole and the
/// equator, from north to south. Newton iteration from the usual asymptotic first guess;
/// converges to machine precision within a few steps for any N used in practice.
pub(crate) fn gaussian_latitudes(n: usize) -> Vec<f64> {
    let degree = 2 * n;
    let mut lats = vec![0.0; degree];
    for k in 0..n {
        // First guess for the k-th root of P_degree in cos(colatitude).
        let mut x = (std::f64::consts::PI * (k as f64 + 0.75) / (degree as f64 + 0.5)).cos();
        for _ in 0..100 {
            let (p, dp) = legendre(degree, x);
            let dx = p / dp;
            x -= dx;
            if dx.abs() < 1e-15 {
                break;
            }
        }
        let lat = x.asin().to_degrees();
        lats[k] = lat;
        lats[degree - 1 - k] = -lat;
    }
    lats
}

/// P_n(x) and its derivative by the three-term recurrence.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    let mut p0 = 1.0;
    let mut p1 = x;
    for k in 2..=n {
        let k = k as f64;
        let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
    }
    let dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
    (p1, dp)
}

/// Index of the latitude nearest `lat` in a north-to-south list.
pub(crate) fn nearest_index(lats: &[f64], lat: f64) -> usize {
    let mut best = 0;
    for (i, &l) in lats.iter().enumerate() {
        if (l - lat).abs() < (lats[best] - lat).abs() {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_latitudes() {
        // ecCodes (codes_get_gaussian_latitudes(32)): 87.86379883923263 and 1.3953069108194955.
        let lats = gaussian_latitudes(32);
        assert_eq!(lats.len(), 64);
        assert!(
            (lats[0] - 87.863_798_839_232_63).abs() < 1e-10,
            "{}",
            lats[0]
        );
        assert!(
            (lats[31] - 1.395_306_910_819_495_5).abs() < 1e-10,
            "{}",
            lats[31]
        );
        assert!((lats[63] + lats[0]).abs() < 1e-12);
        assert!(lats.windows(2).all(|w| w[0] > w[1]));
    }
}
