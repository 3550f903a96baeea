//! What the hub and the document actors share: a connection as an actor sees it, the
//! messages a connection sends an actor, and the state every actor needs (store, access,
//! limits, metrics, the registry of running actors and open connections).

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::access::Access;
use crate::admission::Admission;
use crate::limits::Activity;
use crate::metrics::Metrics;
use crate::outbox::Outbox;
use crate::quota::Quota;
use crate::storage::Store;

/// What a connection asks of a document.
pub enum DocMsg {
    Sync {
        conn: ConnHandle,
        data: Vec<u8>,
        request: bool,
    },
    Ephemeral {
        conn: ConnHandle,
        session: String,
        count: u64,
        data: Vec<u8>,
    },
    Leave {
        conn: u64,
    },
}

/// A connection as the document actors see it.
#[derive(Clone)]
pub struct ConnHandle {
    pub id: u64,
    pub peer: Arc<str>,
    pub(crate) out: Arc<Outbox>,
}

impl ConnHandle {
    /// Queues a frame; false when the connection has ended or does not keep up (it is being
    /// closed and gets nothing more).
    pub fn send(&self, frame: Vec<u8>) -> bool {
        self.out.push(frame)
    }

    pub fn close(&self, reason: String) {
        self.out.close_with(reason);
    }
}

/// An open connection as the registry keeps it: its queue and its activity.
pub(crate) type Registered = (Arc<Outbox>, Arc<Activity>);

/// What every document actor needs.
pub struct Shared {
    pub store: Store,
    pub access: Access,
    pub metrics: Arc<Metrics>,
    pub relay_id: String,
    pub max_document_bytes: usize,
    pub max_queued_bytes: usize,
    /// See [`crate::Config::max_inflated_bytes`].
    pub max_inflated_bytes: usize,
    /// See [`crate::Config::max_document_operations`].
    pub max_document_operations: u64,
    /// See [`crate::Config::max_documents_per_connection`].
    pub max_documents_per_connection: usize,
    /// See [`crate::Config::max_ephemeral_bytes`].
    pub max_ephemeral_bytes: usize,
    /// Bytes stored per device key.
    pub quota: Quota,
    /// Who may connect (shared with the WebSocket and the iroh side).
    pub admission: Admission,
    pub(crate) docs: Mutex<HashMap<String, mpsc::UnboundedSender<DocMsg>>>,
    /// Every open connection's queue and activity, to tell each when the relay stops and to
    /// find silent ones (a registry costs an idle connection less than a timer or a
    /// shutdown signal each task waits on).
    pub(crate) conns: Mutex<HashMap<u64, Registered>>,
    /// Every actor holds a clone; shutdown waits until all are gone.
    pub(crate) alive: Mutex<Option<mpsc::Sender<()>>>,
    pub(crate) closing: AtomicBool,
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
