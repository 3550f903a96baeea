//! Applying commands to typed documents: validation, permissions and the change itself.
//!
//! [`execute`] is a pure function: it takes the documents a command needs (a [`Workspace`]),
//! the acting member, the time and an id source ([`Ctx`]), and either refuses with a
//! [`DomainError`] (nothing changed) or mutates the workspace and reports what it touched
//! ([`Effects`]). The runtime then reconciles exactly those documents into Automerge.

mod calendar;
mod community;
mod directory;
mod idea;
mod item;
mod post;
mod project;
mod request;
mod showcase;
mod social;
mod template;

use std::collections::{BTreeMap, BTreeSet};

pub use item::Item;

use crate::command::Command;
use crate::error::DomainError;
use crate::governance::{apply_act, Act, Body};
use crate::ids::IdSource;
use crate::model::{Community, DocKind, Header, ItemRef, Member, Role, SCHEMA_VERSION};
use crate::permission::{self, Action};
use crate::time::Millis;

/// Who acts, when, and where fresh ids come from.
pub struct Ctx<'a> {
    pub now: Millis,
    /// The acting member of the community (`None` only when creating a community).
    pub actor: Option<String>,
    /// The acting device's public key (hex); it becomes the first device of a new member.
    pub device: String,
    pub ids: &'a mut dyn IdSource,
}

/// The documents a command works on, hydrated.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    pub community: Option<Community>,
    /// Item documents by id.
    pub items: BTreeMap<String, Item>,
    /// Protected changes made by the command, already applied to `community`: the runtime
    /// signs them and appends them to the community's log (see [`crate::governance`]).
    pub pending: Vec<Body>,
    /// The items as their signatures and the roster hold them (the governance check of
    /// each item), filled by the runtime for commands that read marks: decisions that count
    /// or compare (one support each, places left, whose idea it is) read these, never
    /// fields a modified client may have written. Empty in pure tests, which take the items
    /// as they are.
    pub checked: BTreeMap<String, Item>,
}

/// What a command changed, so the runtime writes exactly those documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    /// The id the command created or acted on (the new idea's id, the answered request's id).
    pub id: String,
    /// A new community document was created.
    pub created_community: bool,
    /// The community document changed (settings, roster, moderation).
    pub community_changed: bool,
    /// New item documents (their typed state is in the workspace).
    pub created: Vec<String>,
    /// Existing item documents that changed.
    pub changed: BTreeSet<String>,
    /// New entries for the community's item catalogue.
    pub catalog: Vec<(String, ItemRef)>,
    /// The member id the acting device now has (after creating a community).
    pub member: Option<String>,
    /// A member's own contact that nobody else may see: kept on this device only, never in
    /// the shared profile document (`Some(contact)`), or no longer kept here (`None`, when
    /// the member shows it to others again). With the member it belongs to.
    pub private_contact: Option<(String, Option<String>)>,
}

/// Validates and applies `command` to `ws`.
///
/// # Errors
/// A [`DomainError`] explaining the refusal; the workspace may then be partly modified and
/// must be discarded by the caller.
pub fn execute(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::CreateCommunity { .. }
        | C::EditCommunity { .. }
        | C::AddCategory { .. }
        | C::EditCategory { .. }
        | C::AddMember { .. }
        | C::SetRole { .. }
        | C::RemoveMember { .. }
        | C::ApproveMember { .. }
        | C::AddDevice { .. }
        | C::RemoveDevice { .. }
        | C::WithdrawInvite { .. }
        | C::EditProfile { .. } => community::apply(command, ws, ctx),
        C::AddIdea { .. }
        | C::EditIdea { .. }
        | C::SupportIdea { .. }
        | C::WithdrawSupport { .. } => idea::apply(command, ws, ctx),
        C::AddComment { .. } | C::ReportItem { .. } | C::Hide { .. } | C::Restore { .. } => {
            social::apply(command, ws, ctx)
        }
        C::CreateProject { .. }
        | C::EditProject { .. }
        | C::AddTeamMember { .. }
        | C::RemoveTeamMember { .. }
        | C::AddStep { .. }
        | C::EditStep { .. }
        | C::AddTask { .. }
        | C::EditTask { .. }
        | C::SetNotes { .. }
        | C::AddMilestone { .. }
        | C::EditMilestone { .. }
        | C::AddNeed { .. }
        | C::EditNeed { .. } => project::apply(command, ws, ctx),
        C::CreateRequest { .. } | C::AnswerRequest { .. } | C::FollowRequest { .. } => {
            request::apply(command, ws, ctx)
        }
        C::AddOrganisation { .. }
        | C::EditOrganisation { .. }
        | C::AddOrgProject { .. }
        | C::EditOrgProject { .. }
        | C::AddOpportunity { .. }
        | C::EditOpportunity { .. }
        | C::SignUp { .. }
        | C::WithdrawSignUp { .. } => directory::apply(command, ws, ctx),
        C::AddEvent { .. } | C::EditEvent { .. } | C::Register { .. } | C::Unregister { .. } => {
            calendar::apply(command, ws, ctx)
        }
        C::AddPost { .. } | C::EditPost { .. } => post::apply(command, ws, ctx),
        C::AddTemplate { .. } | C::ApplyTemplate { .. } => template::apply(command, ws, ctx),
        C::PublishProject { .. } => showcase::apply(command, ws, ctx),
        C::Publish { .. } => Err(DomainError::Invalid(
            "publishing spans two communities and is prepared by the runtime",
        )),
    }
}

