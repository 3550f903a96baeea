//! One sync session with a relay or a peer: the documents in a samod repository, found,
//! settled and written back. The watching loop is in `keep`, one-shot exchanges in `fetch`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use allmende_core::model::{Catalog, DocKind, Header};
use allmende_core::wire::device_peer_id;
use automerge::{Automerge, ChangeHash, ROOT};
use futures::FutureExt as _;
use samod::storage::{InMemoryStorage, Storage, StorageKey};
use samod::{BackoffConfig, DocHandle, DocumentId, PeerId, Repo, Url};

use super::dialer::RelayDialer;
use super::repo_tasks::{guarded, read_doc, RepoTasks};
use allmende_service::{Intake, Quarantined, Service};
use allmende_store::error::{PeerError, Result};

/// Where a session connects to.
#[derive(Clone)]
pub(crate) enum Connector {
    /// A relay (or any automerge-repo sync server) by WebSocket URL.
    Relay(String),
    /// A peer over iroh, with the access rules for what it may have.
    Peer {
        endpoint: iroh::Endpoint,
        addr: iroh::EndpointAddr,
        policy: crate::p2p::policy::PeerPolicy,
    },
}

impl Connector {
    /// How the sync state names the other side.
    pub(crate) fn label(&self) -> String {
        match self {
            Connector::Relay(url) => url.clone(),
            Connector::Peer { addr, .. } => format!("peer:{}", hex::encode(addr.id.as_bytes())),
        }
    }
}

pub(crate) struct Session {
    repo: Repo,
    /// The repository's tasks, ended with it (see `repo_tasks`).
    tasks: RepoTasks,
    /// The dialer and the acceptor the repository holds, closed when it stops (each holds
    /// the repository, so the repository would hold itself).
    dialer: Option<samod::DialerHandle>,
    acceptor: Option<samod::AcceptorHandle>,
    /// The connection to wait on (none for a listener, which has many).
    conn: Option<samod::ConnectionId>,
    traffic: Arc<super::dialer::Traffic>,
    storage: InMemoryStorage,
    handles: BTreeMap<String, DocHandle>,
    timeout: Duration,
    /// Documents that could not be found: when we last tried and how long to wait before the
    /// next try (a document announced before its author's upload arrives is found on a quick
    /// retry; a team-only project a peer may not share is asked for ever more rarely).
    missing: HashMap<String, (std::time::Instant, Duration)>,
    /// The store's version of each document when its bytes went into the repository (read
    /// before the bytes, so a change made in between is seen as new, never as already sent).
    loaded: HashMap<String, i64>,
}

/// The first and the longest pause before a document that could not be found is asked for
/// again; the pause doubles in between.
const RETRY_MISSING_FIRST: Duration = Duration::from_secs(1);
const RETRY_MISSING_MAX: Duration = Duration::from_secs(60);

fn bad(e: impl std::fmt::Display) -> PeerError {
    PeerError::BadInput(e.to_string())
}

/// The error of a sync whose repository broke on what the other side sent (see
/// `repo_tasks`).
fn broken(tasks: &RepoTasks) -> PeerError {
    PeerError::Network(format!(
        "the other side sent changes this device cannot take in ({}); the documents they \
         touched were not written, the others were",
        tasks.broken().unwrap_or_default()
    ))
}

/// Stops `repo`; a broken one (see `repo_tasks`) never would, its documents' task is gone,
/// so it is only let go.
async fn stop_repo(repo: &Repo, tasks: &RepoTasks) {
    if tasks.broken().is_none() {
        tokio::select! {
            () = repo.stop() => {}
            () = tasks.breaks() => {}
        }
    }
}

/// The relay could not be reached or did not answer.
fn unreachable(e: impl std::fmt::Display) -> PeerError {
    PeerError::Network(e.to_string())
}

