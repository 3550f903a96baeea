//! A JSON export someone imports: read (content checked, documents decoded) or refused with
//! its reason, never a panic; whatever reads names documents only by valid content.
#![no_main]

use allmende_core::export_json::JsonExport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((file, docs)) = JsonExport::read(text) {
        assert!(!docs.is_empty(), "an export without documents is refused");
        assert!(file.validate().is_ok());
    }
});
