//! A community document as it arrives from sync, of any shape: loaded under the inflated-size
//! limit, then replayed (header, log history, every entry). The replay must not panic, and
//! a replay from scratch must agree with the incremental one.
#![no_main]

use allmende_core::governance::{replay_document, Checked, LogHistory};
use libfuzzer_sys::fuzz_target;

const MAX_INFLATED: usize = 1 << 20;

/// Loads as a peer does (`service::docs::load`): Automerge 0.12's loader panics on some
/// malformed documents (corpus: `crash-dcf5a407…`), and a peer refuses those. libFuzzer's
/// hook would abort on the panic before it unwinds, so it is set aside around the load
/// only; a panic anywhere else still counts as a crash.
fn load(bytes: &[u8]) -> Option<automerge::Automerge> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let loaded = std::panic::catch_unwind(|| automerge::Automerge::load(bytes));
    std::panic::set_hook(hook);
    loaded.ok()?.ok()
}

fuzz_target!(|bytes: &[u8]| {
    if allmende_sync_wire::inflate::inflated_size([bytes], MAX_INFLATED).is_err() {
        return;
    }
    let Some(doc) = load(bytes) else {
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