/// A repository over `storage` (as a fresh session of `key`) dialing a relay: by WebSocket
/// URL, or over iroh when `relay` is the relay's ticket.
async fn dial_relay(
    relay: &str,
    key: &allmende_service::device::DeviceKey,
    storage: InMemoryStorage,
    backoff: BackoffConfig,
) -> Result<(
    Repo,
    RepoTasks,
    samod::DialerHandle,
    Arc<super::dialer::Traffic>,
)> {
    let session = session_name();
    // Everything that can fail comes before the repository: one given up on would stay.
    let (dialer, traffic): (Arc<dyn samod::Dialer<Error = std::convert::Infallible>>, _) =
        if allmende_core::ticket::Ticket::is_ticket(relay) {
            let ticket = allmende_core::ticket::Ticket::parse(relay)?;
            let addr = crate::p2p::node::endpoint_addr(&ticket)?;
            let endpoint = crate::p2p::node::start(key, &Default::default()).await?;
            let dialer = crate::p2p::dial::IrohDialer::to_relay(endpoint, addr, &session);
            (Arc::new(dialer), Arc::default())
        } else {
            let dialer = RelayDialer::new(relay_url(relay)?, key, &session);
            let traffic = dialer.traffic.clone();
            (Arc::new(dialer), traffic)
        };
    let tasks = RepoTasks::new();
    let repo = Repo::builder(tasks.clone())
        .with_storage(storage)
        .with_peer_id(PeerId::from(device_peer_id(&key.public_hex(), &session)))
        .load()
        .await;
    match repo.dial(backoff, dialer) {
        Ok(handle) => Ok((repo, tasks, handle, traffic)),
        Err(e) => {
            repo.stop().await;
            tasks.end().await;
            Err(bad(e))
        }
    }
}

/// A relay's WebSocket address (`ws://` or `wss://`).
///
/// # Errors
/// Anything else, as refused input.
fn relay_url(relay: &str) -> Result<Url> {
    let url = Url::parse(relay).map_err(|e| bad(format!("relay URL '{relay}': {e}")))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(bad(format!(
            "relay URL '{relay}' must start with ws:// (or be the relay's iroh ticket)"
        )));
    }
    Ok(url)
}

/// Checks a relay address (a WebSocket URL or the relay's iroh ticket) before anything is
/// done with it, so a mistyped address is refused even when there is nothing to sync.
///
/// # Errors
/// An address that is neither, as refused input.
pub fn check_relay(relay: &str) -> Result<()> {
    if allmende_core::ticket::Ticket::is_ticket(relay) {
        allmende_core::ticket::Ticket::parse(relay)?;
        return Ok(());
    }
    relay_url(relay).map(|_| ())
}

/// A fresh session name: servers keep sync state per peer id, so every repository we run
/// introduces itself anew.
pub(super) fn session_name() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(super) use allmende_core::wire::heads_text;

mod fetch;
mod keep;
pub use fetch::{fetch, fetch_community, push_as};
pub(crate) use keep::keep_in_step;
pub use keep::watch;

fn header_of(doc: &Automerge) -> Option<Header> {
    autosurgeon::hydrate_prop(doc, &ROOT, "header").ok()
}

impl Session {
    async fn open_with(
        svc: &mut Service,
        relay: &str,
        timeout: Duration,
        key: &allmende_service::device::DeviceKey,
        ids: &[String],
    ) -> Result<Session> {
        Self::open_via(svc, Connector::Relay(relay.to_string()), timeout, key, ids).await
    }

    pub(super) async fn open_via(
        svc: &mut Service,
        to: Connector,
        timeout: Duration,
        key: &allmende_service::device::DeviceKey,
        ids: &[String],
    ) -> Result<Session> {
        let relay = to.label();
        let storage = InMemoryStorage::new();
        let loaded = load_into(svc, &storage, Some(ids)).await?;
        let backoff = BackoffConfig {
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retries: Some(2),
        };
        let (repo, tasks, handle, traffic) = match to {
            Connector::Relay(relay) => dial_relay(&relay, key, storage.clone(), backoff).await?,
            Connector::Peer {
                endpoint,
                addr,
                policy,
            } => {
                let tasks = RepoTasks::new();
                let repo = Repo::builder(tasks.clone())
                    .with_storage(storage.clone())
                    .with_peer_id(crate::p2p::dial::peer_id_of(&key.public_hex()))
                    .with_share_policy(policy)
                    .load()
                    .await;
                let dialer = Arc::new(crate::p2p::dial::IrohDialer::new(endpoint, addr));
                let handle = repo.dial(backoff, dialer).map_err(bad)?;
                (repo, tasks, handle, Arc::default())
            }
        };
        let mut session = Session {
            repo,
            tasks,
            dialer: Some(handle.clone()),
            acceptor: None,
            conn: None,
            traffic,
            storage,
            handles: BTreeMap::new(),
            timeout,
            missing: HashMap::new(),
            loaded,
        };
        let established = match tokio::time::timeout(timeout, handle.established()).await {
            Err(_) => Err(unreachable(format!(
                "no connection to {relay} within {timeout:?}"
            ))),
            Ok(Err(e)) => Err(unreachable(format!("cannot connect to {relay}: {e:?}"))),
            Ok(Ok(_)) => handle
                .connection_id()
                .ok_or_else(|| unreachable(format!("the connection to {relay} closed at once"))),
        };
        match established {
            Ok(conn) => session.conn = Some(conn),
            Err(e) => {
                session.stop().await;
                return Err(e);
            }
        }
        session.find_all(ids).await;
        Ok(session)
    }