// ---- helpers shared by the command modules

fn community(ws: &Workspace) -> Result<&Community, DomainError> {
    ws.community.as_ref().ok_or(DomainError::NotFound {
        what: "community",
        id: String::new(),
    })
}

fn community_mut(ws: &mut Workspace) -> Result<&mut Community, DomainError> {
    ws.community.as_mut().ok_or(DomainError::NotFound {
        what: "community",
        id: String::new(),
    })
}

/// The acting member, who must be an active member of the community.
fn actor<'w>(ws: &'w Workspace, ctx: &Ctx<'_>) -> Result<&'w Member, DomainError> {
    let c = community(ws)?;
    ctx.actor
        .as_deref()
        .and_then(|id| c.member(id))
        .ok_or(DomainError::Forbidden {
            action: "this",
            needed: "member of the community",
        })
}

fn actor_id(ws: &Workspace, ctx: &Ctx<'_>) -> Result<String, DomainError> {
    actor(ws, ctx).map(|m| m.id.clone())
}

fn require(ws: &Workspace, ctx: &Ctx<'_>, action: Action) -> Result<Role, DomainError> {
    let role = actor(ws, ctx)?.role;
    permission::require(role, action)?;
    Ok(role)
}

/// The actor wrote it, or may edit anything (moderators, admins).
fn require_author_or(ws: &Workspace, ctx: &Ctx<'_>, author: &str) -> Result<(), DomainError> {
    let me = actor(ws, ctx)?;
    if me.id == author {
        return Ok(());
    }
    permission::require(me.role, Action::EditAnyContent)
}

fn check_member(ws: &Workspace, member: &str) -> Result<String, DomainError> {
    community(ws)?
        .member(member)
        .map(|m| m.id.clone())
        .ok_or(DomainError::NotFound {
            what: "member",
            id: member.to_string(),
        })
}

fn check_category(ws: &Workspace, key: &str) -> Result<String, DomainError> {
    crate::category::check_category(&community(ws)?.categories, key)
}

fn header(ctx: &Ctx<'_>, kind: DocKind, id: &str, community: &str, by: &str) -> Header {
    Header {
        schema: SCHEMA_VERSION,
        kind,
        id: id.to_string(),
        community: community.to_string(),
        created_at: ctx.now,
        created_by: by.to_string(),
        device: ctx.device.clone(),
        nonce: String::new(),
        sig: String::new(),
    }
}

/// The header of a new item of `community`: its id derived from the creating device and a
/// fresh nonce, so the header (signed by that device) is proof of who made the document
/// first. A relay stores a document it has not seen only with such a proof, so nobody can
/// take an id before its creator uploads it (`sync-relay/src/access.rs`).
fn new_header(ctx: &mut Ctx<'_>, kind: DocKind, community: &str, by: &str) -> Header {
    let (id, nonce) = derived_id(ctx);
    let mut head = header(ctx, kind, &id, community, by);
    head.nonce = nonce;
    head
}

