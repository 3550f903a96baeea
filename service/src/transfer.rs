//! Whole communities in and out: JSON (with each document's Automerge bytes, so re-import
//! merges losslessly and idempotently), iCalendar, Markdown; and merging documents received
//! from elsewhere.

use allmende_core::governance::reach::reach;
use allmende_core::governance::{Flag, LogHistory};
use allmende_core::index::project_community;
use allmende_core::model::{DocKind, Header};
use serde::{Deserialize, Serialize};

use super::judge::{checked_item, index_item, judge_items_again};
use super::write::{save_changes, save_new};
use super::Service;
use crate::cache::{load_cached, load_community};
use crate::docs::{self, MAX_DOC_BYTES};
use allmende_store::chunks_api as chunks;
use allmende_store::error::{PeerError, Result};
use allmende_store::index;

/// What an import or a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub community: String,
    /// Documents that were new here.
    pub created: usize,
    /// Documents that gained changes.
    pub merged: usize,
    /// Documents that were already up to date.
    pub unchanged: usize,
    /// Documents that held values of the wrong kind after the merge, with the paths put
    /// back in shape (see `repair`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repaired: Vec<(String, Vec<String>)>,
    /// Items held here judged again because their community's governance (roster, roles,
    /// moderation, settings) changed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rejudged: usize,
    /// New documents not taken in: of a community this device does not belong to (see
    /// [`Intake::Mine`]), with that community.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<(String, String)>,
}