    /// Finds documents (from local storage or the relay) in parallel.
    async fn find_all(&mut self, ids: &[String]) -> Vec<String> {
        let wanted: Vec<(String, DocumentId)> = ids
            .iter()
            .filter(|id| !self.handles.contains_key(*id))
            .filter(|id| {
                self.missing
                    .get(*id)
                    .is_none_or(|(at, pause)| at.elapsed() > *pause)
            })
            .filter_map(|id| id.parse::<DocumentId>().ok().map(|d| (id.clone(), d)))
            .collect();
        let finds = wanted.iter().map(|(id, doc)| {
            let repo = self.repo.clone();
            let (id, doc) = (id.clone(), doc.clone());
            async move { (id, repo.find(doc).await.ok().flatten()) }
        });
        // Progress, not a deadline per document: a relay that reads a large first sync
        // slowly goes on answering one document after another.
        let waited = tokio::select! {
            waited = super::progress::while_progressing(finds, self.timeout) => waited,
            // Nothing is found in a broken repository (see `repo_tasks`).
            () = self.tasks.breaks() => super::progress::Waited { done: Vec::new(), started: 0 },
        };
        let mut outcome: HashMap<String, Option<DocHandle>> = waited.done.into_iter().collect();
        let mut missing = Vec::new();
        // Only documents asked for can be missing: those behind a window that stalled were
        // never asked, and are asked in the next round without a pause.
        for (id, _) in wanted.into_iter().take(waited.started) {
            let found = outcome.remove(&id).flatten();
            match found {
                Some(h) => {
                    self.missing.remove(&id);
                    self.handles.insert(id, h);
                }
                None => {
                    let pause = self.missing.get(&id).map_or(RETRY_MISSING_FIRST, |(_, p)| {
                        (*p * 2).min(RETRY_MISSING_MAX)
                    });
                    self.missing
                        .insert(id.clone(), (std::time::Instant::now(), pause));
                    missing.push(id);
                }
            }
        }
        missing
    }

    /// Waits until the relay has our changes and we have theirs, for every document.
    pub(super) async fn settle(&self) -> Vec<String> {
        let Some(conn) = self.conn else {
            return Vec::new();
        };
        let waits = self.handles.iter().map(|(id, h)| {
            // samod's waits read the document's lock, which a broken repository left
            // poisoned: its panic is caught here (see `repo_tasks`).
            let both = std::panic::AssertUnwindSafe(futures::future::join(
                h.they_have_our_changes(conn),
                h.we_have_their_changes(conn),
            ))
            .catch_unwind();
            async move { both.await.ok().map(|_| id) }
        });
        let settled: std::collections::HashSet<&String> = tokio::select! {
            waited = super::progress::while_progressing(waits, self.timeout) => {
                waited.done.into_iter().flatten().collect()
            }
            // Nothing settles in a broken repository.
            () = self.tasks.breaks() => std::collections::HashSet::new(),
        };
        self.handles
            .keys()
            .filter(|id| !settled.contains(id))
            .cloned()
            .collect()
    }

    /// Item ids listed in the catalogues of `communities` (those the store holds as
    /// communities: a header rewritten since does not make one something else).
    fn catalogued(&self, communities: &std::collections::HashSet<String>) -> Vec<String> {
        let mut out = Vec::new();
        for (id, h) in &self.handles {
            if !communities.contains(id) {
                continue;
            }
            read_doc(h, |doc| {
                if let Ok(c) = autosurgeon::hydrate::<_, Catalog>(doc) {
                    out.extend(c.items.into_keys());
                }
            });
        }
        out
    }

