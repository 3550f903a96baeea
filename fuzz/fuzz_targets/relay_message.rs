//! A frame from any self-made key, as the relay reads it: the automerge-repo message, then
//! its sync message, the inflated-size check, the count of operations its columns claim, the
//! bloom filters' numbers, the check for tangled operation numbers, and applying it to a
//! document that holds a change (so that the answer reads the sender's bloom filter), as
//! `sync-relay/src/document/receive.rs` does. Nothing may panic, nothing may decompress past
//! the limit, and nothing may walk more operations than it.
#![no_main]

use automerge::sync::{self, SyncDoc};
use libfuzzer_sys::fuzz_target;

/// The limits for the fuzzer: small, so a bomb shows as a refusal rather than memory or time.
const MAX_INFLATED: usize = 1 << 20;
const LIMITS: allmende_sync_wire::runs::Limits = allmende_sync_wire::runs::Limits {
    per_change: 1 << 14,
    per_message: 1 << 16,
};

fuzz_target!(|frame: &[u8]| {
    let data = match allmende_sync_wire::protocol::decode(frame) {
        Ok(allmende_sync_wire::protocol::Inbound::Sync { data, .. }) => data,
        // Also read the frame as a bare sync message: most of the input space is there.
        _ => frame.to_vec(),
    };
    let Ok(message) = sync::Message::decode(&data) else {
        return;
    };
    if allmende_sync_wire::inflate::inflated_size(message.changes.iter(), MAX_INFLATED).is_err() {
        return;
    }
    if allmende_sync_wire::runs::operations(message.changes.iter(), LIMITS, MAX_INFLATED).is_err()
        || allmende_sync_wire::runs::asks(message.need.iter().map(|h| &h.0), message.have.len())
            .is_err()
        || message
            .have
            .iter()
            .any(|h| allmende_sync_wire::runs::bloom(&h.bloom.to_bytes()).is_err())
    {
        return;
    }
    let mut doc = automerge::Automerge::new();
    {
        use automerge::transaction::Transactable as _;
        let mut tx = doc.transaction();
        let _ = tx.put(automerge::ROOT, "title", "Solardach");
        tx.commit();
    }
    // The relay's check for tangled operation numbers, on the message's chunks.
    if let Ok(chunks) = allmende_sync_wire::inflate::chunks(message.changes.iter()) {
        let chunks: Vec<&[u8]> = chunks.into_iter().map(|(_, bytes)| bytes).collect();
        if allmende_core::governance::tangled::tangles(&doc, chunks) {
            return;
        }
    }
    let mut state = sync::State::new();
    let _ = doc.receive_sync_message(&mut state, message);
    let _ = doc.generate_sync_message(&mut state);
});
