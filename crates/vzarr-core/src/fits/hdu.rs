//! One header-data unit: what kind it is, where its data lies and how long it is.

use super::header::{Header, BLOCK};
use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// The primary HDU or an IMAGE extension.
    Image,
    /// A BINTABLE holding a tile-compressed image (`ZIMAGE = T`).
    CompressedImage,
    /// BINTABLE, TABLE, random groups and unknown extensions: not represented.
    Other(String),
}

#[derive(Clone, Debug)]
pub struct Hdu {
    pub index: usize,
    pub offset: u64,
    pub header: Header,
    pub kind: Kind,
    pub data_start: u64,
    pub data_size: u64,
    /// The file ends before the data does.
    pub truncated: bool,
}

impl Hdu {
    /// Where the next HDU starts: after the data, padded to whole blocks.
    pub fn end(&self) -> u64 {
        self.data_start + self.data_size.div_ceil(BLOCK) * BLOCK
    }

    /// The name astropy gives the HDU: EXTNAME, PRIMARY for the first, else empty. A
    /// compressed image's table may carry two EXTNAME cards — the table's (often
    /// `COMPRESSED_IMAGE`) and the image's after it — and the image's is its name.
    pub fn name(&self) -> String {
        match self.extname() {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ if self.index == 0 => "PRIMARY".to_string(),
            _ => String::new(),
        }
    }

    pub fn extname(&self) -> Option<&str> {
        let mut names = self
            .header
            .cards
            .iter()
            .filter_map(|c| match (&c.value, c.key.as_str()) {
                (super::header::Value::Str(s), "EXTNAME") => Some(s.as_str()),
                _ => None,
            });
        if self.kind == Kind::CompressedImage {
            names.next_back()
        } else {
            names.next()
        }
    }
}

/// The item size of a BITPIX (8, 16, 32, 64, -32, -64) and the big-endian NumPy dtype.
pub fn bitpix_dtype(bitpix: i64) -> Result<(u64, &'static str)> {
    Ok(match bitpix {
        8 => (1, "|u1"),
        16 => (2, ">i2"),
        32 => (4, ">i4"),
        64 => (8, ">i8"),
        -32 => (4, ">f4"),
        -64 => (8, ">f8"),
        other => {
            return Err(Error::corrupt(format!(
                "BITPIX = {} (FITS allows 8, 16, 32, 64, -32, -64)",
                other
            )))
        }
    })
}

/// `NAXIS1..NAXISn` (FITS order, fastest axis first).
pub fn axes(header: &Header, prefix: &str) -> Result<Vec<u64>> {
    let n = header.count(&format!("{}NAXIS", prefix))?;
    if n > 999 {
        return Err(Error::corrupt(format!(
            "{}NAXIS = {} (at most 999)",
            prefix, n
        )));
    }
    (1..=n)
        .map(|i| header.count(&format!("{}NAXIS{}", prefix, i)))
        .collect()
}

/// Classifies the HDU and sizes its data (FITS standard 4.0 §4.4.1: |BITPIX| × GCOUNT ×
/// (PCOUNT + NAXIS1 × … × NAXISn) bits, with NAXIS1 = 0 left out for random groups).
pub fn describe(index: usize, offset: u64, header: Header, file_size: u64) -> Result<Hdu> {
    let first = header.cards.first().map(|c| c.key.as_str());
    let kind = if index == 0 {
        if first != Some("SIMPLE") {
            return Err(Error::corrupt("the file does not start with a SIMPLE card"));
        }
        if header.bool("GROUPS") == Some(true) && header.int("NAXIS1") == Some(0) {
            Kind::Other("random groups".to_string())
        } else {
            Kind::Image
        }
    } else {
        match header.str("XTENSION").map(str::trim) {
            Some("IMAGE") => Kind::Image,
            Some("BINTABLE") if header.bool("ZIMAGE") == Some(true) => Kind::CompressedImage,
            Some("BINTABLE") => Kind::Other("binary table".to_string()),
            Some("TABLE") => Kind::Other("ASCII table".to_string()),
            Some(other) => Kind::Other(format!("{} extension", other)),
            None => return Err(Error::corrupt("an extension header without XTENSION")),
        }
    };
    let bitpix = header
        .int("BITPIX")
        .ok_or_else(|| Error::corrupt("the header has no integer BITPIX keyword"))?;
    let (item, _) = bitpix_dtype(bitpix)?;
    let naxis = axes(&header, "")?;
    let groups = matches!(&kind, Kind::Other(k) if k == "random groups");
    let pcount = header.int("PCOUNT").unwrap_or(0);
    let gcount = header.int("GCOUNT").unwrap_or(1);
    if pcount < 0 || gcount < 0 {
        return Err(Error::corrupt("PCOUNT or GCOUNT is negative"));
    }
    let elements = if naxis.is_empty() {
        0
    } else {
        naxis
            .iter()
            .skip(usize::from(groups))
            .try_fold(1u64, |a, &n| a.checked_mul(n))
            .ok_or_else(|| Error::limit("the data size overflows 64 bits"))?
    };
    let data_size = if naxis.is_empty() && pcount == 0 {
        0
    } else {
        elements
            .checked_add(pcount as u64)
            .and_then(|n| n.checked_mul(gcount as u64))
            .and_then(|n| n.checked_mul(item))
            .ok_or_else(|| Error::limit("the data size overflows 64 bits"))?
    };
    let data_start = offset + header.length;
    let truncated = data_start
        .checked_add(data_size)
        .is_none_or(|end| end > file_size);
    Ok(Hdu {
        index,
        offset,
        header,
        kind,
        data_start,
        data_size,
        truncated,
    })
}
