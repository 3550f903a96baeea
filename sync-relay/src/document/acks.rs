//! Answers without changes, remembered per document state.
//!
//! After a change, the followers that were in step each answer with the same message (their
//! new heads) from the same sync state. Applying a message to a sync state depends only on
//! the document, the state and the message, so while the document does not change, the
//! first follower's result stands for the others: one decode and one apply instead of one
//! per follower.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::sync;
use automerge::ChangeHash;

/// Most different answers remembered for one document state.
const MAX: usize = 256;
/// Largest answer remembered: an honest follower's answer names its heads and a small bloom
/// filter; a stranger's message without changes can still be megabytes (a long `need`).
const MAX_MESSAGE: usize = 16 * 1024;
/// Most bytes of answers and states remembered for one document (a few hundred followers'
/// worth): without it, 256 answers of 16 MiB each would stay in memory.
const MAX_BYTES: usize = 1024 * 1024;

#[derive(Default)]
pub struct Acks {
    /// The document's heads the remembered results hold for.
    heads: Vec<ChangeHash>,
    /// Message bytes → (state before, state after; shared with the followers that took it).
    seen: HashMap<Vec<u8>, Vec<(sync::State, Arc<sync::State>)>>,
    /// Bytes of the remembered messages, and a rough size of each state pair kept.
    bytes: usize,
}

impl Acks {
    /// Forgets everything when the document moved on.
    fn at(&mut self, heads: &[ChangeHash]) {
        if self.heads != heads {
            self.heads = heads.to_vec();
            self.seen = HashMap::new();
            self.bytes = 0;
        }
    }

    /// The state after `data` was applied to `state`, if known for these heads.
    pub fn get(
        &mut self,
        heads: &[ChangeHash],
        data: &[u8],
        state: &sync::State,
    ) -> Option<Arc<sync::State>> {
        self.at(heads);
        self.seen
            .get(data)?
            .iter()
            .find(|(before, _)| before == state)
            .map(|(_, after)| after.clone())
    }

    /// Remembers that `data` (a message without changes) took `before` to `after`.
    pub fn put(
        &mut self,
        heads: &[ChangeHash],
        data: &[u8],
        before: sync::State,
        after: &Arc<sync::State>,
    ) {
        self.at(heads);
        let cost = data.len() + PAIR;
        if self.seen.len() >= MAX || data.len() > MAX_MESSAGE || self.bytes + cost > MAX_BYTES {
            return;
        }
        self.bytes += cost;
        self.seen
            .entry(data.to_vec())
            .or_default()
            .push((before, after.clone()));
    }
}

/// A rough size of one remembered pair of sync states (their heads and bloom filters).
const PAIR: usize = 512;

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn a_known_answer_gives_the_same_state_until_the_document_moves_on() {
        let mut doc = automerge::Automerge::new();
        doc.transact(|t| t.put(automerge::ROOT, "k", 1))
            .expect("edit");
        let heads = doc.get_heads();
        let mut acks = Acks::default();
        let before = sync::State::new();
        let mut after = before.clone();
        after.have_responded = true;
        let after = Arc::new(after);
        acks.put(&heads, b"answer", before.clone(), &after);
        // The remembered state is the very same, shared.
        let got = acks.get(&heads, b"answer", &before).expect("known");
        assert!(Arc::ptr_eq(&got, &after));
        // Another message, or another state: unknown.
        assert_eq!(acks.get(&heads, b"other", &before), None);
        assert_eq!(acks.get(&heads, b"answer", &after), None);
        drop(got);
        // The document changed: forgotten.
        doc.transact(|t| t.put(automerge::ROOT, "k", 2))
            .expect("edit");
        assert_eq!(acks.get(&doc.get_heads(), b"answer", &before), None);
        assert_eq!(acks.get(&heads, b"answer", &before), None);
    }

    /// Issue 13, finding 5: answers were remembered up to 256 per document state whatever
    /// their size, so a stranger's messages without changes (a long `need` list of 16 MiB
    /// each) could hold gigabytes. Now big ones are not remembered and the total is bounded.
    #[test]
    fn big_answers_are_not_remembered_and_the_total_stays_bounded() {
        let doc = automerge::Automerge::new();
        let heads = doc.get_heads();
        let mut acks = Acks::default();
        let after = Arc::new(sync::State::new());
        let big = vec![7u8; MAX_MESSAGE + 1];
        acks.put(&heads, &big, sync::State::new(), &after);
        assert_eq!(acks.bytes, 0, "a big answer is not remembered");
        for i in 0..MAX {
            let mut data = vec![0u8; MAX_MESSAGE];
            data[..8].copy_from_slice(&(i as u64).to_le_bytes());
            acks.put(&heads, &data, sync::State::new(), &after);
        }
        assert!(acks.bytes <= MAX_BYTES, "{}", acks.bytes);
        assert!(
            acks.seen.len() < MAX,
            "the byte bound holds before the count does"
        );
    }
}