/// Which new documents a batch may bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake<'a> {
    /// Any (a bundle or an export the user chose to import).
    Any,
    /// Only documents of communities this device belongs to, and of `joining` (a community
    /// fetched with an invite's key). What a sync brings: a roster elsewhere may list this
    /// device's key without its holder's word, and a relay or a peer then offers that
    /// community's documents, which would fill the store, and which this device would write
    /// into (a repair of a value someone broke) as if it were one of theirs. Judged by the
    /// community the store takes the document as (a founded log is a community whatever its
    /// header says), never by the header alone.
    Mine { joining: Option<&'a str> },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Service {
    /// The saved bytes of a document (for sync, bundles and exports).
    ///
    /// # Errors
    /// Not found, a damaged document.
    pub fn doc_bytes(&mut self, id: &str) -> Result<Vec<u8>> {
        let key = self.device.actor();
        Ok(load_cached(self.store.conn(), &mut self.cache, &key, id)?.save())
    }

    /// A document's stored chunks as they are (loadable by `Automerge::load`), without
    /// loading it here: for a sync that hands many documents on.
    ///
    /// # Errors
    /// Storage errors.
    pub fn stored_bytes(&self, id: &str) -> Result<Vec<u8>> {
        allmende_store::chunks_api::load_bytes(self.store.conn(), id)
    }

    /// Merges documents received from elsewhere (another device, a bundle, an export), all in
    /// one transaction: each is checked (size, Automerge validity, header, schema, one
    /// community) before anything is written.
    ///
    /// # Errors
    /// Oversize or damaged documents, unknown schema versions, mixed communities.
    pub fn receive_many(&mut self, incoming: &[(String, Vec<u8>)]) -> Result<ImportReport> {
        self.receive_many_of(incoming, None)
    }

    /// [`Service::receive_many`], refusing (before writing) documents of any community but
    /// `expected`.
    ///
    /// # Errors
    /// As [`Service::receive_many`], and documents of another community.
    pub fn receive_many_of(
        &mut self,
        incoming: &[(String, Vec<u8>)],
        expected: Option<&str>,
    ) -> Result<ImportReport> {
        self.receive(incoming, expected, false, Intake::Any)
    }

    /// [`Service::receive_many`] taking in new documents only as `intake` allows; the others
    /// are left out (and reported), not refused.
    ///
    /// # Errors
    /// As [`Service::receive_many`].
    pub fn receive_many_in(
        &mut self,
        incoming: &[(String, Vec<u8>)],
        intake: Intake<'_>,
    ) -> Result<ImportReport> {
        self.receive(incoming, None, false, intake)
    }

    /// [`Service::receive_many_of`] for documents brought in a file (a bundle, an export),
    /// which nobody's connection vouches for: nothing new in them may be unsigned or signed
    /// by a device that was never a member's (a stranger's content would otherwise reach the
    /// relay with this member's next sync). Content a member's own device signed around the
    /// rules is let in as sync lets it in, and flagged to admins.
    ///
    /// # Errors
    /// As [`Service::receive_many_of`]; content from outside the community.
    pub fn receive_from_file(
        &mut self,
        incoming: &[(String, Vec<u8>)],
        expected: Option<&str>,
    ) -> Result<ImportReport> {
        self.receive(incoming, expected, true, Intake::Any)
    }

    fn receive(
        &mut self,
        incoming: &[(String, Vec<u8>)],
        expected: Option<&str>,
        from_file: bool,
        intake: Intake<'_>,
    ) -> Result<ImportReport> {
        let mut parsed = Vec::new();
        let mut community: Option<String> = None;
        let mut left_out = Vec::new();
        for (id, bytes) in incoming {
            if bytes.len() > MAX_DOC_BYTES {
                return Err(PeerError::BadInput(format!(
                    "document {id} is {} bytes, more than the limit of {MAX_DOC_BYTES}",
                    bytes.len()
                )));
            }
            allmende_core::DocId::parse(id)?;
            if from_file {
                docs::readable(bytes).map_err(|reason| {
                    PeerError::BadInput(format!(
                        "document {id} in the file is refused ({reason}); nothing was written"
                    ))
                })?;
            }
            let mut doc = docs::load(bytes, &automerge::ActorId::random()).map_err(|e| {
                PeerError::CorruptDocument {
                    id: id.clone(),
                    reason: e.to_string(),
                }
            })?;
            refuse_tangled(id, doc.document())?;
            let header = self.effective_header(id, &mut doc)?;
            if let Intake::Mine { joining } = intake {
                if joining != Some(header.community.as_str())
                    && chunks::doc_meta(self.store.conn(), id)?.is_none()
                    && !self.belongs_to(&header.community)?
                {
                    left_out.push((id.clone(), header.community.clone()));
                    continue;
                }
            }
            match &community {
                Some(c) if *c != header.community => {
                    return Err(PeerError::BadInput(
                        "documents of several communities".into(),
                    ))
                }
                _ => community = Some(header.community.clone()),
            }
            // Two copies that each read merge into one that reads; only an item that
            // arrives unreadable may need putting back in shape after the merge.
            let mut unreadable = false;
            // The item as it arrived: what a new document holds, read once.
            let mut read = None;
            if header.kind == DocKind::Community {
                docs::community(id, &mut doc, &mut LogHistory::default())?;
            } else {
                match docs::item(&doc) {
                    Ok(item) => read = Some(item),
                    // A document held here that stopped reading (a value of the wrong kind
                    // written by a modified client) is put back in shape once merged; a new
                    // one has nothing to be put back from.
                    Err(e) => {
                        if chunks::doc_meta(self.store.conn(), id)?.is_none() {
                            return Err(e);
                        }
                        unreadable = true;
                    }
                }
            }
            parsed.push((id.clone(), header, doc, unreadable, read, bytes.as_slice()));
        }
        let community = community.unwrap_or_default();
        if let Some(expected) = expected {
            if !incoming.is_empty() && community != expected {
                return Err(PeerError::BadInput(format!(
                    "the documents belong to community {community}, not {expected}"
                )));
            }
        }
        let key = self.device.actor();
        let now = self.now();
        let Service {
            store,
            cache,
            device,
            ..
        } = self;
        let result = store.write(|tx| {
            // Flags of the documents as they were here, to tell what the file brings in.
            let mut before: Vec<(String, bool, Vec<Flag>)> = Vec::new();
            let mut report = ImportReport {
                community: community.clone(),
                left_out: left_out.clone(),
                ..ImportReport::default()
            };
            let mut roster_changed = Vec::new();
            for (id, header, mut incoming_doc, unreadable, read, bytes) in parsed {
                let mut governed_before = None;
                let kind = header.kind.as_str();
                let meta = (id.as_str(), kind, header.community.as_str());
                let existing = chunks::doc_meta(tx, &id)?;
                if from_file {
                    let flags = match &existing {
                        Some(_) => flags_of(
                            tx,
                            cache,
                            &key,
                            &id,
                            header.kind == DocKind::Community,
                            &header.community,
                        )?,
                        None => Vec::new(),
                    };
                    before.push((id.clone(), header.kind == DocKind::Community, flags));
                }
                let (doc, fresh) = if let Some(found) = existing {
                    if found.kind != kind || found.community != header.community {
                        return Err(PeerError::BadInput(format!(
                            "document {id} is a {} of {} here",
                            found.kind, found.community
                        )));
                    }
                    // What judges the items (roster, roles, moderation, settings), before.
                    if header.kind == DocKind::Community {
                        governed_before = load_community(tx, cache, &key, &id).ok();
                    }
                    let local = load_cached(tx, cache, &key, &id)?;
                    let before = local.get_heads();
                    local.merge(&mut incoming_doc)?;
                    if local.get_heads() == before {
                        report.unchanged += 1;
                        continue;
                    }
                    // Tangled with changes held here (the transaction is rolled back).
                    refuse_tangled(&id, local.document())?;
                    if unreadable {
                        if let Some(paths) = put_in_shape(local, &before, &id)? {
                            report.repaired.push((id.clone(), paths));
                        }
                    } else if header.kind != DocKind::Community {
                        let paths = crate::restore_marks::restore_deleted_marks(
                            tx,
                            cache,
                            &key,
                            device,
                            &id,
                            &header.community,
                            &before,
                            now,
                        )?;
                        if !paths.is_empty() {
                            report.repaired.push((id.clone(), paths));
                        }
                    }
                    save_changes(tx, cache, meta, &before)?;
                    report.merged += 1;
                    (load_cached(tx, cache, &key, &id)?, false)
                } else {
                    incoming_doc.set_actor(key.clone());
                    // Stored as it arrived (a whole document, just loaded from these bytes
                    // and not changed since): saving it again would only compress it again.
                    let as_sent =
                        (automerge::transaction::Transactable::pending_ops(&incoming_doc) == 0)
                            .then_some(bytes);
                    save_new(tx, cache, meta, incoming_doc, as_sent)?;
                    report.created += 1;
                    (load_cached(tx, cache, &key, &id)?, true)
                };
                if header.kind == DocKind::Community {
                    let c = load_community(tx, cache, &key, &id)?;
                    index::put_community(tx, &project_community(&c))?;
                    // A community document also changes when an item is added anywhere (its
                    // catalogue): the items are judged again only when what judges them did.
                    let reached = reach(governed_before.as_deref(), &c);
                    if !reached.is_nothing() {
                        roster_changed.push((id.clone(), reached));
                    }
                } else {
                    // A new document is what arrived; a merged one is read again.
                    let raw = match read.filter(|_| fresh) {
                        Some(item) => docs::placed(item, &id, &header.community),
                        None => docs::item_at(doc, &id, &header.community)?,
                    };
                    index_item(tx, cache, &key, &id, &raw)?;
                }
            }
            // Authorship and signed fields are judged by the community's governance: when it
            // changed, look again at the items the change reaches (all when it arrived: items
            // that arrived before their community were judged by nobody's).
            for (cid, reach) in roster_changed {
                report.rejudged +=
                    judge_items_again(tx, cache, &key, &cid, &reach, &Default::default())?;
            }
            if from_file {
                judge_file(tx, cache, &key, &community, &before)?;
            }
            Ok(report)
        });
        if result.is_err() {
            self.cache.clear();
        }
        result
    }

    /// What a received document is, judged without trusting its header where something
    /// better is known: a document this peer has is what it was when it arrived first (a
    /// later header edit is a write around the app, flagged where the document is read);
    /// a document whose signed log founds a community under its id is that community.
    /// Otherwise its header, which must name the document's own id and prove its creator
    /// (see [`allmende_core::governance::content::creator_proof`]), so nobody can take the
    /// id of a document on its way here and make it something else.
    fn effective_header(&mut self, id: &str, doc: &mut automerge::AutoCommit) -> Result<Header> {
        let raw = docs::header(doc);
        if let Some(known) = chunks::doc_meta(self.store.conn(), id)? {
            let kind: DocKind = known
                .kind
                .parse()
                .map_err(|_| PeerError::BadInput(format!("unknown kind {}", known.kind)))?;
            let mut header = match raw {
                Ok(h) => h,
                Err(_) => Header {
                    schema: allmende_core::model::SCHEMA_VERSION,
                    kind,
                    id: id.to_string(),
                    community: known.community.clone(),
                    created_at: 0,
                    created_by: String::new(),
                    device: String::new(),
                    nonce: String::new(),
                    sig: String::new(),
                },
            };
            header.id = id.to_string();
            header.kind = kind;
            header.community = known.community;
            return Ok(header);
        }
        // Reading the history costs a pass over it: only for what may be a community (an
        // item document has no log and names itself as what it is).
        let may_be_community = match &raw {
            Ok(h) => h.kind == DocKind::Community || h.id != id,
            Err(_) => true,
        } || automerge::ReadDoc::get(doc, &automerge::ROOT, "log")
            .ok()
            .flatten()
            .is_some();
        let founded = may_be_community
            .then(|| docs::community(id, doc, &mut LogHistory::default()).ok())
            .flatten()
            .filter(allmende_core::model::Community::is_founded);
        if let Some(c) = founded {
            return Ok(c.header);
        }
        let header = raw?;
        if header.id != id {
            return Err(PeerError::BadInput(format!(
                "document {id} claims to be {}",
                header.id
            )));
        }
        // What a document is, is fixed by its first arrival: only its creator may say it.
        // Items made before ids were derived have no proof and are not taken in first (as
        // the relay refuses them by default): any member could sign such a header for any
        // id, since a derived id cannot be told from a random one.
        if !allmende_core::governance::content::creator_proof(id, &header) {
            return Err(PeerError::BadInput(format!(
                "document {id} does not prove who made it: its header is not signed by the \
                 device its id is derived from"
            )));
        }
        Ok(header)
    }

    /// Loads every document and runs SQLite's integrity check; returns what is damaged.
    ///
    /// # Errors
    /// Storage errors.
    pub fn check(&mut self) -> Result<Vec<(String, String)>> {
        let mut problems: Vec<(String, String)> = self
            .store
            .integrity_check()?
            .into_iter()
            .map(|p| ("database".to_string(), p))
            .collect();
        let key = self.device.actor();
        for meta in self.store.docs(None)? {
            let loaded = if meta.kind == "community" {
                load_community(self.store.conn(), &mut self.cache, &key, &meta.id).map(|_| ())
            } else {
                load_cached(self.store.conn(), &mut self.cache, &key, &meta.id)
                    .and_then(|doc| docs::item(doc).map(|_| ()))
            };
            if let Err(e) = loaded {
                problems.push((meta.id, e.to_string()));
            }
        }
        Ok(problems)
    }
}

