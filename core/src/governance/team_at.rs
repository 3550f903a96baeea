//! A project's team at a past change: the team map as the document held it at the change's
//! dependencies (a change cannot put its own writer on the team), each entry checked as
//! today's team is ([`super::items::accepted_team`]), self-joins counting only where the
//! project was public then, as its leads had set it. A member who has left the team since
//! (or the community) keeps what they wrote while on it.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};

pub(super) mod gone;

use super::change_sigs::Claims;
use super::field_writes::{as_of, last_kept, Write};
use super::items::accepted_team;
use super::writers::{Also, Owner, PastTeam};
use crate::model::{Community, Project, TeamMember, TeamRole, Visibility};

/// The team of a project at each change asked about, read from the document's history.
pub(super) struct TeamAt<'a> {
    c: &'a Community,
    doc: &'a Automerge,
    claims: &'a Claims,
    /// The project with its first header (its author) and the fields it reads now; `None`
    /// for other kinds.
    project: Option<Project>,
    /// The team at a change's dependencies, self-joins judged by the visibility then.
    at: RefCell<HashMap<ChangeHash, Vec<String>>>,
    /// The leads at a change's dependencies (they do not depend on the visibility).
    leads: RefCell<HashMap<ChangeHash, Vec<String>>>,
    /// Every member and device the past teams read name (parties, see [`super::reach`]).
    named: RefCell<BTreeSet<String>>,
    /// Past teams still to be read in this judgement, and how deep the questions nest: a
    /// hostile document (an entry rewritten thousands of times, each asking about the one
    /// before) gets "no" past these, never a stack overflow or minutes of work.
    budget: Cell<usize>,
    depth: Cell<usize>,
    /// The entries ever taken out of the document's team maps, read once (see [`gone`]).
    taken: OnceCell<Vec<gone::Taken>>,
}

/// How many past teams one judgement reads at most.
const MAX_PAST_TEAMS: usize = 2_048;
/// How deep questions about past teams nest at most (a lead added by a lead added by ...).
const MAX_DEPTH: usize = 32;

impl<'a> TeamAt<'a> {
    pub(super) fn new(
        c: &'a Community,
        doc: &'a Automerge,
        claims: &'a Claims,
        project: Option<Project>,
    ) -> Self {
        TeamAt {
            c,
            doc,
            claims,
            project,
            at: RefCell::default(),
            leads: RefCell::default(),
            named: RefCell::default(),
            budget: Cell::new(MAX_PAST_TEAMS),
            depth: Cell::new(0),
            taken: OnceCell::new(),
        }
    }

    /// Runs `read` as one more past team read, or answers `false` past the budget or depth.
    fn bounded(&self, read: impl FnOnce() -> bool) -> bool {
        let (left, depth) = (self.budget.get(), self.depth.get());
        if left == 0 || depth >= MAX_DEPTH {
            return false;
        }
        self.budget.set(left - 1);
        self.depth.set(depth + 1);
        let answer = read();
        self.depth.set(depth);
        answer
    }

    /// The members and devices named by the past teams read so far.
    pub(super) fn named(&self) -> BTreeSet<String> {
        self.named.take()
    }

    fn deps(&self, hash: ChangeHash) -> Vec<ChangeHash> {
        self.doc
            .get_change_meta_by_hash(&hash)
            .map(|m| m.deps)
            .unwrap_or_default()
    }

    /// The project as its team map stood at `heads`, with visibility `visibility`, and the
    /// change that wrote each entry.
    fn then(
        &self,
        heads: &[ChangeHash],
        visibility: Visibility,
    ) -> Option<(Project, HashMap<String, ChangeHash>)> {
        let mut then = self.project.clone()?;
        let mut team = read_team(self.doc, heads, self.claims);
        self.put_back(&mut team, visibility);
        then.team = team.entries;
        then.visibility = visibility;
        self.named.borrow_mut().extend(
            then.team
                .iter()
                .flat_map(|(m, t)| [m.clone(), t.by.clone(), t.device.clone()]),
        );
        Some((then, team.written))
    }

    /// Whether the author of entry `member` (written by change `written[member]`) was a
    /// lead when it was written.
    pub(super) fn lead_when_written(
        &self,
        written: &HashMap<String, ChangeHash>,
        member: &str,
        entry: &TeamMember,
    ) -> bool {
        written
            .get(member)
            .is_some_and(|hash| self.lead_at(*hash, &entry.by))
    }

    /// Whether `member` was a lead of the project when change `hash` was made.
    fn lead_at(&self, hash: ChangeHash, member: &str) -> bool {
        if let Some(leads) = self.leads.borrow().get(&hash) {
            return leads.iter().any(|m| m == member);
        }
        self.bounded(|| self.read_leads(hash, member))
    }

