//! Signed marks deleted by someone else. Comments, reports, supports, registrations and
//! sign-ups are signed by their writer, but any member's modified client can delete one from
//! the shared document; so can it delete an entry of a project's plan, which the app never
//! deletes. The signed changes ([`super::change_sigs`]) tell whether the member a
//! mark belongs to took it back.

use automerge::{Automerge, ChangeHash, ROOT};

use super::change_sigs::{is_signature, Claims};
use super::Flag;
use crate::model::Community;
use crate::time::Millis;

/// The maps of signed marks, and whether an entry's key is the member it belongs to (who may
/// take it back: a support, a registration, a sign-up). Comments and reports are never
/// deleted by the app: moderation hides them.
/// A project's plan entries (steps, tasks, milestones, needs) are never deleted by the app
/// either: a step or task is marked done instead.
const MARK_MAPS: [(&str, bool); 10] = [
    ("comments", false),
    ("reports", false),
    ("supporters", true),
    ("support_proofs", true),
    ("registrations", true),
    ("signups", true),
    ("steps", false),
    ("tasks", false),
    ("milestones", false),
    ("needs", false),
];

/// An entry of signed marks deleted by a change nobody entitled signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The map (`comments`, `supporters`, ...).
    pub field: String,
    pub key: String,
    /// The change that deleted it; the entry is read as it was at this change's dependencies.
    pub change: ChangeHash,
    pub deps: Vec<ChangeHash>,
    /// The device that signed the change, if any did.
    pub device: String,
    /// Whether the mark belongs to a member who may take it back (a support, a
    /// registration, a sign-up), rather than being there for good (a comment, a report).
    pub owned: bool,
    pub at: Millis,
}

/// Entries of signed marks that `changes` (of document `doc_id`) deleted without a signature
/// of the member they belong to. Documents from before changes were signed are not judged.
#[must_use]
pub fn deleted_marks(
    c: &Community,
    doc_id: &str,
    doc: &Automerge,
    changes: &[ChangeHash],
) -> Vec<Deletion> {
    if changes.is_empty() || c.members.is_empty() {
        return Vec::new();
    }
    let claims = Claims::read(doc_id, doc);
    if claims.first_header(doc).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for hash in changes {
        let Some(meta) = doc.get_change_meta_by_hash(hash) else {
            continue;
        };
        if meta.message.as_deref().is_some_and(is_signature) {
            continue;
        }
        let at = claims.at(hash);
        let signed = claims.signers(hash);
        for patch in doc.diff(&meta.deps, &[*hash]) {
            let automerge::PatchAction::DeleteMap { key } = &patch.action else {
                continue;
            };
            let [(parent, automerge::Prop::Map(field))] = patch.path.as_slice() else {
                continue;
            };
            if *parent != ROOT {
                continue;
            }
            let Some((_, own)) = MARK_MAPS.iter().find(|(m, _)| m == field) else {
                continue;
            };
            let taken_back = *own
                && signed.iter().any(|d| {
                    c.device_owners.get(d) == Some(key) && c.device_of_at(key, d, at).is_some()
                });
            if !taken_back {
                out.push(Deletion {
                    field: field.clone(),
                    key: key.clone(),
                    change: *hash,
                    deps: meta.deps.clone(),
                    device: signed.first().cloned().unwrap_or_default(),
                    at,
                    owned: *own,
                });
            }
        }
    }
    out
}

/// A flag for a deletion (see [`deleted_marks`]) in document `doc`.
#[must_use]
pub fn deletion_flag(c: &Community, doc: &str, d: &Deletion) -> Flag {
    Flag {
        doc: doc.to_string(),
        entry: format!("deleted:{}:{}", d.field, d.key),
        member: c.device_owners.get(&d.device).cloned().unwrap_or_default(),
        device: d.device.clone(),
        at: d.at,
        what: format!("delete an entry of {}", d.field),
        reason: if super::entries::PLAN_LISTS.contains(&d.field.as_str()) {
            "the app never deletes a plan entry (it is marked done instead)"
        } else {
            "only the member it belongs to may take it back"
        }
        .to_string(),
    }
}
