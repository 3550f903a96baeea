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

    /// Every key written in the object that operation `counter` of `actor` made.
    pub(super) fn keys_in(&self, counter: u64, actor: &ActorId) -> impl Iterator<Item = &str> {
        let obj = ObjectId::Id(OpId(counter, actor.clone()));
        self.by_field
            .keys()
            .filter(move |(o, _)| *o == obj)
            .map(|(_, key)| key.as_str())
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

/// Of `writes` (those of one field, in the order of the document's history) that `keep`
/// takes, in the document as it stood at `within` (or all of it), the last: of those no
/// later kept write (one whose change came after it) replaced, the one Automerge would show
/// last. Writes `keep` passes over do not count, however many there are. Newest first:
/// `keep` is not asked about a write a kept one replaced (in a history written in one line,
/// it is asked about the newest writes only, up to the first it takes).
pub(super) fn last_kept<'w>(
    doc: &Automerge,
    writes: &'w [Write],
    within: Option<&[ChangeHash]>,
    keep: impl Fn(&Write) -> bool,
) -> Option<&'w Write> {
    if writes.is_empty() {
        return None;
    }
    let inside = within.map(|heads| {
        let mut set = HashSet::new();
        reach(doc, &mut set, heads.iter().copied());
        set
    });
    let mut replaced: HashSet<ChangeHash> = HashSet::new();
    let mut best: Option<&Write> = None;
    for w in writes.iter().rev() {
        if inside.as_ref().is_some_and(|set| !set.contains(&w.change))
            || replaced.contains(&w.change)
            || !keep(w)
        {
            continue;
        }
        // What came before the change of a kept write was replaced by it.
        if let Some(meta) = doc.get_change_meta_by_hash(&w.change) {
            reach(doc, &mut replaced, meta.deps.into_iter());
        }
        if best.is_none_or(|b| (w.counter, &w.actor) > (b.counter, &b.actor)) {
            best = Some(w);
        }
    }
    best
}

/// Adds to `seen` the changes `from` and every change they depend on, directly or not
/// (each change is visited once, however often this is called with one `seen`).
fn reach(doc: &Automerge, seen: &mut HashSet<ChangeHash>, from: impl Iterator<Item = ChangeHash>) {
    let mut next: Vec<ChangeHash> = from.collect();
    while let Some(hash) = next.pop() {
        if seen.insert(hash) {
            if let Some(meta) = doc.get_change_meta_by_hash(&hash) {
                next.extend(meta.deps);
            }
        }
    }
}
