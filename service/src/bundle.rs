//! Sneakernet bundles: everything a community holds in one file (USB stick, messenger).
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! "ALLMENDE-BUNDLE\n"   16 bytes, the magic
//! version               u16 (1)
//! header length         u32, then the header: JSON {community, name, exported_at, docs: [{id, len}]}
//! documents             the saved Automerge bytes of each document, in header order
//! checksum              32 bytes: SHA-256 of everything before
//! ```
//!
//! Import checks the magic, the version, the checksum, the lengths, and then every document
//! (via `Service::receive_many`: valid Automerge, header, schema, one community, the declared
//! one) before writing anything, in one transaction. Importing the same bundle again changes
//! nothing: documents merge.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ImportReport, Service};
use allmende_store::error::{PeerError, Result};

const MAGIC: &[u8; 16] = b"ALLMENDE-BUNDLE\n";
const VERSION: u16 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    community: String,
    name: String,
    exported_at: i64,
    docs: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    id: String,
    len: u64,
}

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
        let header = Header {
            community,
            name,
            exported_at: self.now(),
            docs: docs
                .iter()
                .map(|(id, b)| Entry {
                    id: id.clone(),
                    len: b.len() as u64,
                })
                .collect(),
        };
        let header = serde_json::to_vec(&header)?;
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(
            &u32::try_from(header.len())
                .map_err(|_| refuse("header too large"))?
                .to_le_bytes(),
        );
        out.extend_from_slice(&header);
        for (_, bytes) in &docs {
            out.extend_from_slice(bytes);
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        Ok(out)
    }

    /// Merges a bundle; refuses damaged or foreign files with a clear error and no change.
    ///
    /// # Errors
    /// [`PeerError::BadInput`] for a file that is not a bundle, a newer version, a damaged
    /// bundle, or documents that do not belong to the bundle's community.
    pub fn import_bundle(&mut self, bytes: &[u8]) -> Result<ImportReport> {
        if bytes.len() < MAGIC.len() + 2 + 4 + 32 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(refuse("this file is not a bundle"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err(refuse(
                "the checksum does not match (the file is damaged or incomplete)",
            ));
        }
        let mut at = MAGIC.len();
        let version = u16::from_le_bytes([body[at], body[at + 1]]);
        at += 2;
        if version != VERSION {
            return Err(refuse(&format!(
                "bundle version {version} is newer than this app (knows {VERSION})"
            )));
        }
        let header_len =
            u32::from_le_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]) as usize;
        at += 4;
        let header: Header = body
            .get(at..at + header_len)
            .and_then(|h| serde_json::from_slice(h).ok())
            .ok_or_else(|| refuse("the header is damaged"))?;
        at += header_len;
        let mut docs = Vec::new();
        for entry in &header.docs {
            let len = usize::try_from(entry.len).map_err(|_| refuse("a length is damaged"))?;
            let doc = body
                .get(at..at + len)
                .ok_or_else(|| refuse("a document is cut off"))?;
            docs.push((entry.id.clone(), doc.to_vec()));
            at += len;
        }
        if at != body.len() {
            return Err(refuse("unexpected bytes after the documents"));
        }
        self.receive_from_file(&docs, Some(&header.community))
            .map_err(|e| match e {
                PeerError::BadInput(m) => refuse(&m),
                other => other,
            })
    }
}