    /// Writes the documents that changed in the repository back into the store, one
    /// transaction per community; a document the store refuses goes into quarantine and the
    /// others are written. A document whose heads the store already has is not written.
    ///
    /// New documents are taken in only as [`Intake::Mine`] allows (of communities this
    /// device belongs to, and of `joining`, a community fetched with an invite's key): the
    /// store judges which community a document is, as for any document it receives. A
    /// community not held here yet is taken in (with its items of this session) where this
    /// device signed an entry of its log (it founded or joined it: a device restored from a
    /// backup made before); the documents of any other community are left out before the
    /// store reads them (a stranger's damaged document is no quarantine here).
    pub(super) fn write_back(
        &self,
        svc: &mut Service,
        joining: Option<&str>,
    ) -> Result<WrittenBack> {
        // Community -> (stored documents, new documents).
        let mut by_community: HashMap<String, Batch> = HashMap::new();
        for (id, h) in &self.handles {
            let stored = svc.stored_heads(id)?;
            let Some(unchanged) = read_doc(h, |doc| {
                stored.as_deref() == Some(&*heads_text(&doc.get_heads()))
            }) else {
                tracing::warn!(%id, "unreadable in the broken repository; not written back");
                continue;
            };
            if unchanged || (stored.is_none() && joining.is_none() && svc.left_out_here(id)?) {
                continue;
            }
            // A stored document is batched with the community it is stored under (whatever
            // its header says now: the store judges it by what it was); a new one by the
            // community its header names (a community document by its own id), and the
            // store takes it as what it judges it to be.
            let held = match stored {
                Some(_) => allmende_store::chunks_api::doc_meta(svc.store().conn(), id)?,
                None => None,
            };
            let community = match held {
                Some(meta) => Some(meta.community),
                // A document whose log founds a community is that community's, whatever its
                // header says now (or whether it reads): as the store judges it.
                None => read_doc(h, |doc| {
                    if founds_community(id, doc) {
                        return Some(id.clone());
                    }
                    header_of(doc).map(|hd| match hd.kind {
                        DocKind::Community => id.clone(),
                        _ => hd.community,
                    })
                })
                .flatten(),
            };
            let Some(community) = community else {
                tracing::debug!(%id, "not an Allmende document; left in the relay");
                continue;
            };
            let Some(bytes) = read_doc(h, |doc| doc.save()) else {
                continue;
            };
            let batch = by_community.entry(community).or_default();
            if stored.is_some() {
                batch.0.push((id.clone(), bytes));
            } else {
                batch.1.push((id.clone(), bytes));
            }
        }
        let mut out = WrittenBack::default();
        for (community, (held_here, new)) in by_community {
            let ours = joining == Some(community.as_str()) || svc.belongs_to(&community)?;
            let took_part = !ours
                && new
                    .iter()
                    .any(|(id, bytes)| *id == community && svc.took_part_in(id, bytes));
            let mut docs = held_here;
            if ours || took_part {
                docs.extend(new);
            } else if !new.is_empty() {
                let left: Vec<(String, String)> = new
                    .iter()
                    .map(|(id, _)| (id.clone(), community.clone()))
                    .collect();
                svc.note_left_out(&left)?;
                tracing::info!(%community, documents = left.len(), "not a community of this device; left out");
                out.left_out.extend(left.into_iter().map(|(id, _)| id));
            }
            if docs.is_empty() {
                continue;
            }
            let joining = if took_part {
                Some(community.as_str())
            } else {
                joining
            };
            let (report, held) = svc.receive_each_in(&docs, Intake::Mine { joining })?;
            out.received += report.merged;
            out.created += report.created;
            out.quarantined.extend(held);
            for (id, community) in report.left_out {
                tracing::info!(%id, %community, "not a community of this device; left out");
                out.left_out.push(id);
            }
        }
        Ok(out)
    }

    /// Documents and the heads both sides of the connection hold (what the other side has
    /// acknowledged): the ones to record as in step.
    pub(super) fn in_step(&self) -> Vec<(String, String)> {
        let Some(conn) = self.conn else {
            return Vec::new();
        };
        self.handles
            .iter()
            .filter_map(|(id, h)| {
                let peers = guarded(|| h.peers().0)?;
                let shared = peers.get(&conn)?.shared_heads.clone()?;
                Some((id.clone(), heads_text(&shared)))
            })
            .collect()
    }

    /// The documents the session holds.
    pub(super) fn held(&self) -> impl Iterator<Item = &String> {
        self.handles.keys()
    }

    /// Bytes moved so far, sent and received.
    pub(super) fn traffic(&self) -> (u64, u64) {
        (
            self.traffic.sent.load(Ordering::Relaxed),
            self.traffic.received.load(Ordering::Relaxed),
        )
    }

