//! A modified peer: speaks the sync protocol over iroh to a listening device, as a member
//! whose key it holds, and sends whatever a test tells it to (changes Automerge cannot take,
//! compression bombs, frames of any length), as a hostile member on the local network would
//! with a few lines of code.

use std::time::Duration;

use allmende_service::device::DeviceKey;
use allmende_sync_wire::protocol::{self, Inbound};
use iroh::endpoint::{Connection, RecvStream, SendStream};
use iroh::Endpoint;

/// One linked stream to a listening device, after the handshake.
pub struct RawPeer {
    send: SendStream,
    recv: RecvStream,
    /// Kept for the link's life.
    _conn: Connection,
    _endpoint: Endpoint,
    /// This client's peer id (`device:<key>:p2p`).
    pub peer: String,
    /// The listener's peer id, from its answer to the join.
    pub other: String,
}

/// What came back.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    Frame(Vec<u8>),
    /// The listener closed the stream or the connection.
    Closed,
    /// Nothing for the wait.
    Silent,
}

impl RawPeer {
    /// Links with the device of `ticket` as the device of `seed` and joins; `None` when the
    /// listener does not let it in.
    pub async fn open(ticket: &str, seed: [u8; 32]) -> Option<RawPeer> {
        let key = DeviceKey::from_secret(&seed);
        let opts = allmende_net::p2p::node::NodeOptions {
            bind: Some("127.0.0.1:0".parse().ok()?),
            relay: None,
        };
        let endpoint = allmende_net::p2p::node::start(&key, &opts).await.ok()?;
        let ticket = allmende_core::ticket::Ticket::parse(ticket).ok()?;
        let addr = allmende_net::p2p::node::endpoint_addr(&ticket).ok()?;
        let conn = endpoint.connect(addr, allmende_net::p2p::ALPN).await.ok()?;
        let (send, recv) = conn.open_bi().await.ok()?;
        let mut raw = RawPeer {
            send,
            recv,
            _conn: conn,
            _endpoint: endpoint,
            peer: allmende_core::wire::device_peer_id(
                &key.public_hex(),
                allmende_net::p2p::P2P_SESSION,
            ),
            other: String::new(),
        };
        raw.send(&protocol::join(&raw.peer)).await.ok()?;
        loop {
            let Heard::Frame(frame) = raw.next(Duration::from_secs(10)).await else {
                return None;
            };
            if let Ok(Inbound::Peer { sender }) = protocol::decode(&frame) {
                raw.other = sender;
                return Some(raw);
            }
        }
    }

    /// Sends one frame (its length first, as samod frames them).
    ///
    /// # Errors
    /// When the stream is closed.
    pub async fn send(&mut self, frame: &[u8]) -> Result<(), String> {
        let len = u32::try_from(frame.len()).map_err(|e| e.to_string())?;
        self.send_bytes(&len.to_be_bytes()).await?;
        self.send_bytes(frame).await
    }

    /// Sends bytes as they are (a length announcing a frame that never comes, say).
    ///
    /// # Errors
    /// When the stream is closed.
    pub async fn send_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.send.write_all(bytes).await.map_err(|e| e.to_string())
    }

    /// The next frame within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Heard {
        let read = async {
            let mut len = [0u8; 4];
            self.recv.read_exact(&mut len).await.ok()?;
            let mut frame = vec![0u8; usize::try_from(u32::from_be_bytes(len)).ok()?];
            self.recv.read_exact(&mut frame).await.ok()?;
            Some(frame)
        };
        match tokio::time::timeout(wait, read).await {
            Ok(Some(frame)) => Heard::Frame(frame),
            Ok(None) => Heard::Closed,
            Err(_) => Heard::Silent,
        }
    }

    /// Reads until the listener closes the link; `false` when it stays open for `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let end = tokio::time::Instant::now() + wait;
        loop {
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Heard::Closed => return true,
                Heard::Silent => return false,
                Heard::Frame(_) => {}
            }
        }
    }
}
