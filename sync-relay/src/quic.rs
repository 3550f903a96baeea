//! Sync over iroh (QUIC) beside the WebSocket, for devices that reach the relay by its ticket
//! (a laptop relay in a village hall without a web server in front, a relay behind a NAT).
//!
//! The relay's iroh key is kept in `relay-iroh.key` in the data directory, so its ticket stays
//! the same across restarts. A device opens one bidirectional stream with the ALPN
//! [`RELAY_ALPN`], sends its session name and a newline, then speaks the automerge-repo
//! protocol in length-delimited frames. The QUIC handshake proves the device key, so the
//! connection is bound to `device:<key>:<session>` without a signed query; from there it is the
//! same as a WebSocket connection: the same limits ([`crate::limits::guard_stream`]), the same
//! connection cap, the same access policy, the same metrics.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use allmende_core::ticket::Ticket;
use allmende_core::wire::{device_peer_id, valid_session, RELAY_ALPN};
use iroh::endpoint::presets;
use iroh::{Endpoint, RelayMode, SecretKey};
use tokio::io::AsyncReadExt as _;

use crate::hub::Hub;
use crate::metrics::Metrics;

/// How long a QUIC handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// The longest preamble: a session name of at most 64 characters and the newline.
const MAX_PREAMBLE: usize = 65;

/// Why the iroh side could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuicError {
    #[error("relay key {path}: {source}")]
    Key {
        path: String,
        source: std::io::Error,
    },
    #[error("relay key {0} is damaged (expected 64 hex characters)")]
    DamagedKey(String),
    #[error("cannot listen for iroh on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
}

/// The relay's iroh side while it runs.
pub struct QuicSide {
    /// How devices reach it.
    pub ticket: Ticket,
    endpoint: Endpoint,
    task: tokio::task::JoinHandle<()>,
}

impl QuicSide {
    /// Stops accepting and closes the endpoint.
    pub async fn close(self) {
        self.task.abort();
        self.endpoint.close().await;
    }
}

/// Limits shared with the WebSocket side.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub rate: u32,
}

/// The relay's iroh key from `path`, made on first start.
///
/// # Errors
/// The file cannot be read or written, or is damaged.
pub fn load_key(path: &Path) -> Result<SecretKey, QuicError> {
    let io = |source| QuicError::Key {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| QuicError::DamagedKey(path.display().to_string()))?;
            Ok(SecretKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(io)?;
            file.write_all(hex::encode(bytes).as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(SecretKey::from_bytes(&bytes))
        }
        Err(e) => Err(io(e)),
    }
}

/// Starts the iroh endpoint on `bind` and hands every device's stream to `hub`.
///
/// # Errors
/// The key cannot be loaded, the address cannot be bound.
pub async fn start(
    bind: SocketAddr,
    data: &Path,
    hub: Hub,
    limits: Limits,
    metrics: Arc<Metrics>,
) -> Result<QuicSide, QuicError> {
    let key = load_key(&data.join("relay-iroh.key"))?;
    let bind_error = |message: String| QuicError::Bind {
        addr: bind,
        message,
    };
    let endpoint = Endpoint::builder(presets::Minimal)
        .secret_key(key)
        .alpns(vec![RELAY_ALPN.to_vec()])
        .relay_mode(RelayMode::Disabled)
        .bind_addr(bind)
        .map_err(|e| bind_error(e.to_string()))?
        .bind()
        .await
        .map_err(|e| bind_error(e.to_string()))?;
    let ticket = Ticket::for_sockets(
        &hex::encode(endpoint.id().as_bytes()),
        &endpoint.bound_sockets(),
        lan_ip(),
    );
    let accepting = endpoint.clone();
    let task = tokio::spawn(async move {
        while let Some(incoming) = accepting.accept().await {
            // A sender that has not shown it receives at its address (spoofed packets) is
            // asked to first: it takes no place until then.
            if !incoming.remote_addr_validated() {
                let _ = incoming.retry();
                continue;
            }
            let from = match incoming.remote_addr() {
                iroh::endpoint::IncomingAddr::Ip(a) => Some(a.ip()),
                _ => None,
            };
            // A QUIC handshake under way holds one of the pending places, as a WebSocket's
            // does, and one of its address's.
            let admission = hub.admission();
            let places = admission.pending(from).and_then(|p| match from {
                Some(ip) => admission.ip(ip).map(|i| vec![p, i]),
                None => Ok(vec![p]),
            });
            let Ok(mut places) = places else {
                incoming.refuse();
                continue;
            };
            let (hub, metrics) = (hub.clone(), metrics.clone());
            tokio::spawn(async move {
                if let Ok(Ok(conn)) = tokio::time::timeout(HANDSHAKE, incoming).await {
                    let pending = places.remove(0);
                    serve(conn, hub, limits, metrics, pending, places).await;
                }
            });
        }
    });
    tracing::info!(ticket = %ticket.text(), "relay accepting iroh connections");
    Ok(QuicSide {
        ticket,
        endpoint,
        task,
    })
}

