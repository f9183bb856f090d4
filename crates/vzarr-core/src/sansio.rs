//! The sans-IO protocol shared by every scanner.
//!
//! A scanner never reads a file. It is handed a [`ByteCache`] holding whatever bytes the
//! host has fed so far, advances as far as those allow, and answers with the byte ranges it
//! still needs. The host (TypeScript: local file, HTTP, S3, a browser `File`) fetches those
//! ranges — coalesced and in parallel — feeds them, and calls again, until nothing is needed.
//!
//! Inside a scanner, reads go through [`ByteCache::read`], which yields a [`Stop`] when the
//! bytes are absent; `?` propagates it. Work is organised as small tasks that each need one
//! range (a B-tree node, an object header), so a stopped task is simply retried after the
//! next feed, and all the ranges of one tree level are requested together.

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// A half-open byte range `[offset, offset + length)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

impl ByteRange {
    pub fn new(offset: u64, length: u64) -> ByteRange {
        ByteRange { offset, length }
    }

    pub fn end(&self) -> u64 {
        self.offset + self.length
    }
}

/// Why a task could not finish: it needs bytes, or the input is bad.
#[derive(Debug)]
pub enum Stop {
    Need(ByteRange),
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Fail(e)
    }
}

/// The result type of scanner tasks.
pub type Step<T> = std::result::Result<T, Stop>;

/// No single read may exceed this; larger requests come from corrupt lengths.
pub const MAX_READ: u64 = 1 << 30;

/// Feeds of at least this many bytes that only abut held bytes stay a segment of their own
/// (see `ByteCache::only_abuts`): copying a multi-megabyte read onto the header bytes before
/// it cost a million-chunk scan a fifth of its time.
const SEPARATE_FEED: usize = 64 << 10;

/// Bytes of one file fed so far, merged into disjoint segments.
#[derive(Debug)]
pub struct ByteCache {
    file_size: u64,
    segments: BTreeMap<u64, Vec<u8>>,
    held: usize,
}

impl ByteCache {
    pub fn new(file_size: u64) -> ByteCache {
        ByteCache {
            file_size,
            segments: BTreeMap::new(),
            held: 0,
        }
    }

