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
pub mod entry;
pub mod history;
mod items;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

pub use act::{apply_act, Act, Refusal};
pub use entry::{seal, Body, Entry, Signer};
pub use history::{LogHistory, Removal, Written};
pub use items::{check_item, sign_item};

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
pub type Checked = HashSet<[u8; 32]>;

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
    let mut bodies: HashMap<&str, Body> = HashMap::new();
    for w in written {
        let id = w.id.as_str();
        let e = &w.entry;
        let memo = memo_key(doc, id, e);
        let opened = if checked.contains(&memo) {
            serde_json::from_str::<Body>(&e.body)
                .map_err(|err| entry::Flaw::Unreadable(err.to_string()))
        } else {
            entry::open(doc, id, e)
        };
        match opened {
            Ok(body) => {
                checked.insert(memo);
                bodies.entry(id).or_insert(body);
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
fn causal_order<'a>(bodies: &HashMap<&'a str, Body>) -> Vec<&'a str> {
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
fn concurrency_edges<'a>(bodies: &HashMap<&'a str, Body>) -> Vec<(&'a str, &'a str)> {
    let mut by_member: HashMap<&str, Vec<&'a str>> = HashMap::new();
    let mut seen_by: HashMap<&str, Vec<&'a str>> = HashMap::new();
    for (id, body) in bodies {
        by_member.entry(body.member.as_str()).or_default().push(id);
        for s in &body.seen {
            seen_by.entry(s.as_str()).or_default().push(id);
        }
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
        let before_change = ancestors(bodies, change_id);
        let after_change = descendants(&seen_by, change_id);
        for act_id in acts {
            let act = &bodies[act_id];
            if act_id == change_id
                || before_change.contains(act_id)
                || after_change.contains(act_id)
                || device.is_some_and(|d| d != act.device)
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

/// Every entry `id` had seen, directly or through others.
fn ancestors<'a>(bodies: &HashMap<&'a str, Body>, id: &str) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    let mut todo: Vec<&str> = bodies
        .get(id)
        .map(|b| b.seen.iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(next) = todo.pop() {
        let Some((key, body)) = bodies.get_key_value(next) else {
            continue;
        };
        if seen.insert(*key) {
            todo.extend(body.seen.iter().map(String::as_str));
        }
    }
    seen
}

/// Every entry that had seen `id`, directly or through others.
fn descendants<'a>(seen_by: &HashMap<&str, Vec<&'a str>>, id: &str) -> HashSet<&'a str> {
    let mut out = HashSet::new();
    let mut todo: Vec<&'a str> = seen_by.get(id).cloned().unwrap_or_default();
    while let Some(next) = todo.pop() {
        if out.insert(next) {
            todo.extend(seen_by.get(next).into_iter().flatten().copied());
        }
    }
    out
}

/// Kahn's algorithm over the `seen` links plus `extra` `(before, after)` pairs.
fn kahn<'a>(bodies: &HashMap<&'a str, Body>, extra: &[(&'a str, &'a str)]) -> Vec<&'a str> {
    let mut deps: HashMap<&str, BTreeSet<&'a str>> = HashMap::new();
    for (id, body) in bodies {
        let own: BTreeSet<&'a str> = body
            .seen
            .iter()
            .filter_map(|s| bodies.get_key_value(s.as_str()).map(|(k, _)| *k))
            .filter(|s| s != id)
            .collect();
        deps.insert(id, own);
    }
    for (before, after) in extra {
        if let Some(d) = deps.get_mut(after) {
            d.insert(before);
        }
    }
    let mut waiting: HashMap<&str, usize> = HashMap::new();
    let mut followers: HashMap<&str, Vec<&'a str>> = HashMap::new();
    for (id, ds) in &deps {
        waiting.insert(id, ds.len());
        for dep in ds {
            followers
                .entry(dep)
                .or_default()
                .push(bodies.get_key_value(*id).map_or(*id, |(k, _)| *k));
        }
    }
    let mut ready: BinaryHeap<Reverse<(Millis, &str)>> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| Reverse((bodies[id].at, *id)))
        .collect();
    let mut order = Vec::with_capacity(bodies.len());
    while let Some(Reverse((_, id))) = ready.pop() {
        order.push(bodies.get_key_value(id).map_or(id, |(k, _)| *k));
        for next in followers.get(id).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(next) {
                *n -= 1;
                if *n == 0 {
                    ready.push(Reverse((bodies[next].at, *next)));
                }
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
        self.history
            .iter()
            .rev()
            .find(|(t, m)| m.id == member && *t <= at)
            .map(|(_, m)| m)
    }

    /// Whether `device` belonged to the active member `member` at time `at`.
    #[must_use]
    pub fn device_of_at(&self, member: &str, device: &str, at: Millis) -> Option<&Member> {
        self.member_at(member, at)
            .filter(|m| !m.removed && m.devices.contains_key(device))
    }
}

#[cfg(test)]
mod tests;
