//! Team entries taken out of a project's team maps: deleted, or hidden by another value or
//! object written over them. The app deletes an entry only when its member leaves the team,
//! or a lead or a moderator takes them off; any member's modified client can take out any
//! entry. An entry taken out by nobody entitled to delete it still counts
//! ([`TeamAt::put_back`]).
//!
//! What a document's team maps ever held and lost is read once per judgement ([`TeamAt`]
//! keeps it); each reading of a team (now, or at a past change) picks from it what had been
//! taken out by then.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use automerge::{ActorId, Automerge, ChangeHash, ObjId, ObjType, ReadDoc, ROOT};

use super::{read_object, Team, TeamAt};
use crate::governance::change_sigs::Claims;
use crate::governance::field_writes::Unlink;
use crate::model::{TeamMember, Visibility};

/// An entry object once in a team map and taken out of it since (as read once per
/// judgement).
pub(super) struct Taken {
    map: ObjId,
    member: String,
    /// The change that made it, and its operation (the order Automerge shows values in).
    made: ChangeHash,
    order: (u64, ActorId),
    /// The entry, in the version its own device signed, and the change that wrote that;
    /// `None` for an object that never was such an entry.
    entry: Option<(TeamMember, ChangeHash)>,
    /// The changes that took it out (deleted it, or wrote over it); none for one hidden by
    /// an operation that names no predecessor.
    unlinks: Vec<Unlink>,
}

/// Every map ever made at `ROOT.team`, oldest first, with the change that made it.
pub(super) fn team_maps(doc: &Automerge, claims: &Claims) -> Vec<(ObjId, ChangeHash)> {
    let mut maps: Vec<(ObjId, ChangeHash, (u64, ActorId))> = claims
        .writes(doc)
        .of(&ROOT, "team")
        .iter()
        .filter(|w| matches!(w.object, Some(ObjType::Map | ObjType::Table)))
        .filter_map(|w| {
            object(doc, w.counter, &w.actor).map(|o| (o, w.change, (w.counter, w.actor.clone())))
        })
        .collect();
    maps.sort_by(|a, b| a.2.cmp(&b.2));
    maps.into_iter().map(|(o, c, _)| (o, c)).collect()
}

