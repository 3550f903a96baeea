//! Signed changes: every change the app makes is followed by an empty change whose message
//! carries the writing device's signature over the change's hash and the document's id
//! (`allmende-sig/1 <device> <hash>:<signature>`). A change message is part of the history:
//! it cannot be deleted, nor edited without changing the hash. Readers use the signatures to
//! tell which device wrote a value ([`super::body`]) or deleted a mark
//! ([`super::deleted_marks`]).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use automerge::{ActorId, Automerge, ChangeHash, ObjId, ReadDoc, ScalarValue, Value, ROOT};

use super::content::creator_proof;
use super::entry::{check_signature, signing_bytes, Signer};
use super::field_writes::FieldWrites;
use crate::model::{DocKind, Header};
use crate::time::Millis;

/// The start of a change message that signs a change.
pub const SIG_PREFIX: &str = "allmende-sig/1 ";

fn change_bytes(doc: &str, hash: &ChangeHash) -> Vec<u8> {
    signing_bytes("change", doc, &hash.to_string())
}

/// The message of the empty change that signs `hash`, a change this device just made in
/// document `doc`.
#[must_use]
pub fn signature_message(signer: &dyn Signer, doc: &str, hash: &ChangeHash) -> String {
    format!(
        "{SIG_PREFIX}{} {hash}:{}",
        signer.public_hex(),
        hex::encode(signer.sign(&change_bytes(doc, hash)))
    )
}

/// Whether a change message is a signature.
#[must_use]
pub fn is_signature(message: &str) -> bool {
    message.starts_with(SIG_PREFIX)
}

/// The signatures claimed in a document's history, checked as they are needed.
pub(crate) struct Claims {
    doc: String,
    by_change: HashMap<ChangeHash, Vec<(String, String)>>,
    /// Changes without dependencies: where the document began.
    roots: Vec<ChangeHash>,
    /// When each change says it was made (seconds).
    times: HashMap<ChangeHash, i64>,
    /// The operation numbers of each actor's changes that hold operations.
    ranges: HashMap<ActorId, Vec<(u64, u64)>>,
    checked: RefCell<HashMap<ChangeHash, Vec<String>>>,
    /// Every value written to a map field, read when a reader first needs it.
    writes: OnceCell<FieldWrites>,
    /// Per member, how many of their writes a reader found not entitled in this judgement
    /// (see [`super::writers::Owner::wrote_op_limited`]).
    refused: RefCell<HashMap<String, usize>>,
}

impl Claims {
    /// Every device that claims to have signed a change (checked or not).
    pub(crate) fn devices(&self) -> impl Iterator<Item = &str> {
        self.by_change.values().flatten().map(|(d, _)| d.as_str())
    }

    /// Reads the claims of document `doc` (its id) from its change messages. A signature
    /// counts only as the message of an empty change right after the change it signs, by
    /// the same actor with the next sequence number: one change per actor and number can
    /// exist, so nobody can crowd a signature out with others, or sign someone else's change.
    pub(crate) fn read(doc_id: &str, doc: &Automerge) -> Self {
        let mut by_change: HashMap<ChangeHash, Vec<(String, String)>> = HashMap::new();
        let mut roots = Vec::new();
        let mut times = HashMap::new();
        let mut ranges: HashMap<ActorId, Vec<(u64, u64)>> = HashMap::new();
        let metas = doc.get_changes_meta(&[]);
        let written: HashMap<ChangeHash, (&ActorId, u64)> = metas
            .iter()
            .map(|m| (m.hash, (m.actor.as_ref(), m.seq)))
            .collect();
        for meta in &metas {
            times.insert(meta.hash, meta.timestamp);
            if meta.deps.is_empty() {
                roots.push(meta.hash);
            }
            let holds_ops = meta.max_op >= meta.start_op;
            if holds_ops {
                ranges
                    .entry(meta.actor.clone().into_owned())
                    .or_default()
                    .push((meta.start_op, meta.max_op));
                continue;
            }
            let Some(rest) = meta
                .message
                .as_deref()
                .and_then(|m| m.strip_prefix(SIG_PREFIX))
            else {
                continue;
            };
            let Some((device, pair)) = rest.split_once(' ') else {
                continue;
            };
            let Some((hash, sig)) = pair.split_once(':') else {
                continue;
            };
            let Ok(hash) = hash.parse::<ChangeHash>() else {
                continue;
            };
            let next = written
                .get(&hash)
                .is_some_and(|(actor, seq)| **actor == *meta.actor && meta.seq == seq + 1);
            if meta.deps != [hash] || !next {
                continue;
            }
            by_change
                .entry(hash)
                .or_default()
                .push((device.to_string(), sig.to_string()));
        }
        Claims {
            doc: doc_id.to_string(),
            by_change,
            roots,
            times,
            ranges,
            checked: RefCell::default(),
            writes: OnceCell::new(),
            refused: RefCell::default(),
        }
    }

