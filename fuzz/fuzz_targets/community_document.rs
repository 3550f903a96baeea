//! A community document as it arrives from sync, of any shape: loaded under the inflated-size
//! limit, then replayed (header, log history, every entry). The replay must not panic, and
//! a replay from scratch must agree with the incremental one.
#![no_main]

use allmende_core::governance::{replay_document, Checked, LogHistory};
use libfuzzer_sys::fuzz_target;

const MAX_INFLATED: usize = 1 << 20;

fuzz_target!(|bytes: &[u8]| {
    if allmende_sync_wire::inflate::inflated_size([bytes], MAX_INFLATED).is_err() {
        return;
    }
    let Ok(doc) = automerge::Automerge::load(bytes) else {
        return;
    };
    let id = "2QStDhMxHkyc6YkQmS5ryGjwpKzA";
    let mut history = LogHistory::default();
    let mut checked = Checked::default();
    let first = replay_document(id, &doc, &mut history, &mut checked);
    let again = replay_document(id, &doc, &mut history, &mut checked);
    let fresh = replay_document(
        id,
        &doc,
        &mut LogHistory::default(),
        &mut Checked::default(),
    );
    assert!(
        first == again,
        "a second replay over the same history differs"
    );
    assert!(
        first == fresh,
        "an incremental replay differs from a fresh one"
    );
});
