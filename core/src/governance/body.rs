//! Who wrote an item's own fields: its title, text, category and the like, which only its
//! author and the community's moderators may change.
//!
//! These fields are plain Automerge values, so any member's modified client can write them.
//! What it cannot do is sign for another device: every change the app makes is signed
//! ([`super::change_sigs`]). A reader takes each field's current value, finds the change that
//! wrote it and the device that signed that change, and asks the roster whether that device's
//! member may edit the item. A value nobody entitled signed is flagged, and the last value an
//! entitled device wrote is shown instead (the value the item was created with, where the
//! walk back finds none).
//!
//! Who the author is comes from the header the document began with (signed by its creating
//! device, with a creator proof), not from the header as it is now, which any member could
//! rewrite. Items made before changes were signed have no such first header and are read as
//! before: their fields stay as open as they were.

use std::collections::BTreeSet;

use automerge::{Automerge, ReadDoc, Value, ROOT};
use serde_json::Value as Json;

use super::change_sigs::Claims;
use super::content::header_holds;
use super::team_at::TeamAt;
use super::trace::{not_entitled, put_path, scalar, trace, Forged};
use super::writers::{Also, Owner};
use super::Flag;
use crate::apply::Item;
use crate::model::{Community, DocKind, Header, Project, TeamMember};

pub use super::change_sigs::{is_signature, signature_message, signers};
pub use super::deleted_marks::{deleted_marks, deletion_flag, Deletion};

/// The root fields of an item kind that only its author and moderators change (and, for some,
/// the members [`also`] names).
#[must_use]
pub fn owned_fields(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Idea => &["title", "text", "category"],
        DocKind::Post => &["kind", "title", "text", "category", "offered_by"],
        DocKind::Event => &[
            "title",
            "description",
            "start",
            "end",
            "time_zone",
            "place",
            "online_link",
            "category",
            "organiser",
            "capacity",
            "cancelled",
        ],
        DocKind::Organisation => &["name", "description", "contact", "website"],
        DocKind::Project => &[
            "title",
            "summary",
            "category",
            "from_idea",
            "stage",
            "visibility",
            "progress",
        ],
        DocKind::Request => &["target", "target_kind", "title", "text", "department"],
        DocKind::Opportunity => &[
            "title",
            "description",
            "term",
            "commitment",
            "category",
            "contact",
            "date",
            "open",
        ],
        _ => &[],
    }
}

/// The lists of entries of a `kind` whose values are judged like its own fields (a
/// project's plan, see [`super::entries`]).
#[must_use]
pub fn plan_lists(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Project => &super::entries::PLAN_LISTS,
        _ => &[],
    }
}

/// Who besides the author and moderators may write `field` of a `kind`.
fn also(kind: DocKind, field: &str) -> Also {
    match (kind, field) {
        (DocKind::Project, "visibility") => Also::Leads,
        (DocKind::Project, _) => Also::Team,
        (DocKind::Request, "department") => Also::Answerers,
        _ => Also::Nobody,
    }
}

/// Checks who wrote the item's own fields (see the module); puts back the last value an
/// entitled device wrote where the current one is not theirs, and returns what was put back.
///
/// `item` is the item as [`super::check_item`] left it, `doc` the document `doc_id` it was
/// read from. A community with no roster yet judges nothing.
#[must_use]
pub fn check_body(c: &Community, doc_id: &str, doc: &Automerge, item: &mut Item) -> Vec<Flag> {
    check_fields(c, doc_id, doc, item, true, None)
}

/// [`check_body`], adding to `parties` every device that claims to have signed a change of
/// the document and who its first header names: with what the item itself names
/// ([`super::reach::parties`]), everything the judgement can read of the roster.
pub fn check_body_noting(
    c: &Community,
    doc_id: &str,
    doc: &Automerge,
    item: &mut Item,
    parties: &mut BTreeSet<String>,
) -> Vec<Flag> {
    check_fields(c, doc_id, doc, item, true, Some(parties))
}

/// The own fields of an item about to be written here set to what readers see (a value
/// nobody entitled wrote replaced), leaving its header as it is in the document: what a
/// command writes back then never carries a forged value under this device's signature.
pub fn settle_for_writing(c: &Community, doc_id: &str, doc: &Automerge, item: &mut Item) {
    let _ = check_fields(c, doc_id, doc, item, false, None);
}

