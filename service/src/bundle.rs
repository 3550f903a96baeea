//! Sneakernet bundles: everything a community holds in one file (USB stick, messenger). The
//! format is `allmende_core::bundle` (pure, fuzzed); this side reads the documents out of the
//! store and merges what a bundle brings.
//!
//! Import checks the magic, the version, the checksum, the lengths, and then every document
//! (via `Service::receive_many`: valid Automerge, header, schema, one community, the declared
//! one) before writing anything, in one transaction. Importing the same bundle again changes
//! nothing: documents merge.

use allmende_core::bundle::Bundle;

use crate::{ImportReport, Service};
use allmende_store::error::{PeerError, Result};

fn refuse(why: &str) -> PeerError {
    PeerError::BadInput(format!("not a usable Allmende bundle: {why}"))
}

impl Service {
    /// Writes every document of a community into one bundle.
    ///
    /// # Errors
    /// Not found, damaged documents.
    pub fn export_bundle(&mut self, community: &str) -> Result<Vec<u8>> {
        let community = self.resolve(community)?;
        let name = self
            .communities()?
            .into_iter()
            .find(|c| c.id == community)
            .map(|c| c.name)
            .unwrap_or_default();
        let mut docs = Vec::new();
        for meta in self.store().docs(Some(&community))? {
            let bytes = self.doc_bytes(&meta.id)?;
            docs.push((meta.id, bytes));
        }
        Bundle {
            community,
            name,
            exported_at: self.now(),
            docs,
        }
        .encode()
        .map_err(|e| refuse(&e.to_string()))
    }

    /// Merges a bundle; refuses damaged or foreign files with a clear error and no change.
    ///
    /// # Errors
    /// [`PeerError::BadInput`] for a file that is not a bundle, a newer version, a damaged
    /// bundle, or documents that do not belong to the bundle's community.
    pub fn import_bundle(&mut self, bytes: &[u8]) -> Result<ImportReport> {
        let bundle = Bundle::decode(bytes).map_err(|e| refuse(&e.to_string()))?;
        self.receive_from_file(&bundle.docs, Some(&bundle.community))
            .map_err(|e| match e {
                PeerError::BadInput(m) => refuse(&m),
                other => other,
            })
    }
}
