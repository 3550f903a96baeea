//! Governance: protected changes take effect only when made by a member whose role allows it.
//!
//! An Automerge document cannot refuse a change, so every reader checks on read. The
//! protected parts of a community (settings, categories, the roster with roles and devices,
//! moderation decisions) are never stored as plain fields: the community document holds a
//! `log` of signed entries ([`entry`]), and the state people see is the replay of that log
//! ([`resolve`]). Protected fields inside item documents (a request's status history, a
//! project's team) carry their author's device signature and are checked against the
//! roster as it was at that time ([`items`]).
//!
//! The chain of authority is rooted in the community creator's device key: the community's
//! document id is derived from that key ([`crate::DocId::derive`]), so the first entry can be
//! checked by anyone who knows the id. Entries are replayed in causal order (an entry comes
//! after everything its author had `seen`), concurrent entries by time and then by id. Each
//! entry is checked against the state replayed so far, so a removal made before a concurrent
//! action of the removed member voids that action on every peer alike. What is not accepted
//! is ignored in everything shown and reported as a [`Flag`] to admins.

mod act;

/// The reason of a flag whose signature is missing or does not hold: nothing of the
/// community vouches for the content.
pub const UNSIGNED: &str = "the signature is missing or wrong";
pub mod body;
mod change_sigs;
pub mod content;
mod deleted_marks;
mod entries;
pub mod entry;
mod field_writes;
pub mod history;
mod items;
pub mod reach;
pub mod tangled;
mod team_at;
mod trace;
mod transition;
mod writers;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

pub use act::Act;
pub use entry::{seal, Body, Entry, Signer};
pub use history::{LogHistory, Removal, Written};
pub(crate) use items::check_team_with;
pub use items::{check_item, sign_item};
pub use transition::{apply_act, Refusal};

use crate::ids::DocId;
use crate::model::{Community, Header, Member};
use crate::time::Millis;

/// A change that was not accepted, shown to admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The document it was found in.
    pub doc: String,
    /// The entry id (log entries) or the key of the signed field.
    pub entry: String,
    /// Who it claims to come from (may be forged).
    pub member: String,
    pub device: String,
    pub at: Millis,
    /// What it tried to do.
    pub what: String,
    /// Why it was not accepted.
    pub reason: String,
}

/// Entries already checked, so replaying a long log again after a small change only checks
/// the new entries. Keyed by [`memo_key`]: a hash of the document id, the entry id, the body
/// and the signature, so a hit vouches for exactly the text that was checked, in exactly that
/// document (an edited body or a pair pasted into another log misses and is checked afresh).
/// Each checked entry's body is kept with it, so a replay does not read its text again.
pub type Checked = HashMap<[u8; 32], Body>;

/// The memo key of entry `id` of document `doc`: SHA-256 over all four, length-prefixed.
#[must_use]
pub fn memo_key(doc: &str, id: &str, e: &Entry) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [doc, id, e.body.as_str(), e.sig.as_str()] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// Replays a community's log as it stands in the current map (logs not read from a
/// document's history: tests, imports). `header.id` is taken as the document id.
#[must_use]
pub fn resolve(header: &Header, log: &BTreeMap<String, Entry>, checked: &mut Checked) -> Community {
    let written: Vec<Written> = log
        .iter()
        .map(|(id, entry)| Written {
            id: id.clone(),
            entry: entry.clone(),
            writer: String::new(),
        })
        .collect();
    resolve_written(&header.id, header, &written, &[], checked)
}

