//! The entries of a project's plan (steps, tasks, milestones, needs): only its team, its
//! author and moderators write them (see [`super::writers`]).
//!
//! Each entry is a map of plain values. An entry whose map was made by a change no entitled
//! device signed is left out and flagged; in an entry that holds, each value is traced back
//! as an item's own fields are ([`super::body`]), to the value the entry was made with where
//! the walk finds none. A list or entry replaced by another object is read as the one an
//! entitled device made. An entry deleted is put back where the deletion arrives (the app
//! never deletes one: `super::deleted_marks`). Not covered yet: the shared notes, whose
//! characters are not traced.

use automerge::{Automerge, ObjId, ObjType, ReadDoc, Value, ROOT};

use super::change_sigs::Claims;
use super::field_writes::last_kept;
use super::trace::{not_entitled, put_path, scalar, trace};
use super::writers::{Also, Owner};
use super::Flag;
use crate::apply::Item;

/// The lists of a project's plan.
pub(super) const PLAN_LISTS: [&str; 4] = ["steps", "tasks", "milestones", "needs"];

/// Each kind of entry, with the values an entry holds.
const ENTRIES: [(&str, &str, &[&str]); 4] = [
    (
        "steps",
        "step",
        &["id", "title", "position", "done", "stage"],
    ),
    (
        "tasks",
        "task",
        &[
            "id",
            "title",
            "step",
            "assignee",
            "due",
            "done",
            "created_at",
            "done_at",
        ],
    ),
    (
        "milestones",
        "milestone",
        &["id", "title", "due", "reached"],
    ),
    ("needs", "need", &["id", "kind", "description", "met"]),
];

/// Checks the plan's entries of project document `doc_id` against who wrote them; leaves
/// out or puts back in `item` what no entitled device wrote, and returns the flags.
///
/// A list or an entry is an object: one made by a change nobody entitled signed (a list
/// replaced by an empty one, an entry replaced by another) counts as nobody's, and the last
/// one an entitled device made is read instead. Entries of a replaced list that the list now
/// there lacks are read from the replaced one (a command that edits one writes it anew).
pub(super) fn check_entries(
    doc_id: &str,
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    item: &mut Item,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut flag = |entry: String, (device, at): (String, i64), what: String| {
        flags.push(Flag {
            doc: doc_id.to_string(),
            entry,
            member: owner
                .c
                .device_owners
                .get(&device)
                .cloned()
                .unwrap_or_default(),
            device,
            at,
            what,
            reason: not_entitled(Also::Team).to_string(),
        });
    };
    for (list, name, fields) in ENTRIES {
        let Some(now) = newest_object(doc, &ROOT, list) else {
            continue;
        };
        // The lists to read: the one there now, and the last one an entitled device made
        // where that is another.
        let mut lists = vec![now.clone()];
        match entitled_object(doc, claims, owner, &ROOT, list) {
            Some(Found { id, replaced: None }) if id != now => lists.push(id),
            Some(Found {
                id,
                replaced: Some(by),
            }) => {
                flag(
                    list.to_string(),
                    by,
                    format!("replace the {list} of this project"),
                );
                lists.push(id);
            }
            _ => {}
        }
        let mut seen: Vec<String> = Vec::new();
        for map in &lists {
            for key in doc.keys(map) {
                if seen.contains(&key) {
                    continue;
                }
                let Some(Found {
                    id: entry,
                    replaced,
                }) = entitled_object(doc, claims, owner, map, &key)
                else {
                    // Nobody entitled made it here; a replaced list may still hold the
                    // team's entry under the same key (read next).
                    if *map == now {
                        if let Some(obj) = newest_object(doc, map, &key) {
                            put_path(item, &[list, &key], None);
                            flag(
                                format!("{list}:{key}"),
                                writer(doc, claims, &obj),
                                format!("add the {name} {key} to this project"),
                            );
                        }
                    }
                    continue;
                };
                seen.push(key.clone());
                let was_replaced = replaced.is_some();
                if let Some(by) = replaced {
                    flag(
                        format!("{list}:{key}"),
                        by,
                        format!("replace the {name} {key} of this project"),
                    );
                }
                if was_replaced || *map != now {
                    put_path(item, &[list, &key], Some(read_entry(doc, &entry)));
                }
                for field in fields {
                    let Some(f) = trace(doc, claims, owner, &entry, field) else {
                        continue;
                    };
                    let path = [list, key.as_str(), field];
                    // Where the walk back found nothing, the value the entry was made with.
                    let made = || {
                        let hash = doc.hash_for_opid(&entry)?;
                        match doc.get_at(&entry, *field, &[hash]) {
                            Ok(Some((v, _))) => scalar(&v),
                            _ => None,
                        }
                    };
                    if let Some(v) = f.restored.clone().or_else(made) {
                        if !put_path(item, &path, Some(v)) {
                            if let Some(v) = made() {
                                put_path(item, &path, Some(v));
                            }
                        }
                    }
                    flag(
                        format!("{list}:{key}:{field}"),
                        (f.device, f.at),
                        format!("change the {field} of {name} {key} of this project"),
                    );
                }
            }
        }
    }
    flags
}

/// An object an entitled device made, and who made the one there now if that is another.
struct Found {
    id: ObjId,
    replaced: Option<(String, i64)>,
}

/// The map (or table) at `key` of `parent` that Automerge shows now.
fn newest_object(doc: &Automerge, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map | ObjType::Table), id))) => Some(id),
        _ => None,
    }
}

/// The newest map at `key` of `parent` that an entitled device made: of objects written
/// apart, an entitled one; else the last one an entitled device made before, passing over
/// every object others made there, however many.
fn entitled_object(
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    parent: &ObjId,
    key: &str,
) -> Option<Found> {
    let all = doc.get_all(parent, key).ok()?;
    let refused = std::cell::RefCell::default();
    let map = |v: &Value<'_>| matches!(v, Value::Object(ObjType::Map | ObjType::Table));
    if let Some((_, id)) = all
        .iter()
        .rev()
        .find(|(v, id)| map(v) && owner.wrote_limited(doc, claims, id, &refused))
    {
        return Some(Found {
            id: id.clone(),
            replaced: None,
        });
    }
    let (_, last) = all.last()?;
    let replaced = Some(writer(doc, claims, last));
    let made = last_kept(doc, claims.writes(doc).of(parent, key), None, |w| {
        matches!(w.object, Some(ObjType::Map | ObjType::Table))
            && owner.wrote_op_limited(claims, w.counter, &w.actor, w.change, &refused)
    })?;
    // The object's id as this document names it: shown where the change that made it ends.
    let (_, id) = doc
        .get_all_at(parent, key, &[made.change])
        .ok()?
        .into_iter()
        .find(|(_, id)| matches!(id, ObjId::Id(n, actor, _) if *n == made.counter && *actor == made.actor))?;
    Some(Found { id, replaced })
}

/// An entry's values as they are now, for an entry read from a replaced object.
fn read_entry(doc: &Automerge, entry: &ObjId) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for key in doc.keys(entry) {
        if let Ok(Some((v, _))) = doc.get(entry, &key) {
            if let Some(v) = scalar(&v) {
                out.insert(key, v);
            }
        }
    }
    serde_json::Value::Object(out)
}

/// The device that signed the change that made object `id` (empty: nobody), and when.
pub(super) fn writer(doc: &Automerge, claims: &Claims, id: &ObjId) -> (String, i64) {
    match doc.hash_for_opid(id) {
        Some(hash) => (
            claims.signers(&hash).into_iter().next().unwrap_or_default(),
            claims.at(&hash),
        ),
        None => (String::new(), 0),
    }
}
