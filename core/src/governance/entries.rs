//! The entries of a project's plan (steps, tasks, milestones, needs): only its team, its
//! author and moderators write them (see [`super::writers`]).
//!
//! Each entry is a map of plain values. An entry whose map was made by a change no entitled
//! device signed is left out and flagged; in an entry that holds, each value is traced back
//! as an item's own fields are ([`super::body`]), to the value the entry was made with where
//! the walk finds none. Not covered yet: an entry deleted by someone not entitled (it stays
//! deleted), and the shared notes, whose characters are not traced.

use automerge::{Automerge, ObjId, ObjType, ReadDoc, Value, ROOT};

use super::change_sigs::Claims;
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
pub(super) fn check_entries(
    doc_id: &str,
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    item: &mut Item,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut flag = |entry: String, device: String, at, what: String| {
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
        // A table reads as a map too (autosurgeon hydrates both).
        let Ok(Some((Value::Object(ObjType::Map | ObjType::Table), map))) = doc.get(ROOT, list)
        else {
            continue;
        };
        for key in doc.keys(&map) {
            let Ok(Some((Value::Object(ObjType::Map | ObjType::Table), entry))) =
                doc.get(&map, &key)
            else {
                continue;
            };
            if !owner.wrote(doc, claims, &entry) {
                let (device, at) = writer(doc, claims, &entry);
                put_path(item, &[list, &key], None);
                flag(
                    format!("{list}:{key}"),
                    device,
                    at,
                    format!("add the {name} {key} to this project"),
                );
                continue;
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
                    f.device,
                    f.at,
                    format!("change the {field} of {name} {key} of this project"),
                );
            }
        }
    }
    flags
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
