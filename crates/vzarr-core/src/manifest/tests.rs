use super::*;

fn manifest(shape: &[u64], paths: &[&str], offsets: &[u64]) -> ChunkManifest {
    let mut table: Vec<String> = Vec::new();
    let ids = paths
        .iter()
        .map(|p| {
            if p.is_empty() {
                return MISSING;
            }
            table.push(p.to_string());
            (table.len() - 1) as u32
        })
        .collect();
    let lengths = offsets.iter().map(|o| o + 1).collect();
    ChunkManifest::from_columns(shape, table, ids, offsets.to_vec(), lengths).unwrap()
}

fn refs(m: &ChunkManifest) -> Vec<String> {
    m.iter()
        .map(|e| match e {
            ChunkEntry::Missing => "-".to_string(),
            ChunkEntry::Inlined(b) => format!("inline{:?}", b),
            ChunkEntry::Ref { path, offset, .. } => format!("{}@{}", path, offset),
        })
        .collect()
}

#[test]
fn builds_and_deduplicates_paths() {
    let m = manifest(&[2, 2], &["a", "b", "a", ""], &[0, 10, 20, 99]);
    assert_eq!(m.paths().len(), 2);
    assert_eq!(refs(&m), ["a@0", "b@10", "a@20", "-"]);
    assert_eq!(
        m.entry_at(&[1, 0]).unwrap(),
        ChunkEntry::Ref {
            path: "a",
            offset: 20,
            length: 21
        }
    );
    assert_eq!(m.present_count(), 3);
    assert_eq!(m.referenced_bytes(), 1 + 11 + 21);
}

#[test]
fn rejects_bad_columns() {
    let e = ChunkManifest::from_columns(&[3], vec!["a".into()], vec![0, 0], vec![0, 0], vec![0, 0]);
    assert_eq!(
        e.unwrap_err().kind,
        crate::error::ErrorKind::InvalidArgument
    );
    let e = ChunkManifest::from_columns(&[1], vec!["a".into()], vec![5], vec![0], vec![0]);
    assert!(e.unwrap_err().message.contains("path id 5"));
    let e = ChunkManifest::empty(&[1 << 40, 1 << 40]);
    assert_eq!(e.unwrap_err().kind, crate::error::ErrorKind::LimitExceeded);
    let e = ChunkManifest::empty(&[u64::MAX, 3]);
    assert_eq!(e.unwrap_err().kind, crate::error::ErrorKind::LimitExceeded);
}

#[test]
fn concat_along_each_axis() {
    let a = manifest(&[2, 1], &["a", "a"], &[0, 1]);
    let b = manifest(&[2, 2], &["b", "b", "b", "b"], &[0, 1, 2, 3]);
    let c = ChunkManifest::concat(&[&a, &b], 1).unwrap();
    assert_eq!(c.shape(), &[2, 3]);
    assert_eq!(refs(&c), ["a@0", "b@0", "b@1", "a@1", "b@2", "b@3"]);
    let d = ChunkManifest::concat(&[&b, &b], 0).unwrap();
    assert_eq!(d.shape(), &[4, 2]);
    assert_eq!(d.paths().len(), 1);
    let err = ChunkManifest::concat(&[&a, &b], 0).unwrap_err();
    assert_eq!(err.kind, crate::error::ErrorKind::IncompatibleArrays);
    assert!(ChunkManifest::concat(&[&a], 2).is_err());
    assert!(ChunkManifest::concat(&[], 0).is_err());
}

#[test]
fn stack_inserts_an_axis() {
    let a = manifest(&[2], &["a", "a"], &[0, 1]);
    let b = manifest(&[2], &["b", ""], &[5, 6]);
    let s0 = ChunkManifest::stack(&[&a, &b], 0).unwrap();
    assert_eq!(s0.shape(), &[2, 2]);
    assert_eq!(refs(&s0), ["a@0", "a@1", "b@5", "-"]);
    let s1 = ChunkManifest::stack(&[&a, &b], 1).unwrap();
    assert_eq!(refs(&s1), ["a@0", "b@5", "a@1", "-"]);
}

