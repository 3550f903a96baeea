//! Changes with tangled operation numbers: two changes of one actor that claim the same
//! numbers. Automerge's own API never writes them; a modified client can (a change under the
//! author's actor id whose numbers lie inside the author's signed change). Automerge takes
//! such a change in, and then everything that reads the document by its history goes wrong:
//! the value at a change shows the forged one, listing the changes panics, and syncing the
//! document to another peer fails. Such a document is refused where it arrives.

use std::collections::{HashMap, HashSet};

use automerge::{ActorId, Automerge, ChangeHash};

/// Whether two changes of one actor in `doc` claim the same operation numbers.
#[must_use]
pub fn tangled(doc: &Automerge) -> bool {
    let mut ranges = Ranges::default();
    for m in doc.get_changes_meta(&[]) {
        ranges.add(&m.actor, m.hash, m.start_op, m.max_op);
    }
    ranges.overlap()
}

/// Whether `incoming` (the chunks of a sync message, each one whole chunk) would tangle
/// `held`: a change among them claims operation numbers that another change of its actor
/// claims, in `held` or among them. Checked before the changes are applied, so nothing is
/// taken in. A chunk that cannot be checked here (neither a change nor a whole document,
/// such as a bundle whose changes depend on others) counts as tangling: what cannot be
/// checked is not taken in.
#[must_use]
///
/// Two changes of one actor with the same sequence number tangle too: Automerge refuses the
/// second, and on the way drops the changes of that actor it holds back waiting.
pub fn tangles<'a>(held: &Automerge, incoming: impl IntoIterator<Item = &'a [u8]>) -> bool {
    let mut ranges = Ranges::default();
    for bytes in incoming {
        if let Ok(c) = automerge::Change::from_bytes(bytes.to_vec()) {
            ranges.add(c.actor_id(), c.hash(), c.start_op().get(), c.max_op());
            ranges.numbered(c.actor_id(), c.seq(), c.hash());
        } else if let Ok(doc) = Automerge::load(bytes) {
            // A whole document holds every change it needs.
            for m in doc.get_changes_meta(&[]) {
                ranges.add(&m.actor, m.hash, m.start_op, m.max_op);
                ranges.numbered(&m.actor, m.seq, m.hash);
            }
        } else {
            return true;
        }
    }
    if ranges.seqs.is_empty() {
        return false;
    }
    if ranges.twice {
        return true;
    }
    for m in held.get_changes_meta(&[]) {
        if ranges.seqs.contains_key(m.actor.as_ref()) {
            ranges.add(&m.actor, m.hash, m.start_op, m.max_op);
            ranges.numbered(&m.actor, m.seq, m.hash);
        }
    }
    ranges.twice || ranges.overlap()
}

/// Whether changes of `one` and of `other` (chunks each; changes a relay holds back, say,
/// and those just arrived) claim the same operation numbers, or the same sequence number,
/// of one actor. `one` may hold whole documents too (each of their changes counts); a chunk
/// of `one` that is neither is passed over (the check of `one` against the document refuses
/// what cannot be checked).
#[must_use]
pub fn tangle_between<'a>(
    one: impl IntoIterator<Item = &'a [u8]>,
    other: impl IntoIterator<Item = &'a [u8]>,
) -> bool {
    let mut ranges = Ranges::default();
    let mut actors = HashSet::new();
    for bytes in one {
        if let Ok(c) = automerge::Change::from_bytes(bytes.to_vec()) {
            actors.insert(c.actor_id().clone());
            ranges.add(c.actor_id(), c.hash(), c.start_op().get(), c.max_op());
            ranges.numbered(c.actor_id(), c.seq(), c.hash());
        } else if let Ok(doc) = Automerge::load(bytes) {
            // A whole document: every change in it.
            for m in doc.get_changes_meta(&[]) {
                actors.insert(m.actor.clone().into_owned());
                ranges.add(&m.actor, m.hash, m.start_op, m.max_op);
                ranges.numbered(&m.actor, m.seq, m.hash);
            }
        }
    }
    for bytes in other {
        if let Ok(c) = automerge::Change::from_bytes(bytes.to_vec()) {
            if actors.contains(c.actor_id()) {
                ranges.add(c.actor_id(), c.hash(), c.start_op().get(), c.max_op());
                ranges.numbered(c.actor_id(), c.seq(), c.hash());
            }
        }
    }
    ranges.twice || ranges.overlap()
}

