//! Signed marks (and a project's plan entries) deleted by someone else, put back where they
//! arrive.
//!
//! Comments, reports, supports, registrations and sign-ups are signed by their writer, so
//! nobody can forge one; but any member's modified client can delete one from the shared
//! document. Every change the app makes is signed (`allmende_core::governance::body`), so a
//! device that takes in such a deletion can tell who made it. Comments and reports are never
//! deleted by the app (moderation hides them): one deleted is put back, as it was before the
//! deletion, by a change of this device, which reaches everyone. Only a mark that held (its
//! signature and its member) is put back; a malformed entry a repair removed stays removed.
//! Every such deletion is flagged to admins (`Service::flags`).

use std::collections::HashMap;

use allmende_core::apply::Item;
use allmende_core::governance::{self, body::Deletion};
use allmende_core::model::Community;
use automerge::{ActorId, ChangeHash, ReadDoc, ROOT};
use rusqlite::Connection;

use super::write::commit;
use super::Cached;
use crate::cache::{load_cached, load_community};
use crate::device::DeviceKey;
use crate::docs;
use allmende_store::chunks_api as chunks;
use allmende_store::error::Result;

/// Whether the checked item still has the comment, report or plan entry `key` of map
/// `field`.
fn holds(item: &Item, field: &str, key: &str) -> bool {
    match (field, item) {
        ("comments", _) => item.comments().is_some_and(|m| m.contains_key(key)),
        ("reports", _) => item.reports().is_some_and(|m| m.contains_key(key)),
        ("steps", Item::Project(p)) => p.steps.contains_key(key),
        ("tasks", Item::Project(p)) => p.tasks.contains_key(key),
        ("milestones", Item::Project(p)) => p.milestones.contains_key(key),
        ("needs", Item::Project(p)) => p.needs.contains_key(key),
        _ => false,
    }
}

/// Entry `key` of list `field` of `item`, as JSON.
fn entry_json(item: &Item, field: &str, key: &str) -> Option<serde_json::Value> {
    let json = serde_json::to_value(item).ok()?;
    json.as_object()?
        .values()
        .next()?
        .get(field)?
        .get(key)
        .cloned()
}

/// Whether `device` belongs to the project's author, a member on its team (as judged) or
/// one who may edit any content.
fn may_plan(c: &Community, p: &allmende_core::model::Project, device: &str) -> bool {
    let Some(member) = c.device_owners.get(device).and_then(|m| c.member(m)) else {
        return false;
    };
    member.id == p.header.created_by
        || p.team.contains_key(&member.id)
        || allmende_core::permission::allows(
            member.role,
            allmende_core::permission::Action::EditAnyContent,
        )
}

/// Puts back the comments and reports that the changes of item `id` since `before` deleted;
/// returns their paths.
///
/// # Errors
/// Storage and document errors.
#[allow(clippy::too_many_arguments)]
pub(super) fn restore_deleted_marks(
    conn: &Connection,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    signer: &DeviceKey,
    id: &str,
    community: &str,
    before: &[ChangeHash],
    now: i64,
) -> Result<Vec<String>> {
    if chunks::doc_meta(conn, community)?.is_none() {
        return Ok(Vec::new());
    }
    let c = load_community(conn, cache, key, community)?;
    let doc = load_cached(conn, cache, key, id)?;
    let new: Vec<ChangeHash> = doc
        .get_changes_meta(before)
        .iter()
        .map(|m| m.hash)
        .collect();
    let deletions: Vec<Deletion> = governance::body::deleted_marks(&c, id, doc.document(), &new);
    let mut restored = Vec::new();
    // A support, registration or sign-up is not put back: its member may have taken it
    // back on a device this one has not heard from yet, and a copy put back here would
    // outlive that. Such a deletion is only flagged; the member can give it again.
    for d in deletions.into_iter().filter(|d| !d.owned) {
        let Some((_, map)) = doc.get(ROOT, d.field.as_str())? else {
            continue;
        };
        if doc.get(&map, d.key.as_str())?.is_some() {
            continue;
        }
        let mut good = doc.fork_at(&d.deps)?;
        let Ok(item) = docs::item(&good) else {
            continue;
        };
        // Only what held before the deletion comes back (a plan entry: made by someone
        // entitled to).
        let mut held = governance::check_item(&c, &item).0;
        let _ = governance::body::check_body(&c, id, good.document(), &mut held);
        if !holds(&held, &d.field, &d.key) {
            continue;
        }
        // A plan entry comes back only as it held, and only from a device that may plan:
        // copying values someone forged into it would sign them as this device's, and a
        // copy by a device off the team would count as nobody's (flagged, not put back).
        if let Item::Project(p) = &held {
            let raw = entry_json(&item, &d.field, &d.key);
            let judged = entry_json(&held, &d.field, &d.key);
            if raw != judged || !may_plan(&c, p, &signer.public_hex()) {
                continue;
            }
        }
        let Some((_, from)) = good.get(ROOT, d.field.as_str())? else {
            continue;
        };
        crate::repair::copy(&good, &from, &d.key, doc, &map)?;
        restored.push(format!("/{}/{}", d.field, d.key));
    }
    if !restored.is_empty() {
        commit(
            doc,
            id,
            "put back marks deleted by someone else",
            now,
            signer,
        );
        tracing::warn!(doc = %id, ?restored, "marks deleted by someone else put back");
    }
    Ok(restored)
}