/// A fresh id for a document whose creator has authority over it, and its nonce.
fn derived_id(ctx: &mut Ctx<'_>) -> (String, String) {
    let nonce = ctx.ids.short_id();
    (
        crate::ids::DocId::derive(&ctx.device, &nonce).to_string(),
        nonce,
    )
}

/// Makes a protected change as the acting member (the member `as_member` for the very first
/// entry): checks it exactly as every reader's replay will, applies it to the community and
/// queues it for signing.
fn govern(
    ws: &mut Workspace,
    ctx: &Ctx<'_>,
    as_member: Option<&str>,
    act: Act,
) -> Result<(), DomainError> {
    let member = match as_member {
        Some(m) => m.to_string(),
        None => actor_id(ws, ctx)?,
    };
    let body = Body {
        v: crate::governance::entry::ENTRY_VERSION,
        at: ctx.now,
        device: ctx.device.clone(),
        member,
        seen: Vec::new(),
        act,
    };
    let c = community_mut(ws)?;
    apply_act(c, &body).map_err(|reason| match reason {
        "the author's role does not allow this" => DomainError::Forbidden {
            action: "this",
            needed: "admin",
        },
        "the device does not belong to the author"
        | "the author is not a member (or was removed)" => DomainError::Forbidden {
            action: "this",
            needed: "member of the community (with this device)",
        },
        other => DomainError::Invalid(other),
    })?;
    ws.pending.push(body);
    Ok(())
}

/// Registers a freshly created item in the workspace and the effects.
fn create(ws: &mut Workspace, fx: &mut Effects, ctx: &Ctx<'_>, item: Item) {
    let id = item.header().id.clone();
    fx.catalog.push((
        id.clone(),
        ItemRef {
            kind: item.kind(),
            created_at: ctx.now,
        },
    ));
    fx.created.push(id.clone());
    fx.id.clone_from(&id);
    ws.items.insert(id, item);
}

/// The item `id` as decisions read it: checked when the runtime checked it (see
/// [`Workspace::checked`]).
fn view<'w>(ws: &'w Workspace, id: &str) -> Result<&'w Item, DomainError> {
    ws.checked
        .get(id)
        .or_else(|| ws.items.get(id))
        .ok_or(DomainError::NotFound {
            what: "item",
            id: id.to_string(),
        })
}

/// Who made item `id`, as its signed first header says (the checked view), never as a
/// header written over it later claims: what edit rights are judged by.
fn creator(ws: &Workspace, id: &str) -> Result<String, DomainError> {
    Ok(view(ws, id)?.header().created_by.clone())
}

fn item_mut<'w>(ws: &'w mut Workspace, id: &str) -> Result<&'w mut Item, DomainError> {
    ws.items.get_mut(id).ok_or(DomainError::NotFound {
        what: "item",
        id: id.to_string(),
    })
}

fn changed(id: &str) -> Effects {
    Effects {
        id: id.to_string(),
        changed: std::iter::once(id.to_string()).collect(),
        ..Effects::default()
    }
}

/// An edit changes only the fields it names: `slot` takes the checked value of `given`, if any.
fn set<V, T>(
    slot: &mut T,
    given: &Option<V>,
    check: impl FnOnce(&V) -> Result<T, DomainError>,
) -> Result<(), DomainError> {
    if let Some(v) = checked(given, check)? {
        *slot = v;
    }
    Ok(())
}

/// The checked value of an optional field, if one is given.
fn checked<V, T>(
    given: &Option<V>,
    check: impl FnOnce(&V) -> Result<T, DomainError>,
) -> Result<Option<T>, DomainError> {
    given.as_ref().map(check).transpose()
}

/// [`set`] for a value that needs no check (or was checked before).
fn put<T>(slot: &mut T, given: Option<T>) {
    if let Some(v) = given {
        *slot = v;
    }
}

fn optional_date(text: Option<&String>) -> Result<Option<String>, DomainError> {
    match text.map(|t| t.trim()) {
        None => Ok(None),
        Some("") => Ok(Some(String::new())),
        Some(t) => crate::time::parse_date(t).map(|d| Some(d.format("%Y-%m-%d").to_string())),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fair;
