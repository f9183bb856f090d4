//! Inverse map projections for projected GRIB grids (Snyder, *Map Projections — A Working
//! Manual*, 1987): Lambert conformal conic, polar stereographic and Mercator, on a sphere
//! or an ellipsoid (a sphere is the ellipsoid with eccentricity 0).
//!
//! A grid is defined by its first point (La1, Lo1), the spacing Dx/Dy in metres and the
//! scanning directions; every point's projected (x, y) is the first point's plus i·Dx,
//! j·Dy, which is then projected back to latitude/longitude.

use crate::grib::grid::{Earth, Projected};
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

/// Semi-major axis and eccentricity.
#[derive(Clone, Copy)]
pub(crate) struct Ellipsoid {
    a: f64,
    e: f64,
}

impl Ellipsoid {
    pub fn of(earth: Earth) -> Ellipsoid {
        match earth {
            Earth::Sphere { radius } => Ellipsoid { a: radius, e: 0.0 },
            Earth::Oblate { major, minor } => Ellipsoid {
                a: major,
                e: (1.0 - (minor / major).powi(2)).max(0.0).sqrt(),
            },
        }
    }

    /// Snyder (14-15): m = cos φ / √(1 − e² sin² φ).
    fn m(&self, phi: f64) -> f64 {
        phi.cos() / (1.0 - (self.e * phi.sin()).powi(2)).sqrt()
    }

    /// Snyder (15-9): t = tan(π/4 − φ/2) / ((1 − e sin φ)/(1 + e sin φ))^(e/2).
    fn t(&self, phi: f64) -> f64 {
        let es = self.e * phi.sin();
        (FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(self.e / 2.0)
    }

    /// Inverse of `t` (Snyder 7-9, iterated).
    fn phi_from_t(&self, t: f64) -> f64 {
        let mut phi = FRAC_PI_2 - 2.0 * t.atan();
        if self.e == 0.0 {
            return phi;
        }
        for _ in 0..15 {
            let es = self.e * phi.sin();
            let next = FRAC_PI_2 - 2.0 * (t * ((1.0 - es) / (1.0 + es)).powf(self.e / 2.0)).atan();
            if (next - phi).abs() < 1e-14 {
                return next;
            }
            phi = next;
        }
        phi
    }
}

/// Longitude in [0, 360], as ecCodes reports projected grids.
fn normalise(lon: f64) -> f64 {
    let mut lon = lon;
    while lon < 0.0 {
        lon += 360.0;
    }
    while lon > 360.0 {
        lon -= 360.0;
    }
    lon
}

/// A projection: forward to (x, y) metres and back to (latitude, longitude) degrees.
pub(crate) trait Projection {
    fn forward(&self, lat: f64, lon: f64) -> (f64, f64);
    fn inverse(&self, x: f64, y: f64) -> (f64, f64);
}

pub(crate) struct Lambert {
    ell: Ellipsoid,
    n: f64,
    af: f64,
    rho0: f64,
    lon0: f64,
}

impl Lambert {
    pub fn new(p: &Projected, earth: Earth) -> Lambert {
        let ell = Ellipsoid::of(earth);
        let (phi1, phi2) = (p.latin1.to_radians(), p.latin2.to_radians());
        let (m1, m2) = (ell.m(phi1), ell.m(phi2));
        let (t1, t2) = (ell.t(phi1), ell.t(phi2));
        let n = if (phi1 - phi2).abs() < 1e-9 {
            phi1.sin()
        } else {
            (m1.ln() - m2.ln()) / (t1.ln() - t2.ln())
        };
        let af = ell.a * m1 / (n * t1.powf(n));
        let rho0 = af * ell.t(p.lat_d.to_radians()).powf(n);
        Lambert {
            ell,
            n,
            af,
            rho0,
            lon0: p.lon_v.to_radians(),
        }
    }
}

fn wrap_pi(mut d: f64) -> f64 {
    while d > std::f64::consts::PI {
        d -= 2.0 * std::f64::consts::PI;
    }
    while d < -std::f64::consts::PI {
        d += 2.0 * std::f64::consts::PI;
    }
    d
}

impl Projection for Lambert {
    fn forward(&self, lat: f64, lon: f64) -> (f64, f64) {
        let rho = self.af * self.ell.t(lat.to_radians()).powf(self.n);
        let theta = self.n * wrap_pi(lon.to_radians() - self.lon0);
        (rho * theta.sin(), self.rho0 - rho * theta.cos())
    }

    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let sign = self.n.signum();
        let dy = self.rho0 - y;
        let rho = sign * (x * x + dy * dy).sqrt();
        let theta = (sign * x).atan2(sign * dy);
        let lon = (theta / self.n + self.lon0).to_degrees();
        if rho == 0.0 {
            return (90.0 * sign, normalise(lon));
        }
        let t = (rho / self.af).powf(1.0 / self.n);
        (self.ell.phi_from_t(t).to_degrees(), normalise(lon))
    }
}

/// Polar stereographic, true at `lat_d`, centred on the north or south pole.
pub(crate) struct PolarStereographic {
    ell: Ellipsoid,
    /// ρ = k·t(φ)
    k: f64,
    lon0: f64,
    south: bool,
}

