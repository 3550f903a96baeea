//! Signed fields inside item documents: a request's status history and a project's team (and,
//! in [`super::content`], every item's author and its members' marks).
//!
//! Each entry names its author (`by`), the device that signed it and when. It counts only
//! when that device belonged to the author at that time and the author's role then allowed
//! it (see [`crate::permission`]); otherwise it is left out of what people see and flagged.

use serde_json::json;

use super::content::fresh;
use super::entry::{check_signature, signing_bytes, Signer};
use super::Flag;
use crate::apply::Item;
use crate::model::{
    Community, Project, Request, RequestStatus, Role, StatusChange, TeamMember, TeamRole,
    Visibility,
};
use crate::permission::{allows, Action};

fn status_payload(c: &StatusChange) -> String {
    json!([
        c.id,
        c.at,
        c.by,
        c.status,
        c.message,
        c.reason,
        c.contact,
        c.promised_by,
        c.device
    ])
    .to_string()
}

fn team_payload(member: &str, t: &TeamMember) -> String {
    json!([member, t.role, t.joined_at, t.by, t.device]).to_string()
}

/// Signs the entries this device wrote in this change: those not in `before` (the item as it
/// was before the command, `None` for a new item) as they are now. An unsigned entry that was
/// there before, even one naming this device, is never signed: a member's modified client
/// could have written it to have this device vouch for it.
pub fn sign_item(item: &mut Item, before: Option<&Item>, signer: &dyn Signer) {
    super::content::sign_content(item, before, signer);
    let me = signer.public_hex();
    match item {
        Item::Request(r) => {
            let doc = r.header.id.clone();
            let was = match before {
                Some(Item::Request(b)) => Some(&b.history),
                _ => None,
            };
            for (key, c) in &mut r.history {
                if c.sig.is_empty() && c.device == me && fresh(was, key, c) {
                    let bytes = signing_bytes("status", &doc, &status_payload(c));
                    c.sig = hex::encode(signer.sign(&bytes));
                }
            }
        }
        Item::Project(p) => {
            let doc = p.header.id.clone();
            let was = match before {
                Some(Item::Project(b)) => Some(&b.team),
                _ => None,
            };
            for (member, t) in &mut p.team {
                if t.sig.is_empty() && t.device == me && fresh(was, member, t) {
                    let bytes = signing_bytes("team", &doc, &team_payload(member, t));
                    t.sig = hex::encode(signer.sign(&bytes));
                }
            }
        }
        _ => {}
    }
}

/// The item as people may see it: signed fields that do not hold are left out, and reported.
#[must_use]
pub fn check_item(community: &Community, item: &Item) -> (Item, Vec<Flag>) {
    let mut item = item.clone();
    let mut flags = super::content::check_content(community, &mut item);
    settle_reports(community, &mut item);
    flags.extend(match &mut item {
        Item::Request(r) => check_request(community, r),
        Item::Project(p) => check_team(community, p),
        _ => Vec::new(),
    });
    (item, flags)
}

/// Leaves out the reports a moderator has settled: those about a key (the item, or
/// `item/comment`) with a moderation decision made at or after the report (hidden, restored,
/// or kept visible). What was decided is in the moderation log.
fn settle_reports(c: &Community, item: &mut Item) {
    let id = item.header().id.clone();
    let Some(reports) = item.reports_mut() else {
        return;
    };
    reports.retain(|_, r| {
        let key = if r.comment.is_empty() {
            id.clone()
        } else {
            format!("{id}/{}", r.comment)
        };
        !c.moderation_log
            .iter()
            .any(|m| m.key == key && m.at >= r.created_at)
    });
}

fn role_at(c: &Community, member: &str, device: &str, at: i64) -> Option<Role> {
    c.device_of_at(member, device, at).map(|m| m.role)
}

fn check_request(c: &Community, r: &mut Request) -> Vec<Flag> {
    let doc = r.header.id.clone();
    let mut flags = Vec::new();
    r.history.retain(|key, s| {
        let signed = check_signature(
            &s.device,
            &signing_bytes("status", &doc, &status_payload(s)),
            &s.sig,
        )
        .is_ok();
        let reason = if !signed {
            Some(super::UNSIGNED)
        } else {
            match role_at(c, &s.by, &s.device, s.at) {
                None => Some("the device did not belong to this member then"),
                Some(role)
                    if s.status != RequestStatus::Submitted
                        && !allows(role, Action::AnswerRequests) =>
                {
                    Some("the author's role did not allow answering")
                }
                Some(_) => None,
            }
        };
        if let Some(reason) = reason {
            flags.push(flag(
                &doc,
                key,
                &s.by,
                &s.device,
                s.at,
                format!("set status {}", s.status),
                reason,
            ));
        }
        reason.is_none()
    });
    flags
}

