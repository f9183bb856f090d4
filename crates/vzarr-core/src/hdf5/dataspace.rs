//! The dataspace message (0x01): rank, current and maximum dimensions.

use super::io::Cursor;
use crate::error::Result;

/// HDF5 allows 32 dimensions.
pub const MAX_RANK: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dataspace {
    /// One element, no dimensions.
    Scalar,
    /// An array; `max[i]` is `None` for an unlimited dimension.
    Simple {
        dims: Vec<u64>,
        max: Vec<Option<u64>>,
    },
    /// No elements at all (h5py's `Empty`).
    Null,
}

impl Dataspace {
    /// The current shape (`[]` for scalar and null dataspaces).
    pub fn shape(&self) -> Vec<u64> {
        match self {
            Dataspace::Simple { dims, .. } => dims.clone(),
            _ => Vec::new(),
        }
    }

    /// The maximum shape with unlimited dimensions as `None`.
    pub fn max_shape(&self) -> Vec<Option<u64>> {
        match self {
            Dataspace::Simple { max, .. } => max.clone(),
            _ => Vec::new(),
        }
    }

    /// Number of elements (`None` when the product overflows).
    pub fn element_count(&self) -> Option<u64> {
        match self {
            Dataspace::Scalar => Some(1),
            Dataspace::Null => Some(0),
            Dataspace::Simple { dims, .. } => {
                dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))
            }
        }
    }
}

pub fn parse(c: &mut Cursor) -> Result<Dataspace> {
    let version = c.u8()?;
    let rank = c.u8()? as usize;
    let flags = c.u8()?;
    let kind = match version {
        1 => {
            c.skip(5)?;
            if rank == 0 {
                0
            } else {
                1
            }
        }
        2 => c.u8()?,
        v => return Err(c.error(format!("dataspace version {} is not supported", v))),
    };
    if rank > MAX_RANK {
        return Err(c.error(format!(
            "rank {} exceeds HDF5's limit of {}",
            rank, MAX_RANK
        )));
    }
    match kind {
        0 => return Ok(Dataspace::Scalar),
        2 => return Ok(Dataspace::Null),
        1 => {}
        k => return Err(c.error(format!("unknown dataspace type {}", k))),
    }
    let mut dims = Vec::with_capacity(rank);
    for _ in 0..rank {
        dims.push(c.len_field("dimension size")?);
    }
    let mut max = Vec::with_capacity(rank);
    if flags & 1 != 0 {
        for &d in &dims {
            let m = c.length()?;
            if let Some(m) = m {
                if m < d {
                    return Err(c.error(format!(
                        "maximum dimension {} is smaller than the current {}",
                        m, d
                    )));
                }
            }
            max.push(m);
        }
    } else {
        max.extend(dims.iter().map(|&d| Some(d)));
    }
    if rank == 0 {
        // A version-2 "simple" dataspace of rank 0 behaves as a scalar.
        return Ok(Dataspace::Scalar);
    }
    Ok(Dataspace::Simple { dims, max })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;

    fn geo() -> Geometry {
        Geometry {
            base: 0,
            o: 8,
            l: 8,
        }
    }

    #[test]
    fn parses_v1_and_v2() {
        let mut v1 = vec![1u8, 2, 1, 0, 0, 0, 0, 0];
        for d in [3u64, 4, u64::MAX, 4] {
            v1.extend_from_slice(&d.to_le_bytes());
        }
        let ds = parse(&mut Cursor::new(&v1, geo(), 0, "t")).unwrap();
        assert_eq!(
            ds,
            Dataspace::Simple {
                dims: vec![3, 4],
                max: vec![None, Some(4)]
            }
        );
        let v2 = [2u8, 0, 0, 0];
        assert_eq!(
            parse(&mut Cursor::new(&v2, geo(), 0, "t")).unwrap(),
            Dataspace::Scalar
        );
        let null = [2u8, 0, 0, 2];
        assert_eq!(
            parse(&mut Cursor::new(&null, geo(), 0, "t")).unwrap(),
            Dataspace::Null
        );
    }
}
