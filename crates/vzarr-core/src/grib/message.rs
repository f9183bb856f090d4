//! Walking GRIB messages by their lengths, reading only section headers.
//!
//! A GRIB file is a sequence of self-delimiting messages: `"GRIB"`, a length, the sections,
//! `"7777"`. Finding where each message and each of its sections lies needs a handful of
//! bytes per message — the 16-byte indicator (8 in GRIB1) and the 5-byte header of every
//! section — so a multi-gigabyte file is mapped in a few small reads per message, never
//! touching the packed data (section 7 / the BDS) or large bitmaps.
//!
//! Like ecCodes, bytes between messages that do not start with `"GRIB"` (WMO bulletin
//! headers, padding, trailing zeros) are skipped. Anything that *does* start with `"GRIB"`
//! must be a well-formed message: a bad edition, a length running past the end of the file,
//! a section overrunning the message or a missing `"7777"` is a tagged error, never a silent
//! resynchronisation (that could drop data without anyone noticing).

use crate::error::{Error, Result};
use crate::sansio::{ByteCache, Step, Stop};

/// Where bytes come from: the scanner's [`ByteCache`] (which may answer "not yet") or a
/// whole message already in memory (the codec).
pub(crate) trait ByteSource {
    fn size(&self) -> u64;
    fn read(&self, offset: u64, length: u64) -> Step<&[u8]>;
}

impl ByteSource for ByteCache {
    fn size(&self) -> u64 {
        self.file_size()
    }
    fn read(&self, offset: u64, length: u64) -> Step<&[u8]> {
        ByteCache::read(self, offset, length)
    }
}

/// A byte slice seen as a complete file.
pub(crate) struct SliceSource<'a>(pub &'a [u8]);

impl<'a> ByteSource for SliceSource<'a> {
    fn size(&self) -> u64 {
        self.0.len() as u64
    }
    fn read(&self, offset: u64, length: u64) -> Step<&[u8]> {
        let start = usize::try_from(offset).ok();
        let end = start.and_then(|s| s.checked_add(usize::try_from(length).ok()?));
        match (start, end) {
            (Some(s), Some(e)) if e <= self.0.len() => Ok(&self.0[s..e]),
            _ => Err(Stop::Fail(
                Error::corrupt(format!(
                    "bytes {}..{} lie beyond the end of the {}-byte GRIB message",
                    offset,
                    offset.saturating_add(length),
                    self.0.len()
                ))
                .at_offset(offset),
            )),
        }
    }
}

/// How far ahead to look for the next `"GRIB"` when bytes that are not a message follow
/// one: small windows first (GRIB1 files from ECMWF pad messages to multiples of 120
/// bytes), larger ones for real junk.
const SEARCH_WINDOWS: [u64; 3] = [128, 4096, 64 * 1024];

/// Smallest possible messages: GRIB1 = 8 + PDS 28 + BDS 11 + 4; GRIB2 = 16 + 21 + 4 + ...
const MIN_GRIB1_LENGTH: u64 = 8 + 28 + 11 + 4;
const MIN_GRIB2_LENGTH: u64 = 16 + 21 + 4;

/// One section inside a message: number, absolute offset and length (header included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SectionRef {
    pub number: u8,
    pub offset: u64,
    pub length: u64,
}

/// A message's position and the sections found in it (sections 0 and 8 are implicit).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MessageLayout {
    pub offset: u64,
    pub length: u64,
    pub edition: u8,
    /// GRIB2 sections 1–7 in file order (2–7 may repeat); GRIB1 sections 1 (PDS), 2 (GDS),
    /// 3 (BMS), 4 (BDS), with section 4's length as the BDS length.
    pub sections: Vec<SectionRef>,
    /// True when the bytes end right after a section 7 instead of at `"7777"`: the codec's
    /// input for a field that is not the last of a multi-field message.
    pub truncated_after_field: bool,
}

/// Offset of the next `"GRIB"` at or after `from`, or `None` if only junk remains.
pub(crate) fn find_next_message(src: &dyn ByteSource, from: u64) -> Step<Option<u64>> {
    let size = src.size();
    let mut pos = from;
    let mut attempt = 0;
    loop {
        if pos.saturating_add(4) > size {
            return Ok(None);
        }
        // The usual case: the next message starts right here.
        if src.read(pos, 4)? == b"GRIB" {
            return Ok(Some(pos));
        }
        let window = SEARCH_WINDOWS[attempt.min(SEARCH_WINDOWS.len() - 1)].min(size - pos);
        attempt += 1;
        let bytes = src.read(pos, window)?;
        if let Some(at) = bytes.windows(4).position(|w| w == b"GRIB") {
            return Ok(Some(pos + at as u64));
        }
        // Keep 3 bytes of overlap so a signature split across windows is still found.
        pos += window.saturating_sub(3).max(1);
    }
}

