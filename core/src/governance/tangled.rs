//! Changes with tangled operation numbers: two changes of one actor that claim the same
//! numbers. Automerge's own API never writes them; a modified client can (a change under the
//! author's actor id whose numbers lie inside the author's signed change). Automerge takes
//! such a change in, and then everything that reads the document by its history goes wrong:
//! the value at a change shows the forged one, listing the changes panics, and syncing the
//! document to another peer fails. Such a document is refused where it arrives.

use std::collections::HashMap;

use automerge::{ActorId, Automerge};

/// Whether two changes of one actor in `doc` claim the same operation numbers.
#[must_use]
pub fn tangled(doc: &Automerge) -> bool {
    let mut ranges: HashMap<ActorId, Vec<(u64, u64)>> = HashMap::new();
    for m in doc.get_changes_meta(&[]) {
        // An empty change (a signature) holds no numbers.
        if m.max_op >= m.start_op {
            ranges
                .entry(m.actor.into_owned())
                .or_default()
                .push((m.start_op, m.max_op));
        }
    }
    ranges.values_mut().any(|r| {
        r.sort_unstable();
        r.windows(2).any(|w| w[1].0 <= w[0].1)
    })
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
}