fn check_fields(
    c: &Community,
    doc_id: &str,
    doc: &Automerge,
    item: &mut Item,
    header: bool,
    mut parties: Option<&mut BTreeSet<String>>,
) -> Vec<Flag> {
    let fields = owned_fields(item.kind());
    // An empty roster judges nothing: its first members reach every item (`super::reach`).
    if fields.is_empty() || c.members.is_empty() {
        return Vec::new();
    }
    let claims = Claims::read(doc_id, doc);
    let first = claims.first_header(doc);
    if let Some(parties) = parties.as_deref_mut() {
        parties.extend(claims.devices().map(str::to_string));
        if let Some((_, h)) = &first {
            parties.extend([h.created_by.clone(), h.device.clone()]);
        }
    }
    let Some((root, first)) = first else {
        return Vec::new();
    };
    let mut flags = Vec::new();
    if item.header().kind != first.kind {
        return flags;
    }
    if header {
        keep_first_header(c, &first, item, &mut flags);
    }
    let kind = first.kind;
    if let Item::Project(p) = item {
        // A showcase is a read-only copy that whoever publishes the project again rewrites;
        // whether it is one is read from the document as it was created.
        if matches!(
            doc.get_at(ROOT, "origin", &[root]),
            Ok(Some((Value::Object(_), _)))
        ) {
            return flags;
        }
        if p.origin.take().is_some() {
            flags.push(made_showcase(c, doc_id, doc, &claims));
        }
    }
    let project = match &*item {
        Item::Project(p) => Some(Project {
            header: first.clone(),
            ..p.clone()
        }),
        _ => None,
    };
    let is_project = project.is_some();
    let team = TeamAt::new(c, doc, &claims, project);
    let owner = |also| Owner {
        c,
        author: &first.created_by,
        creator: &first.device,
        also,
        team: &team,
    };
    let forged: Vec<Forged> = fields
        .iter()
        .filter_map(|f| trace(doc, &claims, &owner(also(kind, f)), &ROOT, f))
        .collect();
    if is_project {
        flags.extend(super::entries::check_entries(
            doc_id,
            doc,
            &claims,
            &owner(Also::Team),
            item,
        ));
    }
    for f in forged {
        // Where the walk back found nothing, the value the item was created with.
        let created = || match doc.get_at(ROOT, &f.field, &[root]) {
            Ok(Some((v, _))) => scalar(&v),
            _ => None,
        };
        // Who may read a project is never opened by a walk that found nothing: closed.
        let put = if kind == DocKind::Project && f.field == "visibility" {
            f.restored.clone().or(Some(serde_json::json!("team")))
        } else {
            f.restored.clone().or_else(created)
        };
        if let Some(v) = put {
            if !put_field(item, &[&f.field], v) {
                if let Some(v) = created() {
                    put_field(item, &[&f.field], v);
                }
            }
        }
        flags.push(Flag {
            doc: doc_id.to_string(),
            entry: format!("field:{}", f.field),
            member: c.device_owners.get(&f.device).cloned().unwrap_or_default(),
            device: f.device,
            at: f.at,
            what: format!("change the {} of this {}", f.field, first.kind.as_str()),
            reason: not_entitled(also(kind, &f.field)).to_string(),
        });
    }
    // The team as readers see it follows the visibility they see (self-joins count only on
    // a public project): judged again from the document with the visibility put back.
    // Commands start from this team too (entries put back included, junk written over an
    // entry left out): a lead can take off a member whose entry someone deleted.
    if let Item::Project(p) = &mut *item {
        let mut now = super::team_at::team_now(doc, &claims);
        for (member, removal) in team.put_back(&mut now, p.visibility) {
            flags.push(team_entry_taken(c, doc_id, &claims, &member, removal));
        }
        p.team = now.entries.clone();
        let lead_then = |m: &str, t: &TeamMember| team.lead_when_written(now.written(), m, t);
        let _ = super::items::check_team_with(c, p, &lead_then);
    }
    // Who the project's past teams named is read too.
    if let Some(parties) = parties {
        parties.extend(team.named());
    }
    flags
}

/// A flag for the team entry of `member` taken away (deleted, or written over) by change
/// `removal` of someone not entitled to take them off the team.
fn team_entry_taken(
    c: &Community,
    doc_id: &str,
    claims: &Claims,
    member: &str,
    removal: Option<automerge::ChangeHash>,
) -> Flag {
    let device = removal
        .and_then(|r| claims.signers(&r).into_iter().next())
        .unwrap_or_default();
    Flag {
        doc: doc_id.to_string(),
        entry: format!("deleted:team:{member}"),
        member: c.device_owners.get(&device).cloned().unwrap_or_default(),
        device,
        at: removal.map_or(0, |r| claims.at(&r)),
        what: format!("take {member} off the team"),
        reason: "only the member, a lead of the project or a moderator takes someone off a team"
            .to_string(),
    }
}

/// A flag for a project made a showcase after it was created (which would lock its team out).
fn made_showcase(c: &Community, doc_id: &str, doc: &Automerge, claims: &Claims) -> Flag {
    let (device, at) = match doc.get(ROOT, "origin") {
        Ok(Some((_, id))) => super::entries::writer(doc, claims, &id),
        _ => (String::new(), 0),
    };
    Flag {
        doc: doc_id.to_string(),
        entry: "field:origin".to_string(),
        member: c.device_owners.get(&device).cloned().unwrap_or_default(),
        device,
        at,
        what: "make this project a showcase".to_string(),
        reason: "a project is a showcase only from its start".to_string(),
    }
}

/// The author stays who the first header names: a header written over it later (by anyone)
/// is flagged and read as the first.
fn keep_first_header(c: &Community, first: &Header, item: &mut Item, flags: &mut Vec<Flag>) {
    let now = item.header().clone();
    let same = now.id == first.id
        && now.created_by == first.created_by
        && now.device == first.device
        && now.nonce == first.nonce;
    if same || (now.created_by.is_empty() && !header_holds(c, first)) {
        return;
    }
    flags.push(Flag {
        doc: first.id.clone(),
        entry: "header".to_string(),
        member: now.created_by.clone(),
        device: now.device.clone(),
        at: now.created_at,
        what: format!("rewrite the header of this {}", first.kind.as_str()),
        reason: "the header differs from the one the item was created with".to_string(),
    });
    let author = if header_holds(c, first) || !c.device_owners.contains_key(&first.device) {
        first.created_by.clone()
    } else {
        String::new()
    };
    *item.header_mut() = Header {
        created_by: author.clone(),
        ..first.clone()
    };
    match item {
        Item::Idea(x) => x.author = author,
        Item::Post(x) => x.author = author,
        _ => {}
    }
}

fn put_field(item: &mut Item, path: &[&str], value: Json) -> bool {
    put_path(item, path, Some(value))
}
