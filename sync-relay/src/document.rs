//! One document on the relay: an actor that owns the document and one sync state per
//! connection that works on it.
//!
//! It takes every message waiting for it at once, applies them, stores the new changes
//! (durably, before anything reveals them), and then answers every connection in one round.
//! A change reaching a hundred followers therefore costs one fsync and one sync message per
//! follower, and the work of one document never waits for another's.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;
use tokio::sync::mpsc;

use crate::metrics::Metrics;
use crate::protocol;
use crate::shared::{ConnHandle, DocMsg, Shared};
use crate::storage::OnDisk;

mod acks;
pub(crate) mod pace;
mod receive;
mod states;
mod waiting;
use acks::Acks;
use pace::Pace;
use states::States;
use waiting::Waiting;

/// Most messages taken in one round.
const MAX_ROUND: usize = 512;
/// Chunks stored before the document is compacted into one snapshot.
const COMPACT_AFTER: usize = 64;
/// How long a document nobody works on stays in memory.
pub const IDLE: Duration = Duration::from_secs(30);
/// A document changed this recently is busy: its next round waits [`GATHER`] for more
/// messages, so a burst of changes reaches each follower in fewer, larger sync messages. A
/// quiet document answers at once.
const BUSY: Duration = Duration::from_millis(50);
const GATHER: Duration = Duration::from_millis(3);
/// A document this long without messages forgets the answers it remembered.
const QUIET: Duration = Duration::from_secs(1);

struct Peer {
    conn: ConnHandle,
    /// Shared with the other followers in the same state (copied when it changes): the
    /// followers in step with a document hold one state between them.
    state: Arc<sync::State>,
    pace: Pace,
}

/// A sync message made for one sync state: the encoded message (if there was anything to
/// say), whether it carries changes, and the state after it.
struct Made {
    bytes: Option<Vec<u8>>,
    changes: bool,
    state: Arc<sync::State>,
}

struct Document {
    id: String,
    doc: Automerge,
    /// The chunks on disk.
    disk: OnDisk,
    /// The stored bytes could not be read: the relay serves nothing and writes nothing.
    damaged: bool,
    /// Changes held back until their dependencies come (Automerge keeps them in memory).
    /// They count against the size limit and the bringers' quota, and are charged once
    /// they are stored.
    waiting: Waiting,
    /// Bytes of changes applied since the last write (the size limit counts them too).
    unsaved: usize,
    /// Bytes of new changes per device since the last write, counted with it.
    charges: crate::storage::Charges,
    /// Boxed: a follower's sync state is large, and a map keeps room for more entries than
    /// it holds.
    peers: HashMap<u64, Box<Peer>>,
    states: States,
    acks: Acks,
    shared: Arc<Shared>,
}

/// Runs a document until it is idle (and nobody has sent it anything) or the relay stops.
pub async fn run(id: String, mut rx: mpsc::UnboundedReceiver<DocMsg>, shared: Arc<Shared>) {
    let mut d = Document::load(id, shared).await;
    let mut last_change: Option<tokio::time::Instant> = None;
    loop {
        let due = d.peers.values().filter_map(|p| p.pace.due()).min();
        let first = if let Some(due) = due {
            // Changes held back from followers that have not answered fall due.
            match tokio::time::timeout_at(due, rx.recv()).await {
                Ok(Some(m)) => Some(m),
                Ok(None) => break,
                Err(_) => None,
            }
        } else if d.peers.is_empty() {
            match tokio::time::timeout(IDLE, rx.recv()).await {
                Ok(Some(m)) => Some(m),
                Ok(None) => break,
                Err(_) => {
                    if d.shared.retire(&d.id, &rx) {
                        break;
                    }
                    continue;
                }
            }
        } else {
            match tokio::time::timeout(QUIET, rx.recv()).await {
                Ok(Some(m)) => Some(m),
                Ok(None) => break,
                Err(_) => {
                    // Answers repeat only right after a change; states nobody is in go.
                    d.acks = Acks::default();
                    d.states.forget_unused();
                    continue;
                }
            }
        };
        let mut round: Vec<DocMsg> = first.into_iter().collect();
        let busy = last_change.is_some_and(|t| t.elapsed() < BUSY) && d.peers.len() > 1;
        let until = tokio::time::Instant::now() + if busy { GATHER } else { Duration::ZERO };
        while !round.is_empty() && round.len() < MAX_ROUND {
            match rx.try_recv() {
                Ok(m) => round.push(m),
                Err(_) if busy => match tokio::time::timeout_at(until, rx.recv()).await {
                    Ok(Some(m)) => round.push(m),
                    _ => break,
                },
                Err(_) => break,
            }
        }
        match d.round(round).await {
            Some(true) => last_change = Some(tokio::time::Instant::now()),
            Some(false) => {}
            None => {
                // Storage failed: forget the in-memory state (the store still has everything
                // acknowledged) and let the next message load the document afresh.
                d.shared.retire_now(&d.id);
                break;
            }
        }
    }
}

