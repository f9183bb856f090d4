//! HDF5's scale-offset client data (`cd_values`) and the `vzarr.scaleoffset` codec
//! configuration that spells it, both ways.

use super::*;

impl ScaleOffsetParams {
    /// From HDF5's client data for a dataset of `item_size`-byte elements. `Ok(None)` when
    /// the filter leaves the data as they are (integers with a full-width `scale_factor`).
    pub fn from_cd_values(cd: &[u32], item_size: usize) -> Result<Option<ScaleOffsetParams>> {
        if cd.len() != CD_VALUES {
            return Err(Error::corrupt(format!(
                "the scale-offset filter has {} client values, HDF5 writes {}",
                cd.len(),
                CD_VALUES
            )));
        }
        let size = cd[4] as usize;
        if size != item_size {
            return Err(Error::corrupt(format!(
                "the scale-offset filter describes {}-byte elements, the dataset has {}-byte ones",
                size, item_size
            )));
        }
        let (scale_type, scale_factor) = (cd[0], cd[1] as i32);
        let scaling = match cd[3] {
            0 => {
                if scale_type != SO_INT {
                    return Err(Error::corrupt(format!(
                        "scale-offset: scale type {} is not valid for integers",
                        scale_type
                    )));
                }
                if !matches!(size, 1 | 2 | 4 | 8) {
                    return Err(Error::unsupported(format!(
                        "scale-offset on {}-byte integers",
                        size
                    )));
                }
                let signed = match cd[5] {
                    0 => false,
                    1 => true,
                    other => {
                        return Err(Error::corrupt(format!(
                            "scale-offset: integer sign code {} is not valid",
                            other
                        )))
                    }
                };
                // HDF5 treats a negative fixed minbits as 0 (computed per chunk).
                let fixed_bits = scale_factor.max(0) as usize;
                if fixed_bits > 8 * size {
                    return Err(Error::corrupt(format!(
                        "scale-offset: {} bits exceed the {}-byte integers",
                        fixed_bits, size
                    )));
                }
                if fixed_bits == 8 * size {
                    return Ok(None);
                }
                Scaling::Integer { signed }
            }
            1 => {
                match scale_type {
                    SO_FLOAT_DSCALE => {}
                    SO_FLOAT_ESCALE => {
                        return Err(Error::unsupported(
                            "scale-offset E-scaling is not implemented (HDF5 refuses it too)",
                        ))
                    }
                    other => {
                        return Err(Error::corrupt(format!(
                            "scale-offset: scale type {} is not valid for floats",
                            other
                        )))
                    }
                }
                if !matches!(size, 4 | 8) {
                    return Err(Error::unsupported(format!(
                        "scale-offset on {}-byte floats",
                        size
                    )));
                }
                Scaling::Decimal {
                    decimals: scale_factor,
                }
            }
            other => {
                return Err(Error::corrupt(format!(
                    "scale-offset: datatype class code {} is not valid",
                    other
                )))
            }
        };
        let big_endian = match cd[6] {
            0 => false,
            1 => true,
            other => {
                return Err(Error::corrupt(format!(
                    "scale-offset: byte order code {} is not valid",
                    other
                )))
            }
        };
        let fill = if cd[7] == 1 {
            let bits = u64::from(cd[8]) | u64::from(cd[9]) << 32;
            Some(bits & low_mask(8 * size as u32))
        } else {
            None
        };
        Ok(Some(ScaleOffsetParams {
            scaling,
            scale_factor,
            nelmts: u64::from(cd[2]),
            size,
            big_endian,
            fill,
        }))
    }

    /// The client data these parameters stand for (the inverse of [`Self::from_cd_values`]).
    pub(super) fn cd_values(&self) -> [u32; CD_VALUES] {
        let mut cd = [0u32; CD_VALUES];
        let (scale_type, class, signed) = match self.scaling {
            Scaling::Integer { signed } => (SO_INT, 0, signed),
            Scaling::Decimal { .. } => (SO_FLOAT_DSCALE, 1, false),
        };
        cd[0] = scale_type;
        cd[1] = self.scale_factor as u32;
        cd[2] = self.nelmts as u32;
        cd[3] = class;
        cd[4] = self.size as u32;
        cd[5] = u32::from(signed);
        cd[6] = u32::from(self.big_endian);
        if let Some(bits) = self.fill {
            cd[7] = 1;
            cd[8] = bits as u32;
            cd[9] = (bits >> 32) as u32;
        }
        cd
    }

