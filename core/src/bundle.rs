//! The sneakernet bundle format: everything a community holds in one file (USB stick,
//! messenger). Pure: the service reads the documents out of its store and merges what a
//! bundle brings; this module only writes and reads the bytes, trusting none of them.
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

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::time::Millis;

const MAGIC: &[u8; 16] = b"ALLMENDE-BUNDLE\n";
/// The bundle format this build writes and reads.
pub const VERSION: u16 = 1;

/// What a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The community it claims to be from (the importer checks every document against it).
    pub community: String,
    pub name: String,
    pub exported_at: Millis,
    /// Document id and saved Automerge bytes, in the file's order.
    pub docs: Vec<(String, Vec<u8>)>,
}

/// Why bytes are not a bundle this build can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleFault {
    #[error("this file is not a bundle")]
    NotABundle,
    #[error("the checksum does not match (the file is damaged or incomplete)")]
    Checksum,
    #[error("bundle version {0} is newer than this app (knows {VERSION})")]
    NewerVersion(u16),
    #[error("the header is damaged")]
    Header,
    #[error("a document is cut off")]
    CutOff,
    #[error("unexpected bytes after the documents")]
    Trailing,
    #[error("header too large")]
    TooLarge,
}

#[derive(Serialize, Deserialize)]
struct Header {
    community: String,
    name: String,
    exported_at: i64,
    docs: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    id: String,
    len: u64,
}

impl Bundle {
    /// The bundle's bytes.
    ///
    /// # Errors
    /// A header over 4 GiB.
    pub fn encode(&self) -> Result<Vec<u8>, BundleFault> {
        let header = Header {
            community: self.community.clone(),
            name: self.name.clone(),
            exported_at: self.exported_at,
            docs: self
                .docs
                .iter()
                .map(|(id, b)| Entry {
                    id: id.clone(),
                    len: b.len() as u64,
                })
                .collect(),
        };
        let header = serde_json::to_vec(&header).map_err(|_| BundleFault::Header)?;
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(
            &u32::try_from(header.len())
                .map_err(|_| BundleFault::TooLarge)?
                .to_le_bytes(),
        );
        out.extend_from_slice(&header);
        for (_, bytes) in &self.docs {
            out.extend_from_slice(bytes);
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        Ok(out)
    }

    /// Reads a bundle: magic, version, checksum, header and every length are checked; the
    /// documents themselves are the importer's to check.
    ///
    /// # Errors
    /// See [`BundleFault`].
    pub fn decode(bytes: &[u8]) -> Result<Bundle, BundleFault> {
        if bytes.len() < MAGIC.len() + 2 + 4 + 32 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(BundleFault::NotABundle);
        }
        let (body, sum) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err(BundleFault::Checksum);
        }
        let mut at = MAGIC.len();
        let version = u16::from_le_bytes([body[at], body[at + 1]]);
        at += 2;
        if version != VERSION {
            return Err(BundleFault::NewerVersion(version));
        }
        let header_len =
            u32::from_le_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]) as usize;
        at += 4;
        let header: Header = at
            .checked_add(header_len)
            .and_then(|end| body.get(at..end))
            .and_then(|h| serde_json::from_slice(h).ok())
            .ok_or(BundleFault::Header)?;
        at += header_len;
        let mut docs = Vec::with_capacity(header.docs.len().min(body.len()));
        for entry in header.docs {
            let doc = usize::try_from(entry.len)
                .ok()
                .and_then(|len| Some((len, at.checked_add(len)?)))
                .and_then(|(len, end)| Some((len, body.get(at..end)?)))
                .ok_or(BundleFault::CutOff)?;
            docs.push((entry.id, doc.1.to_vec()));
            at += doc.0;
        }
        if at != body.len() {
            return Err(BundleFault::Trailing);
        }
        Ok(Bundle {
            community: header.community,
            name: header.name,
            exported_at: header.exported_at,
            docs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        Bundle {
            community: "C1".into(),
            name: "Grünhausen".into(),
            exported_at: 7,
            docs: vec![("a".into(), vec![1, 2, 3]), ("b".into(), Vec::new())],
        }
    }

    #[test]
    fn a_bundle_reads_back_as_written() {
        let bytes = sample().encode().expect("encode");
        assert_eq!(Bundle::decode(&bytes), Ok(sample()));
    }

    #[test]
    fn damage_anywhere_is_refused_with_its_reason() {
        let bytes = sample().encode().expect("encode");
        assert_eq!(Bundle::decode(b"hello"), Err(BundleFault::NotABundle));
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert_eq!(Bundle::decode(&flipped), Err(BundleFault::Checksum));
        // Well-formed checksums over a bad inside: the next check says what is wrong.
        let resum = |mut b: Vec<u8>| {
            b.truncate(b.len() - 32);
            let sum = Sha256::digest(&b);
            b.extend_from_slice(&sum);
            b
        };
        let mut newer = bytes.clone();
        newer[16] = 9;
        assert_eq!(
            Bundle::decode(&resum(newer)),
            Err(BundleFault::NewerVersion(9))
        );
        let mut long = bytes.clone();
        long[18..22].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Bundle::decode(&resum(long)), Err(BundleFault::Header));
        let mut cut = bytes.clone();
        cut.truncate(cut.len() - 32 - 1);
        assert_eq!(
            Bundle::decode(&resum([cut, vec![0; 32]].concat())),
            Err(BundleFault::CutOff)
        );
        let mut more = bytes;
        more.truncate(more.len() - 32);
        more.push(0);
        assert_eq!(
            Bundle::decode(&resum([more, vec![0; 32]].concat())),
            Err(BundleFault::Trailing)
        );
    }
}
