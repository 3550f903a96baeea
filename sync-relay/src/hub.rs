//! Connections and documents: the relay's own sync engine.
//!
//! Each connection is one task: it checks the handshake (the `join` must name the device the
//! connection was authenticated as), then passes every sync message to the actor of its
//! document ([`crate::document`]) and writes back what the actors send it. A document's
//! actor only knows the connections that work on that document, so the cost of a message
//! grows with that document's followers, not with everything the relay holds.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::access::Access;
use crate::admission::{Admission, AdmissionLimits, Permit};
use crate::document;
use crate::limits::{Activity, Conn, GuardError};
use crate::metrics::Metrics;
use crate::protocol::{self, Inbound, PROTOCOL_VERSION};
use crate::shared::{ConnHandle, DocMsg, Shared};
use crate::storage::Store;

/// The relay's peer id in the protocol.
pub const RELAY_ID: &str = "allmende-relay";

use crate::outbox::{Out, Outbox};

/// How long one frame may take to go out before the connection counts as stuck.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The sync engine shared by the WebSocket and the iroh side.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
    next_conn: Arc<AtomicU64>,
    stopped: Arc<tokio::sync::Mutex<mpsc::Receiver<()>>>,
}

impl Hub {
    #[must_use]
    pub fn new(
        store: Store,
        access: Access,
        metrics: Arc<Metrics>,
        max_document_bytes: usize,
        max_queued_bytes: usize,
    ) -> Hub {
        let (alive, stopped) = mpsc::channel(1);
        let defaults = crate::Config::default();
        let admission = Admission::new(AdmissionLimits::from_config(&defaults), metrics.clone());
        let used = store.usage().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot read what each device stored; counting from zero");
            std::collections::HashMap::new()
        });
        Hub {
            shared: Arc::new(Shared {
                store,
                access,
                metrics,
                relay_id: RELAY_ID.to_string(),
                max_document_bytes,
                max_queued_bytes,
                max_inflated_bytes: defaults.max_inflated_bytes,
                max_document_operations: defaults.max_document_operations,
                max_documents_per_connection: defaults.max_documents_per_connection,
                max_ephemeral_bytes: defaults.max_ephemeral_bytes,
                quota: crate::quota::Quota::new(defaults.max_bytes_per_key, used),
                admission,
                docs: Mutex::default(),
                conns: Mutex::default(),
                alive: Mutex::new(Some(alive)),
                closing: AtomicBool::new(false),
            }),
            next_conn: Arc::new(AtomicU64::new(1)),
            stopped: Arc::new(tokio::sync::Mutex::new(stopped)),
        }
    }

    /// The same hub with another limit for inflated changes per message (before it serves).
    #[must_use]
    pub fn with_max_inflated_bytes(mut self, n: usize) -> Hub {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.max_inflated_bytes = n;
        }
        self
    }

    /// The same hub with the limits of `config` for connections: documents per connection,
    /// ephemeral size, admission, bytes per key (before it serves).
    #[must_use]
    pub fn with_connection_limits(mut self, config: &crate::Config) -> Hub {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.max_documents_per_connection = config.max_documents_per_connection;
            shared.max_document_operations = config.max_document_operations;
            shared.max_ephemeral_bytes = config.max_ephemeral_bytes;
            let quota = std::mem::replace(
                &mut shared.quota,
                crate::quota::Quota::new(0, std::collections::HashMap::new()),
            );
            shared.quota = quota.with_max(config.max_bytes_per_key);
            shared.admission =
                Admission::new(AdmissionLimits::from_config(config), shared.metrics.clone());
        }
        self
    }

    /// Who may read and write which document.
    #[must_use]
    pub fn access(&self) -> &Access {
        &self.shared.access
    }

    /// Who may connect.
    #[must_use]
    pub fn admission(&self) -> &Admission {
        &self.shared.admission
    }

    /// Serves one authenticated connection of `peer` until it ends.
    pub fn accept(&self, conn: Conn, peer: Arc<str>) {
        self.accept_holding(conn, peer, Vec::new(), None);
    }

    /// [`Hub::accept`], the connection holding `permits` (its places at the door) until it
    /// ends; `ended` hears when the session is over (the transport can then close too).
    pub fn accept_holding(
        &self,
        conn: Conn,
        peer: Arc<str>,
        permits: Vec<Permit>,
        ended: Option<tokio::sync::oneshot::Sender<()>>,
    ) {
        if self.shared.closing.load(Ordering::Acquire) {
            return;
        }
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let hub = self.clone();
        // Spawned as it is, the connection boxed: an async fn keeps its arguments twice.
        let served = hub.serve(Box::new(conn), id, peer, permits);
        match ended {
            None => {
                tokio::spawn(served);
            }
            Some(ended) => {
                tokio::spawn(async move {
                    served.await;
                    let _ = ended.send(());
                });
            }
        }
    }

    /// Closes connections that have not joined within `join`, pings WebSockets quiet for a
    /// quarter of `idle` and closes those silent for `idle` (zero: never). Runs until the
    /// relay stops.
    pub fn spawn_sweeper(&self, join: Duration, idle: Duration) {
        let shared = self.shared.clone();
        let tick = [join / 2, idle / 4]
            .into_iter()
            .filter(|d| !d.is_zero())
            .min()
            .unwrap_or(join)
            .max(Duration::from_millis(100));
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(tick);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !shared.closing.load(Ordering::Acquire) {
                ticks.tick().await;
                sweep(&shared, join, idle);
            }
        });
    }

    /// Stops every connection, lets the documents finish what they hold, and waits for the
    /// store to have written everything.
    pub async fn shutdown(&self) {
        self.shared.closing.store(true, Ordering::Release);
        let conns: Vec<Arc<Outbox>> = self
            .shared
            .conns
            .lock()
            .map(|mut c| c.drain().map(|(_, (out, _))| out).collect())
            .unwrap_or_default();
        for out in conns {
            out.close_with("the relay is shutting down".to_string());
        }
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

    async fn serve(self, conn: Box<Conn>, id: u64, peer: Arc<str>, permits: Vec<Permit>) {
        let out = Arc::new(Outbox::new(
            self.shared.max_queued_bytes,
            self.shared.metrics.clone(),
        ));
        let activity = conn.activity();
        if let Ok(mut conns) = self.shared.conns.lock() {
            conns.insert(id, (out.clone(), activity.clone()));
        }
        if self.shared.closing.load(Ordering::Acquire) {
            out.close_with("the relay is shutting down".to_string());
        }
        let mut session = Session {
            hub: self,
            conn,
            handle: ConnHandle { id, peer, out },
            docs: HashSet::new(),
            joined: false,
            activity,
            _permits: permits,
        };
        let reason = session.run().await;
        Box::pin(session.finish(reason)).await;
    }

    /// Writes everything waiting for the connection, then flushes once.
    async fn write(
        &self,
        conn: &mut Conn,
        first: Out,
        waiting: &Outbox,
    ) -> Result<(), Option<String>> {
        let stuck = || {
            Metrics::add(&self.shared.metrics.closed_slow, 1);
            Some(format!(
                "a message took longer than {} s to go out",
                WRITE_TIMEOUT.as_secs()
            ))
        };
        let mut next = Some(first);
        // Frames taken out count against the outbox's budget until they are written.
        let mut fed = 0;
        while let Some(out) = next {
            match out {
                Out::Ping => conn.ping(),
                Out::Frame(bytes) => {
                    fed += bytes.len();
                    match tokio::time::timeout(WRITE_TIMEOUT, conn.feed(bytes)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => return Err(None),
                        Err(_) => return Err(stuck()),
                    }
                }
                Out::Close(reason) => {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, conn.flush()).await;
                    return Err(Some(reason));
                }
            }
            next = waiting.pop();
        }
        let flushed = tokio::time::timeout(WRITE_TIMEOUT, conn.flush()).await;
        waiting.sent(fed);
        match flushed {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(None),
            Err(_) => Err(stuck()),
        }
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
                if *joined {
                    return bad("a second join on one connection".to_string());
                }
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
                let max = self.shared.max_documents_per_connection;
                if docs.len() >= max && !docs.contains(&document) {
                    Metrics::add(&self.shared.metrics.closed_too_many_documents, 1);
                    return bad(format!(
                        "more than {max} documents on one connection: open another"
                    ));
                }
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
                // Passed on only for documents this connection works on: an ephemeral
                // message starts no document of its own (and escapes no cap).
                if !docs.contains(&document) {
                    return Ok(None);
                }
                let max = self.shared.max_ephemeral_bytes;
                if data.len() > max {
                    Metrics::add(&self.shared.metrics.closed_oversize_ephemeral, 1);
                    return bad(format!(
                        "an ephemeral message of {} bytes (at most {max})",
                        data.len()
                    ));
                }
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

/// One connection while it is served. Its task holds this and the small futures of
/// `run`; everything else (writes, the goodbye) is boxed while it happens, so an idle
/// connection costs little.
struct Session {
    hub: Hub,
    conn: Box<Conn>,
    handle: ConnHandle,
    /// The documents it works on.
    docs: HashSet<String>,
    joined: bool,
    activity: Arc<Activity>,
    /// Its places at the door, given back when the session ends.
    _permits: Vec<Permit>,
}

impl Session {
    /// Reads and writes until the connection ends; the reason when it is closed for one.
    async fn run(&mut self) -> Option<String> {
        loop {
            tokio::select! {
                frame = self.conn.recv() => {
                    let bytes = match frame {
                        None | Some(Err(GuardError::Ended(_))) => return None,
                        // The guard has counted and logged it.
                        Some(Err(e)) => return Some(e.to_string()),
                        Some(Ok(bytes)) => bytes,
                    };
                    let result = self.hub.handle(&self.handle, &bytes, &mut self.joined, &mut self.docs);
                    if self.joined {
                        self.activity.set_joined();
                    }
                    match result {
                        Ok(Some(reply)) => {
                            // Bounded like every write: a peer that does not read cannot
                            // hold the task here, out of the sweeper's reach.
                            let sent = tokio::time::timeout(WRITE_TIMEOUT, Box::pin(self.conn.send(reply)));
                            match Box::pin(sent).await {
                                Ok(Ok(())) => {}
                                Ok(Err(_)) => return None,
                                Err(_) => {
                                    Metrics::add(&self.hub.shared.metrics.closed_slow, 1);
                                    return Some("the answer to the join did not go out".to_string());
                                }
                            }
                        }
                        Ok(None) => {}
                        Err(None) => return None,
                        Err(Some(reason)) => {
                            Metrics::add(&self.hub.shared.metrics.closed_bad_input, 1);
                            tracing::warn!(peer = %self.handle.peer, %reason, "closing connection");
                            return Some(reason);
                        }
                    }
                }
                first = self.handle.out.next() => {
                    match Box::pin(self.hub.write(&mut self.conn, first, &self.handle.out)).await {
                        Ok(()) => {}
                        Err(None) => return None,
                        Err(Some(reason)) => {
                            tracing::warn!(peer = %self.handle.peer, %reason, "closing connection");
                            return Some(reason);
                        }
                    }
                }
            }
        }
    }

    /// Says goodbye (bounded: a connection that does not read gets no more than 5 s), and
    /// tells the documents it worked on that it left.
    async fn finish(mut self, reason: Option<String>) {
        let conn = &mut self.conn;
        let goodbye = async {
            if let Some(reason) = &reason {
                let _ = conn.send(protocol::error(reason)).await;
            }
            conn.close(reason.is_some()).await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), goodbye).await;
        let id = self.handle.id;
        self.handle.out.end();
        if let Ok(mut conns) = self.hub.shared.conns.lock() {
            conns.remove(&id);
        }
        for doc in &self.docs {
            self.hub.route(doc, DocMsg::Leave { conn: id });
        }
    }
}

/// One round of the sweeper: see [`Hub::spawn_sweeper`].
fn sweep(shared: &Shared, join: Duration, idle: Duration) {
    let now = crate::limits::clock_ms();
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let Ok(conns) = shared.conns.lock() else {
        return;
    };
    for (out, activity) in conns.values() {
        if !activity.joined() {
            if now.saturating_sub(activity.opened_ms) > ms(join) {
                Metrics::add(&shared.metrics.closed_idle, 1);
                out.close_with(format!("no join within {} s", join.as_secs()));
            }
            continue;
        }
        if idle.is_zero() || !activity.pingable {
            continue;
        }
        let silent = now.saturating_sub(activity.heard_ms());
        if silent > ms(idle) {
            Metrics::add(&shared.metrics.closed_idle, 1);
            out.close_with(format!(
                "nothing heard for {} s (not even an answer to a ping)",
                idle.as_secs()
            ));
        } else if silent >= ms(idle / 4) {
            out.ping();
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_first_upload;
#[cfg(test)]
mod tests_limits;
#[cfg(test)]
mod tests_waiting;