    fn read_leads(&self, hash: ChangeHash, member: &str) -> bool {
        let Some((then, written)) = self.then(&self.deps(hash), Visibility::Team) else {
            return false;
        };
        let lead_then = |m: &str, t: &TeamMember| self.lead_when_written(&written, m, t);
        let leads: Vec<String> = accepted_team(self.c, &then, &lead_then)
            .into_iter()
            .filter(|m| then.team.get(m).is_some_and(|t| t.role == TeamRole::Lead))
            .collect();
        let had = leads.iter().any(|m| m == member);
        self.leads.borrow_mut().insert(hash, leads);
        had
    }

    /// Whether `member` was on the team when change `hash` was made.
    fn team_at(&self, hash: ChangeHash, member: &str) -> bool {
        if let Some(team) = self.at.borrow().get(&hash) {
            return team.iter().any(|m| m == member);
        }
        self.bounded(|| self.read_team_at(hash, member))
    }

    fn read_team_at(&self, hash: ChangeHash, member: &str) -> bool {
        let Some(project) = &self.project else {
            return false;
        };
        let deps = self.deps(hash);
        let owner = Owner {
            c: self.c,
            author: &project.header.created_by,
            creator: &project.header.device,
            also: Also::Leads,
            team: self,
        };
        let visibility = super::trace::value_at(self.doc, self.claims, &owner, "visibility", &deps)
            .and_then(|v| v.as_str().and_then(|v| v.parse::<Visibility>().ok()))
            .unwrap_or(Visibility::Team);
        let Some((then, written)) = self.then(&deps, visibility) else {
            return false;
        };
        let lead_then = |m: &str, t: &TeamMember| self.lead_when_written(&written, m, t);
        let team = accepted_team(self.c, &then, &lead_then);
        let had = team.iter().any(|m| m == member);
        self.at.borrow_mut().insert(hash, team);
        had
    }
}

impl PastTeam for TeamAt<'_> {
    fn had(&self, hash: ChangeHash, member: &str) -> bool {
        self.team_at(hash, member)
    }

    fn had_lead(&self, hash: ChangeHash, member: &str) -> bool {
        self.lead_at(hash, member)
    }
}

/// A team map as read from a document: its entries, and the change that wrote each.
#[derive(Default)]
pub(super) struct Team {
    pub(super) entries: BTreeMap<String, TeamMember>,
    written: HashMap<String, ChangeHash>,
    /// The object of each entry read.
    objects: HashMap<String, ObjId>,
    /// Entries of older maps a newer map's entry for the same member was read over.
    overridden: HashMap<String, Vec<(TeamMember, ChangeHash, ObjId)>>,
    /// The team maps read, and where (the changes up to `heads`, `inside` once worked
    /// out): the entries taken out of them count where nobody entitled took them out
    /// ([`TeamAt::put_back`]).
    maps: Vec<ObjId>,
    heads: Vec<ChangeHash>,
    inside: Option<HashSet<ChangeHash>>,
}

impl Team {
    /// The change that wrote each entry.
    pub(super) fn written(&self) -> &HashMap<String, ChangeHash> {
        &self.written
    }
}

/// The team map of a project document as it is now (see [`read_team`]).
pub(super) fn team_now(doc: &Automerge, claims: &Claims) -> Team {
    read_team(doc, &doc.get_heads(), claims)
}

/// The team map of a project document at `heads`, entry by entry (an entry that does not
/// read is left out). A table reads as a map too (autosurgeon hydrates both). An entry
/// counts as the version its own device signed and wrote (the change that wrote its
/// signature is that device's): the app writes an entry in the change its device signs, so
/// a copy of an old entry pasted back by anyone else (a member taken off the team, putting
/// back the entry that once added them) is not one, and a signature someone else wrote over
/// an entry (to take its member off the team) is stepped past to the version before.
///
/// Every map ever made at `ROOT.team` by then is read, oldest first, the one shown last: a
/// map someone put in place of another (a modified client putting an empty map there) hides
/// none of the entries the other held (each entry still counts only as its own device
/// signed it).
fn read_team(doc: &Automerge, heads: &[ChangeHash], claims: &Claims) -> Team {
    let mut team = Team::default();
    let Ok(Some((Value::Object(ObjType::Map | ObjType::Table), shown))) =
        doc.get_at(ROOT, "team", heads)
    else {
        return team;
    };
    let inside = OnceCell::new();
    // Every team map made by then, oldest first (the one shown among them): a map put in
    // place of another (by anyone) hides nothing the other held.
    let all = gone::team_maps(doc, claims);
    let maps: Vec<ObjId> = if all.len() <= 1 {
        vec![shown]
    } else {
        let within = inside.get_or_init(|| as_of(doc, heads));
        let mut maps: Vec<ObjId> = all
            .into_iter()
            .filter(|(_, made)| within.contains(made))
            .map(|(map, _)| map)
            .filter(|map| *map != shown)
            .collect();
        maps.push(shown);
        maps
    };
    for map in &maps {
        read_entries(doc, claims, map, heads, &inside, &mut team);
    }
    team.maps = maps;
    team.heads = heads.to_vec();
    team.inside = inside.into_inner();
    team
}