/// Reads the indicator section at `start` (which holds `"GRIB"`): edition and total length,
/// applying GRIB1's large-message rule.
pub(crate) fn read_indicator(src: &dyn ByteSource, start: u64) -> Step<(u8, u64)> {
    let size = src.size();
    let head = src.read(start, 8.min(size - start))?;
    if head.len() < 8 {
        return Err(corrupt_at(
            start,
            "the file ends inside a GRIB indicator section",
        ));
    }
    let edition = head[7];
    match edition {
        1 => {
            let raw = u64::from(head[4]) << 16 | u64::from(head[5]) << 8 | u64::from(head[6]);
            let length = if raw & 0x80_0000 != 0 {
                grib1_large_length(src, start, raw)?
            } else {
                raw
            };
            check_length(size, start, length, MIN_GRIB1_LENGTH)?;
            Ok((1, length))
        }
        2 => {
            let head = src.read(start, 16.min(size - start))?;
            if head.len() < 16 {
                return Err(corrupt_at(
                    start,
                    "the file ends inside a GRIB2 indicator section",
                ));
            }
            let mut length = 0u64;
            for &b in &head[8..16] {
                length = (length << 8) | u64::from(b);
            }
            check_length(size, start, length, MIN_GRIB2_LENGTH)?;
            Ok((2, length))
        }
        other => Err(Stop::Fail(
            Error::unsupported(format!(
                "GRIB edition {} is not supported (only 1 and 2)",
                other
            ))
            .at_offset(start),
        )),
    }
}

fn check_length(size: u64, start: u64, length: u64, minimum: u64) -> Step<()> {
    if length < minimum {
        return Err(corrupt_at(
            start,
            &format!(
                "a GRIB message declares a length of {} bytes, below the minimum of {}",
                length, minimum
            ),
        ));
    }
    if start.checked_add(length).is_none_or(|end| end > size) {
        return Err(corrupt_at(
            start,
            &format!(
                "a GRIB message of {} bytes runs past the end of the file ({} bytes): the file is truncated or the length is wrong",
                length, size
            ),
        ));
    }
    Ok(())
}

/// GRIB1 messages over 8 MB (ecCodes' `read_GRIB`): when bit 0x800000 of the 24-bit length
/// is set and the BDS length is below 120, the length is counted in units of 120 bytes and
/// the true length is `units·120 − bds_length + 4`.
fn grib1_large_length(src: &dyn ByteSource, start: u64, raw: u64) -> Step<u64> {
    let sections = grib1_section_offsets(src, start, u64::MAX)?;
    let bds_length = sections.last().map_or(0, |s| s.length);
    if bds_length >= 120 {
        return Ok(raw);
    }
    ((raw & 0x7f_ffff) * 120 + 4)
        .checked_sub(bds_length)
        .ok_or_else(|| corrupt_at(start, "an impossible GRIB1 large-message length"))
}

fn u24(bytes: &[u8]) -> u64 {
    u64::from(bytes[0]) << 16 | u64::from(bytes[1]) << 8 | u64::from(bytes[2])
}

/// GRIB1 sections: PDS, then GDS and BMS when the PDS flags say so, then the BDS.
fn grib1_section_offsets(src: &dyn ByteSource, start: u64, end: u64) -> Step<Vec<SectionRef>> {
    let size = src.size().min(end);
    let mut sections = Vec::with_capacity(4);
    let mut pos = start + 8;
    let pds_head = read_within(src, pos, 8, size)?;
    let pds_length = u24(pds_head);
    let flags = pds_head[7];
    let wanted: [(u8, bool); 4] = [
        (1, true),
        (2, flags & 0x80 != 0),
        (3, flags & 0x40 != 0),
        (4, true),
    ];
    for &(number, present) in &wanted {
        if !present {
            continue;
        }
        let length = if number == 1 {
            pds_length
        } else {
            u24(read_within(src, pos, 3, size)?)
        };
        if length < 3 {
            return Err(corrupt_at(
                pos,
                &format!("GRIB1 section {} declares a length of {}", number, length),
            ));
        }
        sections.push(SectionRef {
            number,
            offset: pos,
            length,
        });
        pos = pos.saturating_add(length);
    }
    Ok(sections)
}

fn read_within(src: &dyn ByteSource, pos: u64, n: u64, end: u64) -> Step<&[u8]> {
    if pos.saturating_add(n) > end {
        return Err(corrupt_at(
            pos,
            "a GRIB section header lies beyond the end of its message",
        ));
    }
    src.read(pos, n)
}

fn corrupt_at(offset: u64, message: &str) -> Stop {
    Stop::Fail(Error::corrupt(message.to_string()).at_offset(offset))
}

