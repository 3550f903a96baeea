//! Who may write an item's own fields (see [`super::body`]): its author and the community's
//! moderators; for a project, also whoever was on its team when the change was made (its
//! visibility: its leads then, see [`super::team_at`]); for a request's department, also
//! the town hall's staff who answer requests.

use std::cell::RefCell;
use std::collections::HashMap;

use automerge::{ActorId, Automerge, ChangeHash, ObjId};

use super::change_sigs::Claims;
use crate::model::Community;
use crate::permission::{allows, Action};
use crate::time::Millis;

/// How many writes of one member found not entitled a search through one field's writes
/// asks about (see [`Owner::wrote_op_limited`]).
const MAX_REFUSED_PER_MEMBER: usize = 64;
/// The same over a whole judgement: an eighth of the past-team reads one judgement makes
/// (eight members would have to collude to use them all up).
pub(super) const MAX_REFUSED_PER_JUDGEMENT: usize = 256;

/// Who besides the author and moderators may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Also {
    Nobody,
    /// Members on the project's team when the change was made.
    Team,
    /// The project's leads when the change was made (who may read it: a self-joined member
    /// is on the team only while it is public, so that is not theirs to decide).
    Leads,
    /// Members whose role answers requests (a request's department).
    Answerers,
}

/// A project's team in its past, as [`super::team_at`] reads it.
pub(super) trait PastTeam {
    /// Whether `member` was on the team when change `hash` was made.
    fn had(&self, hash: ChangeHash, member: &str) -> bool;
    /// Whether `member` was a lead of the project when change `hash` was made.
    fn had_lead(&self, hash: ChangeHash, member: &str) -> bool;
}

/// Who may write one field of an item.
pub(super) struct Owner<'a> {
    pub(super) c: &'a Community,
    pub(super) author: &'a str,
    /// The device that created the item: its author's, while the roster here does not know
    /// it yet (a new member's first item may arrive before the roster entry naming it).
    pub(super) creator: &'a str,
    pub(super) also: Also,
    pub(super) team: &'a dyn PastTeam,
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
                    Also::Leads => self.team.had_lead(hash, &m.id),
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
        self.signed(claims, hash)
    }

    /// Whether an entitled device signed change `hash` (that wrote operation `counter` of
    /// `actor`), in a search through the writes of one field (`refused` counts, per member,
    /// the writes found not entitled in it). Once [`MAX_REFUSED_PER_MEMBER`] writes of one
    /// member (the first signer's) were not entitled in this field, or
    /// [`MAX_REFUSED_PER_JUDGEMENT`] in the whole judgement, their further writes count as
    /// not entitled unasked. One member's forged values, in any number of fields, entries or
    /// concurrent copies, then cannot use up the past-team reads the writes of others need;
    /// an earlier entitled write of a member who later wrote what they may not is found
    /// unless they did so that often.
    pub(super) fn wrote_op_limited(
        &self,
        claims: &Claims,
        counter: u64,
        actor: &ActorId,
        hash: ChangeHash,
        refused: &RefCell<HashMap<String, usize>>,
    ) -> bool {
        if claims.ambiguous_op(counter, actor) {
            return false;
        }
        let Some(first) = claims.signers(&hash).into_iter().next() else {
            return false;
        };
        let who = self.c.device_owners.get(&first).cloned().unwrap_or(first);
        let here = refused.borrow().get(&who).copied().unwrap_or(0);
        let all = claims.refused().borrow().get(&who).copied().unwrap_or(0);
        if here >= MAX_REFUSED_PER_MEMBER || all >= MAX_REFUSED_PER_JUDGEMENT {
            return false;
        }
        let entitled = self.signed(claims, hash);
        if !entitled {
            *refused.borrow_mut().entry(who.clone()).or_insert(0) += 1;
            *claims.refused().borrow_mut().entry(who).or_insert(0) += 1;
        }
        entitled
    }

    /// [`Owner::wrote_op_limited`] for the value or object `id`.
    pub(super) fn wrote_limited(
        &self,
        doc: &Automerge,
        claims: &Claims,
        id: &ObjId,
        refused: &RefCell<HashMap<String, usize>>,
    ) -> bool {
        let ObjId::Id(counter, actor, _) = id else {
            return false;
        };
        doc.hash_for_opid(id)
            .is_some_and(|hash| self.wrote_op_limited(claims, *counter, actor, hash, refused))
    }

    fn signed(&self, claims: &Claims, hash: ChangeHash) -> bool {
        let at = claims.at(&hash);
        claims
            .signers(&hash)
            .iter()
            .any(|d| self.entitled(d, at, hash))
    }
}
