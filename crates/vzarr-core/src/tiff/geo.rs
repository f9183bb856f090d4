//! GeoTIFF: the raster-to-model transform (ModelTiepoint + ModelPixelScale, or
//! ModelTransformation) and the GeoKey directory, as GDAL reads them.
//!
//! The transform is kept as GDAL's geotransform `[x0, dx, rx, y0, ry, dy]` (pixel corner
//! origin): a PixelIsPoint raster is shifted by half a pixel, as GDAL does, so coordinates
//! match rasterio/rioxarray's.

use super::ifd::Values;
use crate::error::Result;
use crate::json::Json;

pub const MODEL_PIXEL_SCALE: u16 = 33550;
pub const MODEL_TIEPOINT: u16 = 33922;
pub const MODEL_TRANSFORMATION: u16 = 34264;
pub const GEO_KEY_DIRECTORY: u16 = 34735;
pub const GEO_DOUBLE_PARAMS: u16 = 34736;
pub const GEO_ASCII_PARAMS: u16 = 34737;

const GT_MODEL_TYPE: u16 = 1024;
const GT_RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_CS_TYPE: u16 = 3072;
const VERTICAL_CS_TYPE: u16 = 4096;

/// A GeoKey's value: a SHORT, doubles, or ASCII text.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    Short(u16),
    Doubles(Vec<f64>),
    Ascii(String),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Georef {
    /// GDAL geotransform `[x0, dx, rx, y0, ry, dy]`, when the file has one.
    pub transform: Option<[f64; 6]>,
    pub keys: Vec<(u16, KeyValue)>,
}

impl Georef {
    pub fn is_empty(&self) -> bool {
        self.transform.is_none() && self.keys.is_empty()
    }

    fn short(&self, id: u16) -> Option<u16> {
        self.keys.iter().find_map(|(k, v)| match v {
            KeyValue::Short(s) if *k == id => Some(*s),
            _ => None,
        })
    }

    /// True when the model is geographic (longitude/latitude).
    pub fn is_geographic(&self) -> bool {
        self.short(GT_MODEL_TYPE) == Some(2)
    }

    /// `EPSG:<code>` when the keys name a registered CRS.
    pub fn epsg(&self) -> Option<String> {
        let code = match self.short(GT_MODEL_TYPE) {
            Some(2) => self.short(GEOGRAPHIC_TYPE),
            _ => self
                .short(PROJECTED_CS_TYPE)
                .or_else(|| self.short(GEOGRAPHIC_TYPE)),
        }?;
        (1..32767).contains(&code).then(|| format!("EPSG:{}", code))
    }

    /// "Area" or "Point" (GDAL's AREA_OR_POINT), when the raster type is given.
    pub fn area_or_point(&self) -> Option<&'static str> {
        match self.short(GT_RASTER_TYPE) {
            Some(1) => Some("Area"),
            Some(2) => Some("Point"),
            _ => None,
        }
    }

    /// The transform of a `width` × `height` overview of a `full_w` × `full_h` image.
    pub fn scaled(&self, full_w: u64, full_h: u64, width: u64, height: u64) -> Option<[f64; 6]> {
        let t = self.transform?;
        let sx = full_w as f64 / width as f64;
        let sy = full_h as f64 / height as f64;
        Some([t[0], t[1] * sx, t[2] * sy, t[3], t[4] * sx, t[5] * sy])
    }

    /// The keys as attributes (named by their GeoTIFF names where known), for CRSs that no
    /// EPSG code describes and for users who want them.
    pub fn key_attrs(&self) -> Vec<(String, Json)> {
        self.keys
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    KeyValue::Short(s) => Json::UInt(u64::from(*s)),
                    KeyValue::Doubles(d) if d.len() == 1 => Json::float(d[0]),
                    KeyValue::Doubles(d) => {
                        Json::Array(d.iter().map(|&x| Json::float(x)).collect())
                    }
                    KeyValue::Ascii(s) => Json::from(s.as_str()),
                };
                (key_name(*k), value)
            })
            .collect()
    }
}