/// Replays everything ever written into the log of community document `doc` (its id, as the
/// reader knows it: never the header's word) into the state people see. `header` is the
/// document's raw header; the state's header takes its id, kind and creator from `doc` and
/// the signed first entry. Entries deleted or rewritten later count as written; each
/// deletion and each rewritten body is flagged with the device that did it.
#[must_use]
pub fn resolve_written(
    doc: &str,
    header: &Header,
    written: &[Written],
    removals: &[Removal],
    checked: &mut Checked,
) -> Community {
    let mut header = header.clone();
    header.id = doc.to_string();
    header.community = doc.to_string();
    header.kind = crate::model::DocKind::Community;
    let mut c = Community::empty(header);
    // First every entry is checked (or found checked), then the bodies are read from the
    // memo without copying them.
    let mut accepted: Vec<(&str, [u8; 32])> = Vec::with_capacity(written.len());
    for w in written {
        let id = w.id.as_str();
        let e = &w.entry;
        let memo = memo_key(doc, id, e);
        if checked.contains_key(&memo) {
            accepted.push((id, memo));
            continue;
        }
        match entry::open(doc, id, e) {
            Ok(body) => {
                checked.insert(memo, body);
                accepted.push((id, memo));
            }
            Err(flaw) => c.flags.push(Flag {
                doc: doc.to_string(),
                entry: id.to_string(),
                member: String::new(),
                device: w.writer.clone(),
                at: 0,
                what: "unreadable entry".into(),
                reason: flaw.to_string(),
            }),
        }
    }
    let checked: &Checked = checked;
    let mut bodies: HashMap<&str, &Body> = HashMap::with_capacity(accepted.len());
    for (id, memo) in accepted {
        if let Some(body) = checked.get(&memo) {
            bodies.entry(id).or_insert(body);
        }
    }
    for r in removals {
        c.flags.push(Flag {
            doc: doc.to_string(),
            entry: r.id.clone(),
            member: String::new(),
            device: r.by.clone(),
            at: 0,
            what: if r.id.is_empty() {
                "replace the log".into()
            } else {
                format!("delete log entry {}", r.id)
            },
            reason: "entries stay in the history: deleting one changes nothing".into(),
        });
    }
    for id in causal_order(&bodies) {
        let Some(body) = bodies.get(id) else { continue };
        let outcome = match &body.act {
            Act::Genesis { nonce, .. } if DocId::derive(&body.device, nonce).as_str() != doc => {
                Err("not this community's beginning")
            }
            _ => apply_act(&mut c, body),
        };
        match outcome {
            Ok(()) => {
                c.signers.insert(body.device.to_ascii_lowercase());
                if body.act.touches_roster() {
                    record_roster(&mut c, body);
                }
            }
            Err(reason) => c.flags.push(Flag {
                doc: doc.to_string(),
                entry: (*id).to_string(),
                member: body.member.clone(),
                device: body.device.clone(),
                at: body.at,
                what: body.act.describe(),
                reason: reason.to_string(),
            }),
        }
    }
    let seen: HashSet<&str> = bodies
        .values()
        .flat_map(|b| b.seen.iter().map(String::as_str))
        .collect();
    c.heads = bodies
        .keys()
        .filter(|id| !seen.contains(*id))
        .map(|id| (*id).to_string())
        .collect();
    c.heads.sort();
    c
}

/// Replays community document `doc_id` from its history (`history` is brought up to date
/// first, so a caller that keeps it pays only for new changes). The raw header is used for
/// what the log does not say (schema, creation time); when it is missing or unreadable, a
/// placeholder stands in. Whether this is a community at all is the log's word: a valid
/// first entry deriving `doc_id` (see [`Community::is_founded`]).
#[must_use]
pub fn replay_document(
    doc_id: &str,
    doc: &automerge::Automerge,
    history: &mut LogHistory,
    checked: &mut Checked,
) -> Community {
    history.update(doc);
    let header = autosurgeon::hydrate_prop::<_, Header, _, _>(doc, &automerge::ROOT, "header")
        .unwrap_or_else(|_| Header {
            schema: crate::model::SCHEMA_VERSION,
            kind: crate::model::DocKind::Community,
            id: doc_id.to_string(),
            community: doc_id.to_string(),
            created_at: 0,
            created_by: String::new(),
            device: String::new(),
            nonce: String::new(),
            sig: String::new(),
        });
    resolve_written(
        doc_id,
        &header,
        &history.written(),
        history.removals(),
        checked,
    )
}

