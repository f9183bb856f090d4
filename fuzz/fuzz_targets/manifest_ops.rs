//! Manifest columns from outside (`manifest_from_columns`, as kerchunk and Icechunk readers
//! build them) and the vectorised operations on them: concat, stack, slice, broadcast,
//! equality. The input is read as a little program of small integers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vzarr_core::api;

fuzz_target!(|data: &[u8]| {
    let mut it = data.iter().copied();
    let mut next = |limit: u8| it.next().map_or(0, |b| b % limit.max(1));
    let rank = 1 + next(3) as usize;
    let shape: Vec<f64> = (0..rank).map(|_| f64::from(next(6))).collect();
    let count = shape.iter().product::<f64>() as usize;
    let paths = 1 + next(3) as usize;
    let table: Vec<String> = (0..paths).map(|i| format!("file://p{i}")).collect();
    let ids: Vec<u32> = (0..count)
        .map(|_| match next(8) {
            0 => u32::MAX,
            1 => u32::MAX - 1,
            7 => 99,
            v => u32::from(v) % paths as u32,
        })
        .collect();
    let offsets: Vec<u64> = (0..count)
        .map(|_| u64::from(next(255)) << next(60))
        .collect();
    let lengths: Vec<u64> = (0..count)
        .map(|_| u64::from(next(255)) << next(60))
        .collect();
    let Ok(a) = api::manifest_from_columns(
        &shape,
        table.clone(),
        ids.clone(),
        offsets.clone(),
        lengths.clone(),
    ) else {
        return;
    };
    let Ok(b) = api::manifest_from_columns(&shape, table, ids, offsets, lengths) else {
        let _ = api::manifest_free(a);
        return;
    };
    let axis = u32::from(next(4));
    let mut made = vec![a, b];
    made.extend(api::manifest_concat(&[a, b], axis).ok());
    made.extend(api::manifest_stack(&[a, b], axis).ok());
    let starts: Vec<f64> = (0..rank).map(|_| f64::from(next(7))).collect();
    let stops: Vec<f64> = (0..rank).map(|_| f64::from(next(7))).collect();
    made.extend(api::manifest_slice(a, &starts, &stops).ok());
    let wide: Vec<f64> = (0..rank + next(2) as usize)
        .map(|_| f64::from(next(5)))
        .collect();
    made.extend(api::manifest_broadcast(a, &wide).ok());
    assert_eq!(api::manifest_equals(a, b).ok(), Some(true));
    let _ = api::manifest_columns(a);
    let _ = api::manifest_stats(a);
    for m in made {
        let _ = api::manifest_free(m);
    }
});
