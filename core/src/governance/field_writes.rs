//! Every value written to a field of a map, read once from a document's changes. A reader
//! that finds a field's current value written by nobody entitled looks through these for
//! the last one an entitled device wrote ([`super::trace`]), however many forged values lie
//! between (a walk back one change at a time needs a bound, and gave up past it).

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{ActorId, Automerge, ChangeHash, ObjId, ObjType, ScalarValue};

/// One value written to a field.
pub(super) struct Write {
    pub(super) change: ChangeHash,
    /// How far its change lies from the document's start (see [`FieldWrites::read`]).
    depth: u64,
    /// Its operation number and actor: the order in which Automerge shows values written
    /// apart.
    pub(super) counter: u64,
    pub(super) actor: ActorId,
    /// The value, `None` for an object.
    pub(super) value: Option<ScalarValue>,
    /// The kind of object made, `None` for a value.
    pub(super) object: Option<ObjType>,
}

/// The writes of a document, by object and field, in the order of its history (one order
/// on every device), and the changes that took each value written to a map field away
/// (deleted it, or wrote over it).
#[derive(Default)]
pub(super) struct FieldWrites {
    by_field: HashMap<(ObjectId, String), Vec<Write>>,
    unlinked_by: HashMap<OpId, Vec<Unlink>>,
    fields: HashMap<ObjectId, BTreeSet<String>>,
}

/// A change that took away a value or object: by deleting it, or by writing over it.
#[derive(Clone, Copy)]
pub(super) struct Unlink {
    pub(super) change: ChangeHash,
    pub(super) deletes: bool,
}

impl FieldWrites {
    pub(super) fn read(doc: &Automerge) -> Self {
        let mut by_field: HashMap<(ObjectId, String), Vec<Write>> = HashMap::new();
        let mut unlinked_by: HashMap<OpId, Vec<Unlink>> = HashMap::new();
        let mut fields: HashMap<ObjectId, BTreeSet<String>> = HashMap::new();
        // How far from the document's start each change is (the longest way through its
        // dependencies): a change always lies further than everything it depends on.
        let mut depth: HashMap<ChangeHash, u64> = HashMap::new();
        for change in doc.get_changes(&[]) {
            let hash = change.hash();
            let d = change
                .deps()
                .iter()
                .filter_map(|h| depth.get(h))
                .max()
                .map_or(0, |d| d + 1);
            depth.insert(hash, d);
            if change.is_empty() {
                continue;
            }
            let actor = change.actor_id().clone();
            let start = change.start_op().get();
            for (i, op) in change.decode().operations.into_iter().enumerate() {
                // Any operation takes away what it names as its predecessors (Automerge
                // reads an increment of a value that is no counter as writing over it):
                // noted whatever its kind and key.
                let deletes = matches!(op.action, OpType::Delete);
                for pred in op.pred.iter() {
                    let by = unlinked_by.entry(pred.clone()).or_default();
                    if !by.iter().any(|u| u.change == hash) {
                        by.push(Unlink {
                            change: hash,
                            deletes,
                        });
                    } else if deletes {
                        for u in by.iter_mut().filter(|u| u.change == hash) {
                            u.deletes = true;
                        }
                    }
                }
                let Key::Map(key) = op.key else {
                    continue;
                };
                fields
                    .entry(op.obj.clone())
                    .or_default()
                    .insert(key.to_string());
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
                        depth: d,
                        counter: start.saturating_add(i as u64),
                        actor: actor.clone(),
                        value,
                        object,
                    });
            }
        }
        // One order on every device, whatever order the changes arrived in: by depth, then
        // by change hash, then in the change.
        for writes in by_field.values_mut() {
            writes.sort_by(|a, b| {
                (a.depth, a.change, a.counter).cmp(&(b.depth, b.change, b.counter))
            });
        }
        FieldWrites {
            by_field,
            unlinked_by,
            fields,
        }
    }

    /// Every field of `obj` a value was ever written to.
    pub(super) fn fields_in(&self, obj: &ObjId) -> impl Iterator<Item = &str> {
        self.fields
            .get(&object_id(obj))
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The changes that took away the value (or object) operation `counter` of `actor`
    /// wrote to a map field: deleted it, or wrote another value over it.
    pub(super) fn unlinked_by(&self, counter: u64, actor: &ActorId) -> &[Unlink] {
        self.unlinked_by
            .get(&OpId(counter, actor.clone()))
            .map_or(&[], Vec::as_slice)
    }

    /// The values written to `field` of `obj`, oldest first (a write always after those its
    /// change depends on).
    pub(super) fn of(&self, obj: &ObjId, field: &str) -> &[Write] {
        self.by_field
            .get(&(object_id(obj), field.to_string()))
            .map_or(&[], Vec::as_slice)
    }
}

fn object_id(obj: &ObjId) -> ObjectId {
    match obj {
        ObjId::Root => ObjectId::Root,
        ObjId::Id(counter, actor, _) => ObjectId::Id(OpId(*counter, actor.clone())),
    }
}

/// Of `writes` (those of one field, in the order of the document's history) that `keep`
/// takes, among the changes `within` (the document as it stood then, see [`as_of`]; `None`:
/// all of it), the last: of those no
/// later kept write (one whose change came after it) replaced, the one Automerge would show
/// last. Writes `keep` passes over do not count, however many there are. Newest first:
/// `keep` is not asked about a write a kept one replaced (in a history written in one line,
/// it is asked about the newest writes only, up to the first it takes).
pub(super) fn last_kept<'w>(
    doc: &Automerge,
    writes: &'w [Write],
    within: Option<&HashSet<ChangeHash>>,
    keep: impl Fn(&Write) -> bool,
) -> Option<&'w Write> {
    let mut replaced: HashSet<ChangeHash> = HashSet::new();
    let mut best: Option<&Write> = None;
    for w in writes.iter().rev() {
        if within.is_some_and(|set| !set.contains(&w.change))
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

/// The changes `heads` and every change they depend on: the document as it stood then.
pub(super) fn as_of(doc: &Automerge, heads: &[ChangeHash]) -> HashSet<ChangeHash> {
    let mut set = HashSet::new();
    reach(doc, &mut set, heads.iter().copied());
    set
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

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::ROOT;

    /// Two devices took in the same concurrent changes in opposite orders: both list the
    /// writes of a field alike (a verdict that depends on the order of the questions asked
    /// is then the same everywhere).
    #[test]
    fn every_device_lists_a_fields_writes_in_one_order() {
        let mut base = Automerge::new();
        base.transact(|t| t.put(ROOT, "title", "a")).expect("edit");
        let mut changes = Vec::new();
        for n in 0..6 {
            let mut fork = base.fork();
            fork.transact(|t| t.put(ROOT, "title", format!("v{n}")))
                .expect("edit");
            changes.push(fork.get_last_local_change().expect("change").clone());
        }
        let mut one = base.fork();
        let mut other = base.fork();
        one.apply_changes(changes.iter().cloned()).expect("apply");
        other
            .apply_changes(changes.iter().rev().cloned())
            .expect("apply");
        let list = |doc: &Automerge| -> Vec<(ChangeHash, u64)> {
            FieldWrites::read(doc)
                .of(&ObjId::Root, "title")
                .iter()
                .map(|w| (w.change, w.counter))
                .collect()
        };
        assert_eq!(list(&one).len(), 7);
        assert_eq!(list(&one), list(&other));
    }
}