/// What the stored document `id` (a community, or an item of `community`) is flagged for
/// now.
fn flags_of(
    tx: &rusqlite::Connection,
    cache: &mut std::collections::HashMap<String, super::Cached>,
    key: &automerge::ActorId,
    id: &str,
    is_community: bool,
    community: &str,
) -> Result<Vec<Flag>> {
    if is_community {
        return Ok(load_community(tx, cache, key, id)?.flags.clone());
    }
    let raw = docs::item_at(load_cached(tx, cache, key, id)?, id, community)?;
    Ok(checked_item(tx, cache, key, id, &raw)?.1)
}

/// Refuses a file's documents (after they were merged, before the write is committed) when
/// they bring in anything flagged that no member's device vouches for: unsigned, or signed
/// by a device that was never a member's of `community`.
fn judge_file(
    tx: &rusqlite::Connection,
    cache: &mut std::collections::HashMap<String, super::Cached>,
    key: &automerge::ActorId,
    community: &str,
    before: &[(String, bool, Vec<Flag>)],
) -> Result<()> {
    let c = load_community(tx, cache, key, community)?;
    let mut strangers = Vec::new();
    for (id, is_community, old) in before {
        for flag in flags_of(tx, cache, key, id, *is_community, community)? {
            let seen = old
                .iter()
                .any(|o| o.entry == flag.entry && o.reason == flag.reason);
            let stranger = flag.reason == allmende_core::governance::UNSIGNED
                || !c.device_owners.contains_key(&flag.device);
            if !seen && stranger {
                strangers.push(format!("{} ({}: {})", flag.doc, flag.what, flag.reason));
            }
        }
    }
    if strangers.is_empty() {
        return Ok(());
    }
    Err(PeerError::BadInput(format!(
        "the file brings in {} change(s) that no member's device signed, for example {}; \
         nothing was imported (sync through the community's relay instead)",
        strangers.len(),
        strangers[0]
    )))
}