/// Entries after everything they had seen; among entries ready at the same time, the
/// earliest first, ties by id. Every peer computes the same order from the same log.
///
/// **Revocation wins over concurrent acts.** An act that does not causally follow a role
/// change of its author (neither had seen the other) is judged by the weaker role: it is
/// ordered after a demotion, a removal or a device's removal, and before a promotion to
/// admin, whatever time it claims. So a back-dated entry gains nothing. (Should these extra
/// orderings ever form a cycle, as with admins removing each other at once, the plain causal
/// order decides.)
fn causal_order<'a>(bodies: &HashMap<&'a str, &Body>) -> Vec<&'a str> {
    let extra = concurrency_edges(bodies);
    let order = kahn(bodies, &extra);
    if order.len() == bodies.len() {
        order
    } else {
        kahn(bodies, &[])
    }
}

/// Whom a role change concerns, and whether it weakens them.
fn role_change(act: &Act) -> Option<(&str, Option<&str>, bool)> {
    match act {
        Act::SetRole { member, role } => Some((member, None, *role != crate::model::Role::Admin)),
        Act::RemoveMember { member } => Some((member, None, true)),
        Act::RemoveDevice { member, device } => Some((member, Some(device), true)),
        _ => None,
    }
}

/// `(before, after)` pairs that put acts concurrent with a role change of their author on
/// the weaker side of it.
fn concurrency_edges<'a>(bodies: &HashMap<&'a str, &Body>) -> Vec<(&'a str, &'a str)> {
    let mut by_member: HashMap<&str, Vec<&'a str>> = HashMap::new();
    for (id, body) in bodies {
        by_member.entry(body.member.as_str()).or_default().push(id);
    }
    if !bodies.values().any(|b| role_change(&b.act).is_some()) {
        return Vec::new();
    }
    // The longest chain of `seen` below each entry: an ancestor is always lower, which keeps
    // the searches below short (in a log written in step, to the entries in between).
    let mut depth: HashMap<&str, usize> = HashMap::with_capacity(bodies.len());
    for id in kahn(bodies, &[]) {
        let d = bodies[id]
            .seen
            .iter()
            .filter_map(|s| depth.get(s.as_str()))
            .max()
            .map_or(0, |d| d + 1);
        depth.insert(id, d);
    }
    // Seniority settles two role changes against each other (two admins demoting each
    // other at once): the one who joined first wins. The creator is the most senior.
    let mut joined: HashMap<&str, (Millis, &str)> = HashMap::new();
    for (id, body) in bodies {
        match &body.act {
            Act::Genesis { member, .. } => {
                joined.insert(member.as_str(), (Millis::MIN, id));
            }
            Act::AddMember { member, .. } => {
                let rank = (body.at, *id);
                let e = joined.entry(member.as_str()).or_insert(rank);
                *e = (*e).min(rank);
            }
            _ => {}
        }
    }
    let senior = |a: &str, b: &str| {
        let rank = |m: &str| joined.get(m).copied().unwrap_or((Millis::MAX, ""));
        rank(a) < rank(b)
    };
    let mut edges = Vec::new();
    for (change_id, change) in bodies {
        let Some((member, device, weakens)) = role_change(&change.act) else {
            continue;
        };
        let Some(acts) = by_member.get(member) else {
            continue;
        };
        for act_id in acts {
            let act = &bodies[act_id];
            if act_id == change_id
                || device.is_some_and(|d| d != act.device)
                || reaches(bodies, &depth, change_id, act_id)
                || reaches(bodies, &depth, act_id, change_id)
            {
                continue;
            }
            let counter = role_change(&act.act).is_some_and(|(m, _, w)| w && m == change.member);
            if counter && !(weakens && senior(&change.member, member)) {
                // A counter-move: only the senior side's change goes first.
                continue;
            }
            edges.push(if weakens {
                (*change_id, *act_id)
            } else {
                (*act_id, *change_id)
            });
        }
    }
    edges
}