impl PolarStereographic {
    pub fn new(p: &Projected, earth: Earth) -> PolarStereographic {
        let ell = Ellipsoid::of(earth);
        let south = p.south_pole_centre;
        let phi_c = if south { -p.lat_d } else { p.lat_d }.to_radians();
        let k = if (phi_c - FRAC_PI_2).abs() < 1e-10 {
            // True scale at the pole (Snyder 21-33).
            let e = ell.e;
            2.0 * ell.a / ((1.0 + e).powf(1.0 + e) * (1.0 - e).powf(1.0 - e)).sqrt()
        } else {
            ell.a * ell.m(phi_c) / ell.t(phi_c)
        };
        PolarStereographic {
            ell,
            k,
            lon0: p.lon_v.to_radians(),
            south,
        }
    }
}

impl Projection for PolarStereographic {
    fn forward(&self, lat: f64, lon: f64) -> (f64, f64) {
        // The south-polar case is the north-polar one mirrored (Snyder p. 161).
        let (phi, lam, lam0) = if self.south {
            (-lat.to_radians(), -lon.to_radians(), -self.lon0)
        } else {
            (lat.to_radians(), lon.to_radians(), self.lon0)
        };
        let rho = self.k * self.ell.t(phi);
        let (x, y) = (rho * (lam - lam0).sin(), -rho * (lam - lam0).cos());
        if self.south {
            (-x, -y)
        } else {
            (x, y)
        }
    }

    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let (x, y, lam0) = if self.south {
            (-x, -y, -self.lon0)
        } else {
            (x, y, self.lon0)
        };
        let rho = (x * x + y * y).sqrt();
        let phi = self.ell.phi_from_t(rho / self.k);
        let lam = lam0 + x.atan2(-y);
        if self.south {
            (-phi.to_degrees(), normalise(-lam.to_degrees()))
        } else {
            (phi.to_degrees(), normalise(lam.to_degrees()))
        }
    }
}

/// Mercator, true at `lat_d`, with its origin meridian at the first grid point.
pub(crate) struct Mercator {
    ell: Ellipsoid,
    ak: f64,
    lon0: f64,
}

impl Mercator {
    pub fn new(p: &Projected, earth: Earth) -> Mercator {
        let ell = Ellipsoid::of(earth);
        Mercator {
            ak: ell.a * ell.m(p.lat_d.to_radians()),
            ell,
            lon0: p.lon1.to_radians(),
        }
    }
}

impl Projection for Mercator {
    fn forward(&self, lat: f64, lon: f64) -> (f64, f64) {
        let x = self.ak * wrap_pi(lon.to_radians() - self.lon0);
        (x, -self.ak * self.ell.t(lat.to_radians()).ln())
    }

    fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let phi = self.ell.phi_from_t((-y / self.ak).exp());
        (
            phi.to_degrees(),
            normalise((x / self.ak + self.lon0).to_degrees()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proj(lat1: f64, lon1: f64, lat_d: f64, lon_v: f64, l1: f64, l2: f64) -> Projected {
        Projected {
            lat1,
            lon1,
            lat_d,
            lon_v,
            dx: 3000.0,
            dy: 3000.0,
            latin1: l1,
            latin2: l2,
            south_pole_centre: false,
        }
    }

    fn round_trip(p: &dyn Projection, lat: f64, lon: f64) {
        let (x, y) = p.forward(lat, lon);
        let (lat2, lon2) = p.inverse(x, y);
        assert!((lat - lat2).abs() < 1e-9, "{} vs {}", lat, lat2);
        assert!((normalise(lon) - lon2).abs() < 1e-9, "{} vs {}", lon, lon2);
    }

    #[test]
    fn projections_invert() {
        let sphere = Earth::Sphere {
            radius: 6_371_229.0,
        };
        let wgs84 = Earth::Oblate {
            major: 6_378_137.0,
            minor: 6_356_752.314,
        };
        let hrrr = proj(21.138123, 237.280472, 38.5, 262.5, 38.5, 38.5);
        for earth in [sphere, wgs84] {
            round_trip(&Lambert::new(&hrrr, earth), 45.0, 250.0);
            round_trip(
                &Lambert::new(&proj(0.0, 0.0, 30.0, 10.0, 30.0, 60.0), earth),
                40.0,
                20.0,
            );
            round_trip(
                &PolarStereographic::new(&proj(0.0, 0.0, 60.0, 249.0, 60.0, 60.0), earth),
                70.0,
                200.0,
            );
            let mut south = proj(0.0, 0.0, 60.0, 0.0, 60.0, 60.0);
            south.south_pole_centre = true;
            round_trip(&PolarStereographic::new(&south, earth), -70.0, 120.0);
            round_trip(
                &Mercator::new(&proj(-10.0, 100.0, 20.0, 0.0, 20.0, 20.0), earth),
                15.0,
                130.0,
            );
        }
        // The Lambert origin maps back onto itself.
        let l = Lambert::new(&hrrr, sphere);
        let (x, y) = l.forward(hrrr.lat1, hrrr.lon1);
        let (lat, lon) = l.inverse(x, y);
        assert!((lat - 21.138123).abs() < 1e-9 && (lon - 237.280472).abs() < 1e-9);
    }
}
