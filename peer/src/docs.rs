//! Automerge documents and the typed model: loading, hydrating, reconciling.

use allmende_core::apply::Item;
use allmende_core::model::{check_schema, Catalog, Community, DocKind, Header, ItemRef};
use automerge::{
    transaction::Transactable, ActorId, AutoCommit, ObjType, ReadDoc, TextEncoding, ROOT,
};
use autosurgeon::{hydrate, hydrate_prop, reconcile, reconcile_prop};

use crate::error::{PeerError, Result};

/// The largest document this peer loads or accepts (bytes of its saved form).
pub const MAX_DOC_BYTES: usize = 64 * 1024 * 1024;

/// Loads a document from saved bytes (snapshot and incremental chunks concatenated).
///
/// # Errors
/// [`PeerError::Automerge`] when the bytes are not a valid Automerge document.
pub fn load(bytes: &[u8], actor: &ActorId) -> Result<AutoCommit> {
    let options = automerge::LoadOptions::new().text_encoding(TextEncoding::Utf8CodeUnit);
    let mut doc = AutoCommit::load_with_options(bytes, options)?;
    doc.set_actor(actor.clone());
    Ok(doc)
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

/// Hydrates a community document.
///
/// # Errors
/// Shape errors, or the document is not a community.
pub fn community(doc: &AutoCommit) -> Result<Community> {
    let h = header(doc)?;
    if h.kind != DocKind::Community {
        return Err(PeerError::BadInput(format!("{} is not a community", h.id)));
    }
    Ok(hydrate(doc)?)
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
    }
    Ok(())
}

/// Writes the typed community into its document, creating the catalogue map on first write
/// (only the creator does that, so no two devices create competing maps).
///
/// # Errors
/// Reconcile errors.
pub fn put_community(doc: &mut AutoCommit, community: &Community) -> Result<()> {
    reconcile(doc, community)?;
    if doc.get(&ROOT, "items")?.is_none() {
        doc.put_object(&ROOT, "items", ObjType::Map)?;
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