/// Every entry object ever made in a team map of `doc` and taken out since.
fn taken(doc: &Automerge, claims: &Claims) -> Vec<Taken> {
    let writes = claims.writes(doc);
    let heads = doc.get_heads();
    let inside = OnceCell::new();
    let mut out = Vec::new();
    for (map, _) in team_maps(doc, claims) {
        for member in writes.fields_in(&map) {
            for w in writes.of(&map, member) {
                if !matches!(w.object, Some(ObjType::Map | ObjType::Table)) {
                    continue;
                }
                let Some(obj) = object(doc, w.counter, &w.actor) else {
                    continue;
                };
                let unlinks = writes.unlinked_by(w.counter, &w.actor);
                // Shown: the value Automerge shows there (one written concurrently with a
                // higher number, naming no predecessor, hides it as well as a deletion).
                let shown = || {
                    doc.get(&map, member)
                        .is_ok_and(|v| v.is_some_and(|(_, id)| id == obj))
                };
                if unlinks.is_empty() && shown() {
                    continue;
                }
                out.push(Taken {
                    map: map.clone(),
                    member: member.to_string(),
                    made: w.change,
                    order: (w.counter, w.actor.clone()),
                    entry: read_object(doc, claims, &obj, &heads, &inside),
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

/// One entry a member's place on the team is judged by: shown, or taken out by then.
struct Candidate {
    order: (u64, ActorId),
    entry: Option<(TeamMember, ChangeHash)>,
    unlinks: Vec<Unlink>,
    taken: bool,
}

impl TeamAt<'_> {
    /// Puts back into `team` (read with visibility `visibility`) what was taken out of its
    /// maps by nobody entitled to. For each member with an entry taken out by then, their
    /// entries (shown and taken out) are looked at newest first: one deleted by someone
    /// entitled to take them off the team ends it (they are off); otherwise the first that
    /// holds is theirs. An entry written over counts on (writing over is no taking off: an
    /// honest edit writes a new entry over junk someone put in place of the member's).
    /// Returns the members put back, with the change that last took their entry out.
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
        let writes = self.claims.writes(self.doc);
        // Members whose shown entry was signed more than once (rewritten in place: by a
        // lead, or by someone who wrote their own device and signature into it).
        let rewritten: Vec<String> = team
            .objects
            .iter()
            .filter(|(_, obj)| writes.of(obj, "sig").len() > 1)
            .map(|(m, _)| m.clone())
            .collect();
        if rewritten.is_empty()
            && team.overridden.is_empty()
            && !all.iter().any(|t| team.maps.contains(&t.map))
        {
            return back;
        }
        let inside = team
            .inside
            .get_or_insert_with(|| super::as_of(self.doc, &team.heads));
        let mut by_member: BTreeMap<&str, Vec<Candidate>> = BTreeMap::new();
        for t in all.iter().filter(|t| team.maps.contains(&t.map)) {
            if !inside.contains(&t.made)
                || !(t.unlinks.is_empty() || t.unlinks.iter().any(|u| inside.contains(&u.change)))
            {
                continue;
            }
            by_member.entry(&t.member).or_default().push(Candidate {
                order: t.order.clone(),
                entry: t
                    .entry
                    .clone()
                    .filter(|(_, signed)| inside.contains(signed)),
                unlinks: t
                    .unlinks
                    .iter()
                    .filter(|u| inside.contains(&u.change))
                    .copied()
                    .collect(),
                taken: true,
            });
        }
        for (member, overridden) in &team.overridden {
            for (entry, written, object) in overridden {
                if let ObjId::Id(counter, actor, _) = object {
                    by_member.entry(member).or_default().push(Candidate {
                        order: (*counter, actor.clone()),
                        entry: Some((entry.clone(), *written)),
                        unlinks: Vec::new(),
                        taken: true,
                    });
                }
            }
        }
        for member in &rewritten {
            by_member.entry(member).or_default();
        }
        let by_member: BTreeMap<String, Vec<Candidate>> = by_member
            .into_iter()
            .map(|(m, c)| (m.to_string(), c))
            .collect();
        for (member, mut candidates) in by_member {
            let member = member.as_str();
            if let (Some(entry), Some(written), Some(object)) = (
                team.entries.get(member),
                team.written.get(member),
                team.objects.get(member),
            ) {
                // The shown object's versions its own devices signed, newest first: the
                // newest that holds counts (one someone wrote over it in place, with their
                // own device and signature, does not).
                let versions = if rewritten.iter().any(|m| m == member) {
                    super::signed_versions(self.doc, self.claims, object, inside)
                } else if let ObjId::Id(counter, actor, _) = object {
                    vec![(entry.clone(), *written, (*counter, actor.clone()))]
                } else {
                    Vec::new()
                };
                for (entry, written, order) in versions {
                    candidates.push(Candidate {
                        order,
                        entry: Some((entry, written)),
                        unlinks: Vec::new(),
                        taken: false,
                    });
                }
            }
            candidates.sort_by(|a, b| b.order.cmp(&a.order));
            let mut chosen = None;
            for c in candidates {
                if c.unlinks
                    .iter()
                    .any(|u| u.deletes && self.may_take_off(u.change, member))
                {
                    break;
                }
                let Some((entry, signed)) = c.entry else {
                    continue;
                };
                if self.holds(project, visibility, member, &entry, signed) {
                    chosen = Some((entry, signed, c.taken, c.unlinks.last().map(|u| u.change)));
                    break;
                }
            }
            match chosen {
                Some((entry, signed, taken, last)) => {
                    team.written.insert(member.to_string(), signed);
                    team.entries.insert(member.to_string(), entry);
                    if taken {
                        back.push((member.to_string(), last));
                    }
                }
                None => {
                    team.entries.remove(member);
                    team.written.remove(member);
                }
            }
        }
        back
    }

    /// Whether entry `t` of `member` (its signature written by change `written`) holds on
    /// its own ([`crate::governance::items::entry_holds`]). Whether its author was a lead
    /// then is not asked of a member found not to be one often in this judgement (see
    /// [`Self::lead_limited`]).
    fn holds(
        &self,
        project: &crate::model::Project,
        visibility: Visibility,
        member: &str,
        t: &TeamMember,
        written: ChangeHash,
    ) -> bool {
        crate::governance::items::entry_holds(self.c, project, visibility, member, t, || {
            self.lead_limited(written, &t.by)
        })
    }

    /// Whether change `change`, which deleted a team entry of `member`, was signed by a
    /// device of the member themselves, of someone who may edit any content, or of a lead
    /// of the project then.
    fn may_take_off(&self, change: ChangeHash, member: &str) -> bool {
        let at = self.claims.at(&change);
        self.claims.signers(&change).iter().any(|device| {
            let Some(owner) = self.c.device_owners.get(device) else {
                return false;
            };
            let Some(role) = self.c.device_of_at(owner, device, at).map(|m| m.role) else {
                return false;
            };
            owner == member
                || crate::permission::allows(role, crate::permission::Action::EditAnyContent)
                || self.lead_limited(change, owner)
        })
    }

    /// Whether `member` was a lead when change `change` was made, asked at most
    /// [`MAX_REFUSED_PER_JUDGEMENT`](crate::governance::writers::MAX_REFUSED_PER_JUDGEMENT)
    /// times with the answer "no" per member in a judgement (past that, "no" unasked): one
    /// member's forged entries cannot use up the past-team reads others' need.
    fn lead_limited(&self, change: ChangeHash, member: &str) -> bool {
        let refused = self.claims.refused();
        if refused.borrow().get(member).copied().unwrap_or(0)
            >= crate::governance::writers::MAX_REFUSED_PER_JUDGEMENT
        {
            return false;
        }
        let lead = self.lead_at(change, member);
        if !lead {
            *refused.borrow_mut().entry(member.to_string()).or_insert(0) += 1;
        }
        lead
    }
}
