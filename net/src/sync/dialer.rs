//! Dialing a relay over WebSocket, signing the connection with the device key.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use allmende_core::wire::auth_message;
use ed25519_dalek::{Signer, SigningKey};
use futures::future::BoxFuture;
use futures::{FutureExt, SinkExt, StreamExt};
use samod::{DialError, Dialer, Transport, Url};
use tokio_tungstenite::tungstenite::Message;

use allmende_service::clock::{Clock, SystemClock};
use allmende_service::device::DeviceKey;

/// Bytes moved over the connection, both ways.
#[derive(Debug, Default)]
pub struct Traffic {
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

/// A samod dialer for `ws://` relay URLs that adds `device`, `ts` and `sig` to the query.
pub struct RelayDialer {
    url: Url,
    key: SigningKey,
    device_hex: String,
    session: String,
    pub traffic: Arc<Traffic>,
}

impl RelayDialer {
    /// A dialer for `device`'s session `session` (the samod peer id must be
    /// `device_peer_id(device, session)`).
    #[must_use]
    pub fn new(url: Url, device: &DeviceKey, session: &str) -> Self {
        RelayDialer {
            url,
            key: SigningKey::from_bytes(&device.secret_bytes()),
            device_hex: device.public_hex(),
            session: session.to_string(),
            traffic: Arc::default(),
        }
    }

    fn signed_url(&self) -> Url {
        let ts = SystemClock.now();
        let sig = self.key.sign(auth_message(ts, &self.session).as_bytes());
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("device", &self.device_hex)
            .append_pair("session", &self.session)
            .append_pair("ts", &ts.to_string())
            .append_pair("sig", &hex::encode(sig.to_bytes()));
        url
    }
}

impl Dialer for RelayDialer {
    type Error = Infallible;

    fn url(&self) -> Url {
        self.url.clone()
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Infallible>>> {
        let url = self.signed_url();
        let traffic = self.traffic.clone();
        async move {
            let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
                .await
                .map_err(DialError::transient)?;
            let (sink, stream) = ws.split();
            let received = traffic.clone();
            let inbound = stream.filter_map(move |msg| {
                let received = received.clone();
                async move {
                    match msg {
                        Ok(Message::Binary(bytes)) => {
                            received
                                .received
                                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                            Some(Ok(bytes.to_vec()))
                        }
                        Ok(_) => None,
                        Err(e) => Some(Err(e)),
                    }
                }
            });
            let outbound = sink.with(move |bytes: Vec<u8>| {
                traffic
                    .sent
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                futures::future::ready(Ok::<_, tokio_tungstenite::tungstenite::Error>(
                    Message::Binary(bytes.into()),
                ))
            });
            Ok(Transport::new(Box::pin(inbound), Box::pin(outbound)))
        }
        .boxed()
    }
}
