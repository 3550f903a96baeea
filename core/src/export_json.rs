//! The JSON export as a file: the typed, readable content plus each document's saved
//! Automerge bytes (base64), so a re-import merges losslessly. Pure: the service writes the
//! bytes it holds and merges what [`JsonExport::read`] gives back; nothing here trusts the
//! text.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::export::ExportFile;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Documents by id with their saved Automerge bytes.
pub type Documents = Vec<(String, Vec<u8>)>;

/// The JSON export.
#[derive(Debug, Serialize, Deserialize)]
pub struct JsonExport {
    #[serde(flatten)]
    pub file: ExportFile,
    /// Document id -> base64 of the saved Automerge document.
    #[serde(default)]
    pub automerge: BTreeMap<String, String>,
}

/// Why a text is not an export this build can import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportFault {
    #[error("not an Allmende export: {0}")]
    NotAnExport(String),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error(
        "this export holds no Automerge documents, so its roster cannot be checked; \
         export it again with `allmende export json`"
    )]
    NoDocuments,
    #[error("document {id}: {reason}")]
    Damaged { id: String, reason: String },
}

impl JsonExport {
    /// An export of `file` with the saved bytes of its documents.
    #[must_use]
    pub fn new(file: ExportFile, docs: &[(String, Vec<u8>)]) -> Self {
        JsonExport {
            file,
            automerge: docs
                .iter()
                .map(|(id, bytes)| (id.clone(), B64.encode(bytes)))
                .collect(),
        }
    }

    /// Reads an export: its content checked ([`ExportFile::validate`]) and each document's
    /// bytes decoded (whether they are Automerge documents of that community is the
    /// importer's to check).
    ///
    /// # Errors
    /// See [`ExportFault`]. A file without Automerge documents is refused: who may do what
    /// is proven by the community's signed log, which only the documents carry; typed JSON
    /// alone would let anyone write a roster.
    pub fn read(text: &str) -> Result<(ExportFile, Documents), ExportFault> {
        let export: JsonExport =
            serde_json::from_str(text).map_err(|e| ExportFault::NotAnExport(e.to_string()))?;
        export.file.validate()?;
        if export.automerge.is_empty() {
            return Err(ExportFault::NoDocuments);
        }
        let mut docs = Vec::with_capacity(export.automerge.len());
        for (id, b64) in export.automerge {
            let bytes = B64.decode(&b64).map_err(|e| ExportFault::Damaged {
                id: id.clone(),
                reason: e.to_string(),
            })?;
            docs.push((id, bytes));
        }
        Ok((export.file, docs))
    }
}