/// Operation numbers claimed per actor, each change counted once; and each actor's
/// sequence numbers, with whether one was claimed by two changes.
#[derive(Default)]
struct Ranges {
    by_actor: HashMap<ActorId, Vec<(u64, u64)>>,
    seen: HashSet<ChangeHash>,
    seqs: HashMap<ActorId, HashMap<u64, ChangeHash>>,
    twice: bool,
}

impl Ranges {
    fn numbered(&mut self, actor: &ActorId, seq: u64, hash: ChangeHash) {
        let by = self.seqs.entry(actor.clone()).or_default();
        if *by.entry(seq).or_insert(hash) != hash {
            self.twice = true;
        }
    }

    fn add(&mut self, actor: &ActorId, hash: ChangeHash, start: u64, max: u64) {
        // An empty change (a signature) holds no numbers.
        if max >= start && self.seen.insert(hash) {
            self.by_actor
                .entry(actor.clone())
                .or_default()
                .push((start, max));
        }
    }

    fn overlap(&mut self) -> bool {
        self.by_actor.values_mut().any(|r| {
            r.sort_unstable();
            r.windows(2).any(|w| w[1].0 <= w[0].1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn changes_made_through_automerge_are_not_tangled() {
        let mut a = automerge::AutoCommit::new();
        a.put(automerge::ROOT, "title", "eins").expect("put");
        a.commit();
        a.empty_change(automerge::transaction::CommitOptions::default());
        a.put(automerge::ROOT, "title", "zwei").expect("put");
        a.commit();
        let mut b = a.fork();
        b.put(automerge::ROOT, "text", "drei").expect("put");
        a.put(automerge::ROOT, "text", "vier").expect("put");
        a.merge(&mut b).expect("merge");
        assert!(!tangled(a.document()));
    }

    /// A change under `a`'s actor with one operation at number `start`.
    fn change_at(a: &mut automerge::AutoCommit, start: u64, seq: u64) -> automerge::Change {
        use automerge::legacy::{Key, ObjectId, Op, OpType};
        let actor = a.get_actor().clone();
        automerge::Change::from(automerge::ExpandedChange {
            operations: vec![Op {
                action: OpType::Put("gefälscht".into()),
                obj: ObjectId::Root,
                key: Key::Map("note".into()),
                pred: Vec::new().into(),
                insert: false,
            }],
            actor_id: actor,
            hash: None,
            seq,
            start_op: std::num::NonZeroU64::new(start).expect("from 1"),
            time: 0,
            message: None,
            deps: a.get_heads(),
            extra_bytes: Vec::new(),
            author: None,
        })
    }

    #[test]
    fn a_change_inside_another_changes_numbers_tangles_and_a_next_one_does_not() {
        let mut a = automerge::AutoCommit::new();
        a.put(automerge::ROOT, "title", "eins").expect("put");
        a.put(automerge::ROOT, "text", "zwei").expect("put");
        a.commit();
        let inside = change_at(&mut a, 2, 2);
        let next = change_at(&mut a, 3, 2);
        assert!(tangles(a.document(), [inside.raw_bytes()]));
        assert!(!tangles(a.document(), [next.raw_bytes()]));
        // The same change sent again is no tangle with itself.
        let mut held = a.document().clone();
        held.apply_changes([next.clone()]).expect("apply");
        assert!(!tangles(&held, [next.raw_bytes()]));
        assert!(!tangled(&held));
    }

    /// From a review: an empty change under an actor and sequence number the document has
    /// (no operation numbers to overlap) made Automerge fail, dropping that actor's waiting
    /// changes on the way. Two changes of one actor and number tangle.
    #[test]
    fn a_second_change_under_one_actor_and_number_tangles() {
        let mut a = automerge::AutoCommit::new();
        a.put(automerge::ROOT, "title", "eins").expect("put");
        a.commit();
        let before = a.get_heads();
        a.put(automerge::ROOT, "title", "zwei").expect("put");
        a.commit();
        let mut other = a.fork_at(&before).expect("fork");
        other.set_actor(a.get_actor().clone());
        let hash = other.empty_change(automerge::transaction::CommitOptions::default());
        let twin = other
            .get_change_by_hash(&hash)
            .expect("change")
            .raw_bytes()
            .to_vec();
        assert!(tangles(a.document(), [twin.as_slice()]));
        assert!(!tangled(a.document()));
    }
}