#[test]
fn broadcast_prepends_and_expands() {
    let a = manifest(&[1, 2], &["a", "b"], &[0, 1]);
    let b = a.broadcast(&[2, 3, 2]).unwrap();
    assert_eq!(b.shape(), &[2, 3, 2]);
    assert_eq!(refs(&b), ["a@0", "b@1"].repeat(6));
    let col = manifest(&[2, 1], &["a", "b"], &[0, 1]);
    assert_eq!(
        refs(&col.broadcast(&[2, 3]).unwrap()),
        ["a@0", "a@0", "a@0", "b@1", "b@1", "b@1"]
    );
    assert!(a.broadcast(&[3, 3]).is_err());
    assert!(a.broadcast(&[2]).is_err());
}

#[test]
fn slice_on_chunk_boundaries() {
    let offsets: Vec<u64> = (0..12).collect();
    let m = manifest(&[3, 4], &["f"; 12], &offsets);
    let s = m.slice(&[1, 1], &[3, 3]).unwrap();
    assert_eq!(s.shape(), &[2, 2]);
    assert_eq!(refs(&s), ["f@5", "f@6", "f@9", "f@10"]);
    assert_eq!(m.slice(&[0, 0], &[0, 4]).unwrap().len(), 0);
    assert!(m.slice(&[0, 0], &[4, 4]).is_err());
    assert!(m.slice(&[2, 0], &[1, 4]).is_err());
}

#[test]
fn inlined_chunks_follow_operations() {
    let mut a = manifest(&[2], &["a", "a"], &[0, 1]);
    a.set_inlined(1, vec![7, 8]).unwrap();
    let b = manifest(&[2], &["b", "b"], &[0, 1]);
    let c = ChunkManifest::concat(&[&b, &a], 0).unwrap();
    assert_eq!(refs(&c), ["b@0", "b@1", "a@0", "inline[7, 8]"]);
    let s = ChunkManifest::stack(&[&a, &b], 1).unwrap();
    assert_eq!(refs(&s), ["a@0", "b@0", "inline[7, 8]", "b@1"]);
    let sl = c.slice(&[3], &[4]).unwrap();
    assert_eq!(refs(&sl), ["inline[7, 8]"]);
    let br = a.slice(&[1], &[2]).unwrap().broadcast(&[2, 3]).unwrap();
    assert_eq!(refs(&br), ["inline[7, 8]"].repeat(6));
}

#[test]
fn map_paths_merges_and_equality_ignores_ids() {
    let m = manifest(&[3], &["x/1.nc", "x/2.nc", "x/1.nc"], &[0, 1, 2]);
    let renamed = m
        .map_paths(vec!["s3://b/1.nc".into(), "s3://b/2.nc".into()])
        .unwrap();
    assert_eq!(
        refs(&renamed),
        ["s3://b/1.nc@0", "s3://b/2.nc@1", "s3://b/1.nc@2"]
    );
    let merged = m.map_paths(vec!["same".into(), "same".into()]).unwrap();
    assert_eq!(merged.paths().len(), 1);
    assert_eq!(refs(&merged), ["same@0", "same@1", "same@2"]);
    assert!(m.map_paths(vec!["one".into()]).is_err());

    let reordered = manifest(&[3], &["x/2.nc", "x/2.nc", "x/1.nc"], &[0, 1, 2]);
    assert_ne!(m, reordered);
    let same_other_table = ChunkManifest::from_columns(
        &[3],
        vec!["x/2.nc".into(), "x/1.nc".into()],
        vec![1, 0, 1],
        vec![0, 1, 2],
        vec![1, 2, 3],
    )
    .unwrap();
    assert_eq!(m, same_other_table);
}

#[test]
fn stays_within_24_bytes_per_chunk() {
    let n = 100_000usize;
    let m = ChunkManifest::from_columns(
        &[n as u64],
        vec!["file.nc".into()],
        vec![0; n],
        (0..n as u64).collect(),
        vec![4096; n],
    )
    .unwrap();
    assert!(
        m.nbytes() <= 24 * n,
        "{} bytes for {} chunks",
        m.nbytes(),
        n
    );
}
