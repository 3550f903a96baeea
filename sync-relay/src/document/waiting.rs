//! Changes a document holds back until their dependencies come, by change hash: who
//! brought each and its bytes. While held they count against the bringer's quota across
//! every document ([`crate::quota::Quota::hold`]); once Automerge applies one, whoever
//! brought it is charged for it (also when another device's change let it in), and when
//! they are dropped, or the document's actor ends, they stop counting.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use automerge::{Automerge, ChangeHash, ReadDoc};
use sha2::{Digest, Sha256};

use crate::shared::Shared;

/// A change held back.
struct Held {
    device: String,
    /// Its chunk (checked with each new message for tangled operation numbers).
    chunk: Vec<u8>,
    /// The changes it waits for (one at least is missing while it is held).
    deps: Vec<ChangeHash>,
    /// What it takes while held: Automerge keeps it inflated (a compressed change counts
    /// as its inflated size against the limit and the quota while it waits).
    bytes: u64,
}

/// A change chunk whose checksum does not match its contents (Automerge drops it, and
/// every chunk after it in the message, without an error).
#[derive(Debug)]
pub(super) struct BadChecksum;

pub(super) struct Waiting {
    held: HashMap<ChangeHash, Held>,
    shared: Arc<Shared>,
}

/// One chunk of a message that the document does not have and does not hold back yet.
pub(super) struct New {
    /// `None` for a chunk that is not one change (a whole document or a bundle).
    pub(super) hash: Option<ChangeHash>,
    pub(super) chunk: Vec<u8>,
}

impl Waiting {
    pub(super) fn new(shared: Arc<Shared>) -> Waiting {
        Waiting {
            held: HashMap::new(),
            shared,
        }
    }

    /// Whether nothing is held back here.
    pub(super) fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Bytes held back here, from every device.
    pub(super) fn bytes(&self) -> usize {
        let all = self
            .held
            .values()
            .fold(0_u64, |sum, h| sum.saturating_add(h.bytes));
        usize::try_from(all).unwrap_or(usize::MAX)
    }