    /// The codec configuration (see the module documentation).
    pub fn to_config(&self) -> Json {
        let cd = self.cd_values();
        let mut fields = vec![
            ("scale_type", Json::UInt(u64::from(cd[0]))),
            ("scale_factor", Json::Int(i64::from(self.scale_factor))),
            ("nelmts", Json::UInt(self.nelmts)),
            (
                "class",
                Json::from(match self.scaling {
                    Scaling::Integer { .. } => "integer",
                    Scaling::Decimal { .. } => "float",
                }),
            ),
            ("size", Json::UInt(self.size as u64)),
        ];
        if let Scaling::Integer { signed } = self.scaling {
            fields.push(("signed", Json::Bool(signed)));
        }
        fields.push((
            "order",
            Json::from(if self.big_endian { "big" } else { "little" }),
        ));
        fields.push(("fill_defined", Json::Bool(self.fill.is_some())));
        if let Some(bits) = self.fill {
            let bytes: Vec<Json> = bits.to_le_bytes()[..self.size]
                .iter()
                .map(|&b| Json::UInt(u64::from(b)))
                .collect();
            fields.push(("fill_bytes", Json::Array(bytes)));
        }
        Json::object(fields)
    }

    /// Reads a configuration written by [`Self::to_config`], validated as HDF5's client
    /// data are. `Ok(None)`: the data are stored as they are.
    pub fn from_config(config: &Json) -> Result<Option<ScaleOffsetParams>> {
        let field = |key: &str| -> Result<u32> {
            u32::try_from(config_u64(config, key, None)?).map_err(|_| {
                Error::invalid(format!("scaleoffset configuration {} is out of range", key))
            })
        };
        let mut cd = [0u32; CD_VALUES];
        cd[0] = field("scale_type")?;
        cd[1] = match config.get("scale_factor") {
            Some(Json::Int(v)) => i32::try_from(*v).ok(),
            Some(v) => v.as_u64().and_then(|v| i32::try_from(v).ok()),
            None => None,
        }
        .ok_or_else(|| Error::invalid("scaleoffset configuration needs an i32 scale_factor"))?
            as u32;
        cd[2] = field("nelmts")?;
        cd[3] = match config.get("class").and_then(Json::as_str) {
            Some("integer") => 0,
            Some("float") => 1,
            _ => {
                return Err(Error::invalid(
                    "scaleoffset configuration class must be \"integer\" or \"float\"",
                ))
            }
        };
        cd[4] = field("size")?;
        if cd[3] == 0 {
            cd[5] = match config.get("signed") {
                Some(Json::Bool(signed)) => u32::from(*signed),
                _ => {
                    return Err(Error::invalid(
                        "scaleoffset configuration needs \"signed\" for integers",
                    ))
                }
            };
        }
        cd[6] = match config.get("order").and_then(Json::as_str) {
            Some("little") => 0,
            Some("big") => 1,
            _ => {
                return Err(Error::invalid(
                    "scaleoffset configuration order must be \"little\" or \"big\"",
                ))
            }
        };
        if config_bool(config, "fill_defined", false)? {
            let bytes = config
                .get("fill_bytes")
                .and_then(Json::as_array)
                .filter(|b| b.len() == cd[4] as usize && b.len() <= 8)
                .ok_or_else(|| {
                    Error::invalid("scaleoffset fill_bytes must hold one byte per element byte")
                })?;
            let mut bits = 0u64;
            for (i, b) in bytes.iter().enumerate() {
                let b = b.as_u64().filter(|&b| b <= 255).ok_or_else(|| {
                    Error::invalid("scaleoffset fill_bytes must be bytes (0..=255)")
                })?;
                bits |= b << (8 * i);
            }
            cd[7] = 1;
            cd[8] = bits as u32;
            cd[9] = (bits >> 32) as u32;
        }
        ScaleOffsetParams::from_cd_values(&cd, cd[4] as usize)
    }
}

fn config_bool(config: &Json, key: &str, default: bool) -> Result<bool> {
    match config.get(key) {
        None => Ok(default),
        Some(Json::Bool(b)) => Ok(*b),
        Some(other) => Err(Error::invalid(format!(
            "codec configuration field {:?} must be true or false, not {}",
            key, other
        ))),
    }
}
