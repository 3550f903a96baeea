//! Connections and documents: the relay's own sync engine.
//!
//! Each connection is one task: it checks the handshake (the `join` must name the device the
//! connection was authenticated as), then passes every sync message to the actor of its
//! document ([`crate::document`]) and writes back what the actors send it. A document's
//! actor only knows the connections that work on that document, so the cost of a message
//! grows with that document's followers, not with everything the relay holds.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};

use crate::access::Access;
use crate::document::{self, DocMsg};
use crate::limits::{Conn, GuardError};
use crate::metrics::Metrics;
use crate::protocol::{self, Inbound, PROTOCOL_VERSION};
use crate::storage::Store;

/// The relay's peer id in the protocol.
pub const RELAY_ID: &str = "allmende-relay";

/// What a document actor sends a connection.
pub enum Out {
    Frame(Vec<u8>),
    /// Send an error message with this reason and close.
    Close(String),
}

/// A connection as the document actors see it.
#[derive(Clone)]
pub struct ConnHandle {
    pub id: u64,
    pub peer: Arc<str>,
    tx: mpsc::UnboundedSender<Out>,
}

impl ConnHandle {
    pub fn send(&self, frame: Vec<u8>) {
        let _ = self.tx.send(Out::Frame(frame));
    }

    pub fn close(&self, reason: String) {
        let _ = self.tx.send(Out::Close(reason));
    }
}

/// What every document actor needs.
pub struct Shared {
    pub store: Store,
    pub access: Access,
    pub metrics: Arc<Metrics>,
    pub relay_id: String,
    pub max_document_bytes: usize,
    docs: Mutex<HashMap<String, mpsc::UnboundedSender<DocMsg>>>,
    /// Every actor holds a clone; shutdown waits until all are gone.
    alive: Mutex<Option<mpsc::Sender<()>>>,
    closing: AtomicBool,
}

impl Shared {
    /// Removes an idle actor's entry, unless a message reached it meanwhile.
    pub fn retire(&self, id: &str, rx: &mpsc::UnboundedReceiver<DocMsg>) -> bool {
        let Ok(mut docs) = self.docs.lock() else {
            return true;
        };
        if !rx.is_empty() {
            return false;
        }
        docs.remove(id);
        true
    }

    /// Removes an actor's entry at once (its state is being dropped).
    pub fn retire_now(&self, id: &str) {
        if let Ok(mut docs) = self.docs.lock() {
            docs.remove(id);
        }
    }
}

/// The sync engine shared by the WebSocket and the iroh side.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
    next_conn: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
    stopped: Arc<tokio::sync::Mutex<mpsc::Receiver<()>>>,
}

impl Hub {
    #[must_use]
    pub fn new(
        store: Store,
        access: Access,
        metrics: Arc<Metrics>,
        max_document_bytes: usize,
    ) -> Hub {
        let (alive, stopped) = mpsc::channel(1);
        Hub {
            shared: Arc::new(Shared {
                store,
                access,
                metrics,
                relay_id: RELAY_ID.to_string(),
                max_document_bytes,
                docs: Mutex::default(),
                alive: Mutex::new(Some(alive)),
                closing: AtomicBool::new(false),
            }),
            next_conn: Arc::new(AtomicU64::new(1)),
            stop: watch::channel(false).0,
            stopped: Arc::new(tokio::sync::Mutex::new(stopped)),
        }
    }

    /// Serves one authenticated connection of `peer` until it ends.
    pub fn accept(&self, conn: Conn, peer: String) {
        if self.shared.closing.load(Ordering::Acquire) {
            return;
        }
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let hub = self.clone();
        tokio::spawn(async move { hub.serve(conn, id, peer).await });
    }

