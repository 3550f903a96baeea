//! A hostile relay: a WebSocket server that speaks the automerge-repo protocol and answers
//! the first sync message for any document with what a test gives it (a message Automerge
//! cannot read safely, say), as a relay operator with a modified server could. It hands out
//! no login challenge (devices then connect without credentials, as to the JavaScript sync
//! server) and no change feed.

use std::net::SocketAddr;
use std::sync::Arc;

use allmende_sync_wire::protocol::{self, Inbound};
use futures::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt as _;
use tokio_tungstenite::tungstenite::Message;

/// The relay's samod peer id.
const ID: &str = "hostile-relay";

/// A running hostile relay; stops when dropped.
pub struct HostileRelay {
    pub addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl HostileRelay {
    /// Starts one that answers every `sync` or `request` with the sync message `answer`.
    ///
    /// # Panics
    /// When it cannot listen.
    #[must_use]
    pub fn start(answer: Vec<u8>) -> HostileRelay {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("listen");
        let addr = listener.local_addr().expect("address");
        let answer = Arc::new(answer);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, answer.clone()));
            }
        });
        HostileRelay {
            addr,
            runtime: Some(runtime),
        }
    }

    /// `ws://ADDR`
    #[must_use]
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }
}

impl Drop for HostileRelay {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// One connection: plain HTTP requests (the login challenge, the change feed) get a 404;
/// a WebSocket upgrade gets the protocol.
async fn serve(mut stream: tokio::net::TcpStream, answer: Arc<Vec<u8>>) {
    let mut head = [0u8; 4096];
    let mut seen = 0;
    loop {
        let Ok(n) = stream.peek(&mut head).await else {
            return;
        };
        if n == 0 || n == seen {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        seen = n;
        if head[..n].windows(4).any(|w| w == b"\r\n\r\n") || n == head.len() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head[..seen]).to_ascii_lowercase();
    if !text.contains("upgrade: websocket") {
        // Read what was asked first: a socket closed with unread bytes is reset, and the
        // device would take the relay for unreachable.
        let _ = tokio::io::AsyncReadExt::read_exact(&mut stream, &mut head[..seen]).await;
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await;
        let _ = stream.shutdown().await;
        return;
    }
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let mut peer = String::new();
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Binary(frame) = msg else {
            continue;
        };
        let reply = match protocol::decode(&frame) {
            Ok(Inbound::Join { sender, .. }) => {
                peer = sender;
                protocol::peer(ID, &peer)
            }
            Ok(Inbound::Sync { document, .. }) => protocol::sync(ID, &peer, &document, &answer),
            _ => continue,
        };
        if ws.send(Message::binary(reply)).await.is_err() {
            return;
        }
    }
}
