//! Who may write an item's own fields (see [`super::body`]): its author and the community's
//! moderators; for a project, also whoever was on its team when the change was made; for a
//! request's department, also the town hall's staff who answer requests.
//!
//! The team "when the change was made" is the project's team as the document held it at
//! that change, with each entry checked as today's team is ([`super::items`]): a member
//! who has left the team since (or the community) keeps what they wrote while on it.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};

use super::change_sigs::Claims;
use super::items::accepted_team;
use crate::model::{Community, Project, TeamMember, TeamRole};
use crate::permission::{allows, Action};
use crate::time::Millis;

/// Who besides the author and moderators may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Also {
    Nobody,
    /// Members on the project's team when the change was made.
    Team,
    /// Members whose role answers requests (a request's department).
    Answerers,
}

/// The team of a project at each change asked about, read from the document's history.
pub(super) struct TeamAt<'a> {
    c: &'a Community,
    doc: &'a Automerge,
    /// The project as read now: its header and visibility judge the entries of its past.
    project: Option<&'a Project>,
    at: RefCell<HashMap<ChangeHash, Vec<String>>>,
}

impl<'a> TeamAt<'a> {
    pub(super) fn new(c: &'a Community, doc: &'a Automerge, project: Option<&'a Project>) -> Self {
        TeamAt {
            c,
            doc,
            project,
            at: RefCell::default(),
        }
    }

    /// Whether `member` was on the team as the document stood right after change `hash`.
    fn had(&self, hash: ChangeHash, member: &str) -> bool {
        let Some(project) = self.project else {
            return false;
        };
        if let Some(team) = self.at.borrow().get(&hash) {
            return team.iter().any(|m| m == member);
        }
        let mut then = project.clone();
        then.team = read_team(self.doc, &[hash]);
        let team = accepted_team(self.c, &then);
        let had = team.iter().any(|m| m == member);
        self.at.borrow_mut().insert(hash, team);
        had
    }
}

/// The team map of a project document at `heads`, entry by entry (an entry that does not
/// read is left out).
fn read_team(doc: &Automerge, heads: &[ChangeHash]) -> BTreeMap<String, TeamMember> {
    let mut team = BTreeMap::new();
    let Ok(Some((Value::Object(ObjType::Map), obj))) = doc.get_at(ROOT, "team", heads) else {
        return team;
    };
    for member in doc.keys_at(&obj, heads) {
        let Ok(Some((Value::Object(ObjType::Map), entry))) = doc.get_at(&obj, &member, heads)
        else {
            continue;
        };
        let text = |field: &str| match doc.get_at(&entry, field, heads) {
            Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_string),
            _ => None,
        };
        let joined_at = match doc.get_at(&entry, "joined_at", heads) {
            Ok(Some((Value::Scalar(s), _))) => s.as_i64(),
            _ => None,
        };
        let role = text("role").and_then(|r| r.parse::<TeamRole>().ok());
        let (Some(role), Some(joined_at)) = (role, joined_at) else {
            continue;
        };
        team.insert(
            member,
            TeamMember {
                role,
                joined_at,
                by: text("by").unwrap_or_default(),
                device: text("device").unwrap_or_default(),
                sig: text("sig").unwrap_or_default(),
            },
        );
    }
    team
}

/// Who may write one field of an item.
pub(super) struct Owner<'a> {
    pub(super) c: &'a Community,
    pub(super) author: &'a str,
    /// The device that created the item: its author's, while the roster here does not know
    /// it yet (a new member's first item may arrive before the roster entry naming it).
    pub(super) creator: &'a str,
    pub(super) also: Also,
    pub(super) team: &'a TeamAt<'a>,
}

impl Owner<'_> {
    /// Whether `device` belonged, when change `hash` says it was made (`at`), to a member
    /// who may write the field then.
    fn entitled(&self, device: &str, at: Millis, hash: ChangeHash) -> bool {
        let Some(owner) = self.c.device_owners.get(device) else {
            return device == self.creator;
        };
        self.c.device_of_at(owner, device, at).is_some_and(|m| {
            (!self.author.is_empty() && m.id == self.author)
                || allows(m.role, Action::EditAnyContent)
                || match self.also {
                    Also::Nobody => false,
                    Also::Answerers => allows(m.role, Action::AnswerRequests),
                    Also::Team => self.team.had(hash, &m.id),
                }
        })
    }

    /// Whether an entitled device signed the change that wrote value (or object) `id`.
    pub(super) fn wrote(&self, doc: &Automerge, claims: &Claims, id: &ObjId) -> bool {
        if claims.ambiguous(id) {
            return false;
        }
        let Some(hash) = doc.hash_for_opid(id) else {
            return false;
        };
        let at = claims.at(&hash);
        claims
            .signers(&hash)
            .iter()
            .any(|d| self.entitled(d, at, hash))
    }
}
