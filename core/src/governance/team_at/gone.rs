//! Team entries taken out of a project's team map: deleted, or written over by another
//! object. The app takes an entry away only when its member leaves the team, or a lead or a
//! moderator takes them off; any member's modified client can delete any entry. An entry
//! taken away by nobody entitled to still counts ([`TeamAt::put_back`]).
//!
//! What a document ever had in its team maps and lost is read once per judgement
//! ([`TeamAt`] keeps it); each reading of a team (now, or at a past change) picks from it
//! what had been taken out by then.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};

use automerge::{ActorId, Automerge, ChangeHash, ObjId, ObjType, ROOT};

use super::{read_object, Team, TeamAt};
use crate::governance::change_sigs::Claims;
use crate::model::{TeamMember, Visibility};

/// An entry object once in a team map and taken out of it since (as read once per
/// document).
pub(super) struct Taken {
    /// The team map it was in, and its member.
    map: ObjId,
    member: String,
    /// The change that made it, and its operation (the order Automerge shows values in).
    made: ChangeHash,
    counter: u64,
    actor: ActorId,
    /// The entry, in the version its own device signed, and the change that wrote that;
    /// `None` for an object that never was such an entry.
    entry: Option<(TeamMember, ChangeHash)>,
    /// The changes that took it out (deleted it, or wrote over it).
    unlinks: Vec<ChangeHash>,
}

/// An entry taken out of a team map by the time a team is read, with the changes that took
/// it out by then.
struct Alternative {
    entry: Option<(TeamMember, ChangeHash)>,
    unlinks: Vec<ChangeHash>,
}

/// Every entry object ever made in a team map of `doc` and taken out since.
fn taken(doc: &Automerge, claims: &Claims) -> Vec<Taken> {
    let writes = claims.writes(doc);
    let heads = doc.get_heads();
    let inside = OnceCell::new();
    let mut out = Vec::new();
    for map_write in writes.of(&ROOT, "team") {
        if !matches!(map_write.object, Some(ObjType::Map | ObjType::Table)) {
            continue;
        }
        let Some(map) = object(doc, map_write.counter, &map_write.actor) else {
            continue;
        };
        for member in writes.fields_in(&map) {
            for w in writes.of(&map, &member) {
                if !matches!(w.object, Some(ObjType::Map | ObjType::Table)) {
                    continue;
                }
                let unlinks = writes.unlinked_by(w.counter, &w.actor);
                if unlinks.is_empty() {
                    continue;
                }
                let entry = object(doc, w.counter, &w.actor)
                    .and_then(|obj| read_object(doc, claims, &obj, &heads, &inside));
                out.push(Taken {
                    map: map.clone(),
                    member: member.clone(),
                    made: w.change,
                    counter: w.counter,
                    actor: w.actor.clone(),
                    entry,
                    unlinks: unlinks.to_vec(),
                });
            }
        }
    }
    out
}

/// The object operation `counter` of `actor` made in `doc`.
fn object(doc: &Automerge, counter: u64, actor: &ActorId) -> Option<ObjId> {
    doc.import_obj(&format!("{counter}@{actor}")).ok()
}

/// Per member, the entries of team maps `maps` taken out by `heads`, newest first, from
/// `all` (every entry ever taken out of the document's team maps).
fn alternatives(
    doc: &Automerge,
    all: &[Taken],
    maps: &[ObjId],
    heads: &[ChangeHash],
) -> BTreeMap<String, Vec<Alternative>> {
    let relevant: Vec<&Taken> = all.iter().filter(|t| maps.contains(&t.map)).collect();
    if relevant.is_empty() {
        return BTreeMap::new();
    }
    let inside: HashSet<ChangeHash> = super::as_of(doc, heads);
    let mut found: BTreeMap<String, Vec<&Taken>> = BTreeMap::new();
    for t in relevant {
        if inside.contains(&t.made) && t.unlinks.iter().any(|u| inside.contains(u)) {
            found.entry(t.member.clone()).or_default().push(t);
        }
    }
    found
        .into_iter()
        .map(|(member, mut list)| {
            list.sort_by(|a, b| (b.counter, &b.actor).cmp(&(a.counter, &a.actor)));
            let alternatives = list
                .into_iter()
                .map(|t| Alternative {
                    entry: t
                        .entry
                        .clone()
                        .filter(|(_, signed)| inside.contains(signed)),
                    unlinks: t
                        .unlinks
                        .iter()
                        .filter(|u| inside.contains(*u))
                        .copied()
                        .collect(),
                })
                .collect();
            (member, alternatives)
        })
        .collect()
}

impl TeamAt<'_> {
    /// Puts back into `team` (read with visibility `visibility`) the entries taken out of
    /// the map by nobody entitled to: for a member whose entry shown does not hold (or who
    /// has none), the entries taken out are looked at newest first, up to one an entitled
    /// change took out (their member was taken off the team). Returns the members put
    /// back, with the change that last took their entry out.
    pub(in crate::governance) fn put_back(
        &self,
        team: &mut Team,
        visibility: Visibility,
    ) -> Vec<(String, Option<ChangeHash>)> {
        let mut back = Vec::new();
        let Some(project) = &self.project else {
            return back;
        };
        let all = self.taken.get_or_init(|| taken(self.doc, self.claims));
        let alternatives = alternatives(self.doc, all, &team.maps, &team.heads);
        for (member, alternatives) in alternatives {
            let holds = |entry: &TeamMember, written: ChangeHash| {
                super::super::items::entry_holds(
                    self.c,
                    project,
                    visibility,
                    &member,
                    entry,
                    || self.lead_at(written, &entry.by),
                )
            };
            let shown = team
                .entries
                .get(&member)
                .zip(team.written.get(&member).copied());
            if shown.is_some_and(|(entry, written)| holds(entry, written)) {
                continue;
            }
            for alternative in alternatives {
                if alternative
                    .unlinks
                    .iter()
                    .any(|u| self.may_take_off(*u, &member))
                {
                    break;
                }
                let Some((entry, signed)) = alternative.entry else {
                    continue;
                };
                if holds(&entry, signed) {
                    team.written.insert(member.clone(), signed);
                    team.entries.insert(member.clone(), entry);
                    back.push((member.clone(), alternative.unlinks.last().copied()));
                    break;
                }
            }
        }
        back
    }

    /// Whether change `change`, which took the team entry of `member` out of the map, was
    /// signed by a device of the member themselves, of someone who may edit any content, or
    /// of a lead of the project then. A member whose changes were found not entitled often
    /// in this judgement is not asked about again (their further ones count as not
    /// entitled: the entry stays), so that one member's forgeries cannot use up the
    /// past-team reads.
    fn may_take_off(&self, change: ChangeHash, member: &str) -> bool {
        let at = self.claims.at(&change);
        self.claims.signers(&change).iter().any(|device| {
            let Some(owner) = self.c.device_owners.get(device) else {
                return false;
            };
            let Some(role) = self.c.device_of_at(owner, device, at).map(|m| m.role) else {
                return false;
            };
            if owner == member
                || crate::permission::allows(role, crate::permission::Action::EditAnyContent)
            {
                return true;
            }
            let refused = self.claims.refused();
            if refused.borrow().get(owner).copied().unwrap_or(0)
                >= crate::governance::writers::MAX_REFUSED_PER_JUDGEMENT
            {
                return false;
            }
            let lead = self.lead_at(change, owner);
            if !lead {
                *refused.borrow_mut().entry(owner.clone()).or_insert(0) += 1;
            }
            lead
        })
    }
}