    /// A cache holding a whole file that is already in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> ByteCache {
        let mut cache = ByteCache::new(bytes.len() as u64);
        cache.insert(0, bytes);
        cache
    }

    pub fn file_size(&self) -> u64 {
        self.file_size
    }

    /// Bytes currently held.
    pub fn held(&self) -> usize {
        self.held
    }

    /// Adds bytes at `offset`, merging with any segment they touch or overlap.
    pub fn insert(&mut self, offset: u64, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let mut start = offset;
        let mut end = offset + bytes.len() as u64;
        // Collect the segments that touch [start, end].
        let mut touching: Vec<u64> = Vec::new();
        if let Some((&s, seg)) = self.segments.range(..=start).next_back() {
            if s + seg.len() as u64 >= start {
                touching.push(s);
            }
        }
        for (&s, _) in self.segments.range(start..=end) {
            if touching.last() != Some(&s) {
                touching.push(s);
            }
        }
        // Segments the new bytes cover whole are superseded (newer bytes win in a merge
        // too): dropping them spares copying a large read onto the small ones inside it.
        touching.retain(|&s| {
            let seg_end = s + self.segments[&s].len() as u64;
            let covered = s >= offset && seg_end <= end;
            if covered {
                self.held -= self.segments[&s].len();
                self.segments.remove(&s);
            }
            !covered
        });
        if touching.is_empty() || self.only_abuts(&touching, offset, end, bytes.len()) {
            self.held += bytes.len();
            self.segments.insert(offset, bytes);
            return;
        }
        // Bytes fed in file order extend the one segment they touch, in place: merging into
        // a fresh buffer copied the whole run again for every read appended to it.
        if let [s] = touching[..] {
            if s <= offset {
                let seg = self
                    .segments
                    .get_mut(&s)
                    .expect("a touching segment is held");
                let at = (offset - s) as usize;
                let overlap = (seg.len() - at).min(bytes.len());
                seg[at..at + overlap].copy_from_slice(&bytes[..overlap]);
                self.held += bytes.len() - overlap;
                seg.extend_from_slice(&bytes[overlap..]);
                return;
            }
        }
        for &s in &touching {
            let seg_end = s + self.segments[&s].len() as u64;
            start = start.min(s);
            end = end.max(seg_end);
        }
        let mut merged = vec![0u8; (end - start) as usize];
        for s in touching {
            let seg = self.segments.remove(&s).unwrap_or_default();
            self.held -= seg.len();
            let at = (s - start) as usize;
            merged[at..at + seg.len()].copy_from_slice(&seg);
        }
        let at = (offset - start) as usize;
        merged[at..at + bytes.len()].copy_from_slice(&bytes);
        self.held += merged.len();
        self.segments.insert(start, merged);
    }

    /// True when a large feed merely abuts the `touching` segments (shares no byte with
    /// them): it is held apart instead of being copied onto a neighbour. Every host feeds
    /// each needed range whole, so no read spans the seam; one that does (a scanner
    /// widening a range it read before) is asked for again and merges then. Small feeds
    /// still join their neighbour, which keeps a B-tree's thousands of reads few segments.
    fn only_abuts(&self, touching: &[u64], offset: u64, end: u64, len: usize) -> bool {
        len >= SEPARATE_FEED
            && touching.iter().all(|&s| {
                let seg_end = s + self.segments[&s].len() as u64;
                seg_end == offset || s == end
            })
    }

    /// Drops every held byte (between independent phases of a scan).
    pub fn clear(&mut self) {
        self.segments.clear();
        self.held = 0;
    }

    /// `length` bytes at `offset`: the slice, a [`Stop::Need`] when not fed yet, or a
    /// [`Stop::Fail`] when the range lies outside the file or is absurdly large.
    pub fn read(&self, offset: u64, length: u64) -> Step<&[u8]> {
        if length > MAX_READ {
            return Err(Stop::Fail(
                Error::limit(format!(
                    "a read of {} bytes exceeds the limit of {}",
                    length, MAX_READ
                ))
                .at_offset(offset),
            ));
        }
        let end = offset.saturating_add(length);
        if end > self.file_size {
            return Err(Stop::Fail(
                Error::corrupt(format!(
                    "bytes {}..{} lie beyond the end of the file ({} bytes)",
                    offset, end, self.file_size
                ))
                .at_offset(offset),
            ));
        }
        if let Some((&s, seg)) = self.segments.range(..=offset).next_back() {
            if s + seg.len() as u64 >= end {
                let at = (offset - s) as usize;
                return Ok(&seg[at..at + length as usize]);
            }
        }
        Err(Stop::Need(ByteRange::new(offset, length)))
    }

    /// Like [`ByteCache::read`] but clipped to the end of the file: for speculative reads
    /// of "up to n bytes" (object headers, message prefixes) near the end of a file.
    pub fn read_up_to(&self, offset: u64, length: u64) -> Step<&[u8]> {
        let available = self.file_size.saturating_sub(offset);
        self.read(offset, length.min(available))
    }
}

/// Sorts and merges needed ranges so the host sees each byte once.
pub fn normalize_needs(mut needs: Vec<ByteRange>) -> Vec<ByteRange> {
    needs.sort();
    let mut out: Vec<ByteRange> = Vec::with_capacity(needs.len());
    for r in needs {
        if r.length == 0 {
            continue;
        }
        match out.last_mut() {
            Some(last) if r.offset <= last.end() => {
                let end = last.end().max(r.end());
                last.length = end - last.offset;
            }
            _ => out.push(r),
        }
    }
    out
}

