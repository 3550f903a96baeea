//! The iroh endpoint of this device, and tickets to link two devices directly.

use std::net::SocketAddr;

use base64::Engine as _;
use iroh::endpoint::presets;
use iroh::{Endpoint, EndpointAddr, RelayMode, SecretKey, TransportAddr};
use serde::{Deserialize, Serialize};

use super::ALPN;
use crate::device::DeviceKey;
use crate::error::{PeerError, Result};

const TICKET_PREFIX: &str = "allmende-peer:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A direct link to a device: its key and the addresses it listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub v: u8,
    /// The device's public key (hex): the iroh endpoint id.
    pub device: String,
    pub addrs: Vec<SocketAddr>,
}

impl Ticket {
    /// The ticket as text.
    #[must_use]
    pub fn text(&self) -> String {
        format!(
            "{TICKET_PREFIX}{}",
            B64.encode(serde_json::to_vec(self).unwrap_or_default())
        )
    }

    /// Reads a ticket.
    ///
    /// # Errors
    /// [`PeerError::BadInput`] for anything that is not a valid ticket.
    pub fn parse(text: &str) -> Result<Ticket> {
        let damaged = || PeerError::BadInput("the peer ticket is damaged".into());
        let body = text
            .trim()
            .strip_prefix(TICKET_PREFIX)
            .ok_or_else(|| PeerError::BadInput("not an Allmende peer ticket".into()))?;
        let t: Ticket = serde_json::from_slice(&B64.decode(body).map_err(|_| damaged())?)
            .map_err(|_| damaged())?;
        if t.v != 1 {
            return Err(PeerError::BadInput(format!(
                "peer ticket version {} is not supported",
                t.v
            )));
        }
        t.addr()?;
        Ok(t)
    }

    /// The iroh address of the ticket's device.
    ///
    /// # Errors
    /// A malformed key.
    pub fn addr(&self) -> Result<EndpointAddr> {
        let damaged = || PeerError::BadInput("the peer ticket's key is damaged".into());
        let bytes: [u8; 32] = hex::decode(&self.device)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(damaged)?;
        let key = iroh::PublicKey::from_bytes(&bytes).map_err(|_| damaged())?;
        Ok(EndpointAddr::from_parts(
            key,
            self.addrs.iter().map(|a| TransportAddr::Ip(*a)),
        ))
    }
}

/// Options for the endpoint.
#[derive(Debug, Clone, Default)]
pub struct NodeOptions {
    /// Listen on this address (default: all interfaces, a random port).
    pub bind: Option<SocketAddr>,
    /// A self-hosted iroh relay; public relays are never used (no internet is assumed).
    pub relay: Option<String>,
}

/// Starts this device's endpoint with the device key.
///
/// # Errors
/// The address cannot be bound, or the relay URL is malformed.
pub async fn start(key: &DeviceKey, opts: &NodeOptions) -> Result<Endpoint> {
    let relay_mode = match &opts.relay {
        None => RelayMode::Disabled,
        Some(url) => RelayMode::custom([url
            .parse::<iroh::RelayUrl>()
            .map_err(|e| PeerError::BadInput(format!("iroh relay URL '{url}': {e}")))?]),
    };
    let mut builder = Endpoint::builder(presets::Minimal)
        .secret_key(SecretKey::from_bytes(&key.secret_bytes()))
        .alpns(vec![ALPN.to_vec()])
        .relay_mode(relay_mode);
    if let Some(addr) = opts.bind {
        builder = builder
            .bind_addr(addr)
            .map_err(|e| PeerError::BadInput(format!("cannot listen on {addr}: {e}")))?;
    }
    builder
        .bind()
        .await
        .map_err(|e| PeerError::BadInput(format!("cannot start the peer endpoint: {e}")))
}

/// A ticket for this endpoint: its key and the addresses it is bound to (unspecified
/// addresses replaced by this machine's addresses on the local network and loopback).
#[must_use]
pub fn ticket(endpoint: &Endpoint) -> Ticket {
    let mut addrs = Vec::new();
    for bound in endpoint.bound_sockets() {
        if bound.ip().is_unspecified() {
            if bound.is_ipv4() {
                if let Some(ip) = lan_ip() {
                    addrs.push(SocketAddr::new(ip, bound.port()));
                }
                addrs.push(SocketAddr::new([127, 0, 0, 1].into(), bound.port()));
            }
        } else {
            addrs.push(bound);
        }
    }
    addrs.dedup();
    Ticket {
        v: 1,
        device: hex::encode(endpoint.id().as_bytes()),
        addrs,
    }
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