    /// The chunks of the changes held back that `device` brought (`mine`), or that others
    /// brought.
    pub(super) fn chunks_of<'a>(
        &'a self,
        device: &'a str,
        mine: bool,
    ) -> impl Iterator<Item = &'a [u8]> {
        self.held
            .values()
            .filter(move |h| (h.device == device) == mine)
            .map(|h| h.chunk.as_slice())
    }

    /// The chunks (type and bytes) of a message that are new here: neither in `doc` nor
    /// held back already (a change sent again costs nothing).
    ///
    /// # Errors
    /// A change chunk whose checksum is wrong.
    pub(super) fn new_in(
        &self,
        doc: &Automerge,
        chunks: &[(u8, &[u8])],
    ) -> Result<Vec<New>, BadChecksum> {
        let mut seen = HashSet::new();
        let mut new = Vec::new();
        for &(kind, chunk) in chunks {
            let hash = change_hash(kind, chunk)?;
            let known = hash.is_some_and(|h| {
                !seen.insert(h)
                    || self.held.contains_key(&h)
                    || doc.get_change_meta_by_hash(&h).is_some()
            });
            if !known {
                new.push(New {
                    hash,
                    chunk: chunk.to_vec(),
                });
            }
        }
        Ok(new)
    }

    /// After `new` (brought by `device`) was applied to `doc`, whose heads were `before`:
    /// what was stored, per device that brought it (what waited included, once applied);
    /// the changes of `new` that wait are held back.
    pub(super) fn settle(
        &mut self,
        doc: &Automerge,
        before: &[ChangeHash],
        device: &str,
        new: Vec<New>,
    ) -> Vec<(String, u64)> {
        let waits = !doc.get_missing_deps(&[]).is_empty();
        let mut stored: Vec<(String, u64)> = Vec::new();
        let mut charge = |who: &str, bytes: usize| {
            let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
            match stored.iter_mut().find(|(d, _)| d == who) {
                Some((_, n)) => *n = n.saturating_add(bytes),
                None => stored.push((who.to_string(), bytes)),
            }
        };
        if !waits && self.held.is_empty() {
            // Everything the message brought was applied.
            for n in &new {
                charge(device, cost(&n.chunk));
            }
            return stored;
        }
        let applied: HashSet<ChangeHash> = doc
            .get_changes_meta(before)
            .iter()
            .map(|m| m.hash)
            .collect();
        let let_in: Vec<ChangeHash> = self
            .held
            .keys()
            .filter(|h| applied.contains(h))
            .copied()
            .collect();
        for hash in let_in {
            if let Some(h) = self.held.remove(&hash) {
                self.release(&h);
                charge(&h.device, cost(&h.chunk));
            }
        }
        for n in new {
            match n.hash {
                Some(hash) if !applied.contains(&hash) => {
                    let deps = automerge::Change::try_from(n.chunk.as_slice())
                        .map(|c| c.deps().to_vec())
                        .unwrap_or_default();
                    let inflated = allmende_sync_wire::inflate::inflated_size(
                        [n.chunk.as_slice()],
                        usize::MAX - 1,
                    )
                    .unwrap_or(0)
                    .max(cost(&n.chunk));
                    let bytes = u64::try_from(inflated).unwrap_or(u64::MAX);
                    self.shared.quota.hold(device, bytes);
                    self.held.insert(
                        hash,
                        Held {
                            device: device.to_string(),
                            chunk: n.chunk,
                            deps,
                            bytes,
                        },
                    );
                }
                // Applied; or not one change: charged as stored, whatever part of it waits.
                _ => charge(device, cost(&n.chunk)),
            }
        }
        // A held change whose dependencies are all here is not waiting: Automerge would
        // have applied it. It is in no queue (a chunk Automerge dropped, or a queue an
        // error emptied): let go, charged to nobody; sent again, it is new.
        let gone: Vec<ChangeHash> = self
            .held
            .iter()
            .filter(|(_, h)| {
                h.deps
                    .iter()
                    .all(|d| doc.get_change_meta_by_hash(d).is_some())
            })
            .map(|(hash, _)| *hash)
            .collect();
        for hash in gone {
            if let Some(h) = self.held.remove(&hash) {
                self.release(&h);
            }
        }
        stored
    }

    /// The changes devices other than `device` hold back here that tangle with `chunks`
    /// (a twin parked under someone's actor and number), and the held changes that wait
    /// for one of them (they would wait for good).
    pub(super) fn tangling_with(&self, device: &str, chunks: &[&[u8]]) -> HashSet<ChangeHash> {
        let mut out: HashSet<ChangeHash> = self
            .held
            .iter()
            .filter(|(_, h)| {
                h.device != device
                    && allmende_core::governance::tangled::tangle_between(
                        chunks.iter().copied(),
                        std::iter::once(h.chunk.as_slice()),
                    )
            })
            .map(|(hash, _)| *hash)
            .collect();
        // What waits for one of them, directly or not.
        let mut waiting_for: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
        for (hash, h) in &self.held {
            for d in &h.deps {
                waiting_for.entry(*d).or_default().push(*hash);
            }
        }
        let mut next: Vec<ChangeHash> = out.iter().copied().collect();
        while let Some(hash) = next.pop() {
            for after in waiting_for.get(&hash).into_iter().flatten() {
                if out.insert(*after) {
                    next.push(*after);
                }
            }
        }
        out
    }

    /// Drops what is held back (the changes were dropped with it).
    pub(super) fn clear(&mut self) {
        for (_, h) in std::mem::take(&mut self.held) {
            self.release(&h);
        }
    }

    fn release(&self, h: &Held) {
        self.shared.quota.release(&h.device, h.bytes);
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Who pays for a first upload built again from the messages of the writers `kept` alone:
/// each change of `doc` is charged to the first of them whose message brought it (a
/// chunk that is not one change, to whoever brought it). Charges made as the round's
/// messages came in cannot stand: a change a refused stranger sent first cost the writer
/// who sent it again nothing.
pub(super) fn first_upload_charges(
    doc: &Automerge,
    first_writes: &[(u64, Vec<u8>)],
    kept: &[crate::shared::ConnHandle],
) -> Vec<(String, u64)> {
    let mut charged = HashSet::new();
    let mut out: Vec<(String, u64)> = Vec::new();
    for (conn, data) in first_writes {
        let Some(writer) = kept.iter().find(|k| k.id == *conn) else {
            continue;
        };
        let Ok(message) = automerge::sync::Message::decode(data) else {
            continue;
        };
        let Ok(chunks) = allmende_sync_wire::inflate::chunks(message.changes.iter()) else {
            continue;
        };
        let device = crate::admission::device_of(&writer.peer).to_string();
        for (kind, chunk) in chunks {
            let pays = match change_hash(kind, chunk) {
                Ok(Some(h)) => doc.get_change_meta_by_hash(&h).is_some() && charged.insert(h),
                Ok(None) => true,
                Err(BadChecksum) => false,
            };
            if pays {
                let bytes = u64::try_from(cost(chunk)).unwrap_or(u64::MAX);
                match out.iter_mut().find(|(d, _)| *d == device) {
                    Some((_, n)) => *n = n.saturating_add(bytes),
                    None => out.push((device.clone(), bytes)),
                }
            }
        }
    }
    out
}

/// Drops the changes `doc` holds back and lets go of what `waiting` held for them; false
/// when the document could not be loaded again without them (it is then damaged).
pub(super) fn drop_all(doc: &mut Automerge, waiting: &mut Waiting) -> bool {
    let ok = if doc.get_missing_deps(&[]).is_empty() {
        true
    } else {
        match without_waiting(doc) {
            Ok(d) => {
                *doc = d;
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot drop waiting changes");
                false
            }
        }
    };
    waiting.clear();
    ok
}

/// Drops the held changes `these` from `doc` and lets go of what they held; what else waits
/// stays held (the document is loaded again from its applied changes, and the other held
/// changes are queued again). Returns the devices whose changes went (their clients send
/// them again once their sync starts over); `None` when the document could not be loaded
/// again (it is then damaged, and nothing is held).
pub(super) fn drop_these(
    doc: &mut Automerge,
    waiting: &mut Waiting,
    these: &HashSet<ChangeHash>,
) -> Option<Vec<String>> {
    let mut devices: Vec<String> = Vec::new();
    for hash in these {
        if let Some(h) = waiting.held.remove(hash) {
            waiting.release(&h);
            if !devices.contains(&h.device) {
                devices.push(h.device);
            }
        }
    }
    // The changes still held, queued again in one go.
    let rest: Vec<u8> = waiting
        .held
        .values()
        .flat_map(|h| h.chunk.iter().copied())
        .collect();
    let rebuilt = without_waiting(doc).and_then(|mut d| {
        if rest.is_empty() {
            return Ok(d);
        }
        // Automerge 0.12 panics on some changes rather than refusing them: then nothing
        // stays held.
        let queued =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| d.load_incremental(&rest)));
        match queued {
            Ok(result) => result.map(|_| d),
            Err(_) => {
                for h in waiting.held.values() {
                    if !devices.contains(&h.device) {
                        devices.push(h.device.clone());
                    }
                }
                waiting.clear();
                without_waiting(doc)
            }
        }
    });
    match rebuilt {
        Ok(d) => {
            *doc = d;
            Some(devices)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot drop waiting changes");
            waiting.clear();
            None
        }
    }
}

