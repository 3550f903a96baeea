//! A request head a stranger sends to the relay: read or refused with a status, never a
//! panic; what is read is a GET whose path holds no query.
#![no_main]

use allmende_sync_wire::head::{head_end, parse_head, MAX_HEAD};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As the relay reads: up to the end of the head, or refused once it is too long.
    let end = match head_end(data) {
        Ok(Some(end)) => end,
        Ok(None) => return,
        Err(e) => {
            assert!(
                data.len() > MAX_HEAD,
                "only a long head is refused before its end"
            );
            assert!(e.status.starts_with("431"));
            return;
        }
    };
    match parse_head(&data[..end]) {
        Ok(head) => {
            assert!(!head.path.contains('?'));
            assert!(head
                .headers
                .keys()
                .all(|k| k.chars().all(|c| !c.is_ascii_uppercase())));
        }
        Err(e) => assert!(e.status.starts_with('4')),
    }
});