    fn heads(&self) -> HashMap<String, Vec<ChangeHash>> {
        self.handles
            .iter()
            .filter_map(|(id, h)| Some((id.clone(), read_doc(h, |d| d.get_heads())?)))
            .collect()
    }
}

/// Whether `doc`'s log founds community `id` (replayed, only where there is a log).
fn founds_community(id: &str, doc: &Automerge) -> bool {
    automerge::ReadDoc::get(doc, ROOT, "log")
        .ok()
        .flatten()
        .is_some()
        && allmende_core::governance::replay_document(
            id,
            doc,
            &mut allmende_core::governance::LogHistory::default(),
            &mut allmende_core::governance::Checked::default(),
        )
        .is_founded()
}

/// Documents of one community to write back: those stored here already, and new ones.
type Batch = (Vec<(String, Vec<u8>)>, Vec<(String, Vec<u8>)>);

/// What a session wrote back into the store.
#[derive(Debug, Default)]
pub(super) struct WrittenBack {
    pub received: usize,
    pub created: usize,
    pub quarantined: Vec<Quarantined>,
    /// New documents of communities this device does not belong to, not taken in.
    pub left_out: Vec<String>,
}

impl Session {
    /// A session around a repository that accepts many peers (see `p2p::listen`): every
    /// local document is loaded into `storage` first.
    pub(crate) async fn hosting(
        svc: &mut Service,
        (repo, tasks, acceptor): (Repo, RepoTasks, samod::AcceptorHandle),
        storage: InMemoryStorage,
        loaded: HashMap<String, i64>,
        timeout: Duration,
    ) -> Result<Session> {
        let mut s = Session {
            repo,
            tasks,
            dialer: None,
            acceptor: Some(acceptor),
            conn: None,
            traffic: Arc::default(),
            storage,
            handles: BTreeMap::new(),
            timeout,
            missing: HashMap::new(),
            loaded,
        };
        // After the session exists: on an error it is freed (see `Drop`).
        let ids: Vec<String> = svc.store().docs(None)?.into_iter().map(|d| d.id).collect();
        s.find_all(&ids).await;
        Ok(s)
    }

    /// Stops the repository and frees it: its dialer and acceptor are closed and its tasks
    /// ended, so the documents it held are dropped (see `repo_tasks`).
    pub(crate) async fn stop(self) {
        stop_repo(&self.repo, &self.tasks).await;
        self.let_go();
        self.tasks.end().await;
    }

    /// The error to end with when the repository broke on what the other side sent.
    pub(crate) fn broken(&self) -> Option<PeerError> {
        self.tasks.broken().map(|_| broken(&self.tasks))
    }

    fn let_go(&self) {
        // Also from `Drop`, maybe while a panic unwinds: a panic here (samod's lock poisoned
        // by a broken repository) would abort the process.
        guarded(|| {
            if let Some(d) = &self.dialer {
                d.close();
            }
            if let Some(a) = &self.acceptor {
                a.close();
            }
        });
    }
}

/// A session given up on an error path (`?` before `stop`) is freed too: its dialer and
/// acceptor are closed and its tasks aborted.
impl Drop for Session {
    fn drop(&mut self) {
        self.let_go();
        drop(self.tasks.abort());
    }
}

/// Loads every local document into `storage` (before the repository is built on it);
/// returns the version of each as loaded.
pub(crate) async fn preload(
    svc: &mut Service,
    storage: &InMemoryStorage,
) -> Result<HashMap<String, i64>> {
    load_into(svc, storage, None).await
}

/// Loads the local documents `only` names (all without it) into `storage`; returns their versions,
/// each read before its bytes.
async fn load_into(
    svc: &mut Service,
    storage: &InMemoryStorage,
    only: Option<&[String]>,
) -> Result<HashMap<String, i64>> {
    let metas = match only {
        None => svc.store().docs(None)?,
        Some(ids) => {
            let conn = svc.store().conn();
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(allmende_store::chunks_api::doc_meta(conn, id)?);
            }
            out
        }
    };
    let mut loaded = HashMap::new();
    for meta in metas {
        let bytes = svc.stored_bytes(&meta.id)?;
        let key = StorageKey::from_parts([meta.id.as_str(), "snapshot", "local"]).map_err(bad)?;
        storage.put(key, bytes).await;
        loaded.insert(meta.id, meta.version);
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_scope;
