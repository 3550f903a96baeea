//! Automerge documents and the typed model: loading, hydrating, reconciling.

use std::sync::{LazyLock, Mutex};

use allmende_core::apply::Item;
use allmende_core::governance::{self, Body, Checked, Flag, LogHistory, Signer};
use allmende_core::model::{check_schema, Catalog, Community, DocKind, Header, ItemRef};
use automerge::{
    transaction::Transactable, ActorId, AutoCommit, ObjType, ReadDoc, TextEncoding, ROOT,
};
use autosurgeon::{hydrate, hydrate_prop, reconcile, reconcile_prop};

use allmende_store::error::{PeerError, Result};

/// The largest document this peer loads or accepts (bytes of its saved form).
pub const MAX_DOC_BYTES: usize = 64 * 1024 * 1024;

/// Loads a document from saved bytes (snapshot and incremental chunks concatenated).
///
/// # Errors
/// [`PeerError::Automerge`] when the bytes are not a valid Automerge document,
/// [`PeerError::BadInput`] when Automerge's loader gave up on them with a panic.
pub fn load(bytes: &[u8], actor: &ActorId) -> Result<AutoCommit> {
    let options = automerge::LoadOptions::new().text_encoding(TextEncoding::Utf8CodeUnit);
    // Automerge 0.12's loader panics on some malformed documents instead of refusing them
    // (found by fuzzing: hexane "RawColumnIter::take would cross slab boundary"). Bytes
    // from a file or another device are a stranger's: such a document is refused.
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        AutoCommit::load_with_options(bytes, options)
    }))
    .map_err(|_| PeerError::BadInput("the document is damaged and cannot be read".into()))?;
    let mut doc = loaded?;
    doc.set_actor(actor.clone());
    Ok(doc)
}

/// How far a stored document may inflate when it is read (its saved form is at most
/// [`MAX_DOC_BYTES`]).
const MAX_INFLATED: usize = 4 * MAX_DOC_BYTES;

