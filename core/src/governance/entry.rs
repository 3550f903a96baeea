//! Signed entries: the only way a protected change enters a document.
//!
//! An entry is stored as `{body, sig}` where `body` is the JSON text of a [`Body`] and `sig`
//! the hex ed25519 signature of the acting device over [`signing_bytes`]. The entry's id (its
//! key in the document's `log` map) is a hash of the same bytes, so an entry cannot be edited
//! in place: any change to the text breaks the id or the signature, and readers ignore it.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::act::Act;
use crate::time::Millis;

/// The version of the entry format this build writes and reads.
pub const ENTRY_VERSION: u8 = 1;

/// One signed entry as stored in a document.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
    Serialize,
    Deserialize,
)]
pub struct Entry {
    pub body: String,
    pub sig: String,
}

/// What an entry says: who (member and device), when, what it had seen, and the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub v: u8,
    pub at: Millis,
    /// The signing device's public key (hex).
    pub device: String,
    /// The acting member (empty for the community's first entry).
    pub member: String,
    /// Ids of the log's latest entries the author had seen: later entries come after these.
    #[serde(default)]
    pub seen: Vec<String>,
    pub act: Act,
}

/// Something that signs with a device key (the runtime holds the secret).
pub trait Signer {
    /// The public key as lowercase hex.
    fn public_hex(&self) -> String;
    /// An ed25519 signature over `message`.
    fn sign(&self, message: &[u8]) -> [u8; 64];
}

/// The bytes a signature covers: a domain tag, the document id and the payload.
#[must_use]
pub fn signing_bytes(tag: &str, doc: &str, payload: &str) -> Vec<u8> {
    format!("allmende/{tag}/1\n{doc}\n{payload}").into_bytes()
}

/// The id of an entry: the first 16 bytes of the SHA-256 of its signing bytes, as hex.
#[must_use]
pub fn entry_id(doc: &str, body: &str) -> String {
    let digest = Sha256::digest(signing_bytes("gov", doc, body));
    hex::encode(&digest[..16])
}

/// Signs `body` for the log of document `doc`; returns the entry's id and the entry.
#[must_use]
pub fn seal(doc: &str, body: &Body, signer: &dyn Signer) -> (String, Entry) {
    let text = serde_json::to_string(body).unwrap_or_default();
    let sig = signer.sign(&signing_bytes("gov", doc, &text));
    (
        entry_id(doc, &text),
        Entry {
            body: text,
            sig: hex::encode(sig),
        },
    )
}

/// Why an entry (or a signed field) was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Flaw {
    #[error("the entry's id does not match its content")]
    WrongId,
    #[error("the entry cannot be read: {0}")]
    Unreadable(String),
    #[error("entry version {0} is not supported")]
    Version(u8),
    #[error("the signature is missing or wrong")]
    BadSignature,
}

/// Signatures already found to hold in this process, by a hash of exactly what was checked
/// (the message, the key and the signature): reading an item again (a list, a roster change,
/// the three questions a join asks of each item's header) does not check them again. Only a
/// check of the very same bytes hits, so it answers as the check would.
static VERIFIED: LazyLock<Mutex<HashSet<[u8; 32]>>> = LazyLock::new(Mutex::default);

/// How many verified signatures are remembered before the memo starts afresh.
const MAX_VERIFIED: usize = 200_000;

/// Checks `sig` (hex) by `device` (hex) over `message`.
///
/// # Errors
/// [`Flaw::BadSignature`] when the key or signature is malformed or does not match.
pub fn check_signature(device: &str, message: &[u8], sig: &str) -> Result<(), Flaw> {
    let mut h = Sha256::new();
    for part in [message, device.as_bytes(), sig.as_bytes()] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let checked: [u8; 32] = h.finalize().into();
    if VERIFIED.lock().is_ok_and(|m| m.contains(&checked)) {
        return Ok(());
    }
    verify_signature(device, message, sig)?;
    if let Ok(mut m) = VERIFIED.lock() {
        if m.len() >= MAX_VERIFIED {
            m.clear();
        }
        m.insert(checked);
    }
    Ok(())
}

/// [`check_signature`] without the memo.
fn verify_signature(device: &str, message: &[u8], sig: &str) -> Result<(), Flaw> {
    let key: [u8; 32] = hex::decode(device)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Flaw::BadSignature)?;
    let sig: [u8; 64] = hex::decode(sig)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Flaw::BadSignature)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| Flaw::BadSignature)?;
    key.verify(message, &Signature::from_bytes(&sig))
        .map_err(|_| Flaw::BadSignature)
}

/// Checks an entry found under `id` in the log of document `doc` and reads its body.
///
/// # Errors
/// A [`Flaw`] saying what is wrong with it.
pub fn open(doc: &str, id: &str, entry: &Entry) -> Result<Body, Flaw> {
    if entry_id(doc, &entry.body) != id {
        return Err(Flaw::WrongId);
    }
    let body: Body =
        serde_json::from_str(&entry.body).map_err(|e| Flaw::Unreadable(e.to_string()))?;
    if body.v != ENTRY_VERSION {
        return Err(Flaw::Version(body.v));
    }
    check_signature(
        &body.device,
        &signing_bytes("gov", doc, &entry.body),
        &entry.sig,
    )?;
    Ok(body)
}
