//! Dialing a peer over iroh: a samod dialer whose transport is a QUIC stream, with the samod
//! peer id bound to the key the QUIC handshake proved.

use std::convert::Infallible;

use allmende_core::wire::device_peer_id;
use futures::future::BoxFuture;
use futures::FutureExt;
use iroh::{Endpoint, EndpointAddr};
use samod::{DialError, Dialer, PeerId, Transport, Url};

use super::{ALPN, P2P_SESSION};

/// The samod peer id of a device on P2P connections.
#[must_use]
pub fn peer_id_of(device_hex: &str) -> PeerId {
    PeerId::from(device_peer_id(device_hex, P2P_SESSION))
}

/// A samod dialer for one peer (or a relay reached over iroh).
pub struct IrohDialer {
    endpoint: Endpoint,
    addr: EndpointAddr,
    alpn: &'static [u8],
    /// Sent before the sync messages (the session name, for a relay).
    preamble: Option<String>,
    expected: PeerId,
    /// Where the link names its peer when it lets a sync message through (see
    /// `sync::screen`).
    last: Option<crate::sync::LastSender>,
}

impl IrohDialer {
    /// Dials another device.
    #[must_use]
    pub fn new(endpoint: Endpoint, addr: EndpointAddr) -> Self {
        let expected = peer_id_of(&hex::encode(addr.id.as_bytes()));
        IrohDialer {
            endpoint,
            addr,
            alpn: ALPN,
            preamble: None,
            expected,
            last: None,
        }
    }

    /// The same dialer, naming its peer in `last` when a sync message comes through.
    #[must_use]
    pub(crate) fn noting(mut self, last: crate::sync::LastSender) -> Self {
        self.last = Some(last);
        self
    }

    /// Dials a relay that accepts iroh connections, as this device's `session`.
    #[must_use]
    pub fn to_relay(endpoint: Endpoint, addr: EndpointAddr, session: &str) -> Self {
        IrohDialer {
            endpoint,
            addr,
            alpn: allmende_core::wire::RELAY_ALPN,
            preamble: Some(format!("{session}\n")),
            expected: PeerId::from(allmende_core::wire::RELAY_PEER_ID),
            last: None,
        }
    }

    fn device(&self) -> String {
        hex::encode(self.addr.id.as_bytes())
    }
}

impl Dialer for IrohDialer {
    type Error = Infallible;

    fn url(&self) -> Url {
        Url::parse(&format!("iroh://{}", self.device()))
            .or_else(|_| Url::parse("iroh://peer"))
            .expect("a constant URL parses")
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Infallible>>> {
        let (endpoint, addr, alpn) = (self.endpoint.clone(), self.addr.clone(), self.alpn);
        let (preamble, expected) = (self.preamble.clone(), self.expected.clone());
        let (device, last) = (self.device(), self.last.clone());
        async move {
            let conn = endpoint
                .connect(addr, alpn)
                .await
                .map_err(DialError::transient)?;
            let (mut send, recv) = conn.open_bi().await.map_err(DialError::transient)?;
            if let Some(p) = preamble {
                send.write_all(p.as_bytes())
                    .await
                    .map_err(DialError::transient)?;
            }
            let io = tokio::io::join(recv, send);
            Ok(crate::sync::over_stream(io, expected, device, last))
        }
        .boxed()
    }
}
