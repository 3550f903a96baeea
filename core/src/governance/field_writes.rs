//! Every value written to a field of a map, read once from a document's changes. A reader
//! that finds a field's current value written by nobody entitled looks through these for
//! the last one an entitled device wrote ([`super::trace`]), however many forged values lie
//! between (a walk back one change at a time needs a bound, and gave up past it).

use std::collections::{HashMap, HashSet};

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{ActorId, Automerge, ChangeHash, ObjId, ObjType, ScalarValue};

/// One value written to a field.
pub(super) struct Write {
    pub(super) change: ChangeHash,
    /// Its operation number and actor: the order in which Automerge shows values written
    /// apart.
    pub(super) counter: u64,
    pub(super) actor: ActorId,
    /// The value, `None` for an object.
    pub(super) value: Option<ScalarValue>,
    /// The kind of object made, `None` for a value.
    pub(super) object: Option<ObjType>,
}

/// The writes of a document, by object and field, in the order of its history.
#[derive(Default)]
pub(super) struct FieldWrites {
    by_field: HashMap<(ObjectId, String), Vec<Write>>,
}

impl FieldWrites {
    pub(super) fn read(doc: &Automerge) -> Self {
        let mut by_field: HashMap<(ObjectId, String), Vec<Write>> = HashMap::new();
        for change in doc.get_changes(&[]) {
            if change.is_empty() {
                continue;
            }
            let hash = change.hash();
            let actor = change.actor_id().clone();
            let start = change.start_op().get();
            for (i, op) in change.decode().operations.into_iter().enumerate() {
                let Key::Map(key) = op.key else {
                    continue;
                };
                let (value, object) = match op.action {
                    OpType::Put(v) => (Some(v), None),
                    OpType::Make(kind) => (None, Some(kind)),
                    _ => continue,
                };
                by_field
                    .entry((op.obj, key.to_string()))
                    .or_default()
                    .push(Write {
                        change: hash,
                        counter: start.saturating_add(i as u64),
                        actor: actor.clone(),
                        value,
                        object,
                    });
            }
        }
        FieldWrites { by_field }
    }

    /// The values written to `field` of `obj`, oldest first.
    pub(super) fn of(&self, obj: &ObjId, field: &str) -> &[Write] {
        let obj = match obj {
            ObjId::Root => ObjectId::Root,
            ObjId::Id(counter, actor, _) => ObjectId::Id(OpId(*counter, actor.clone())),
        };
        self.by_field
            .get(&(obj, field.to_string()))
            .map_or(&[], Vec::as_slice)
    }
}

/// Of `writes` (those of one field) that `keep` takes, in the document as it stood at
/// `within` (or all of it), the last: of those no later kept write (one whose change came
/// after it) replaced, the one Automerge would show last. Writes `keep` passes over do not
/// count, however many there are.
pub(super) fn last_kept<'w>(
    doc: &Automerge,
    writes: &'w [Write],
    within: Option<&[ChangeHash]>,
    keep: impl Fn(&Write) -> bool,
) -> Option<&'w Write> {
    let inside = within.map(|heads| before(doc, heads.iter().copied()));
    let kept: Vec<&Write> = writes
        .iter()
        .filter(|w| inside.as_ref().is_none_or(|set| set.contains(&w.change)))
        .filter(|w| keep(w))
        .collect();
    // What came before a kept write's change was replaced by it.
    let replaced = before(
        doc,
        kept.iter()
            .filter_map(|w| doc.get_change_meta_by_hash(&w.change))
            .flat_map(|m| m.deps),
    );
    kept.into_iter()
        .filter(|w| !replaced.contains(&w.change))
        .max_by(|a, b| (a.counter, &a.actor).cmp(&(b.counter, &b.actor)))
}

/// The changes `from` and every change they depend on, directly or not.
fn before(doc: &Automerge, from: impl Iterator<Item = ChangeHash>) -> HashSet<ChangeHash> {
    let mut seen = HashSet::new();
    let mut next: Vec<ChangeHash> = from.collect();
    while let Some(hash) = next.pop() {
        if seen.insert(hash) {
            if let Some(meta) = doc.get_change_meta_by_hash(&hash) {
                next.extend(meta.deps);
            }
        }
    }
    seen
}