/// Whether a stranger's saved document (from a file) may be given to Automerge: its
/// compressed parts inflate within bounds, and its columns claim no more operations than a
/// sync message may bring (a few bytes can claim billions, which Automerge walks one by
/// one). Checked before [`load`], which would take them as they are.
///
/// # Errors
/// The reason, in words.
pub fn readable(bytes: &[u8]) -> std::result::Result<(), String> {
    allmende_sync_wire::inflate::inflated_size([bytes], MAX_INFLATED)
        .and_then(|_| {
            allmende_sync_wire::runs::operations(
                [bytes],
                allmende_sync_wire::runs::LIMITS,
                MAX_INFLATED,
            )
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A new, empty document written by this device.
///
/// Text positions are counted in UTF-8 bytes locally (what `autosurgeon::Text` uses); the
/// encoding is a local view only and does not affect other clients.
#[must_use]
pub fn new_doc(actor: &ActorId) -> AutoCommit {
    AutoCommit::new_with_encoding(TextEncoding::Utf8CodeUnit).with_actor(actor.clone())
}

/// The header every document starts with, checked against the schema this build supports.
///
/// # Errors
/// A hydrate error when there is no valid header, or an unsupported schema.
pub fn header(doc: &AutoCommit) -> Result<Header> {
    let header: Header = hydrate_prop(doc, &ROOT, "header")?;
    check_schema(header.schema)?;
    Ok(header)
}

/// Signatures of log entries already checked in this process.
static CHECKED: LazyLock<Mutex<Checked>> = LazyLock::new(Mutex::default);

/// The root keys of a community document; anything else was written around the app.
const COMMUNITY_KEYS: [&str; 3] = ["header", "log", "items"];

/// Reads community document `id`: replays everything ever written into its signed log
/// (see [`allmende_core::governance`]; `history` is what was read of it before, brought up
/// to date here) and flags anything written outside it. Whether it is a community is the
/// signed log's word, not the header's.
///
/// # Errors
/// Shape errors, or the document is not a community.
pub fn community(id: &str, doc: &mut AutoCommit, history: &mut LogHistory) -> Result<Community> {
    let mut c = {
        let mut checked = CHECKED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        governance::replay_document(id, doc.document(), history, &mut checked)
    };
    if !c.is_founded() {
        let h = header(doc)?;
        if h.kind != DocKind::Community {
            return Err(PeerError::BadInput(format!("{id} is not a community")));
        }
    }
    check_schema(c.header.schema)?;
    let h = c.header.clone();
    for key in doc.keys(&ROOT) {
        if !COMMUNITY_KEYS.contains(&key.as_str()) {
            c.flags.push(Flag {
                doc: h.id.clone(),
                entry: key.clone(),
                member: String::new(),
                device: String::new(),
                at: 0,
                what: format!("write the field '{key}'"),
                reason: "written outside the signed log".into(),
            });
        }
    }
    Ok(c)
}

/// Starts a community document: its header and empty log and catalogue (only the creator
/// does this, so no two devices create competing maps).
///
/// # Errors
/// Document errors.
pub fn new_community(doc: &mut AutoCommit, header: &Header) -> Result<()> {
    reconcile_prop(doc, ROOT, "header", header)?;
    doc.put_object(&ROOT, "log", ObjType::Map)?;
    doc.put_object(&ROOT, "items", ObjType::Map)?;
    Ok(())
}

/// Signs protected changes and appends them to the community's log, each having seen the
/// log's latest entries (and the one before it).
///
/// # Errors
/// Document errors.
pub fn append_log(
    doc: &mut AutoCommit,
    community: &Community,
    bodies: &[Body],
    signer: &dyn Signer,
) -> Result<()> {
    if bodies.is_empty() {
        return Ok(());
    }
    let log = match doc.get(&ROOT, "log")? {
        Some((_, id)) => id,
        None => doc.put_object(&ROOT, "log", ObjType::Map)?,
    };
    let mut heads = community.heads.clone();
    for body in bodies {
        let mut body = body.clone();
        body.seen = heads;
        let (id, entry) = governance::seal(&community.header.id, &body, signer);
        reconcile_prop(doc, &log, id.as_str(), &entry)?;
        heads = vec![id];
    }
    Ok(())
}

/// The catalogue of a community document.
///
/// # Errors
/// Shape errors.
pub fn catalog(doc: &AutoCommit) -> Result<Catalog> {
    if doc.get(&ROOT, "items")?.is_none() {
        return Ok(Catalog::default());
    }
    Ok(hydrate(doc)?)
}

/// Hydrates an item document of any kind.
///
/// # Errors
/// Shape errors, or the document is a community.
/// The item stored under `id` in `community` (as the store recorded them when it arrived):
/// the header's own id and community are not believed, so a copy of another item's signed
/// header under another id, or a header moved into another community, neither passes its
/// signatures nor lands in another item's or community's lists.
///
/// # Errors
/// As [`item`].
pub fn item_at(doc: &AutoCommit, id: &str, community: &str) -> Result<Item> {
    Ok(placed(item(doc)?, id, community))
}

/// An item as read, named by where it is held: its document's id and its community.
#[must_use]
pub fn placed(mut item: Item, id: &str, community: &str) -> Item {
    let h = item.header_mut();
    h.id = id.to_string();
    h.community = community.to_string();
    item
}

pub fn item(doc: &AutoCommit) -> Result<Item> {
    let h = header(doc)?;
    Ok(match h.kind {
        DocKind::Community => {
            return Err(PeerError::BadInput(format!(
                "{} is a community, not an item",
                h.id
            )))
        }
        DocKind::Profile => Item::Profile(hydrate(doc)?),
        DocKind::Idea => Item::Idea(hydrate(doc)?),
        DocKind::Project => Item::Project(hydrate(doc)?),
        DocKind::Request => Item::Request(hydrate(doc)?),
        DocKind::Organisation => Item::Organisation(hydrate(doc)?),
        DocKind::Opportunity => Item::Opportunity(hydrate(doc)?),
        DocKind::Event => Item::Event(hydrate(doc)?),
        DocKind::Post => Item::Post(hydrate(doc)?),
        DocKind::Template => Item::Template(hydrate(doc)?),
    })
}

/// Writes a typed item into its document (only the differences become operations).
///
/// # Errors
/// Reconcile errors.
pub fn put_item(doc: &mut AutoCommit, item: &Item) -> Result<()> {
    match item {
        Item::Profile(x) => reconcile(doc, x)?,
        Item::Idea(x) => reconcile(doc, x)?,
        Item::Project(x) => reconcile(doc, x)?,
        Item::Request(x) => reconcile(doc, x)?,
        Item::Organisation(x) => reconcile(doc, x)?,
        Item::Opportunity(x) => reconcile(doc, x)?,
        Item::Event(x) => reconcile(doc, x)?,
        Item::Post(x) => reconcile(doc, x)?,
        Item::Template(x) => reconcile(doc, x)?,
    }
    Ok(())
}

/// Writes `item` over the document it was read from, `before` being the item as the command
/// found it. Of the own fields (title, text, ...) only those the command changed are
/// written; the others stay as the document has them, each judged by its own writer (a
/// command never writes back a value it did not choose, under this device's signature).
///
/// # Errors
/// Document errors.
pub fn rewrite_item(doc: &mut AutoCommit, item: &Item, before: &Item) -> Result<()> {
    let fields = governance::body::owned_fields(item.kind());
    if fields.is_empty() {
        return put_item(doc, item);
    }
    let as_json = |i: &Item| {
        serde_json::to_value(i)
            .ok()
            .and_then(|j| j.as_object()?.values().next().cloned())
            .unwrap_or_default()
    };
    let (now, was) = (as_json(item), as_json(before));
    let changed: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| now.get(*f) != was.get(*f))
        .collect();
    let Ok(raw) = self::item(doc) else {
        return put_item(doc, item);
    };
    let stored = as_json(&raw);
    let mut whole = serde_json::to_value(item).unwrap_or_default();
    let mut plan_changed: Vec<(String, String, String, serde_json::Value)> = Vec::new();
    if let Some(own) = whole
        .as_object_mut()
        .and_then(|o| o.values_mut().next())
        .and_then(serde_json::Value::as_object_mut)
    {
        for f in fields.iter().filter(|f| !changed.contains(f)) {
            if let Some(v) = stored.get(*f) {
                own.insert((*f).to_string(), v.clone());
            }
        }
        for list in governance::body::plan_lists(item.kind()) {
            if let Some(merged) = merge_plan(list, &now, &was, &stored, &mut plan_changed) {
                own.insert((*list).to_string(), merged);
            }
        }
    }
    let mut to_write: Item = serde_json::from_value(whole).unwrap_or_else(|_| item.clone());
    // Shared notes are Automerge text: the command's edits are splices, which a copy made
    // through JSON would lose (it would write the whole text over concurrent edits).
    if let (Item::Project(to), Item::Project(from)) = (&mut to_write, item) {
        to.notes = from.notes.clone();
    }
    // The command started from the team as readers judge it (entries someone not entitled
    // took out put back, junk written over an entry left out). What it did not change
    // stays in the map as the document holds it (nothing copied, nothing deleted); one it
    // took off that the map shown does not hold is written as an entry made and deleted
    // at once, so that readers see an entitled change take the member off.
    let mut taken_off: Vec<String> = Vec::new();
    if let (Item::Project(to), Item::Project(was), Item::Project(raw)) =
        (&mut to_write, before, &raw)
    {
        let members: std::collections::BTreeSet<String> = to
            .team
            .keys()
            .chain(was.team.keys())
            .chain(raw.team.keys())
            .cloned()
            .collect();
        for m in members {
            let changed = to.team.get(&m) != was.team.get(&m);
            if changed {
                if !to.team.contains_key(&m) && !raw.team.contains_key(&m) {
                    taken_off.push(m);
                }
                continue;
            }
            match raw.team.get(&m) {
                Some(kept) => to.team.insert(m, kept.clone()),
                None => to.team.remove(&m),
            };
        }
    }
    settle_owned_fields(doc, &to_write, &changed)?;
    for (list, key, field, value) in &plan_changed {
        let Some((_, map)) = doc.get(ROOT, list.as_str())? else {
            continue;
        };
        if let Some((_, entry)) = doc.get(&map, key.as_str())? {
            settle_value(doc, &entry, field, value)?;
        }
    }
    put_item(doc, &to_write)?;
    if let Some((_, team)) = doc.get(ROOT, "team")? {
        for member in taken_off {
            doc.put_object(&team, member.as_str(), automerge::ObjType::Map)?;
            doc.delete(&team, member.as_str())?;
        }
    }
    Ok(())
}

/// The entries of plan list `list` (a project's steps, tasks, ...) to write: as the document
/// holds them, with what the command changed (`was` to `now`) laid over them, value by
/// value. An entry readers do not see (written by a device not entitled, or not known here
/// yet) is kept as it is, unless the command removed it: the command never writes a value it
/// did not choose, nor drops an entry it did not touch.
fn merge_plan(
    list: &str,
    now: &serde_json::Value,
    was: &serde_json::Value,
    stored: &serde_json::Value,
    changed: &mut Vec<(String, String, String, serde_json::Value)>,
) -> Option<serde_json::Value> {
    let (now, was) = (now.get(list)?.as_object()?, was.get(list)?.as_object()?);
    let mut merged = stored.get(list)?.as_object()?.clone();
    for key in now.keys().chain(was.keys()) {
        match (was.get(key), now.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let mut entry = merged.get(key).cloned().unwrap_or_else(|| b.clone());
                if let (Some(e), Some(b)) = (entry.as_object_mut(), b.as_object()) {
                    for (f, v) in b {
                        if a.get(f) != Some(v) {
                            e.insert(f.clone(), v.clone());
                            changed.push((list.to_string(), key.clone(), f.clone(), v.clone()));
                        }
                    }
                }
                merged.insert(key.clone(), entry);
            }
            (None, Some(b)) => {
                merged.insert(key.clone(), b.clone());
            }
            (Some(_), None) => {
                merged.remove(key);
            }
            (None, None) => {}
        }
    }
    Some(serde_json::Value::Object(merged))
}

/// An own field (title, text, ...) the command changed, holding values written apart, is
/// settled to the item's value by this device, before reconciling: reconciling drops the other values and keeps
/// Automerge's pick where it equals the item's value, so taking the version Automerge
/// happens to show would leave it written by whoever wrote it, which readers may not
/// believe.
fn settle_owned_fields(doc: &mut AutoCommit, item: &Item, fields: &[&str]) -> Result<()> {
    if fields.is_empty() {
        return Ok(());
    }
    let Ok(json) = serde_json::to_value(item) else {
        return Ok(());
    };
    let Some(values) = json.as_object().and_then(|o| o.values().next()) else {
        return Ok(());
    };
    for field in fields {
        if let Some(value) = values.get(*field) {
            settle_value(doc, &ROOT, field, value)?;
        }
    }
    Ok(())
}

/// Writes `value` at `field` of `obj` as a fresh operation of this device where reconciling
/// would not: values written apart (reconciling would keep the others), or one value equal
/// to it (Automerge keeps the old operation when the value put equals it, and readers judge a
/// value by the change that wrote it: the command's choice would stay someone else's).
fn settle_value(
    doc: &mut AutoCommit,
    obj: &automerge::ObjId,
    field: &str,
    value: &serde_json::Value,
) -> Result<()> {
    let all = doc.get_all(obj, field)?;
    let same = |v: &automerge::Value<'_>| match (v, value) {
        (automerge::Value::Scalar(s), serde_json::Value::String(x)) => {
            s.as_str() == Some(x.as_str())
        }
        (automerge::Value::Scalar(s), serde_json::Value::Bool(x)) => {
            **s == automerge::ScalarValue::Boolean(*x)
        }
        (automerge::Value::Scalar(s), serde_json::Value::Number(n)) => {
            s.as_i64().is_some_and(|i| Some(i) == n.as_i64())
                || s.as_u64().is_some_and(|u| Some(u) == n.as_u64())
        }
        _ => false,
    };
    let unchanged = all.len() == 1 && all.first().is_some_and(|(v, _)| same(v));
    if all.len() < 2 && !unchanged {
        return Ok(());
    }
    doc.delete(obj, field)?;
    match value {
        serde_json::Value::String(v) => doc.put(obj, field, v.as_str())?,
        serde_json::Value::Bool(v) => doc.put(obj, field, *v)?,
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => doc.put(obj, field, u)?,
            (None, Some(i)) => doc.put(obj, field, i)?,
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

/// Adds entries to the community's catalogue without hydrating it.
///
/// # Errors
/// Document errors.
pub fn add_to_catalog(doc: &mut AutoCommit, entries: &[(String, ItemRef)]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let items = match doc.get(&ROOT, "items")? {
        Some((_, id)) => id,
        None => doc.put_object(&ROOT, "items", ObjType::Map)?,
    };
    for (id, entry) in entries {
        reconcile_prop(doc, &items, id.as_str(), entry)?;
    }
    Ok(())
}

/// The document's heads as text, for the store's bookkeeping.
#[must_use]
pub fn heads(doc: &mut AutoCommit) -> String {
    doc.get_heads()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fuzzing find (kept in fuzz/corpus/community_document): Automerge 0.12's loader
    /// panicked on this document. A peer refuses it instead of going down with it.
    #[test]
    fn a_document_the_loader_panics_on_is_refused() {
        let bytes = include_bytes!(
            "../../fuzz/corpus/community_document/crash-dcf5a407076dc8a69b38c4910d6bacc94ffe2eb9"
        );
        let refused = load(bytes, &ActorId::random());
        assert!(
            matches!(refused, Err(PeerError::BadInput(_))),
            "{refused:?}"
        );
    }
}
