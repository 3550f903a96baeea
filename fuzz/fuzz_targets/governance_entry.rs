//! A governance log entry as a hostile member may write it: any JSON, any body, any
//! signature. Opening it must refuse what is not a valid signed entry, without panicking.
#![no_main]

use allmende_core::governance::entry::{entry_id, open};
use allmende_core::governance::Entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(entry) = serde_json::from_slice::<Entry>(data) else {
        // The body alone, as the replay parses it after the signature.
        let _ = serde_json::from_slice::<allmende_core::governance::Body>(data);
        return;
    };
    let id = entry_id("2QStDhMxHkyc6YkQmS5ryGjwpKzA", &entry.body);
    let _ = open("2QStDhMxHkyc6YkQmS5ryGjwpKzA", &id, &entry);
    let _ = open("2QStDhMxHkyc6YkQmS5ryGjwpKzA", "wrong-id", &entry);
});
