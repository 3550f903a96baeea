//! Starting and stopping the relay: storage, access rules, the engine, the TCP side
//! ([`crate::http`]) and the iroh side; graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::access::Access;
use crate::app::App;
use crate::config::Config;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::storage::Store;

/// A running relay.
pub struct Relay {
    /// The address it listens on (useful with port 0).
    pub addr: SocketAddr,
    /// How devices reach it over iroh, when that is on.
    pub ticket: Option<allmende_core::ticket::Ticket>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Relay {
    /// Stops accepting, closes connections and waits until everything is flushed to disk.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }

    /// Waits until the relay stops by itself (it does not, unless its task fails).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Quic(#[from] crate::quic::QuicError),
}

/// Opens the storage, learns the access rules from the stored documents, and serves.
///
/// # Errors
/// A [`StartError`] when the storage cannot be opened or the address cannot be bound.
pub async fn start(config: Config) -> Result<Relay, StartError> {
    let storage = Store::open(&config.data)?;
    let metrics = Arc::new(Metrics::default());
    let access = Access::new(config.allow_foreign_documents)
        .accepting_unproven_items(config.accept_unproven_items)
        .founded_only_by(&config.founders);
    for doc in storage.documents()? {
        access.refresh(&doc, &storage.document_bytes(&doc)?);
    }
    let hub = Hub::new(
        storage.clone(),
        access,
        metrics.clone(),
        config.max_document_bytes,
        config.max_queued_bytes,
    )
    .with_max_inflated_bytes(config.max_inflated_bytes)
    .with_connection_limits(&config);
    hub.spawn_sweeper(
        std::time::Duration::from_secs(config.handshake_timeout_secs),
        std::time::Duration::from_secs(config.idle_timeout_secs),
    );
    raise_file_limit(&config);

    let quic = match config.iroh {
        Some(bind) => Some(
            crate::quic::start(
                bind,
                &config.data,
                hub.clone(),
                crate::quic::Limits {
                    max_bytes: config.max_message_bytes,
                    rate: config.max_messages_per_second,
                },
                metrics.clone(),
            )
            .await?,
        ),
        None => None,
    };
    let ticket = quic.as_ref().map(|q| q.ticket.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;
    let app = Arc::new(App {
        config: config.clone(),
        ticket: ticket.as_ref().map(allmende_core::ticket::Ticket::text),
        hub: hub.clone(),
        metrics,
        storage,
        logins: crate::auth::Logins::new(&config.names, addr),
    });
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        crate::http::serve(listener, app, shutdown_rx).await;
        if let Some(q) = quic {
            q.close().await;
        }
        // Flush every pending storage write before reporting the stop.
        hub.shutdown().await;
        tracing::info!("relay stopped; all changes flushed");
    });
    tracing::info!(%addr, "relay listening");
    if config.names.is_empty() && !addr.ip().is_loopback() {
        tracing::info!(
            "`names` is not set: devices must dial this relay by one of its own addresses; \
             set the names they use for a DNS name or a forwarded port"
        );
    }
    Ok(Relay {
        addr,
        ticket,
        shutdown: Some(shutdown_tx),
        task,
    })
}

/// Raises the soft limit on open files to the hard limit (the default 1024 is below the
/// connection cap), and warns when the caps can still not all be met.
fn raise_file_limit(config: &Config) {
    let Ok(soft) = rlimit::increase_nofile_limit(u64::MAX) else {
        return;
    };
    // Every connection and pending handshake is a descriptor; storage and iroh need some.
    let needed = (config.max_connections + config.max_pending_handshakes + 64) as u64;
    if soft < needed {
        tracing::warn!(
            open_files = soft,
            needed,
            "the open-file limit is below max_connections + max_pending_handshakes: \
             lower them or raise the limit (LimitNOFILE= in the systemd unit)"
        );
    }
}
