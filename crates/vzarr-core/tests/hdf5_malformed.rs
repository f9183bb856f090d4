//! Hostile and damaged HDF5 input: truncated files, zeroed tails, seeded bit flips, cyclic
//! B-trees, self-referencing continuation blocks and absurd sizes. Every scan must end
//! (the driver bounds the round trips) with a result or a tagged error — never a panic —
//! and ask only for bytes inside the file.

#[path = "hdf5_common/mod.rs"]
mod common;

use vzarr_core::load::LoadSpec;
use vzarr_core::scan::{Format, ScanOptions, ScannedFile};
use vzarr_core::{Error, ErrorKind};

const FIXTURES: &[&str] = &[
    "nc4_basic.nc",
    "nc4_unlimited.nc",
    "h5_earliest.h5",
    "h5_userblock.h5",
    "h5_userblock_latest.h5",
    "h5_arrays_v110.h5",
    "h5_arrays_latest.h5",
    "h5_btrees_v110.h5",
    "h5_btrees_latest.h5",
    "h5_filters.h5",
    "h5_packed.h5",
    "h5_dimscales.h5",
    "h5_phony.h5",
    "h5_dense_links.h5",
    "h5_track_order.h5",
    "h5_symbol_table_links.h5",
];

/// xorshift64*: a seeded generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn tagged(e: &Error) {
    assert!(!e.message.is_empty(), "error without a message: {:?}", e);
    assert!(e.file.is_some(), "error without the file: {}", e);
}

fn outcome(name: &str, bytes: &[u8]) -> Option<ScannedFile> {
    // As `openVirtualDataset` scans: the dimension coordinates are loaded too, so damaged
    // coordinate chunks go through the session's loading as well.
    let options = ScanOptions {
        load: LoadSpec::DimensionCoordinates,
        ..Default::default()
    };
    match common::scan_with(name, bytes, Format::Auto, options).0 {
        Ok(f) => Some(f),
        Err(e) => {
            tagged(&e);
            None
        }
    }
}

#[test]
fn truncated_files_fail_cleanly() {
    for name in FIXTURES {
        let bytes = common::read(&common::fixture(name));
        for len in (0..bytes.len()).step_by(97) {
            // A shorter file is refused by its superblock's end-of-file address.
            let prefix = &bytes[..len];
            assert!(
                outcome(name, prefix).is_none(),
                "{} cut at {} scanned",
                name,
                len
            );
            // Same length, tail zeroed: the damage reaches the structures themselves.
            let mut zeroed = bytes.clone();
            for b in &mut zeroed[len..] {
                *b = 0;
            }
            outcome(name, &zeroed);
        }
    }
}

/// Rounds per fixture; `VZARR_FUZZ_ROUNDS` raises it for a longer local run.
fn rounds() -> usize {
    std::env::var("VZARR_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250)
}

#[test]
fn bit_flips_never_panic() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let rounds = rounds();
    for name in FIXTURES {
        let original = common::read(&common::fixture(name));
        for _ in 0..rounds {
            let mut bytes = original.clone();
            let flips = 1 + rng.below(3);
            for _ in 0..flips {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
            outcome(name, &bytes);
        }
        // Whole bytes of garbage (0x00 / 0xFF / random) hit length and address fields.
        for _ in 0..rounds / 2 {
            let mut bytes = original.clone();
            let at = rng.below(bytes.len().saturating_sub(8));
            let fill = match rng.below(3) {
                0 => 0x00,
                1 => 0xFF,
                _ => rng.next() as u8,
            };
            for b in &mut bytes[at..at + 8] {
                *b = fill;
            }
            outcome(name, &bytes);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    (from..haystack.len().saturating_sub(needle.len()))
        .find(|&i| &haystack[i..i + needle.len()] == needle)
}

#[test]
fn cyclic_chunk_btree_is_refused() {
    let mut bytes = common::read(&common::fixture("h5_earliest.h5"));
    // filters/gzip_shuffle: (30, 20) in chunks of (8, 6) = 16 chunks in one v1 B-tree leaf
    // ("TREE", node type 1, level 0, 16 entries). Make it an internal node whose first
    // child is itself. Keys of a rank-2 dataset are 4 + 4 + 3 * 8 = 32 bytes.
    let at = find(&bytes, b"TREE\x01\x00\x10\x00", 0).expect("the gzip_shuffle leaf");
    bytes[at + 5] = 1;
    let child_at = at + 24 + 32;
    bytes[child_at..child_at + 8].copy_from_slice(&(at as u64).to_le_bytes());
    let f = outcome("cyclic.h5", &bytes).expect("the rest of the file still scans");
    let filters = f.root.groups.iter().find(|g| g.name == "filters").unwrap();
    let s = filters
        .skipped
        .iter()
        .find(|s| s.name == "gzip_shuffle")
        .expect("the variable is skipped");
    assert_eq!(s.error.kind, ErrorKind::CorruptFile, "{}", s.error);
    // The other variables are unaffected.
    assert!(filters.variables.iter().any(|v| v.name == "fletcher32"));
}

#[test]
fn absurd_dimensions_are_limited() {
    let mut bytes = common::read(&common::fixture("h5_earliest.h5"));
    // The gzip_shuffle dataset is (30, 20) int32 in chunks of (8, 6): a v1 dataspace message
    // with rank 2 holds 30 then 20 as 8-byte lengths, then the same maximum dimensions.
    // Make the first dimension (current and maximum) 2^50.
    let mut dims = Vec::new();
    dims.extend_from_slice(&30u64.to_le_bytes());
    dims.extend_from_slice(&20u64.to_le_bytes());
    let at = find(&bytes, &dims, 0).expect("the dataspace of gzip_shuffle");
    assert_eq!(
        bytes[at + 16..at + 32],
        dims[..],
        "maximum dimensions follow"
    );
    bytes[at..at + 8].copy_from_slice(&(1u64 << 50).to_le_bytes());
    bytes[at + 16..at + 24].copy_from_slice(&(1u64 << 50).to_le_bytes());
    let f = outcome("absurd.h5", &bytes).expect("the rest of the file still scans");
    let filters = f.root.groups.iter().find(|g| g.name == "filters").unwrap();
    let s = filters
        .skipped
        .iter()
        .find(|s| s.name == "gzip_shuffle")
        .expect("the variable is skipped");
    assert_eq!(s.error.kind, ErrorKind::LimitExceeded, "{}", s.error);
}
