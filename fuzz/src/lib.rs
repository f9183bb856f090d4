//! Shared pieces of the fuzz targets.
use vzarr_core::api;

/// A whole scan of `data` as `format`, through the sans-IO loop a synchronous host runs
/// (`api::scan_with_reader`: the session asks for ranges, gets them from `data`), then the
/// manifests it made are freed. Errors are what the scanner should return for bad input; a
/// panic, a hang or an allocation libFuzzer's limit refuses is a finding.
pub fn scan(format: &str, options: &str, data: &[u8]) {
    let result = api::scan_with_reader(
        "fuzz://input",
        data.len() as u64,
        format,
        options,
        |offset, length| {
            let start = (offset as usize).min(data.len());
            let end = (offset.saturating_add(length) as usize).min(data.len());
            Ok(data[start..end].to_vec())
        },
    );
    if let Ok(out) = result {
        for handle in out.manifests {
            let _ = api::manifest_free(handle);
        }
    }
}