    /// The devices whose signature over `hash` holds.
    pub(crate) fn signers(&self, hash: &ChangeHash) -> Vec<String> {
        if let Some(found) = self.checked.borrow().get(hash) {
            return found.clone();
        }
        let bytes = change_bytes(&self.doc, hash);
        let found: Vec<String> = self
            .by_change
            .get(hash)
            .into_iter()
            .flatten()
            .filter(|(device, sig)| verified(&bytes, device, sig))
            .map(|(device, _)| device.clone())
            .collect();
        self.checked.borrow_mut().insert(*hash, found.clone());
        found
    }

    /// Whether operation `id` could belong to more than one change of its actor (a modified
    /// client can write changes whose operation numbers overlap another's): then nobody can
    /// tell which change wrote it.
    pub(crate) fn ambiguous(&self, id: &ObjId) -> bool {
        let ObjId::Id(counter, actor, _) = id else {
            return false;
        };
        self.ambiguous_op(*counter, actor)
    }

    /// [`Claims::ambiguous`] for operation `counter` of `actor`.
    pub(crate) fn ambiguous_op(&self, counter: u64, actor: &ActorId) -> bool {
        self.ranges.get(actor).is_some_and(|r| {
            r.iter()
                .filter(|(start, max)| *start <= counter && counter <= *max)
                .count()
                > 1
        })
    }

    /// Per member, the writes found not entitled so far in this judgement.
    pub(super) fn refused(&self) -> &RefCell<HashMap<String, usize>> {
        &self.refused
    }

    /// Every value written to a map field of `doc` (the document these claims were read
    /// from), read once.
    pub(super) fn writes(&self, doc: &Automerge) -> &FieldWrites {
        self.writes.get_or_init(|| FieldWrites::read(doc))
    }

    /// The time a change claims, as the end of its second in milliseconds.
    pub(crate) fn at(&self, hash: &ChangeHash) -> Millis {
        self.times.get(hash).map_or(0, |s| {
            s.saturating_add(1).saturating_mul(1000).saturating_sub(1)
        })
    }

    /// The header the document began with: read at a change without dependencies that the
    /// device it names signed, with a creator proof for this id (which only that device can
    /// make). `None` for documents from before changes were signed.
    pub(crate) fn first_header(&self, doc: &Automerge) -> Option<(ChangeHash, Header)> {
        self.roots.iter().find_map(|root| {
            let h = header_at(doc, &[*root])?;
            let signed = self.signers(root).contains(&h.device);
            (signed && creator_proof(&self.doc, &h)).then_some((*root, h))
        })
    }
}

pub(super) fn verified(bytes: &[u8], device: &str, sig: &str) -> bool {
    check_signature(device, bytes, sig).is_ok()
}

/// The header as it was at `heads`, read field by field.
fn header_at(doc: &Automerge, heads: &[ChangeHash]) -> Option<Header> {
    let (_, obj) = doc.get_at(ROOT, "header", heads).ok()??;
    let scalar = |key: &str| match doc.get_at(&obj, key, heads) {
        Ok(Some((Value::Scalar(s), _))) => Some(s.into_owned()),
        _ => None,
    };
    let text = |key: &str| match scalar(key) {
        Some(ScalarValue::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    let number = |key: &str| match scalar(key) {
        Some(ScalarValue::Int(n) | ScalarValue::Timestamp(n)) => n,
        Some(ScalarValue::Uint(n)) => i64::try_from(n).unwrap_or_default(),
        _ => 0,
    };
    Some(Header {
        schema: u64::try_from(number("schema")).unwrap_or_default(),
        kind: text("kind").parse::<DocKind>().ok()?,
        id: text("id"),
        community: text("community"),
        created_at: number("created_at"),
        created_by: text("created_by"),
        device: text("device"),
        nonce: text("nonce"),
        sig: text("sig"),
    })
}

/// The device whose signature holds over each signed change of document `doc_id`.
#[must_use]
pub fn signers(doc_id: &str, doc: &Automerge) -> HashMap<ChangeHash, String> {
    let claims = Claims::read(doc_id, doc);
    let hashes: Vec<ChangeHash> = claims.by_change.keys().copied().collect();
    hashes
        .into_iter()
        .filter_map(|h| claims.signers(&h).into_iter().next().map(|d| (h, d)))
        .collect()
}