/// What one operation is charged, in bytes: a change's columns can claim a million
/// operations in 60 bytes, and every device that holds the document holds each of them.
/// An honest change takes one or two bytes per operation.
pub(super) const OPERATION_BYTES: usize = 16;

/// What storing `chunk` is charged against quotas and the document's limit: its bytes, or
/// [`OPERATION_BYTES`] per operation its columns claim, whichever is more.
pub(super) fn cost(chunk: &[u8]) -> usize {
    // The message passed the checks of `receive.rs`: the count is bounded, and a chunk it
    // cannot read costs its bytes.
    let ops = allmende_sync_wire::runs::operations(
        [chunk],
        allmende_sync_wire::runs::LIMITS,
        usize::MAX - 1,
    )
    .unwrap_or(0);
    let ops = usize::try_from(ops).unwrap_or(usize::MAX);
    chunk.len().max(ops.saturating_mul(OPERATION_BYTES))
}

/// Whether every change of `chunks` (the chunks of one message) applies to `doc` now: each
/// depends only on changes `doc` has or the message brings. A whole document counts as
/// applying (it holds its own history).
pub(super) fn applies_now(doc: &Automerge, chunks: &[(u8, &[u8])]) -> bool {
    let mut brought = HashSet::new();
    let mut deps = Vec::new();
    for &(kind, chunk) in chunks {
        if !matches!(kind, 1 | 2) {
            continue;
        }
        let Ok(change) = automerge::Change::try_from(chunk) else {
            return false;
        };
        brought.insert(change.hash());
        deps.extend(change.deps().iter().copied());
    }
    deps.iter()
        .all(|d| brought.contains(d) || doc.get_change_meta_by_hash(d).is_some())
}