fn key_name(id: u16) -> String {
    let name = match id {
        GT_MODEL_TYPE => "GTModelTypeGeoKey",
        GT_RASTER_TYPE => "GTRasterTypeGeoKey",
        1026 => "GTCitationGeoKey",
        GEOGRAPHIC_TYPE => "GeographicTypeGeoKey",
        2049 => "GeogCitationGeoKey",
        2050 => "GeogGeodeticDatumGeoKey",
        2051 => "GeogPrimeMeridianGeoKey",
        2052 => "GeogLinearUnitsGeoKey",
        2054 => "GeogAngularUnitsGeoKey",
        2056 => "GeogEllipsoidGeoKey",
        2057 => "GeogSemiMajorAxisGeoKey",
        2058 => "GeogSemiMinorAxisGeoKey",
        2059 => "GeogInvFlatteningGeoKey",
        PROJECTED_CS_TYPE => "ProjectedCSTypeGeoKey",
        3073 => "PCSCitationGeoKey",
        3074 => "ProjectionGeoKey",
        3075 => "ProjCoordTransGeoKey",
        3076 => "ProjLinearUnitsGeoKey",
        VERTICAL_CS_TYPE => "VerticalCSTypeGeoKey",
        4099 => "VerticalUnitsGeoKey",
        _ => return format!("GeoKey{}", id),
    };
    name.to_string()
}

/// Reads the GeoTIFF tags of one IFD (none: an empty [`Georef`]).
pub fn read_georef(v: &Values) -> Result<Georef> {
    let mut out = Georef {
        transform: transform(v)?,
        keys: keys(v)?,
    };
    let point = out.area_or_point() == Some("Point");
    if let (Some(t), true) = (out.transform.as_mut(), point) {
        // GDAL moves a PixelIsPoint tiepoint from the pixel's centre to its corner.
        t[0] -= 0.5 * t[1] + 0.5 * t[2];
        t[3] -= 0.5 * t[4] + 0.5 * t[5];
    }
    Ok(out)
}

fn transform(v: &Values) -> Result<Option<[f64; 6]>> {
    if let Some(m) = v.floats(MODEL_TRANSFORMATION)? {
        if m.len() >= 16 && m.iter().all(|x| x.is_finite()) {
            return Ok(Some([m[3], m[0], m[1], m[7], m[4], m[5]]));
        }
        return Ok(None);
    }
    let (Some(tie), Some(scale)) = (v.floats(MODEL_TIEPOINT)?, v.floats(MODEL_PIXEL_SCALE)?) else {
        return Ok(None);
    };
    // Several tiepoints without a scale are ground control points: no affine transform.
    if tie.len() < 6
        || scale.len() < 2
        || ![&tie[..6], &scale[..2]]
            .concat()
            .iter()
            .all(|x| x.is_finite())
    {
        return Ok(None);
    }
    let (i, j, x, y) = (tie[0], tie[1], tie[3], tie[4]);
    let (sx, sy) = (scale[0], scale[1]);
    Ok(Some([x - i * sx, sx, 0.0, y + j * sy, 0.0, -sy]))
}

fn keys(v: &Values) -> Result<Vec<(u16, KeyValue)>> {
    let Some(dir) = v.uints(GEO_KEY_DIRECTORY)? else {
        return Ok(Vec::new());
    };
    let doubles = v.floats(GEO_DOUBLE_PARAMS)?.unwrap_or_default();
    let ascii = v.ascii(GEO_ASCII_PARAMS)?.unwrap_or_default();
    let ascii: Vec<char> = ascii.chars().collect();
    let n = dir.get(3).copied().unwrap_or(0) as usize;
    let mut out = Vec::new();
    // Entries beyond the directory's end are ignored: the count is not trusted.
    for k in 0..n {
        let Some(e) = dir.get(4 + 4 * k..8 + 4 * k) else {
            break;
        };
        let (id, location, count, value) = (e[0] as u16, e[1], e[2] as usize, e[3] as usize);
        let kv = match location {
            0 => KeyValue::Short(value as u16),
            GEO_DOUBLE_PARAMS_U64 => match doubles.get(value..value.saturating_add(count)) {
                Some(d) => KeyValue::Doubles(d.to_vec()),
                None => continue,
            },
            GEO_ASCII_PARAMS_U64 => match ascii.get(value..value.saturating_add(count)) {
                Some(c) => {
                    let s: String = c.iter().collect();
                    KeyValue::Ascii(s.trim_end_matches(['|', '\0']).to_string())
                }
                None => continue,
            },
            GEO_KEY_DIRECTORY_U64 => match dir.get(value) {
                Some(&s) => KeyValue::Short(s as u16),
                None => continue,
            },
            _ => continue,
        };
        out.push((id, kv));
    }
    Ok(out)
}

const GEO_DOUBLE_PARAMS_U64: u64 = GEO_DOUBLE_PARAMS as u64;
const GEO_ASCII_PARAMS_U64: u64 = GEO_ASCII_PARAMS as u64;
const GEO_KEY_DIRECTORY_U64: u64 = GEO_KEY_DIRECTORY as u64;
