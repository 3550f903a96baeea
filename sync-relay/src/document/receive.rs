//! Taking in one sync message: access, size, inflation, tangled operation numbers and the
//! member's quota are checked before the changes are applied, and what was brought is
//! charged to the devices that brought it.

use std::sync::Arc;

use automerge::sync::{self, SyncDoc};
use automerge::ChangeHash;

use super::waiting::{applies_now, drop_all, drop_these, New};
use super::{Document, Pace, Peer};
use crate::metrics::Metrics;
use crate::protocol;
use crate::shared::ConnHandle;

impl Document {
    /// Applies one sync message; true when it was accepted.
    pub(super) fn receive(
        &mut self,
        conn: ConnHandle,
        data: &[u8],
        decoded: Result<sync::Message, sync::ReadMessageError>,
        asked: &mut Vec<u64>,
    ) -> bool {
        if self.damaged {
            // Logged when loading; the document is not served until it is repaired.
            conn.send(protocol::doc_unavailable(
                &self.shared.relay_id,
                &conn.peer,
                &self.id,
            ));
            return false;
        }
        if !self.shared.access.allows(&self.id, &conn.peer) {
            self.refuse(&conn);
            return false;
        }
        if self.disk.bytes + self.unsaved + self.waiting.bytes() + data.len()
            > self.shared.max_document_bytes
        {
            tracing::warn!(doc = %self.id, peer = %conn.peer, "refused: the document would exceed its size limit");
            Metrics::add(&self.shared.metrics.closed_bad_input, 1);
            conn.close(format!(
                "document {} would exceed the limit of {} bytes",
                self.id, self.shared.max_document_bytes
            ));
            self.peers.remove(&conn.id);
            return false;
        }
        let id = conn.id;
        let followers = self.peers.len() + 1;
        let peer = self.peers.entry(id).or_insert_with(|| {
            Box::new(Peer {
                conn,
                state: Arc::default(),
                pace: Pace::default(),
            })
        });
        peer.pace.answered();
        let heads = self.doc.get_heads();
        if let Some(after) = self.acks.get(&heads, data, &peer.state) {
            peer.state = after;
        } else {
            let message = match decoded {
                Ok(m) => m,
                Err(e) => {
                    Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                    peer.conn.close(format!("malformed sync message: {e}"));
                    self.peers.remove(&id);
                    return false;
                }
            };
            if let Err(e) = crate::inflate::inflated_size(
                message.changes.iter(),
                self.shared.max_inflated_bytes,
            ) {
                tracing::warn!(doc = %self.id, peer = %peer.conn.peer, error = %e, "refused: changes that inflate too far");
                Metrics::add(&self.shared.metrics.refused_inflated, 1);
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn.close(format!("changes refused: {e}"));
                self.peers.remove(&id);
                return false;
            }
            // Columns claiming billions of operations in a few bytes (Automerge would walk
            // them for good), bloom filters Automerge cannot use (it would divide by zero,
            // or allocate gigabytes, for every change here) or too many of them, and a change
            // asked for twice (Automerge panics answering): refused before anything reads
            // them.
            let sane = allmende_sync_wire::runs::operations(
                message.changes.iter(),
                allmende_sync_wire::runs::LIMITS,
                self.shared.max_inflated_bytes,
            )
            .and_then(|brought| {
                // What the document holds and what the message brings, against the
                // document's limit of operations (counted only when changes come).
                if brought == 0 {
                    return Ok(());
                }
                let held: u64 = self
                    .doc
                    .get_changes_meta(&[])
                    .iter()
                    .map(|m| (m.max_op + 1).saturating_sub(m.start_op))
                    .sum();
                let limit = self.shared.max_document_operations;
                if held.saturating_add(brought) > limit {
                    Err(allmende_sync_wire::inflate::Refused::TooManyOperations { limit })
                } else {
                    Ok(())
                }
            })
            .and_then(|()| {
                allmende_sync_wire::runs::asks(
                    message.need.iter().map(|h| &h.0),
                    message.have.len(),
                )
            })
            .and_then(|()| {
                message
                    .have
                    .iter()
                    .try_for_each(|h| allmende_sync_wire::runs::bloom(&h.bloom.to_bytes()))
            });
            if let Err(e) = sane {
                tracing::warn!(doc = %self.id, peer = %peer.conn.peer, error = %e, "refused: a message Automerge cannot read safely");
                Metrics::add(&self.shared.metrics.refused_operations, 1);
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn.close(format!("changes refused: {e}"));
                self.peers.remove(&id);
                return false;
            }
            // Every chunk of the message (Automerge reads the entries as one stream) against
            // the document, and against what this device has waiting here.
            // (The inflate guard above refused what is not chunks.)
            let typed =
                allmende_sync_wire::inflate::chunks(message.changes.iter()).unwrap_or_default();
            let chunks: Vec<&[u8]> = typed.iter().map(|(_, bytes)| *bytes).collect();
            let device = crate::admission::device_of(&peer.conn.peer).to_string();
            let tangled = !chunks.is_empty()
                && (allmende_core::governance::tangled::tangles(&self.doc, chunks.iter().copied())
                    || !self.waiting.is_empty()
                        && allmende_core::governance::tangled::tangle_between(
                            chunks.iter().copied(),
                            self.waiting.chunks_of(&device, true),
                        ));
            if tangled {
                tracing::warn!(doc = %self.id, peer = %peer.conn.peer, "refused: changes with tangled operation numbers");
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn.close(
                    "changes refused: two changes of one device claim the same operation numbers"
                        .to_string(),
                );
                self.peers.remove(&id);
                return false;
            }
            // What the message brings that is new here: a change the relay has, or holds
            // back already, costs nothing again.
            let Ok(new) = self.waiting.new_in(&self.doc, &typed) else {
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn
                    .close("changes refused: a change whose checksum does not match".to_string());
                self.peers.remove(&id);
                return false;
            };
            // A change another device has waiting here that claims the numbers of one just
            // arrived (a twin a modified client parked under someone else's actor, to keep
            // their next change out): what arrived wins only if it applies now; then the
            // twin goes (with what waits for it) and the followers of the devices that
            // brought them start over, so that their clients send what they had waiting
            // again. What others have waiting stays (else one member with two keys could make
            // the relay drop everybody's waiting changes with every message), and a change
            // that would wait itself displaces nothing (else two keys could take turns
            // displacing each other's twin, each time at the cost of a reload).
            let twins = if chunks.is_empty()
                || self.waiting.is_empty()
                || !allmende_core::governance::tangled::tangle_between(
                    chunks.iter().copied(),
                    self.waiting.chunks_of(&device, false),
                ) {
                std::collections::HashSet::new()
            } else {
                self.waiting.tangling_with(&device, &chunks)
            };
            if !twins.is_empty() && !applies_now(&self.doc, &typed) {
                tracing::warn!(doc = %self.id, peer = %peer.conn.peer, "refused: a change that would wait, tangled with one waiting");
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn.close(
                    "changes refused: a change that waits for others claims the numbers of one already waiting"
                        .to_string(),
                );
                self.peers.remove(&id);
                return false;
            }
            let carried = !typed.is_empty();
            // Charged by bytes, or by the operations the columns claim where that is more
            // (`waiting::cost`).
            let size = new.iter().fold(0_u64, |sum, n| {
                sum.saturating_add(
                    u64::try_from(super::waiting::cost(&n.chunk)).unwrap_or(u64::MAX),
                )
            });
            let answer = message.changes.iter().all(<[u8]>::is_empty);
            // A member's devices share one quota: adding devices gives no more room. What
            // any of them holds back waiting, in any document, counts too (else a member
            // could park a quota's worth through every key, in every document).
            let group = self.shared.access.quota_keys(&peer.conn.peer, &self.id);
            if size > 0 && !self.shared.quota.allows_together(&group, size) {
                let conn = peer.conn.clone();
                self.over_quota(&conn);
                return false;
            }
            // Only now, with the message past every refusal, does the twin go.
            let dropped = if twins.is_empty() {
                Vec::new()
            } else if let Some(devices) = drop_these(&mut self.doc, &mut self.waiting, &twins) {
                devices
            } else {
                self.damaged = true;
                peer.conn
                    .close("the document cannot be read here".to_string());
                self.peers.remove(&id);
                return false;
            };
            // What was held went: it is new again.
            let new = if twins.is_empty() {
                new
            } else {
                self.waiting.new_in(&self.doc, &typed).unwrap_or_default()
            };
            let before = answer.then(|| sync::State::clone(&peer.state));
            let state = Arc::make_mut(&mut peer.state);
            // Automerge 0.12 panics on some changes instead of refusing them (one whose
            // sequence number skips one of its actor's, its dependencies present): such a
            // message closes its connection and the document is loaded again as stored,
            // instead of ending the document's task (and every follower's sync with it).
            let doc = &mut self.doc;
            let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                doc.receive_sync_message(state, message)
            }));
            let Ok(applied) = applied else {
                tracing::warn!(doc = %self.id, peer = %peer.conn.peer, "refused: a change Automerge cannot apply (it panicked)");
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn
                    .close("changes refused: a change that cannot be applied".to_string());
                self.peers.remove(&id);
                self.reload();
                return false;
            };
            if let Err(e) = applied {
                Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                peer.conn.close(format!("sync message does not apply: {e}"));
                self.peers.remove(&id);
                // A change under an actor and number the document has makes Automerge drop
                // that actor's waiting changes on the way (refused above as tangled; should
                // one pass, what is held goes with them).
                if matches!(e, automerge::AutomergeError::DuplicateSeqNumber(..)) {
                    self.drop_waiting();
                }
                self.start_over(id, &dropped);
                return false;
            }
            if state.sent_hashes.is_empty() {
                // Everything sent has arrived. An emptied set keeps its node; a follower in
                // step should hold no memory for changes in flight.
                state.sent_hashes = std::collections::BTreeSet::new();
            }
            self.states.share(&mut peer.state, followers);
            if let Some(before) = before {
                self.acks.put(&heads, data, before, &peer.state);
            }
            self.start_over(id, &dropped);
            if carried && !self.settle(&device, new, &heads, id) {
                return false;
            }
        }
        if !asked.contains(&id) {
            asked.push(id);
        }
        true
    }

    /// Accounts for the changes `new` that `device` just brought (the document's heads were
    /// `before`): what is stored now is charged to the devices that brought it (changes
    /// that waited included, once applied); what waits is held back and counts against the
    /// limit. Changes that wait in a document the relay does not hold, or past its limit,
    /// close the connection `id` and are dropped. True when the connection stays.
    fn settle(&mut self, device: &str, new: Vec<New>, before: &[ChangeHash], id: u64) -> bool {
        for (d, bytes) in self.waiting.settle(&self.doc, before, device, new) {
            self.unsaved = self
                .unsaved
                .saturating_add(usize::try_from(bytes).unwrap_or(usize::MAX));
            self.shared.quota.charge(&d, bytes);
            self.charges.push((d, bytes));
        }
        if automerge::ReadDoc::get_missing_deps(&self.doc, &[]).is_empty() {
            return true;
        }
        let empty = self.doc.get_heads().is_empty();
        if !empty
            && self.disk.bytes + self.unsaved + self.waiting.bytes()
                <= self.shared.max_document_bytes
        {
            return true;
        }
        Metrics::add(&self.shared.metrics.refused_missing_dependencies, 1);
        if let Some(peer) = self.peers.remove(&id) {
            tracing::warn!(doc = %self.id, peer = %peer.conn.peer, "refused: changes waiting for missing dependencies");
            peer.conn.close(if empty {
                format!(
                    "document {}: changes that wait for changes the relay does not have",
                    self.id
                )
            } else {
                format!(
                    "document {}: changes waiting for changes that never came pass the limit of {} bytes",
                    self.id, self.shared.max_document_bytes
                )
            });
        }
        self.drop_waiting();
        false
    }

    /// The document as stored, after Automerge panicked on a message (what this round
    /// applied before is not acknowledged yet, and goes): nothing waits, nothing is charged
    /// for this round, and every follower starts over (their sync states may count changes
    /// that went). A document that cannot be read back is not served.
    fn reload(&mut self) {
        let stored = self.shared.store.document(&self.id);
        let doc = match &stored {
            Ok(s) if s.bytes.is_empty() => Ok(automerge::Automerge::new()),
            Ok(s) => automerge::Automerge::load(&s.bytes).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match doc {
            Ok(doc) => self.doc = doc,
            Err(e) => {
                tracing::error!(doc = %self.id, error = %e, "cannot load the document again; not serving it");
                self.doc = automerge::Automerge::new();
                self.damaged = true;
            }
        }
        self.waiting.clear();
        self.unsaved = 0;
        self.charges.clear();
        for p in self.peers.values_mut() {
            p.state = afresh(&p.state);
        }
    }

    /// Starts over the sync with the followers (but `id`) of the devices `dropped`, whose
    /// waiting changes went: their clients are told to send again what they sent before
    /// (else they would take those changes as arrived).
    fn start_over(&mut self, id: u64, dropped: &[String]) {
        if dropped.is_empty() {
            return;
        }
        for (other, p) in &mut self.peers {
            let device = crate::admission::device_of(&p.conn.peer);
            if *other != id && dropped.iter().any(|d| d == device) {
                p.state = afresh(&p.state);
            }
        }
    }

    /// Drops the changes that wait for a dependency, and lets go of what they held.
    fn drop_waiting(&mut self) {
        if !drop_all(&mut self.doc, &mut self.waiting) {
            self.damaged = true;
        }
    }
}

/// A follower's sync state started over: their client is told to send again what it sent
/// before (Automerge's sync reset, or empty heads for a client without it), since what it
/// took as arrived may not be here.
pub(super) fn afresh(state: &sync::State) -> Arc<sync::State> {
    Arc::new(sync::State {
        their_capabilities: state.their_capabilities.clone(),
        needs_reset: true,
        ..sync::State::default()
    })
}