/// The members of `p.team` whose entries hold: signed by their device, by someone who could
/// add them (the project's creator, a moderator, a lead accepted so far, or the member
/// themselves joining a public project), as of when the entry says it was written. Members
/// removed from the community since are still among them (they were on the team then).
///
/// `lead_then(member, entry)` says whether the entry's author was a lead of the project when
/// the entry was written (read from the document's history where a reader has it): an entry
/// a lead added stays when that lead has left the team since.
pub(super) fn accepted_team(
    c: &Community,
    p: &Project,
    lead_then: &dyn Fn(&str, &TeamMember) -> bool,
) -> Vec<String> {
    let doc = &p.header.id;
    let creator = creator_verified(c, p).then_some(p.header.created_by.as_str());
    let public = p.visibility == Visibility::Public;
    let signed: Vec<(&String, &TeamMember)> = p
        .team
        .iter()
        .filter(|(m, t)| {
            // Through the process's memo: a project's past teams are read again and again.
            super::change_sigs::verified(
                &signing_bytes("team", doc, &team_payload(m, t)),
                &t.device,
                &t.sig,
            )
        })
        .collect();
    // Accept entries whose author had the authority, until nothing changes: leads accepted
    // so far may accept further entries.
    let mut accepted: Vec<String> = Vec::new();
    loop {
        let before = accepted.len();
        for (member, t) in &signed {
            if accepted.contains(member) {
                continue;
            }
            let Some(role) = role_at(c, &t.by, &t.device, t.joined_at) else {
                continue;
            };
            let lead_now = accepted
                .iter()
                .any(|a| a == &t.by && p.team.get(a).is_some_and(|x| x.role == TeamRole::Lead));
            // The history is asked last: it is the costly question.
            let ok = allows(role, Action::EditAnyContent)
                || creator == Some(t.by.as_str())
                || lead_now
                || (public && t.by == **member && t.role == TeamRole::Member)
                || lead_then(member, t);
            if ok {
                accepted.push((*member).clone());
            }
        }
        if accepted.len() == before {
            break;
        }
    }
    accepted
}

/// Whether team entry `t` of `member` in project `p` (seen with visibility `visibility`)
/// holds on its own: signed by its device, which belonged to its author then, whose role
/// let them add members, or who created the project, or who joined a public project by
/// themselves, or (asked last, the costly question) who was a lead then (`lead_then`).
pub(super) fn entry_holds(
    c: &Community,
    p: &Project,
    visibility: Visibility,
    member: &str,
    t: &TeamMember,
    lead_then: impl FnOnce() -> bool,
) -> bool {
    let signed = super::change_sigs::verified(
        &signing_bytes("team", &p.header.id, &team_payload(member, t)),
        &t.device,
        &t.sig,
    );
    let Some(role) = role_at(c, &t.by, &t.device, t.joined_at).filter(|_| signed) else {
        return false;
    };
    allows(role, Action::EditAnyContent)
        || (creator_verified(c, p) && p.header.created_by == t.by)
        || (visibility == Visibility::Public && t.by == member && t.role == TeamRole::Member)
        || lead_then()
}

/// Whether the project's header was signed by its creator's device (so the creator may lead
/// the team).
fn creator_verified(_c: &Community, p: &Project) -> bool {
    // `check_content` ran first and took the creator off a header that does not hold.
    !p.header.created_by.is_empty()
}

pub(super) fn check_team(c: &Community, p: &mut Project) -> Vec<Flag> {
    check_team_with(c, p, &|_, _| false)
}

/// [`check_team`], with what the document's history says of who was a lead when (see
/// [`accepted_team`]).
pub(crate) fn check_team_with(
    c: &Community,
    p: &mut Project,
    lead_then: &dyn Fn(&str, &TeamMember) -> bool,
) -> Vec<Flag> {
    let doc = p.header.id.clone();
    let accepted = accepted_team(c, p, lead_then);
    let mut flags = Vec::new();
    p.team.retain(|member, t| {
        let ok = accepted.contains(member);
        if !ok {
            flags.push(flag(
                &doc,
                member,
                &t.by,
                &t.device,
                t.joined_at,
                format!("add {member} to the team"),
                "not signed by someone who may change the team",
            ));
        }
        ok
    });
    // Who has left the community (or was removed) is no longer on any of its teams.
    p.team
        .retain(|member, _| c.members.get(member).is_some_and(|m| !m.removed));
    flags
}

fn flag(
    doc: &str,
    entry: &str,
    member: &str,
    device: &str,
    at: i64,
    what: String,
    reason: &str,
) -> Flag {
    Flag {
        doc: doc.to_string(),
        entry: entry.to_string(),
        member: member.to_string(),
        device: device.to_string(),
        at,
        what,
        reason: reason.to_string(),
    }
}
