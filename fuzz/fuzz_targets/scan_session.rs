//! The scanning session API as the TypeScript read loop drives it (`scan_open`, then
//! `scan_advance` / `scan_feed` until done, `scan_finish`), with scan options from the input:
//! the first byte picks the format, the next two give the options' length, those bytes are
//! the options JSON, the rest is the file. Feeds come in the order asked, each range whole.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vzarr_core::api;

const FORMATS: [&str; 5] = ["auto", "hdf5", "netcdf3", "grib", "tiff"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let format = FORMATS[data[0] as usize % FORMATS.len()];
    let n = (u16::from_le_bytes([data[1], data[2]]) as usize).min(data.len() - 3);
    let options = String::from_utf8_lossy(&data[3..3 + n]).into_owned();
    let file = &data[3 + n..];
    let Ok(handle) = api::scan_open("fuzz://input", file.len() as f64, format, &options) else {
        return;
    };
    for _ in 0..100_000 {
        let Ok(needs) = api::scan_advance(handle) else {
            break;
        };
        if needs.is_empty() {
            if let Ok(out) = api::scan_finish(handle) {
                for m in out.manifests {
                    let _ = api::manifest_free(m);
                }
            }
            break;
        }
        for pair in needs.chunks(2) {
            let start = (pair[0] as usize).min(file.len());
            let end = ((pair[0] + pair[1]) as usize).min(file.len());
            if api::scan_feed(handle, pair[0], file[start..end].to_vec()).is_err() {
                break;
            }
        }
    }
    let _ = api::scan_free(handle);
});
