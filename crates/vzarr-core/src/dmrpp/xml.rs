//! A small XML tokenizer: just what DMR++ documents use (elements, attributes, text, entity
//! and character references, comments, processing instructions, CDATA, a DOCTYPE without an
//! internal subset). It hands out slices of the input, so a sidecar of 100,000 chunk
//! elements is read without building a tree or allocating per attribute.
//!
//! Every construct must be closed before the end of the input, and every byte of the input
//! is visited at most a constant number of times: malformed input ends in a `CorruptFile`
//! error with the byte offset, never a hang.

use crate::error::{Error, Result};
use std::borrow::Cow;

#[derive(Debug, PartialEq)]
pub enum Event<'a> {
    /// `<name attrs>` or, when `empty`, `<name attrs/>` (no `End` follows).
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
        at: usize,
    },
    End {
        name: &'a [u8],
        at: usize,
    },
    /// Character data still holding its references (`&amp;` ...).
    Text(&'a [u8]),
    /// The content of a CDATA section, taken literally.
    CData(&'a [u8]),
}

pub struct Tokenizer<'a> {
    src: &'a [u8],
    pos: usize,
}

fn corrupt(message: impl Into<String>, at: usize) -> Error {
    Error::corrupt(format!("malformed XML: {}", message.into())).at_offset(at as u64)
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.len() == 1 {
        return haystack[from..]
            .iter()
            .position(|&b| b == needle[0])
            .map(|i| from + i);
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn is_name_byte(b: u8) -> bool {
    !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' | b'=' | b'<')
}

impl<'a> Tokenizer<'a> {
    pub fn new(src: &'a [u8]) -> Tokenizer<'a> {
        // A UTF-8 byte order mark is not part of the document.
        let pos = if src.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        Tokenizer { src, pos }
    }

    /// The next event, or `None` at the end of the input.
    pub fn next_event(&mut self) -> Result<Option<Event<'a>>> {
        loop {
            let src = self.src;
            let start = self.pos;
            if start >= src.len() {
                return Ok(None);
            }
            if src[start] != b'<' {
                let end = find(src, start, b"<").unwrap_or(src.len());
                self.pos = end;
                return Ok(Some(Event::Text(&src[start..end])));
            }
            let rest = &src[start..];
            if rest.starts_with(b"<?") {
                self.pos = self.skip_past(start + 2, b"?>", "processing instruction")?;
                continue;
            }
            if rest.starts_with(b"<!--") {
                self.pos = self.skip_past(start + 4, b"-->", "comment")?;
                continue;
            }
            if rest.starts_with(b"<![CDATA[") {
                let body = start + 9;
                let end = find(src, body, b"]]>")
                    .ok_or_else(|| corrupt("unterminated CDATA section", start))?;
                self.pos = end + 3;
                return Ok(Some(Event::CData(&src[body..end])));
            }
            if rest.starts_with(b"<!") {
                let end = find(src, start, b">")
                    .ok_or_else(|| corrupt("unterminated declaration", start))?;
                if src[start..end].contains(&b'[') {
                    return Err(Error::unsupported(
                        "XML documents with an internal DTD subset are not supported",
                    )
                    .at_offset(start as u64));
                }
                self.pos = end + 1;
                continue;
            }
            if rest.starts_with(b"</") {
                let end =
                    find(src, start, b">").ok_or_else(|| corrupt("unterminated end tag", start))?;
                let name = trim(&src[start + 2..end]);
                if name.is_empty() {
                    return Err(corrupt("end tag without a name", start));
                }
                self.pos = end + 1;
                return Ok(Some(Event::End { name, at: start }));
            }
            return self.start_tag(start).map(Some);
        }
    }

    fn skip_past(&self, from: usize, terminator: &[u8], what: &str) -> Result<usize> {
        find(self.src, from, terminator)
            .map(|i| i + terminator.len())
            .ok_or_else(|| corrupt(format!("unterminated {}", what), from))
    }

    fn start_tag(&mut self, start: usize) -> Result<Event<'a>> {
        let src = self.src;
        let mut i = start + 1;
        while i < src.len() && is_name_byte(src[i]) {
            i += 1;
        }
        let name = &src[start + 1..i];
        if name.is_empty() {
            return Err(corrupt("'<' not followed by a name", start));
        }
        // The tag ends at the first '>' outside a quoted attribute value.
        let attrs_start = i;
        let mut quote = 0u8;
        while i < src.len() {
            let b = src[i];
            if quote != 0 {
                if b == quote {
                    quote = 0;
                }
            } else if b == b'"' || b == b'\'' {
                quote = b;
            } else if b == b'>' {
                break;
            } else if b == b'<' {
                return Err(corrupt("'<' inside a tag", i));
            }
            i += 1;
        }
        if i >= src.len() {
            return Err(corrupt(
                format!("unterminated tag <{}", String::from_utf8_lossy(name)),
                start,
            ));
        }
        let empty = src[i - 1] == b'/' && i > attrs_start;
        let attrs_end = if empty { i - 1 } else { i };
        self.pos = i + 1;
        Ok(Event::Start {
            name,
            attrs: &src[attrs_start..attrs_end],
            empty,
            at: start,
        })
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e]
}

/// The part of a qualified name after its prefix: `dmrpp:chunk` → `chunk`.
pub fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The attributes of a start tag, in order: (qualified name, raw value).
pub struct Attributes<'a> {
    raw: &'a [u8],
    pos: usize,
    at: usize,
}

