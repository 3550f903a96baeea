//! Dialing a relay over WebSocket, signing the connection with the device key.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::{FutureExt, SinkExt, StreamExt};
use samod::{DialError, Dialer, Transport, Url};
use tokio_tungstenite::tungstenite::Message;

use allmende_service::device::DeviceKey;

/// Bytes moved over the connection, both ways.
#[derive(Debug, Default)]
pub struct Traffic {
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

/// A samod dialer for `ws://` relay URLs that signs a fresh login (see `login`) for every
/// connection it opens.
pub struct RelayDialer {
    url: Url,
    key: DeviceKey,
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
            key: device.clone(),
            session: session.to_string(),
            traffic: Arc::default(),
        }
    }
}

impl Dialer for RelayDialer {
    type Error = Infallible;

    fn url(&self) -> Url {
        self.url.clone()
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Infallible>>> {
        let (url, key, session) = (self.url.clone(), self.key.clone(), self.session.clone());
        let traffic = self.traffic.clone();
        async move {
            // Named in the log without the signed login.
            let from = url.origin().ascii_serialization();
            let url = super::login::signed(&url, None, &key, &session)
                .await
                .map_err(DialError::transient)?;
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
            let inbound = super::screen::screened(inbound, from, None);
            Ok(Transport::new(inbound, Box::pin(outbound)))
        }
        .boxed()
    }
}