/// The reads a host that reads a file itself (`api::scan_with_reader`) makes for `needs`:
/// ranges at most `max_gap` bytes apart become one read of at most `max_size` bytes (a
/// single range may exceed it). B-tree leaves and array pages sit close together but not
/// back to back: a v2 B-tree of a million chunks is ~13,000 needed ranges and a few hundred
/// reads, and each read is one system call, one buffer and one insertion into the cache.
pub fn coalesce_reads(needs: &[ByteRange], max_gap: u64, max_size: u64) -> Vec<ByteRange> {
    let mut sorted = needs.to_vec();
    sorted.sort();
    let mut out: Vec<ByteRange> = Vec::new();
    for r in sorted.into_iter().filter(|r| r.length > 0) {
        if let Some(last) = out.last_mut() {
            let end = last.end().max(r.end());
            if r.offset <= last.end().saturating_add(max_gap) && end - last.offset <= max_size {
                last.length = end - last.offset;
                continue;
            }
        }
        out.push(r);
    }
    out
}

/// Runs `tasks` until each has finished or stopped for bytes. A finished task may push
/// follow-up tasks into its `spawn` list; those run in the same call (their bytes may already
/// be held). Stopped tasks are kept in `tasks` for the next call, after the host has fed the
/// returned ranges. An empty result with `tasks` empty means the work is done. A failure
/// aborts the run. Scanners must not spawn a task for an address they already visited
/// (cyclic structures in hostile files).
pub fn drain_tasks<T>(
    tasks: &mut Vec<T>,
    mut run: impl FnMut(&T, &mut Vec<T>) -> Step<()>,
) -> Result<Vec<ByteRange>> {
    let mut needs = Vec::new();
    let mut waiting = Vec::new();
    let mut queue = std::mem::take(tasks);
    while !queue.is_empty() {
        let mut spawned = Vec::new();
        for task in queue {
            match run(&task, &mut spawned) {
                Ok(()) => {}
                Err(Stop::Need(r)) => {
                    needs.push(r);
                    waiting.push(task);
                }
                Err(Stop::Fail(e)) => return Err(e),
            }
        }
        queue = spawned;
    }
    *tasks = waiting;
    Ok(normalize_needs(needs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalesces_close_ranges_up_to_a_size() {
        let r = ByteRange::new;
        let needs = [r(100, 10), r(0, 10), r(10, 5), r(5000, 10), r(30, 0)];
        // 0..15 and 100..110 are 85 bytes apart; 5000 is beyond the gap.
        assert_eq!(
            coalesce_reads(&needs, 100, 1000),
            vec![r(0, 110), r(5000, 10)]
        );
        // Nothing merges past max_size; a single range larger than it stays whole.
        assert_eq!(
            coalesce_reads(&[r(0, 60), r(60, 60), r(120, 500)], 0, 100),
            vec![r(0, 60), r(60, 60), r(120, 500)]
        );
        assert_eq!(
            coalesce_reads(&[r(0, 60), r(70, 30)], 10, 100),
            vec![r(0, 100)]
        );
        assert!(coalesce_reads(&[], 10, 100).is_empty());
    }

    #[test]
    fn merges_fed_segments() {
        let mut c = ByteCache::new(100);
        c.insert(10, vec![1; 10]);
        c.insert(30, vec![3; 10]);
        assert!(matches!(c.read(15, 10), Err(Stop::Need(_))));
        c.insert(20, vec![2; 10]);
        assert_eq!(c.held(), 30);
        let bytes = c.read(15, 20).ok().unwrap();
        assert_eq!(&bytes[..6], &[1, 1, 1, 1, 1, 2]);
        c.insert(5, vec![9; 40]);
        assert_eq!(c.held(), 40);
        assert_eq!(c.read(5, 40).ok().unwrap(), &[9; 40][..]);
    }

    #[test]
    fn extends_a_segment_with_bytes_fed_in_order() {
        let mut c = ByteCache::new(100);
        c.insert(0, vec![1; 10]);
        c.insert(10, vec![2; 10]); // adjacent
        c.insert(15, vec![3; 10]); // overlapping: the newer bytes win, as in a merge
        c.insert(2, vec![4; 3]); // inside
        assert_eq!(c.held(), 25);
        assert_eq!(c.segments.len(), 1);
        let mut want = vec![1u8; 10];
        want.extend([2; 5]);
        want.extend([3; 10]);
        want[2..5].copy_from_slice(&[4; 3]);
        assert_eq!(c.read(0, 25).ok().unwrap(), &want[..]);
    }

    #[test]
    fn holds_a_large_abutting_feed_apart_until_a_read_spans_the_seam() {
        let big = SEPARATE_FEED;
        let mut c = ByteCache::new(20 + 2 * big as u64);
        c.insert(0, vec![1; 10]);
        c.insert(10, vec![2; big]); // abuts: kept apart, not copied
        assert_eq!(c.segments.len(), 2);
        assert_eq!(c.held(), 10 + big);
        assert_eq!(c.read(10, big as u64).ok().unwrap(), &vec![2; big][..]);
        assert_eq!(c.read(0, 10).ok().unwrap(), &[1; 10][..]);
        // A read across the seam asks for its bytes again; fed, they merge.
        let r = match c.read(5, 10) {
            Err(Stop::Need(r)) => r,
            other => panic!("expected a need, got {:?}", other.map(|b| b.len())),
        };
        assert_eq!((r.offset, r.length), (5, 10));
        c.insert(5, vec![3; 10]);
        assert_eq!(c.segments.len(), 1);
        assert_eq!(c.held(), 10 + big);
        let mut want = vec![1u8; 5];
        want.extend([3; 10]);
        want.extend([2; 5]);
        assert_eq!(c.read(0, 20).ok().unwrap(), &want[..]);
        // A small abutting feed still joins its neighbour.
        c.insert(10 + big as u64, vec![4; 10]);
        assert_eq!(c.segments.len(), 1);
        // A large feed over small segments it covers whole replaces them, and abuts the rest.
        let at = 20 + big as u64;
        c.insert(at + 100, vec![5; 10]);
        c.insert(at + 300, vec![6; 10]);
        c.insert(at, vec![7; big]);
        assert_eq!(c.segments.len(), 2);
        assert_eq!(c.held(), 20 + 2 * big);
        assert_eq!(c.read(at + 100, 10).ok().unwrap(), &[7; 10][..]);
    }

    #[test]
    fn refuses_reads_outside_the_file() {
        let c = ByteCache::from_bytes(vec![0; 8]);
        assert!(matches!(c.read(4, 8), Err(Stop::Fail(_))));
        assert!(matches!(c.read(u64::MAX, 2), Err(Stop::Fail(_))));
        assert!(matches!(c.read(0, MAX_READ + 1), Err(Stop::Fail(_))));
        assert_eq!(c.read_up_to(4, 100).ok().unwrap().len(), 4);
    }

    #[test]
    fn drains_tasks_level_by_level() {
        // A tiny "tree": task n at byte n needs byte n and spawns 2n+1, 2n+2 below 7.
        let mut cache = ByteCache::new(7);
        let mut tasks = vec![0u64];
        let mut seen = Vec::new();
        let mut rounds = 0;
        loop {
            let needs = drain_tasks(&mut tasks, |&n, spawn| {
                cache.read(n, 1)?;
                seen.push(n);
                for child in [2 * n + 1, 2 * n + 2] {
                    if child < 7 {
                        spawn.push(child);
                    }
                }
                Ok(())
            })
            .unwrap();
            if needs.is_empty() {
                break;
            }
            rounds += 1;
            for r in needs {
                cache.insert(r.offset, vec![0; r.length as usize]);
            }
        }
        assert_eq!(rounds, 3);
        seen.sort();
        assert_eq!(seen, [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn normalizes_overlapping_needs() {
        let n = normalize_needs(vec![
            ByteRange::new(10, 5),
            ByteRange::new(0, 4),
            ByteRange::new(12, 10),
            ByteRange::new(4, 0),
        ]);
        assert_eq!(n, [ByteRange::new(0, 4), ByteRange::new(10, 12)]);
    }
}