/// `doc` without the changes it holds back (Automerge keeps them until their dependencies
/// come; a document loaded from its applied changes alone has none).
pub(super) fn without_waiting(doc: &Automerge) -> Result<Automerge, automerge::AutomergeError> {
    let applied = doc.save_with_options(automerge::SaveOptions {
        deflate: false,
        retain_orphans: false,
    });
    Automerge::load(&applied)
}

/// The hash of a change chunk (type 1, or 2 compressed), as Automerge computes it;
/// `None` for other chunks.
///
/// # Errors
/// A change chunk whose checksum (the first bytes of its hash) does not match.
fn change_hash(kind: u8, chunk: &[u8]) -> Result<Option<ChangeHash>, BadChecksum> {
    let hash = match kind {
        1 => {
            // Magic and checksum, then the type, the length and the data: the hash covers
            // the type, the length (as Automerge writes it) and the data.
            let rest = chunk.get(9..).ok_or(BadChecksum)?;
            let (len, used) = uleb(rest).ok_or(BadChecksum)?;
            let data = rest.get(used..).ok_or(BadChecksum)?;
            if u64::try_from(data.len()).ok() != Some(len) {
                return Err(BadChecksum);
            }
            let mut header = vec![kind];
            let mut n = len;
            loop {
                let byte = u8::try_from(n & 0x7f).unwrap_or(0);
                n >>= 7;
                if n == 0 {
                    header.push(byte);
                    break;
                }
                header.push(byte | 0x80);
            }
            let mut hasher = Sha256::new();
            hasher.update(&header);
            hasher.update(data);
            ChangeHash(hasher.finalize().into())
        }
        2 => automerge::Change::try_from(chunk)
            .map_err(|_| BadChecksum)?
            .hash(),
        _ => return Ok(None),
    };
    // The checksum is the first bytes of the hash (of the inflated change, for a
    // compressed one).
    if chunk.get(4..8) != Some(&hash.0[..4]) {
        return Err(BadChecksum);
    }
    Ok(Some(hash))
}

/// An unsigned LEB128 number at the start of `bytes`, and how many bytes it took.
fn uleb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(u32::try_from(7 * i).ok()?)?;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn a_change_chunks_hash_is_the_one_automerge_gives_it() {
        let mut doc = Automerge::new();
        let mut compressed_seen = false;
        for len in [3_usize, 200, 5_000] {
            doc.transact(|t| t.put(automerge::ROOT, "text", "x".repeat(len)))
                .expect("edit");
            let change = doc.get_last_local_change().expect("a change");
            let bytes = change.raw_bytes().to_vec();
            let chunks = allmende_sync_wire::inflate::chunks([bytes.as_slice()]).expect("chunks");
            let (kind, chunk) = chunks[0];
            assert_eq!(
                change_hash(kind, chunk).expect("checksum"),
                Some(change.hash()),
                "{len} bytes, type {kind}"
            );
            let mut bad = chunk.to_vec();
            bad[4] ^= 1;
            assert!(
                change_hash(kind, &bad).is_err(),
                "a wrong checksum is refused"
            );
            // The same change compressed (type 2), as a client may send a large one.
            let compressed = change.clone().bytes().to_vec();
            let chunks =
                allmende_sync_wire::inflate::chunks([compressed.as_slice()]).expect("chunks");
            let (kind, chunk) = chunks[0];
            assert_eq!(
                change_hash(kind, chunk).expect("checksum"),
                Some(change.hash()),
                "{len} bytes compressed, type {kind}"
            );
            if kind == 2 {
                compressed_seen = true;
                let mut bad = chunk.to_vec();
                bad[4] ^= 1;
                assert!(
                    change_hash(kind, &bad).is_err(),
                    "a compressed change's wrong checksum is refused"
                );
            }
        }
        assert!(compressed_seen, "a compressed change was checked");
    }
}