/// Maps the sections of the message at `start` of `length` bytes. With `allow_truncation`
/// (the codec), the bytes may end right after a section 7 instead of at `"7777"`.
pub(crate) fn read_layout(
    src: &dyn ByteSource,
    start: u64,
    edition: u8,
    length: u64,
    allow_truncation: bool,
) -> Step<MessageLayout> {
    let declared_end = start + length;
    let end = if allow_truncation {
        declared_end.min(src.size())
    } else {
        declared_end
    };
    let (sections, truncated) = if edition == 1 {
        let mut sections = grib1_section_offsets(src, start, end)?;
        if length > 0x7f_ffff {
            // Large messages: the BDS length field holds a remainder below 120 (see
            // `grib1_large_length`); the BDS really runs to the "7777".
            if let Some(bds) = sections.last_mut() {
                if bds.length < 120 {
                    bds.length = (end - 4).saturating_sub(bds.offset);
                }
            }
        }
        check_grib1_sections(&sections, start, end)?;
        (sections, false)
    } else {
        grib2_sections(src, start, end, allow_truncation)?
    };
    if !truncated {
        let marker = src.read(end - 4, 4)?;
        if marker != b"7777" {
            return Err(corrupt_at(
                start,
                &format!(
                    "the GRIB message of {} bytes does not end with \"7777\"",
                    length
                ),
            ));
        }
    }
    Ok(MessageLayout {
        offset: start,
        length,
        edition,
        sections,
        truncated_after_field: truncated,
    })
}

fn check_grib1_sections(sections: &[SectionRef], start: u64, end: u64) -> Step<()> {
    let last = sections
        .last()
        .map_or(start + 8, |s| s.offset.saturating_add(s.length));
    if last > end.saturating_sub(4) {
        return Err(corrupt_at(
            start,
            "the GRIB1 sections overrun the message length",
        ));
    }
    Ok(())
}

/// Hops over GRIB2 sections 1–7, checking their order: 1, [2], 3, 4, 5, [6], 7, then
/// either "7777" or a repeat starting at 2, 3 or 4 (multi-field messages).
fn grib2_sections(
    src: &dyn ByteSource,
    start: u64,
    end: u64,
    allow_truncation: bool,
) -> Step<(Vec<SectionRef>, bool)> {
    let mut sections = Vec::new();
    let mut pos = start + 16;
    let mut previous = 0u8;
    loop {
        if allow_truncation && pos == end && previous == 7 {
            return Ok((sections, true));
        }
        if pos.saturating_add(4) > end {
            return Err(corrupt_at(
                start,
                "the GRIB2 sections overrun the message length",
            ));
        }
        if pos + 4 == end {
            if previous != 7 {
                return Err(corrupt_at(
                    pos,
                    &format!(
                        "the GRIB2 message ends after section {}, before any section 7",
                        previous
                    ),
                ));
            }
            return Ok((sections, false));
        }
        let head = read_within(src, pos, 5, end - 4)?;
        let length = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let number = head[4];
        let allowed = match previous {
            0 => number == 1,
            1 => number == 2 || number == 3,
            2 => number == 3,
            3 => number == 4,
            4 => number == 5,
            5 => number == 6 || number == 7,
            6 => number == 7,
            _ => (2..=4).contains(&number),
        };
        if !allowed {
            if &head[..4] == b"7777" {
                return Err(corrupt_at(
                    pos,
                    "\"7777\" appears before the end of the GRIB2 message: its length field is wrong",
                ));
            }
            return Err(corrupt_at(
                pos,
                &format!(
                    "GRIB2 section {} cannot follow section {}",
                    number, previous
                ),
            ));
        }
        if length < 5 || pos.saturating_add(length) > end - if allow_truncation { 0 } else { 4 } {
            return Err(corrupt_at(
                pos,
                &format!(
                    "GRIB2 section {} declares an impossible length of {} bytes",
                    number, length
                ),
            ));
        }
        sections.push(SectionRef {
            number,
            offset: pos,
            length,
        });
        previous = number;
        pos += length;
    }
}

/// Metadata sections (GRIB2 1, 3, 4, 5; GRIB1 PDS, GDS) larger than this are refused:
/// the largest real ones (section 3 of a reduced grid with thousands of rows) are a few
/// kilobytes, and the scanner reads them whole.
pub(crate) const MAX_METADATA_SECTION: u64 = 16 << 20;

/// The bytes of a metadata section, refusing absurd lengths.
pub(crate) fn read_metadata<'s>(src: &'s dyn ByteSource, section: &SectionRef) -> Step<&'s [u8]> {
    if section.length > MAX_METADATA_SECTION {
        return Err(Stop::Fail(
            Error::limit(format!(
                "GRIB section {} is {} bytes long, more than the {} a metadata section may have",
                section.number, section.length, MAX_METADATA_SECTION
            ))
            .at_offset(section.offset),
        ));
    }
    src.read(section.offset, section.length)
}

/// Turns a failed step into the error it carries (for the in-memory source, which never
/// asks for more bytes).
pub(crate) fn complete<T>(step: Step<T>) -> Result<T> {
    match step {
        Ok(v) => Ok(v),
        Err(Stop::Fail(e)) => Err(e),
        Err(Stop::Need(r)) => Err(Error::corrupt(format!(
            "bytes {}..{} are needed but not present",
            r.offset,
            r.end()
        ))),
    }
}
