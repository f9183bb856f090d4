//! The grid a field lives on, independent of the GRIB edition that described it.
//!
//! GRIB1's GDS and GRIB2's section 3 are both parsed into a [`Grid`]; everything
//! downstream (array shape, dimension names, latitude/longitude coordinates, the codec's
//! reordering of scanning modes) works from this one model. Angles are in degrees and
//! distances in metres.

use crate::error::{Error, Result};

/// Figure of the earth (GRIB2 code table 3.2; GRIB1 resolution flag bit 0x40).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Earth {
    Sphere { radius: f64 },
    Oblate { major: f64, minor: f64 },
}

/// Projection parameters shared by the conformal/azimuthal grids.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Projected {
    pub lat1: f64,
    pub lon1: f64,
    /// Latitude where dx/dy are true (LaD; the standard parallel).
    pub lat_d: f64,
    /// Orientation: the meridian parallel to the y axis (LoV), or Mercator's LoV-less 0.
    pub lon_v: f64,
    pub dx: f64,
    pub dy: f64,
    /// Lambert's secant latitudes (both equal LaD for a tangent cone).
    pub latin1: f64,
    pub latin2: f64,
    /// Polar stereographic / Lambert: the projection centre is the south pole.
    pub south_pole_centre: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GridKind {
    /// Equidistant cylindrical, possibly on a rotated sphere.
    LatLon {
        lat1: f64,
        lon1: f64,
        lat2: f64,
        lon2: f64,
        /// Dj, when the file gives it (otherwise derived from La1, La2 and Nj).
        dj: Option<f64>,
        rotation: Option<Rotation>,
    },
    /// Regular Gaussian: latitudes are the roots of a Legendre polynomial of degree 2N.
    Gaussian {
        lat1: f64,
        lon1: f64,
        lat2: f64,
        lon2: f64,
        n: u64,
        rotation: Option<Rotation>,
    },
    /// Reduced ("quasi-regular") grids: `pl[j]` points on row j of the full grid; a
    /// sub-area codes those between `lon1` and `lon2` (see [`crate::grib::reduced`]).
    Reduced {
        gaussian_n: Option<u64>,
        pl: Vec<u64>,
        /// The angular unit of the file, in degrees (GRIB1 0.001, GRIB2 usually 1e-6).
        precision: f64,
        rotation: Option<Rotation>,
        lat1: f64,
        lon1: f64,
        lat2: f64,
        lon2: f64,
    },
    Lambert(Projected),
    PolarStereographic(Projected),
    Mercator {
        proj: Projected,
        lat2: f64,
        lon2: f64,
    },
    /// Points listed elsewhere (ICON's triangular grid, ...): one `values` axis, no coordinates.
    Unstructured,
    /// Spherical harmonic coefficients: scannable, not decodable.
    SphericalHarmonics,
    /// A grid template vzarr does not interpret; its points form one `values` axis.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rotation {
    pub south_pole_lat: f64,
    pub south_pole_lon: f64,
    pub angle: f64,
}

/// Scanning mode flags (GRIB2 flag table 3.4; GRIB1 table 8 uses the same top bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ScanMode(pub u8);

impl ScanMode {
    pub fn i_negative(self) -> bool {
        self.0 & 0x80 != 0
    }
    pub fn j_positive(self) -> bool {
        self.0 & 0x40 != 0
    }
    pub fn j_consecutive(self) -> bool {
        self.0 & 0x20 != 0
    }
    /// Rows alternate direction ("boustrophedonic").
    pub fn alternate_rows(self) -> bool {
        self.0 & 0x10 != 0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Grid {
    pub kind: GridKind,
    /// ecCodes' `gridType` (`regular_ll`, `lambert`, `reduced_gg`, ...).
    pub grid_type: &'static str,
    /// Number of grid points (the data values before bitmap masking).
    pub num_points: u64,
    /// (Ni, Nj) — points along a row and rows — for grids with a rectangular layout.
    pub ni_nj: Option<(u64, u64)>,
    pub scan: ScanMode,
    pub earth: Earth,
}

/// How the grid points map onto array axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axes {
    /// 1-D latitude and longitude coordinates (regular lat/lon and Gaussian grids).
    LatLon { ny: u64, nx: u64 },
    /// Projected or rotated grids: `y`, `x` with 2-D latitude/longitude.
    YX { ny: u64, nx: u64 },
    /// Everything else: one axis of `n` points.
    Values { n: u64 },
}

impl Axes {
    pub fn names(&self) -> Vec<&'static str> {
        match self {
            Axes::LatLon { .. } => vec!["latitude", "longitude"],
            Axes::YX { .. } => vec!["y", "x"],
            Axes::Values { .. } => vec!["values"],
        }
    }

    pub fn shape(&self) -> Vec<u64> {
        match *self {
            Axes::LatLon { ny, nx } | Axes::YX { ny, nx } => vec![ny, nx],
            Axes::Values { n } => vec![n],
        }
    }
}

/// Grids above this many points are refused (a hostile Ni×Nj would otherwise size
/// coordinate arrays and decode buffers): 2^28 points is 2 GB of float64, above the
/// largest operational grids (a 0.025° global grid has 1.04·10^8 points).
pub(crate) const MAX_GRID_POINTS: u64 = 1 << 28;

impl Grid {
    pub fn axes(&self) -> Axes {
        match &self.kind {
            GridKind::LatLon { rotation: None, .. } | GridKind::Gaussian { rotation: None, .. } => {
                let (ny, nx) = self.regular_size();
                Axes::LatLon { ny, nx }
            }
            GridKind::LatLon { .. }
            | GridKind::Gaussian { .. }
            | GridKind::Lambert(_)
            | GridKind::PolarStereographic(_)
            | GridKind::Mercator { .. } => {
                let (ny, nx) = self.regular_size();
                Axes::YX { ny, nx }
            }
            _ => Axes::Values { n: self.num_points },
        }
    }

    fn regular_size(&self) -> (u64, u64) {
        self.ni_nj.map_or((1, self.num_points), |(ni, nj)| (nj, ni))
    }
}

/// Validates the point count of a regular grid against the declared number of points.
pub(crate) fn check_regular(ni: u64, nj: u64, num_points: u64, offset: u64) -> Result<()> {
    let product = ni.checked_mul(nj);
    if product != Some(num_points) {
        return Err(Error::corrupt(format!(
            "the grid is {} × {} points but declares {} data points",
            ni, nj, num_points
        ))
        .at_offset(offset));
    }
    check_points(num_points, offset)
}

pub(crate) fn check_points(num_points: u64, offset: u64) -> Result<()> {
    if num_points == 0 || num_points > MAX_GRID_POINTS {
        return Err(Error::limit(format!(
            "a grid of {} points is outside the supported range 1..{}",
            num_points, MAX_GRID_POINTS
        ))
        .at_offset(offset));
    }
    Ok(())
}
