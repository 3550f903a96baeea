//! The relay's HTTP side: WebSocket sync at `/`, `/healthz`, `/metrics`, graceful shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::access::Access;
use crate::config::Config;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::storage::Store;

#[derive(Clone)]
struct App {
    config: Arc<Config>,
    ticket: Option<String>,
    hub: Hub,
    metrics: Arc<Metrics>,
    storage: Store,
}

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

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Opens the storage, learns the access rules from the stored documents, and serves.
///
/// # Errors
/// A [`StartError`] when the storage cannot be opened or the address cannot be bound.
pub async fn start(config: Config) -> Result<Relay, StartError> {
    let storage = Store::open(&config.data)?;
    let metrics = Arc::new(Metrics::default());
    let access = Access::new(config.allow_foreign_documents);
    for doc in storage.documents()? {
        access.refresh(&doc, &storage.document_bytes(&doc)?);
    }
    let hub = Hub::new(
        storage.clone(),
        access,
        metrics.clone(),
        config.max_document_bytes,
        config.max_queued_bytes,
    );

    let quic = match config.iroh {
        Some(bind) => Some(
            crate::quic::start(
                bind,
                &config.data,
                hub.clone(),
                crate::quic::Limits {
                    max_bytes: config.max_message_bytes,
                    rate: config.max_messages_per_second,
                    max_connections: config.max_connections,
                },
                metrics.clone(),
            )
            .await?,
        ),
        None => None,
    };
    let ticket = quic.as_ref().map(|q| q.ticket.clone());
    let app = App {
        config: Arc::new(config.clone()),
        ticket: ticket.as_ref().map(allmende_core::ticket::Ticket::text),
        hub: hub.clone(),
        metrics,
        storage,
    };
    let router = Router::new()
        .route("/", get(sync_socket))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text))
        .route("/ticket", get(ticket_text))
        .with_state(app);
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
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = shutdown_rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "relay server failed");
        }
        if let Some(q) = quic {
            q.close().await;
        }
        // Flush every pending storage write before reporting the stop.
        hub.shutdown().await;
        tracing::info!("relay stopped; all changes flushed");
    });
    tracing::info!(%addr, "relay listening");
    Ok(Relay {
        addr,
        ticket,
        shutdown: Some(shutdown_tx),
        task,
    })
}

async fn sync_socket(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if app.metrics.open_connections() >= app.config.max_connections as u64 {
        Metrics::add(&app.metrics.rejected_connections, 1);
        tracing::warn!("connection refused: the connection cap is reached");
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections\n").into_response();
    }
    let peer = match crate::auth::verify(&query, now_ms()) {
        Ok(peer) => peer,
        Err(e) => {
            Metrics::add(&app.metrics.rejected_connections, 1);
            tracing::warn!(reason = %e, "connection refused");
            return (StatusCode::UNAUTHORIZED, format!("{e}\n")).into_response();
        }
    };
    let max = app.config.max_message_bytes;
    let rate = app.config.max_messages_per_second;
    // A small read buffer: tungstenite zero-fills its whole read buffer before the first read
    // (128 KiB by default), which dominated the memory of an idle connection. Larger frames
    // still arrive whole (the buffer grows to the frame), in more reads. The write buffer only
    // grows as needed.
    upgrade
        .read_buffer_size(2 * 1024)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            let conn = crate::limits::guard(socket, &peer, max, rate, app.metrics.clone());
            app.hub.accept(conn, peer);
        })
}

async fn metrics_text(State(app): State<App>) -> Response {
    let storage = app.storage.clone();
    let docs = tokio::task::spawn_blocking(move || storage.document_count())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    (
        [("content-type", "text/plain; version=0.0.4")],
        app.metrics.render(docs),
    )
        .into_response()
}

async fn ticket_text(State(app): State<App>) -> Response {
    match &app.ticket {
        Some(t) => format!("{t}\n").into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "iroh is off (start with --iroh ADDR)\n",
        )
            .into_response(),
    }
}