/// Puts item `doc` back in the shape it had at `before` (its heads before a merge) when it
/// no longer reads: the paths it changed, or `None` when it read well. The repair is a
/// change of this device.
///
/// # Errors
/// The item still does not read after the repair (refused, so it goes into quarantine).
fn put_in_shape(
    doc: &mut automerge::AutoCommit,
    before: &[automerge::ChangeHash],
    id: &str,
) -> Result<Option<Vec<String>>> {
    if docs::item(doc).is_ok() {
        return Ok(None);
    }
    let good = doc.fork_at(before)?;
    if docs::item(&good).is_err() {
        return Ok(None);
    }
    let mut paths = crate::repair::restore_shape(&good, doc)?;
    if docs::item(doc).is_err() {
        let reads = |d: &automerge::AutoCommit| docs::item(d).is_ok();
        match crate::repair::restore_fields(&good, doc, &reads)? {
            Some(more) => paths.extend(more),
            None => {
                docs::item(doc)?;
            }
        }
    }
    doc.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("put values of the wrong kind back in shape".to_string()),
    );
    tracing::warn!(doc = %id, ?paths, "values of the wrong kind put back in shape");
    Ok(Some(paths))
}

/// Refuses a document with tangled operation numbers
/// ([`allmende_core::governance::tangled`]).
fn refuse_tangled(id: &str, doc: &automerge::Automerge) -> Result<()> {
    if allmende_core::governance::tangled::tangled(doc) {
        return Err(PeerError::CorruptDocument {
            id: id.to_string(),
            reason: "two changes of one device claim the same operation numbers".into(),
        });
    }
    Ok(())
}