/// Reads the entries of team map `obj` at `heads` into `team` (over those already there).
fn read_entries(
    doc: &Automerge,
    claims: &Claims,
    obj: &ObjId,
    heads: &[ChangeHash],
    inside: &OnceCell<HashSet<ChangeHash>>,
    team: &mut Team,
) {
    for member in doc.keys_at(obj, heads) {
        let Ok(Some((Value::Object(ObjType::Map | ObjType::Table), entry))) =
            doc.get_at(obj, &member, heads)
        else {
            continue;
        };
        if let Some((read, signed)) = read_object(doc, claims, &entry, heads, inside) {
            // One an older map held stays a candidate (a newer map someone put in place
            // can hold junk for the member, see `gone`).
            if let (Some(was), Some(written), Some(object)) = (
                team.entries.remove(&member),
                team.written.remove(&member),
                team.objects.remove(&member),
            ) {
                team.overridden
                    .entry(member.clone())
                    .or_default()
                    .push((was, written, object));
            }
            team.written.insert(member.clone(), signed);
            team.objects.insert(member.clone(), entry);
            team.entries.insert(member, read);
        }
    }
}

/// Team entry object `entry` at `heads`, in the version its own device signed, and the
/// change that wrote that signature; `None` where it does not read as an entry.
fn read_object(
    doc: &Automerge,
    claims: &Claims,
    entry: &ObjId,
    heads: &[ChangeHash],
    inside: &OnceCell<HashSet<ChangeHash>>,
) -> Option<(TeamMember, ChangeHash)> {
    let signed = signed_version(doc, claims, entry, heads, inside)?;
    Some((entry_at(doc, entry, signed)?, signed))
}

/// Team entry object `entry` as change `at` left it; `None` where it does not read as one.
fn entry_at(doc: &Automerge, entry: &ObjId, at: ChangeHash) -> Option<TeamMember> {
    let at = [at];
    let text = |field: &str| text_at(doc, entry, field, &at);
    let joined_at = match doc.get_at(entry, "joined_at", &at) {
        Ok(Some((Value::Scalar(s), _))) => s.as_i64(),
        _ => None,
    }?;
    Some(TeamMember {
        role: text("role").and_then(|r| r.parse::<TeamRole>().ok())?,
        joined_at,
        by: text("by").unwrap_or_default(),
        device: text("device").unwrap_or_default(),
        sig: text("sig").unwrap_or_default(),
    })
}

/// Every version of team entry object `entry` its own device signed (the change that wrote
/// its signature is the device's the entry names then), among the changes `inside`, newest
/// first, with the operation that wrote the signature.
fn signed_versions(
    doc: &Automerge,
    claims: &Claims,
    entry: &ObjId,
    inside: &HashSet<ChangeHash>,
) -> Vec<(TeamMember, ChangeHash, (u64, automerge::ActorId))> {
    let mut out = Vec::new();
    for w in claims.writes(doc).of(entry, "sig").iter().rev() {
        if !inside.contains(&w.change) || claims.ambiguous_op(w.counter, &w.actor) {
            continue;
        }
        let writer = claims.signers(&w.change).into_iter().next();
        if writer.is_none() || text_at(doc, entry, "device", &[w.change]) != writer {
            continue;
        }
        if let Some(member) = entry_at(doc, entry, w.change) {
            out.push((member, w.change, (w.counter, w.actor.clone())));
        }
    }
    out
}

fn text_at(doc: &Automerge, obj: &ObjId, field: &str, heads: &[ChangeHash]) -> Option<String> {
    match doc.get_at(obj, field, heads) {
        Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_string),
        _ => None,
    }
}

/// The change that wrote the newest signature of team entry `entry` (as of `heads`) whose
/// writing device is the device the entry names at that change. Signatures written over it
/// by others are passed over, however many there are.
///
/// `inside` holds the changes up to `heads` once one entry needed them (shared by the
/// entries of one reading).
fn signed_version(
    doc: &Automerge,
    claims: &Claims,
    entry: &ObjId,
    heads: &[ChangeHash],
    inside: &OnceCell<HashSet<ChangeHash>>,
) -> Option<ChangeHash> {
    // The signature shown there, when its entry's own device wrote it (an honest entry).
    let shown = doc.get_all_at(entry, "sig", heads).ok()?;
    for (_, op) in shown.iter().rev() {
        if claims.ambiguous(op) {
            continue;
        }
        let Some(hash) = doc.hash_for_opid(op) else {
            continue;
        };
        let (writer, _) = super::entries::writer(doc, claims, op);
        if !writer.is_empty() && text_at(doc, entry, "device", &[hash]) == Some(writer) {
            return Some(hash);
        }
    }
    let writes = claims.writes(doc).of(entry, "sig");
    let inside = inside.get_or_init(|| as_of(doc, heads));
    let signed = |w: &Write| {
        if claims.ambiguous_op(w.counter, &w.actor) {
            return false;
        }
        let writer = claims.signers(&w.change).into_iter().next();
        writer.is_some_and(|d| text_at(doc, entry, "device", &[w.change]) == Some(d))
    };
    last_kept(doc, writes, Some(inside), signed).map(|w| w.change)
}