async fn serve(
    conn: iroh::endpoint::Connection,
    hub: Hub,
    limits: Limits,
    metrics: Arc<Metrics>,
    pending: crate::admission::Permit,
    mut held: Vec<crate::admission::Permit>,
) {
    let device = hex::encode(conn.remote_id().as_bytes());
    let refuse = |reason: &str| {
        Metrics::add(&metrics.rejected_connections, 1);
        tracing::warn!(%device, reason, "iroh connection refused");
        conn.close(1u32.into(), reason.as_bytes());
    };
    match hub.admission().open() {
        Ok(p) => held.push(p),
        Err(_) => {
            tracing::warn!(%device, "iroh connection refused: the connection cap is reached");
            conn.close(1u32.into(), b"too many connections");
            return;
        }
    }
    let Ok(Ok((send, mut recv))) =
        tokio::time::timeout(Duration::from_secs(10), conn.accept_bi()).await
    else {
        refuse("no stream opened");
        return;
    };
    let Some(session) = read_preamble(&mut recv).await else {
        refuse("no valid session name");
        return;
    };
    let peer: std::sync::Arc<str> = std::sync::Arc::from(device_peer_id(&device, &session));
    let key = match hub.admission().key(&peer) {
        Ok(key) => key,
        Err(refusal) => {
            tracing::warn!(%device, %refusal, "iroh connection refused");
            conn.close(1u32.into(), refusal.to_string().as_bytes());
            return;
        }
    };
    drop(pending);
    let stream = crate::limits::guard_stream(
        tokio::io::join(recv, send),
        peer.clone(),
        limits.max_bytes,
        limits.rate,
        metrics.clone(),
    );
    held.push(key);
    let (ended_tx, ended_rx) = tokio::sync::oneshot::channel::<()>();
    hub.accept_holding(stream, peer, held, Some(ended_tx));
    // Keep the connection until the device is done, or until the relay's session with it
    // ended (closed for a reason, or no join in time): then it goes too.
    tokio::select! {
        _ = conn.closed() => {}
        _ = ended_rx => conn.close(0u32.into(), b"session ended"),
    }
}

/// Reads the session name up to the newline, a byte at a time (nothing after it is taken).
async fn read_preamble(recv: &mut iroh::endpoint::RecvStream) -> Option<String> {
    let read = async {
        let mut line = Vec::new();
        loop {
            let b = recv.read_u8().await.ok()?;
            if b == b'\n' {
                break;
            }
            line.push(b);
            if line.len() >= MAX_PREAMBLE {
                return None;
            }
        }
        String::from_utf8(line).ok().filter(|s| valid_session(s))
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()
        .flatten()
}

/// This machine's address on the local network (no packet is sent).
fn lan_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    socket
        .local_addr()
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified())
}