impl Document {
    async fn load(id: String, shared: Arc<Shared>) -> Document {
        let store = shared.store.clone();
        let key = id.clone();
        let loaded = tokio::task::spawn_blocking(move || store.document(&key)).await;
        let (doc, disk, damaged) = match loaded {
            Ok(Ok(stored)) if stored.bytes.is_empty() => (
                Automerge::new(),
                OnDisk::loaded(&stored, COMPACT_AFTER),
                false,
            ),
            Ok(Ok(stored)) => {
                let disk = OnDisk::loaded(&stored, COMPACT_AFTER);
                match Automerge::load(&stored.bytes) {
                    Ok(doc) => (doc, disk, false),
                    Err(e) => {
                        tracing::error!(doc = %id, error = %e, "stored document is damaged; not serving it");
                        (Automerge::new(), disk, true)
                    }
                }
            }
            Ok(Err(e)) => {
                tracing::error!(doc = %id, error = %e, "cannot read the document");
                (Automerge::new(), OnDisk::default(), true)
            }
            Err(e) => {
                tracing::error!(doc = %id, error = %e, "document load task failed");
                (Automerge::new(), OnDisk::default(), true)
            }
        };
        Document {
            id,
            doc,
            disk,
            damaged,
            waiting: Waiting::new(shared.clone()),
            unsaved: 0,
            charges: Vec::new(),
            peers: HashMap::new(),
            states: States::default(),
            acks: Acks::default(),
            shared,
        }
    }

    fn refuse(&mut self, conn: &ConnHandle) {
        Metrics::add(&self.shared.metrics.rejected_requests, 1);
        tracing::info!(doc = %self.id, peer = %conn.peer, "refused: not entitled to this document");
        self.peers.remove(&conn.id);
        conn.send(protocol::doc_unavailable(
            &self.shared.relay_id,
            &conn.peer,
            &self.id,
        ));
    }

    /// Whether what `peer`'s member has stored, this round's changes included, is within
    /// the quota, counted in `community`.
    fn within_quota(&self, peer: &str, community: Option<&str>) -> bool {
        self.shared
            .quota
            .allows_together(&self.shared.access.quota_keys_in(peer, community), 0)
    }

    /// Closes a connection whose member has used up the quota.
    fn over_quota(&mut self, conn: &ConnHandle) {
        tracing::warn!(doc = %self.id, peer = %conn.peer, "refused: the member's quota is used up");
        Metrics::add(&self.shared.metrics.refused_quota, 1);
        self.peers.remove(&conn.id);
        conn.close(format!(
            "the devices of this member have stored their quota of {} bytes on the relay; ask its operator",
            self.shared.quota.max()
        ));
    }

