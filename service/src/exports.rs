//! Exports of a whole community (JSON, iCalendar, Markdown), read as people see it, and
//! the import of a JSON export.

use allmende_core::apply::Item;
use allmende_core::export::{ics, markdown, ExportFile, EXPORT_FORMAT, EXPORT_VERSION};
use allmende_core::export_json::{ExportFault, JsonExport};

use crate::cache::{load_cached, load_community};
use crate::docs;
use crate::judge::checked_item;
use crate::transfer::ImportReport;
use crate::Service;
use allmende_store::error::{PeerError, Result};

impl Service {
    /// The community and its items as people see them (exports, the calendar feed,
    /// snapshots).
    ///
    /// # Errors
    /// Not found, damaged documents.
    pub(crate) fn community_and_items(
        &mut self,
        community: &str,
    ) -> Result<(allmende_core::model::Community, Vec<Item>)> {
        let community = self.resolve(community)?;
        let key = self.device.actor();
        let c = load_community(self.store.conn(), &mut self.cache, &key, &community)?;
        let mut items = Vec::new();
        for meta in self.store.docs(Some(&community))? {
            if meta.kind == "community" {
                continue;
            }
            // As people see it (exports, the calendar feed, snapshots): the signed marks and
            // who wrote its own fields judged, under the id and community it is held as.
            let doc = load_cached(self.store.conn(), &mut self.cache, &key, &meta.id)?;
            let raw = docs::item_at(doc, &meta.id, &meta.community)?;
            items.push(checked_item(self.store.conn(), &mut self.cache, &key, &meta.id, &raw)?.0);
        }
        Ok((std::sync::Arc::unwrap_or_clone(c), items))
    }

    /// The whole community as JSON.
    ///
    /// # Errors
    /// Not found, damaged documents.
    pub fn export_json(&mut self, community: &str) -> Result<String> {
        let (c, items) = self.community_and_items(community)?;
        let mut docs = vec![(c.header.id.clone(), self.doc_bytes(&c.header.id)?)];
        for i in &items {
            let id = i.header().id.clone();
            let bytes = self.doc_bytes(&id)?;
            docs.push((id, bytes));
        }
        let export = JsonExport::new(
            ExportFile {
                format: EXPORT_FORMAT.to_string(),
                version: EXPORT_VERSION,
                exported_at: self.now(),
                community: c,
                items,
            },
            &docs,
        );
        Ok(serde_json::to_string_pretty(&export)?)
    }

    /// The community's events as an iCalendar file.
    ///
    /// # Errors
    /// Not found, damaged documents.
    pub fn export_ics(&mut self, community: &str) -> Result<String> {
        let (c, items) = self.community_and_items(community)?;
        let events: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                Item::Event(e) if !c.is_hidden(&e.header.id) => Some(e),
                _ => None,
            })
            .collect();
        Ok(ics(&c.name, &events, self.now()))
    }

    /// A readable Markdown report of the community.
    ///
    /// # Errors
    /// Not found, damaged documents.
    pub fn export_markdown(&mut self, community: &str) -> Result<String> {
        let (c, items) = self.community_and_items(community)?;
        let visible: Vec<Item> = items
            .into_iter()
            .filter(|i| match i {
                Item::Project(p) => p.visibility == allmende_core::model::Visibility::Public,
                _ => true,
            })
            .collect();
        Ok(markdown(&c, &visible, self.lang))
    }

    /// Imports a JSON export: merges each document's Automerge bytes (idempotent), or, for a
    /// hand-made file without them, creates the documents that do not exist here yet.
    /// Everything is checked first; on any error nothing is written.
    ///
    /// # Errors
    /// Malformed JSON, a foreign format, a newer version, damaged documents.
    pub fn import_json(&mut self, text: &str) -> Result<ImportReport> {
        let (file, docs_in) = JsonExport::read(text).map_err(|e| match e {
            ExportFault::Invalid(d) => PeerError::from(d),
            other => PeerError::BadInput(other.to_string()),
        })?;
        let community = file.community.header.id.clone();
        let report = self.receive_from_file(&docs_in, None)?;
        if report.community != community {
            return Err(PeerError::BadInput(
                "the export's documents do not match its community".into(),
            ));
        }
        Ok(report)
    }
}
