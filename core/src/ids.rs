//! Identifiers: automerge-repo compatible document ids and short ids for entries inside a document.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A document id as automerge-repo writes it: base58check of 16 random bytes.
///
/// Every community, profile, idea, project, request, organisation, opportunity, event and post
/// is one document, so a document id is also the id of the item people see.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId(String);

impl DocId {
    /// Encodes 16 bytes (from the caller's random source) as a document id. The version and
    /// variant bits are set as in a random UUID (v4), which automerge-repo 1.x requires.
    #[must_use]
    pub fn from_bytes(mut bytes: [u8; 16]) -> Self {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        DocId(bs58::encode(bytes).with_check().into_string())
    }

    /// The id of a document whose creator has authority over it (a community, a project):
    /// derived from the creating device's key and a nonce, so a reader can check that a
    /// claimed creator really made it.
    #[must_use]
    pub fn derive(device: &str, nonce: &str) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("allmende/doc-id/1\n{device}\n{nonce}"));
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        DocId::from_bytes(bytes)
    }

    /// Parses and checks a document id (or an `automerge:` URL).
    ///
    /// # Errors
    /// [`DomainError::InvalidId`] when the text is not base58check of 16 bytes.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix("automerge:").unwrap_or(trimmed);
        let invalid = || DomainError::InvalidId {
            value: text.to_string(),
        };
        let bytes = bs58::decode(bare)
            .with_check(None)
            .into_vec()
            .map_err(|_| invalid())?;
        if bytes.len() != 16 {
            return Err(invalid());
        }
        Ok(DocId(bare.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The automerge-repo URL of this document.
    #[must_use]
    pub fn url(&self) -> String {
        format!("automerge:{}", self.0)
    }

    /// The first eight characters, enough for people to tell items apart on screen.
    #[must_use]
    pub fn short(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DocId {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DocId::parse(&value)
    }
}

impl From<DocId> for String {
    fn from(id: DocId) -> String {
        id.0
    }
}

/// Where fresh ids come from. The runtime passes a random source; tests pass a counter.
pub trait IdSource {
    /// A fresh document id.
    fn doc_id(&mut self) -> DocId;
    /// A fresh short id for an entry inside a document (comment, task, step, ...).
    fn short_id(&mut self) -> String;
}

/// A deterministic [`IdSource`] for tests and simulations: ids from a counter and a seed.
#[derive(Debug, Clone)]
pub struct CountingIds {
    seed: u64,
    next: u64,
}

impl CountingIds {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { seed, next: 0 }
    }
}

impl IdSource for CountingIds {
    fn doc_id(&mut self) -> DocId {
        self.next += 1;
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.seed.to_be_bytes());
        bytes[8..].copy_from_slice(&self.next.to_be_bytes());
        DocId::from_bytes(bytes)
    }

    fn short_id(&mut self) -> String {
        self.next += 1;
        format!("s{:x}x{}", self.seed, self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_round_trip_and_reject_garbage() {
        let id = DocId::from_bytes([7; 16]);
        assert_eq!(DocId::parse(id.as_str()), Ok(id.clone()));
        assert_eq!(DocId::parse(&id.url()), Ok(id.clone()));
        assert!(DocId::parse("hello").is_err());
        let mut broken = id.as_str().to_string();
        broken.pop();
        broken.push('1');
        assert!(DocId::parse(&broken).is_err(), "checksum must catch typos");
    }
}