    /// Applies one round of messages: whether the document changed, or `None` when storing
    /// the change failed.
    async fn round(&mut self, round: Vec<DocMsg>) -> Option<bool> {
        let before = self.doc.get_heads();
        let mut asked: Vec<u64> = Vec::new();
        let mut told_unavailable: Vec<u64> = Vec::new();
        let mut writers: Vec<ConnHandle> = Vec::new();
        let mut brought: Vec<u64> = Vec::new();
        // Of a document the relay does not have: each writer's messages, to build it again
        // without those who may not create it.
        let mut first_writes: Vec<(u64, Vec<u8>)> = Vec::new();
        for msg in round {
            match msg {
                DocMsg::Sync {
                    conn,
                    data,
                    request,
                } => {
                    let id = conn.id;
                    // Those whose message brings changes write (a request alone writes
                    // nothing); of a document the relay does not have, they write it first.
                    // Decoded once: for who wrote, and (unless an identical answer was
                    // applied before) to apply it.
                    let decoded = sync::Message::decode(&data);
                    let wrote = decoded
                        .as_ref()
                        .is_ok_and(|m| m.changes.iter().any(|c| !c.is_empty()));
                    let writer = (before.is_empty() && wrote).then(|| conn.clone());
                    let first = writer.is_some().then(|| data.clone());
                    if self.receive(conn, &data, decoded, &mut asked) {
                        if let (Some(w), Some(data)) = (&writer, first) {
                            first_writes.push((w.id, data));
                        }
                        writers.extend(writer);
                        if wrote && !brought.contains(&id) {
                            brought.push(id);
                        }
                        if request {
                            told_unavailable.push(id);
                        }
                    }
                }
                DocMsg::Ephemeral {
                    conn,
                    session,
                    count,
                    data,
                } => self.forward(&conn, &session, count, &data),
                DocMsg::Leave { conn } => {
                    self.peers.remove(&conn);
                }
            }
        }
        let mut changed = self.doc.get_heads() != before;
        if changed && before.is_empty() {
            // A new document: stored only if those who wrote it may (see `may_create`).
            // And only within the quota of the writer's member in the community it names.
            let community = crate::access::claimed_community(&self.id, &self.doc);
            let (mut refused, mut over) = (Vec::new(), Vec::new());
            for w in &writers {
                if !self.shared.access.may_create(&self.id, &self.doc, &w.peer) {
                    refused.push(w.clone());
                } else if !self.within_quota(&w.peer, community.as_deref()) {
                    over.push(w.clone());
                }
            }
            for conn in &refused {
                self.refuse(conn);
            }
            for conn in &over {
                self.over_quota(conn);
            }
            refused.append(&mut over);
            if !refused.is_empty() {
                for conn in &refused {
                    brought.retain(|id| *id != conn.id);
                }
                // Built again from the others' messages alone, so a stranger sending changes
                // in every round cannot keep the creator's upload out.
                let kept: Vec<ConnHandle> = writers
                    .into_iter()
                    .filter(|w| !refused.iter().any(|r| r.id == w.id))
                    .collect();
                let rebuilt = rebuild(&first_writes, &kept);
                let holds = !rebuilt.get_heads().is_empty()
                    && kept
                        .iter()
                        .all(|w| self.shared.access.may_create(&self.id, &rebuilt, &w.peer));
                // The round's charges start over (see `first_upload_charges`).
                for (device, bytes) in std::mem::take(&mut self.charges) {
                    self.shared.quota.refund(&device, bytes);
                }
                // Everyone else of the round starts over: what they sent went with the
                // round (or is in the rebuilt document), and a relay that answers from a
                // fresh state makes a client send what is missing again (instead of taking
                // it as delivered and waiting).
                for peer in self.peers.values_mut() {
                    peer.state = receive::afresh(&peer.state);
                }
                self.unsaved = 0;
                self.waiting.clear();
                if holds {
                    // What waits in the rebuilt document was held for nobody: dropped.
                    self.doc = match waiting::without_waiting(&rebuilt) {
                        Ok(doc) => doc,
                        Err(e) => {
                            tracing::error!(doc = %self.id, error = %e, "cannot drop waiting changes");
                            rebuilt
                        }
                    };
                    self.unsaved = self.doc.save().len();
                    for (device, bytes) in
                        waiting::first_upload_charges(&self.doc, &first_writes, &kept)
                    {
                        self.shared.quota.charge(&device, bytes);
                        self.charges.push((device, bytes));
                    }
                    changed = true;
                } else {
                    self.doc = Automerge::new();
                    let rest: Vec<u64> = self.peers.keys().copied().collect();
                    self.answer(false, &rest, &[]);
                    return Some(false);
                }
            }
        }
        if changed && !self.store(&before).await {
            for peer in self.peers.values() {
                peer.conn
                    .close("the relay could not store the change; try again".into());
            }
            return None;
        }
        if self.doc.get_heads().is_empty() {
            // A request for a document the relay does not have: say so, and remember that
            // it asked, so the document is sent on when it arrives.
            for id in &told_unavailable {
                if let Some(p) = self.peers.get(id) {
                    p.conn.send(protocol::doc_unavailable(
                        &self.shared.relay_id,
                        &p.conn.peer,
                        &self.id,
                    ));
                }
            }
            asked.retain(|id| !told_unavailable.contains(id));
        }
        self.answer(changed, &asked, &brought);
        Some(changed)
    }

    fn forward(&mut self, from: &ConnHandle, session: &str, count: u64, data: &[u8]) {
        if !self.shared.access.allows(&self.id, &from.peer) {
            self.refuse(from);
            return;
        }
        for peer in self.peers.values().filter(|p| p.conn.id != from.id) {
            if self.shared.access.allows(&self.id, &peer.conn.peer) {
                peer.conn.send(protocol::ephemeral(
                    &from.peer,
                    &peer.conn.peer,
                    &self.id,
                    session,
                    count,
                    data,
                ));
            }
        }
    }