    /// Stops every connection, lets the documents finish what they hold, and waits for the
    /// store to have written everything.
    pub async fn shutdown(&self) {
        self.shared.closing.store(true, Ordering::Release);
        let _ = self.stop.send(true);
        if let Ok(mut docs) = self.shared.docs.lock() {
            docs.clear();
        }
        if let Ok(mut alive) = self.shared.alive.lock() {
            alive.take();
        }
        let _ = self.stopped.lock().await.recv().await;
        let store = self.shared.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.close()).await;
    }

    /// Passes a message to a document's actor, starting it when needed.
    fn route(&self, doc: &str, msg: DocMsg) {
        let Ok(mut docs) = self.shared.docs.lock() else {
            return;
        };
        let msg = match docs.get(doc) {
            Some(tx) => match tx.send(msg) {
                Ok(()) => return,
                Err(mpsc::error::SendError(msg)) => msg,
            },
            None => msg,
        };
        if matches!(msg, DocMsg::Leave { .. }) || self.shared.closing.load(Ordering::Acquire) {
            return;
        }
        let Some(alive) = self.shared.alive.lock().ok().and_then(|a| a.clone()) else {
            return;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = tx.send(msg);
        docs.insert(doc.to_string(), tx);
        let shared = self.shared.clone();
        let id = doc.to_string();
        tokio::spawn(async move {
            document::run(id, rx, shared).await;
            drop(alive);
        });
    }

    async fn serve(&self, mut conn: Conn, id: u64, peer: String) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
        let handle = ConnHandle {
            id,
            peer: Arc::from(peer.as_str()),
            tx,
        };
        let mut stop = self.stop.subscribe();
        let mut docs: HashSet<String> = HashSet::new();
        let mut joined = false;
        let metrics = &self.shared.metrics;
        let reason: Option<String> = loop {
            tokio::select! {
                frame = conn.inbound.next() => {
                    let bytes = match frame {
                        None | Some(Err(GuardError::Socket(_) | GuardError::Stream(_))) => break None,
                        // The guard has counted and logged it.
                        Some(Err(e)) => break Some(e.to_string()),
                        Some(Ok(bytes)) => bytes,
                    };
                    match self.handle(&handle, &bytes, &mut joined, &mut docs) {
                        Ok(Some(reply)) => {
                            if conn.outbound.send(reply).await.is_err() {
                                break None;
                            }
                        }
                        Ok(None) => {}
                        Err(None) => break None,
                        Err(Some(reason)) => {
                            Metrics::add(&metrics.closed_bad_input, 1);
                            tracing::warn!(peer = %peer, %reason, "closing connection");
                            break Some(reason);
                        }
                    }
                }
                out = rx.recv() => {
                    let Some(first) = out else { break None };
                    match self.write(&mut conn, first, &mut rx).await {
                        Ok(()) => {}
                        Err(None) => break None,
                        Err(Some(reason)) => {
                            tracing::warn!(peer = %peer, %reason, "closing connection");
                            break Some(reason);
                        }
                    }
                }
                _ = stop.changed() => break Some("the relay is shutting down".to_string()),
            }
        };
        if let Some(reason) = reason {
            let _ = conn.outbound.send(protocol::error(&reason)).await;
        }
        let _ = conn.outbound.close().await;
        for doc in docs {
            self.route(&doc, DocMsg::Leave { conn: id });
        }
    }

    /// Writes everything waiting for the connection, then flushes once.
    async fn write(
        &self,
        conn: &mut Conn,
        first: Out,
        rx: &mut mpsc::UnboundedReceiver<Out>,
    ) -> Result<(), Option<String>> {
        let mut next = Some(first);
        while let Some(out) = next {
            match out {
                Out::Frame(bytes) => conn.outbound.feed(bytes).await.map_err(|_| None)?,
                Out::Close(reason) => {
                    let _ = conn.outbound.flush().await;
                    return Err(Some(reason));
                }
            }
            next = rx.try_recv().ok();
        }
        conn.outbound.flush().await.map_err(|_| None)
    }

    /// Handles one inbound frame: a reply to send directly, or the end of the connection
    /// (with the reason when the peer did something wrong).
    fn handle(
        &self,
        conn: &ConnHandle,
        bytes: &[u8],
        joined: &mut bool,
        docs: &mut HashSet<String>,
    ) -> Result<Option<Vec<u8>>, Option<String>> {
        let bad = |reason: String| Err(Some(reason));
        let message = match protocol::decode(bytes) {
            Ok(m) => m,
            Err(e) => return bad(format!("malformed message: {e}")),
        };
        match message {
            Inbound::Join { sender, versions } => {
                if sender != *conn.peer {
                    return bad(format!(
                        "the join names {sender}, but the connection belongs to {}",
                        conn.peer
                    ));
                }
                if !versions.iter().any(|v| v == PROTOCOL_VERSION) {
                    return bad(format!(
                        "unsupported protocol versions {versions:?}; this relay speaks {PROTOCOL_VERSION}"
                    ));
                }
                *joined = true;
                Ok(Some(protocol::peer(&self.shared.relay_id, &conn.peer)))
            }
            _ if !*joined => bad("the first message must be a join".to_string()),
            Inbound::Sync {
                document,
                data,
                request,
            } => {
                let msg = DocMsg::Sync {
                    conn: conn.clone(),
                    data,
                    request,
                };
                self.route(&document, msg);
                docs.insert(document);
                Ok(None)
            }
            Inbound::Ephemeral {
                document,
                session,
                count,
                data,
            } => {
                let msg = DocMsg::Ephemeral {
                    conn: conn.clone(),
                    session,
                    count,
                    data,
                };
                self.route(&document, msg);
                Ok(None)
            }
            Inbound::Leave => Err(None),
            Inbound::Peer { .. } | Inbound::Ignored => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;

    type Sent = futures::channel::mpsc::UnboundedSender<Result<Vec<u8>, GuardError>>;
    type Answers = futures::channel::mpsc::UnboundedReceiver<Vec<u8>>;

    /// A connection made of channels: what the test sends, and what the relay answers.
    fn channel_conn() -> (Conn, Sent, Answers) {
        let (in_tx, in_rx) = futures::channel::mpsc::unbounded();
        let (out_tx, out_rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
        let outbound = out_tx.sink_map_err(|e| crate::limits::OutboundError::new(e.to_string()));
        (
            Conn {
                inbound: Box::pin(in_rx),
                outbound: Box::pin(outbound),
            },
            in_tx,
            out_rx,
        )
    }

    async fn next_frame(out: &mut Answers) -> (String, Vec<u8>) {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), out.next())
            .await
            .expect("an answer in time")
            .expect("an answer");
        let text = String::from_utf8_lossy(&frame).to_string();
        let kind = ["peer", "sync", "error", "doc-unavailable"]
            .into_iter()
            .find(|t| text.contains(t))
            .unwrap_or("?")
            .to_string();
        (kind, frame)
    }

    #[tokio::test]
    async fn a_change_beyond_the_document_limit_closes_that_connection_and_stores_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(dir.path()).expect("store");
        let hub = Hub::new(
            store.clone(),
            Access::new(true),
            Arc::new(Metrics::default()),
            2_000,
        );
        let peer = "device:ab:s1".to_string();
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.clone());
        tx.unbounded_send(Ok(protocol::join(&peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        // A document with 10 KB of text that does not compress.
        let mut seed = 7u64;
        let text: String = (0..10_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                char::from(b'a' + u8::try_from((seed >> 33) % 26).expect("letter"))
            })
            .collect();
        let mut doc = automerge::Automerge::new();
        doc.transact(|t| t.put(automerge::ROOT, "text", text.as_str()))
            .expect("edit");
        let mut state = automerge::sync::State::new();
        let doc_id = "4Tz9abc";
        let mut answers = Vec::new();
        for _ in 0..3 {
            let Some(m) = doc.generate_sync_message(&mut state) else {
                break;
            };
            tx.unbounded_send(Ok(protocol::sync(&peer, RELAY_ID, doc_id, &m.encode())))
                .expect("send");
            let (kind, frame) = next_frame(&mut out).await;
            answers.push(kind.clone());
            // The relay's answer tells what it lacks: apply it to learn what to send next.
            match protocol::decode(&frame) {
                Ok(Inbound::Sync { data, .. }) => {
                    let m = automerge::sync::Message::decode(&data).expect("sync message");
                    doc.receive_sync_message(&mut state, m).expect("apply");
                }
                _ => break,
            }
        }
        assert!(answers.contains(&"error".to_string()), "{answers:?}");
        assert_eq!(store.document_count().expect("count"), 0, "nothing stored");
    }
}
