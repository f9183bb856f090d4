//! GDAL's private tags: GDAL_METADATA (an XML list of `<Item>`s) and GDAL_NODATA (ASCII).

use crate::json::Json;

pub const GDAL_METADATA: u16 = 42112;
pub const GDAL_NODATA: u16 = 42113;

/// One `<Item name=".." [sample=".."] [role=".."] [domain=".."]>value</Item>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub name: String,
    pub sample: Option<u64>,
    pub role: Option<String>,
    pub domain: Option<String>,
    pub value: String,
}

/// The items of a GDAL_METADATA document; anything that is not a well-formed item is skipped.
pub fn parse_metadata(xml: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<Item") {
        rest = &rest[start + 5..];
        let Some(close) = rest.find('>') else { break };
        let (head, after) = (&rest[..close], &rest[close + 1..]);
        if head.ends_with('/') {
            rest = after;
            continue;
        }
        let Some(end) = after.find("</Item>") else {
            break;
        };
        let value = unescape(&after[..end]);
        rest = &after[end + 7..];
        let attr = |key: &str| attribute(head, key);
        let Some(name) = attr("name") else { continue };
        out.push(Item {
            name,
            sample: attr("sample").and_then(|s| s.trim().parse().ok()),
            role: attr("role"),
            domain: attr("domain").filter(|d| !d.is_empty()),
            value,
        });
    }
    out
}

/// The value of `key="..."` (or `'...'`) in an element's attribute text.
fn attribute(head: &str, key: &str) -> Option<String> {
    let mut at = 0;
    while let Some(p) = head[at..].find(key) {
        let i = at + p;
        at = i + key.len();
        let before_ok = i == 0 || head.as_bytes()[i - 1].is_ascii_whitespace();
        let rest = head[at..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let quote = rest.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let body = &rest[1..];
        let end = body.find(quote)?;
        return Some(unescape(&body[..end]));
    }
    None
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// GDAL_NODATA as a number ("nan", "-inf", MSVC's "1.#QNAN" included).
pub fn parse_nodata(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('\0').trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" | "-nan" | "1.#qnan" | "-1.#qnan" | "1.#ind" | "-1.#ind" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" | "1.#inf" => Some(f64::INFINITY),
        "-inf" | "-infinity" | "-1.#inf" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok(),
    }
}

/// The nodata value as a fill value of `dtype` (`<f4`, `|u1`, ...); `None` when it is not
/// representable (GDAL then ignores it too).
pub fn fill_value(nodata: f64, dtype: &str) -> Option<Json> {
    let kind = dtype.as_bytes().get(1).copied()?;
    let size: u32 = dtype.get(2..)?.parse().ok()?;
    match kind {
        b'f' => Some(Json::float(nodata)),
        b'u' | b'b' if nodata.fract() == 0.0 && nodata >= 0.0 => {
            let max = if size >= 8 {
                u64::MAX as f64
            } else {
                ((1u64 << (8 * size)) - 1) as f64
            };
            (nodata <= max).then_some(Json::UInt(nodata as u64))
        }
        b'i' if nodata.fract() == 0.0 => {
            let bits = 8 * size - 1;
            let (lo, hi) = if size >= 8 {
                (i64::MIN as f64, i64::MAX as f64)
            } else {
                (-((1i64 << bits) as f64), ((1i64 << bits) - 1) as f64)
            };
            (nodata >= lo && nodata <= hi).then_some(Json::Int(nodata as i64))
        }
        _ => None,
    }
}

/// A metadata value as an attribute: the string itself, as GDAL and rioxarray report it.
pub fn item_json(value: &str) -> Json {
    Json::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_items_and_entities() {
        let xml = "<GDALMetadata>\n  <Item name=\"TITLE\">a &amp; b</Item>\n  <Item name=\"scale\" sample=\"0\" role=\"scale\">0.5</Item>\n<Item name='x' domain=''>&#65;</Item></GDALMetadata>";
        let items = parse_metadata(xml);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].value, "a & b");
        assert_eq!(items[1].sample, Some(0));
        assert_eq!(items[1].role.as_deref(), Some("scale"));
        assert_eq!(items[2].value, "A");
        assert_eq!(items[2].domain, None);
    }

    #[test]
    fn nodata_fits_the_dtype() {
        assert_eq!(
            fill_value(parse_nodata("-9999").unwrap(), "<i2"),
            Some(Json::Int(-9999))
        );
        assert_eq!(fill_value(parse_nodata("-9999").unwrap(), "|u1"), None);
        assert_eq!(
            fill_value(parse_nodata("255").unwrap(), "|u1"),
            Some(Json::UInt(255))
        );
        assert_eq!(
            fill_value(parse_nodata("nan").unwrap(), "<f4"),
            Some(Json::from("NaN"))
        );
        assert_eq!(fill_value(parse_nodata("1.5").unwrap(), "<i4"), None);
    }
}