pub fn attributes(raw: &[u8], at: usize) -> Attributes<'_> {
    Attributes { raw, pos: 0, at }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a [u8], &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.raw;
        let mut i = self.pos;
        while i < raw.len() && raw[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= raw.len() {
            return None;
        }
        let name_start = i;
        while i < raw.len() && is_name_byte(raw[i]) {
            i += 1;
        }
        let name = &raw[name_start..i];
        while i < raw.len() && raw[i].is_ascii_whitespace() {
            i += 1;
        }
        if name.is_empty() || i >= raw.len() || raw[i] != b'=' {
            self.pos = raw.len();
            return Some(Err(corrupt("attribute without '=value'", self.at)));
        }
        i += 1;
        while i < raw.len() && raw[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = match raw.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => {
                self.pos = raw.len();
                return Some(Err(corrupt("attribute value without quotes", self.at)));
            }
        };
        let value_start = i + 1;
        let Some(len) = raw[value_start..].iter().position(|&b| b == quote) else {
            self.pos = raw.len();
            return Some(Err(corrupt("unterminated attribute value", self.at)));
        };
        self.pos = value_start + len + 1;
        Some(Ok((name, &raw[value_start..value_start + len])))
    }
}

/// Text of the document as a string: UTF-8, or Latin-1 (what DMR++ files declare) when the
/// bytes are not UTF-8.
pub fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
    }
}

/// Text with its entity and character references replaced.
pub fn unescape(bytes: &[u8], at: usize) -> Result<Cow<'_, str>> {
    let s = text(bytes);
    if !s.contains('&') {
        return Ok(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest: &str = &s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&n| n <= 10)
            .ok_or_else(|| corrupt("'&' without a reference", at))?;
        let reference = &after[..semi];
        let c = match reference {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            r if r.starts_with("#x") || r.starts_with("#X") => char_ref(&r[2..], 16, at)?,
            r if r.starts_with('#') => char_ref(&r[1..], 10, at)?,
            r => return Err(corrupt(format!("unknown entity &{};", r), at)),
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

fn char_ref(digits: &str, radix: u32, at: usize) -> Result<char> {
    u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| corrupt(format!("bad character reference {:?}", digits), at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(src: &str) -> Result<Vec<String>> {
        let mut t = Tokenizer::new(src.as_bytes());
        let mut out = Vec::new();
        while let Some(e) = t.next_event()? {
            out.push(match e {
                Event::Start { name, empty, .. } => {
                    format!("<{}{}", text(name), if empty { "/" } else { "" })
                }
                Event::End { name, .. } => format!("</{}", text(name)),
                Event::Text(t) => format!("t:{}", unescape(t, 0)?),
                Event::CData(t) => format!("c:{}", text(t)),
            });
        }
        Ok(out)
    }

    #[test]
    fn tokenizes_elements_text_and_skips_comments() {
        let e = events(
            "<?xml version='1.0'?><!-- x --><a b=\"1>2\"><c/>&lt;&#65;&#x42;<![CDATA[<&]]></a>",
        )
        .unwrap();
        assert_eq!(e, vec!["<a", "<c/", "t:<AB", "c:<&", "</a"]);
    }

    #[test]
    fn reads_attributes_with_either_quote() {
        let a: Vec<_> = attributes(b" x='1' dmrpp:y = \"a b\" ", 0)
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            a,
            vec![(&b"x"[..], &b"1"[..]), (&b"dmrpp:y"[..], &b"a b"[..])]
        );
        assert_eq!(local_name(b"dmrpp:chunk"), b"chunk");
    }

    #[test]
    fn unterminated_constructs_are_corrupt() {
        for bad in ["<a", "<!-- x", "<a b='1>", "<![CDATA[x", "</a", "<>"] {
            let err = events(bad).unwrap_err();
            assert_eq!(err.kind, crate::error::ErrorKind::CorruptFile, "{}", bad);
        }
        assert!(attributes(b"x=1", 0).next().unwrap().is_err());
        assert!(unescape(b"a & b", 0).is_err());
    }
}
