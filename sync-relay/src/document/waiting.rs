//! Changes a document holds back until their dependencies come: whose they are, how many
//! bytes, and their chunks. The bytes count against the bringer's quota across every
//! document ([`crate::quota::Quota::hold`]) while they are held, and stop counting as held
//! when they are stored, dropped, or the document's actor ends.

use std::collections::HashMap;
use std::sync::Arc;

use crate::shared::Shared;

pub(super) struct Waiting {
    /// Bytes held back per device key.
    by: HashMap<String, u64>,
    /// The change chunks that arrived while some wait (Automerge shows no metadata of the
    /// changes it holds back): checked with each new message for tangled operation numbers.
    chunks: Vec<Vec<u8>>,
    shared: Arc<Shared>,
}

impl Waiting {
    pub(super) fn new(shared: Arc<Shared>) -> Waiting {
        Waiting {
            by: HashMap::new(),
            chunks: Vec::new(),
            shared,
        }
    }

    /// Bytes held back here, from every device.
    pub(super) fn bytes(&self) -> usize {
        usize::try_from(
            self.by
                .values()
                .fold(0_u64, |sum, b| sum.saturating_add(*b)),
        )
        .unwrap_or(usize::MAX)
    }

    /// The chunks that arrived while some changes wait.
    pub(super) fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        self.chunks.iter().map(Vec::as_slice)
    }

    /// Keeps the chunks of a message while changes wait, forgets them all once none does.
    pub(super) fn arrived(&mut self, chunks: Vec<Vec<u8>>, still_waiting: bool) {
        if still_waiting {
            self.chunks.extend(chunks);
        } else {
            self.chunks.clear();
        }
    }

    /// `bytes` more of `device`'s changes are held back.
    pub(super) fn add(&mut self, device: &str, bytes: u64) {
        let n = self.by.entry(device.to_string()).or_insert(0);
        *n = n.saturating_add(bytes);
        self.shared.quota.hold(device, bytes);
    }

    /// What `device` had held back here, no longer held (it was just stored).
    pub(super) fn take(&mut self, device: &str) -> Option<u64> {
        let bytes = self.by.remove(device)?;
        self.shared.quota.release(device, bytes);
        Some(bytes)
    }

    /// Everything held back here, per device, no longer held (it was just stored).
    pub(super) fn take_all(&mut self) -> Vec<(String, u64)> {
        let all: Vec<(String, u64)> = self.by.drain().collect();
        for (device, bytes) in &all {
            self.shared.quota.release(device, *bytes);
        }
        all
    }

    /// Drops what is held back (the changes were dropped with it).
    pub(super) fn clear(&mut self) {
        self.take_all();
        self.chunks.clear();
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.take_all();
    }
}
