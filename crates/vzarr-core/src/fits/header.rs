//! FITS headers: 2880-byte blocks of 80-character cards, ended by `END`.
//!
//! A card is `KEYWORD = value / comment`. Values are logical (`T`/`F`), integers, floats
//! (`E` or `D` exponents), quoted strings (`''` is a quote; trailing blanks are not
//! significant), complex pairs (kept as their text) or absent. `HIERARCH` cards carry longer
//! keywords (ESO's convention, as astropy reads them); long strings continue over `CONTINUE`
//! cards while they end in `&`. `COMMENT`, `HISTORY` and blank-keyword cards are
//! commentary: their text, not a value.

use crate::error::{Error, Result};
use crate::sansio::{ByteCache, Step, Stop};

pub const BLOCK: u64 = 2880;
const CARD: usize = 80;
/// Headers longer than this many blocks are refused (a corrupt file without `END`).
pub const MAX_HEADER_BLOCKS: u64 = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A value kept as its text (complex numbers, integers past 64 bits).
    Text(String),
    /// `KEY =` with nothing after it.
    Undefined,
    /// COMMENT / HISTORY / blank-keyword text, or a card without a value indicator.
    Commentary(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub key: String,
    pub value: Value,
}

#[derive(Clone, Debug, Default)]
pub struct Header {
    pub cards: Vec<Card>,
    /// Bytes the header occupies (whole blocks).
    pub length: u64,
}

impl Header {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.cards
            .iter()
            .find(|c| c.key == key && !matches!(c.value, Value::Commentary(_)))
            .map(|c| &c.value)
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Int(v) => Some(*v),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn float(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Int(v) => Some(*v as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A required non-negative integer keyword.
    pub fn count(&self, key: &str) -> Result<u64> {
        match self.int(key) {
            Some(v) if v >= 0 => Ok(v as u64),
            Some(v) => Err(Error::corrupt(format!("{} = {} is negative", key, v))),
            None => Err(Error::corrupt(format!(
                "the header has no integer {} keyword",
                key
            ))),
        }
    }
}

/// Reads the header starting at `at`, block by block, until its `END` card.
pub fn read(cache: &ByteCache, at: u64) -> Step<Header> {
    let size = cache.file_size();
    let mut cards: Vec<Card> = Vec::new();
    for k in 0..MAX_HEADER_BLOCKS {
        let start = at + k * BLOCK;
        if start + BLOCK > size {
            return Err(Stop::Fail(
                Error::corrupt(format!(
                    "the header starting at byte {} runs past the end of the file ({} bytes) \
                     without an END card",
                    at, size
                ))
                .at_offset(at),
            ));
        }
        let block = cache.read(start, BLOCK)?;
        for raw in block.chunks(CARD) {
            if &raw[..8] == b"END     " {
                return Ok(Header {
                    cards,
                    length: (k + 1) * BLOCK,
                });
            }
            parse_card(raw, &mut cards);
        }
    }
    Err(Stop::Fail(Error::limit(format!(
        "the header starting at byte {} has no END card in {} blocks",
        at, MAX_HEADER_BLOCKS
    ))))
}

fn text(bytes: &[u8]) -> String {
    // Headers are ASCII; anything else is kept, replaced, rather than refused.
    String::from_utf8_lossy(bytes).into_owned()
}

fn parse_card(raw: &[u8], cards: &mut Vec<Card>) {
    let key = text(&raw[..8]).trim_end().to_string();
    if key == "HIERARCH" {
        let rest = text(&raw[8..]);
        if let Some(eq) = rest.find('=') {
            let value = parse_value(&rest[eq + 1..]);
            cards.push(Card {
                key: rest[..eq].trim().to_string(),
                value,
            });
            return;
        }
    }
    if key == "CONTINUE" {
        if let Some(Card {
            value: Value::Str(prev),
            ..
        }) = cards.last_mut()
        {
            if prev.ends_with('&') {
                if let Value::Str(more) = parse_value(&text(&raw[8..])) {
                    prev.pop();
                    prev.push_str(&more);
                    return;
                }
            }
        }
    }
    let commentary = matches!(key.as_str(), "COMMENT" | "HISTORY" | "") || &raw[8..10] != b"= ";
    let value = if commentary {
        Value::Commentary(text(&raw[8..]).trim_end().to_string())
    } else {
        parse_value(&text(&raw[10..]))
    };
    cards.push(Card { key, value });
}

fn parse_value(field: &str) -> Value {
    let s = field.trim_start();
    if let Some(body) = s.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                break;
            }
            out.push(c);
        }
        return Value::Str(out.trim_end().to_string());
    }
    let token = match s.find('/') {
        Some(i) if !s.starts_with('(') => &s[..i],
        _ => s.split(" /").next().unwrap_or(s),
    }
    .trim();
    match token {
        "" => Value::Undefined,
        "T" => Value::Bool(true),
        "F" => Value::Bool(false),
        _ if token.starts_with('(') => Value::Text(token.to_string()),
        _ => {
            if let Ok(i) = token.trim_start_matches('+').parse::<i64>() {
                return Value::Int(i);
            }
            let all_digits = token
                .trim_start_matches(['+', '-'])
                .bytes()
                .all(|b| b.is_ascii_digit());
            if all_digits {
                return Value::Text(token.to_string());
            }
            match token.replace(['D', 'd'], "E").parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => Value::Text(token.to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(s: &str) -> Vec<u8> {
        let mut b = s.as_bytes().to_vec();
        b.resize(CARD, b' ');
        b
    }

    fn parse(lines: &[&str]) -> Vec<Card> {
        let mut cards = Vec::new();
        for l in lines {
            parse_card(&card(l), &mut cards);
        }
        cards
    }

    #[test]
    fn values_of_every_kind() {
        let c = parse(&[
            "SIMPLE  =                    T / conforms",
            "BITPIX  =                  -32",
            "CRVAL1  =   1.5D+02 / degrees",
            "OBJECT  = 'it''s / here  '     / comment",
            "EMPTY   =",
            "CPLX    = (1.0, 2.0)",
            "BIG     = 123456789012345678901234",
            "HIERARCH ESO DET CHIP NAME = 'CCD-44' / chip",
            "LONG    = 'abc&'",
            "CONTINUE  'def&'",
            "CONTINUE  'ghi'",
            "COMMENT   some text",
            "HISTORY a step",
        ]);
        let v: Vec<(&str, &Value)> = c.iter().map(|c| (c.key.as_str(), &c.value)).collect();
        assert_eq!(v[0], ("SIMPLE", &Value::Bool(true)));
        assert_eq!(v[1], ("BITPIX", &Value::Int(-32)));
        assert_eq!(v[2], ("CRVAL1", &Value::Float(150.0)));
        assert_eq!(v[3], ("OBJECT", &Value::Str("it's / here".into())));
        assert_eq!(v[4], ("EMPTY", &Value::Undefined));
        assert_eq!(v[5], ("CPLX", &Value::Text("(1.0, 2.0)".into())));
        assert_eq!(
            v[6],
            ("BIG", &Value::Text("123456789012345678901234".into()))
        );
        assert_eq!(v[7], ("ESO DET CHIP NAME", &Value::Str("CCD-44".into())));
        assert_eq!(v[8], ("LONG", &Value::Str("abcdefghi".into())));
        assert_eq!(v[9], ("COMMENT", &Value::Commentary("  some text".into())));
        assert_eq!(v[10], ("HISTORY", &Value::Commentary("a step".into())));
    }
}