    /// Stores the changes since `before`, compacting now and then; true once durable.
    async fn store(&mut self, before: &[automerge::ChangeHash]) -> bool {
        let ok = self
            .disk
            .save(
                &self.shared.store,
                &self.id,
                &self.doc,
                before,
                std::mem::take(&mut self.charges),
            )
            .await;
        if ok {
            self.unsaved = 0;
            self.shared.access.refresh_doc(&self.id, &self.doc);
        }
        ok
    }

    /// Sends what each connection is missing: those that spoke in this round, and after a
    /// change every follower that has answered the last changes it was sent (the others are
    /// sent them once they answer, or once their wait is over). Everyone but those whose
    /// changes (`brought`) are in this round is judged again first.
    ///
    /// Followers in the same sync state get the same message: it is made once per state
    /// (Automerge's message depends only on the document and the state), which after a
    /// change is usually once for all the followers that were in step.
    fn answer(&mut self, changed: bool, asked: &[u64], brought: &[u64]) {
        let mut refused = Vec::new();
        let mut slow = Vec::new();
        let mut broken = Vec::new();
        let now = tokio::time::Instant::now();
        let mut made: HashMap<sync::State, Made> = HashMap::new();
        let followers = self.peers.len();
        for (id, peer) in &mut self.peers {
            let spoke = asked.contains(id);
            if !(spoke || changed || peer.pace.overdue(now)) {
                continue;
            }
            if !spoke && !peer.pace.ready(now) {
                Metrics::add(&self.shared.metrics.held_back, 1);
                continue;
            }
            // Access is judged by the rules after this round: a connection that only asked
            // while the round's changes arrived (a document's first upload, a roster
            // change) was judged by the rules before them. One whose own changes are in
            // this round gets its answer even if they just took its access away (an invite
            // key that retires itself must see its change acknowledged).
            if !brought.contains(id) && !self.shared.access.allows(&self.id, &peer.conn.peer) {
                refused.push(peer.conn.clone());
                continue;
            }
            let m = match made.get(&*peer.state) {
                Some(m) => {
                    peer.state = m.state.clone();
                    m
                }
                None => {
                    let before = sync::State::clone(&peer.state);
                    // Automerge answers from what the peer said it has and needs; should a
                    // message the checks let through still make it panic, that peer's
                    // connection goes, not the document's task (the document is only read).
                    let generated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.doc
                            .generate_sync_message(Arc::make_mut(&mut peer.state))
                    }));
                    let Ok(message) = generated else {
                        tracing::error!(doc = %self.id, peer = %peer.conn.peer, "answering this peer panicked; its connection is closed");
                        Metrics::add(&self.shared.metrics.closed_bad_input, 1);
                        peer.conn
                            .close("the relay could not answer what this client sent".to_string());
                        broken.push(*id);
                        continue;
                    };
                    self.states.share(&mut peer.state, followers);
                    let m = Made {
                        changes: message
                            .as_ref()
                            .is_some_and(|m| m.changes.iter().any(|c| !c.is_empty())),
                        bytes: message.map(sync::Message::encode),
                        state: peer.state.clone(),
                    };
                    made.entry(before).or_insert(m)
                }
            };
            peer.pace.sent(m.changes, now);
            if let Some(bytes) = &m.bytes {
                let sent = peer.conn.send(protocol::sync(
                    &self.shared.relay_id,
                    &peer.conn.peer,
                    &self.id,
                    bytes,
                ));
                if !sent {
                    slow.push(*id);
                }
            }
        }
        for conn in refused {
            self.refuse(&conn);
        }
        for id in slow {
            tracing::warn!(doc = %self.id, conn = id, "connection reads too slowly; dropped");
            self.peers.remove(&id);
        }
        for id in broken {
            self.peers.remove(&id);
        }
    }
}

/// Whether a sync message brings changes (one that does not decode brings none; it is
/// refused where it is read).
/// A new document from the first messages of the writers `kept` alone.
fn rebuild(first_writes: &[(u64, Vec<u8>)], kept: &[ConnHandle]) -> Automerge {
    let mut doc = Automerge::new();
    for (conn, data) in first_writes {
        if !kept.iter().any(|k| k.id == *conn) {
            continue;
        }
        if let Ok(m) = sync::Message::decode(data) {
            let _ = doc.receive_sync_message(&mut sync::State::new(), m);
        }
    }
    doc
}