/// Whether entry `from` had seen entry `to`, directly or through others. Only entries
/// deeper than `to` can lead to it, so the search stays between the two.
fn reaches(
    bodies: &HashMap<&str, &Body>,
    depth: &HashMap<&str, usize>,
    from: &str,
    to: &str,
) -> bool {
    let Some(&floor) = depth.get(to) else {
        return false;
    };
    let mut visited: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&str> = vec![from];
    while let Some(next) = todo.pop() {
        let Some(body) = bodies.get(next) else {
            continue;
        };
        for s in &body.seen {
            let s = s.as_str();
            if s == to {
                return true;
            }
            if depth.get(s).is_some_and(|d| *d > floor) && visited.insert(s) {
                todo.push(s);
            }
        }
    }
    false
}

/// Kahn's algorithm over the `seen` links plus `extra` `(before, after)` pairs; among
/// entries ready at once the earliest first, ties by id.
fn kahn<'a>(bodies: &HashMap<&'a str, &Body>, extra: &[(&'a str, &'a str)]) -> Vec<&'a str> {
    let ids: Vec<&'a str> = bodies.keys().copied().collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    let mut waiting = vec![0usize; ids.len()];
    let mut followers: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    let mut link = |before: usize, after: usize| {
        if before != after && !followers[before].contains(&after) {
            followers[before].push(after);
            waiting[after] += 1;
        }
    };
    for (n, id) in ids.iter().enumerate() {
        for s in &bodies[id].seen {
            if let Some(&dep) = index.get(s.as_str()) {
                link(dep, n);
            }
        }
    }
    for (before, after) in extra {
        if let (Some(&b), Some(&a)) = (index.get(before), index.get(after)) {
            link(b, a);
        }
    }
    let mut ready: BinaryHeap<Reverse<(Millis, &str, usize)>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == 0)
        .map(|(n, _)| Reverse((bodies[ids[n]].at, ids[n], n)))
        .collect();
    let mut order = Vec::with_capacity(ids.len());
    while let Some(Reverse((_, id, n))) = ready.pop() {
        order.push(id);
        for &next in &followers[n] {
            waiting[next] -= 1;
            if waiting[next] == 0 {
                ready.push(Reverse((bodies[ids[next]].at, ids[next], next)));
            }
        }
    }
    order
}

fn record_roster(c: &mut Community, body: &Body) {
    let touched: Vec<String> = match &body.act {
        Act::Genesis { member, .. }
        | Act::AddMember { member, .. }
        | Act::SetRole { member, .. }
        | Act::RemoveMember { member }
        | Act::AddDevice { member, .. }
        | Act::RemoveDevice { member, .. }
        | Act::Trust { member } => vec![member.clone()],
        _ => Vec::new(),
    };
    for m in touched {
        if let Some(state) = c.members.get(&m).cloned() {
            c.history.push((body.at, state));
        }
    }
}

impl Community {
    /// Whether the log holds this community's valid first entry (so it is a community,
    /// whatever its header says).
    #[must_use]
    pub fn is_founded(&self) -> bool {
        !self.members.is_empty()
    }

    /// The member as the roster stood at time `at` (removed members included, so callers
    /// can tell), or `None` before they joined.
    #[must_use]
    pub fn member_at(&self, member: &str, at: Millis) -> Option<&Member> {
        self.history.latest_at(member, at)
    }

    /// Whether `device` belonged to the active member `member` at time `at`. An invite key
    /// never vouches for content: it only joins (see `transition`).
    #[must_use]
    pub fn device_of_at(&self, member: &str, device: &str, at: Millis) -> Option<&Member> {
        self.member_at(member, at).filter(|m| {
            !m.removed && m.devices.contains_key(device) && !m.expires.contains_key(device)
        })
    }
}

#[cfg(test)]
mod tests;
