//! The core's JSON parser (scan options, codec configurations, manifests' JSON from the
//! TypeScript side): any text parses or fails, and what parses prints and parses to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vzarr_core::json::Json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(json) = Json::parse(text) {
        let printed = json.to_string();
        let again = Json::parse(&printed).expect("printed JSON parses");
        assert_eq!(again.to_string(), printed);
    }
});
