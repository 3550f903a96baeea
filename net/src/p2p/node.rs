//! The iroh endpoint of this device, and tickets to link two devices directly.

use std::net::SocketAddr;

use iroh::endpoint::presets;
use iroh::{Endpoint, EndpointAddr, RelayMode, SecretKey, TransportAddr};

use super::ALPN;
use allmende_service::device::DeviceKey;
use allmende_store::error::{PeerError, Result};

pub use allmende_core::ticket::Ticket;

/// The iroh address of a ticket's device.
///
/// # Errors
/// A malformed key.
pub fn endpoint_addr(ticket: &Ticket) -> Result<EndpointAddr> {
    let key = iroh::PublicKey::from_bytes(&ticket.key()?)
        .map_err(|_| PeerError::BadInput("the peer ticket's key is damaged".into()))?;
    Ok(EndpointAddr::from_parts(
        key,
        ticket.addrs.iter().map(|a| TransportAddr::Ip(*a)),
    ))
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
            .map_err(|e| PeerError::Network(format!("cannot listen on {addr}: {e}")))?;
    }
    builder
        .bind()
        .await
        .map_err(|e| PeerError::Network(format!("cannot start the peer endpoint: {e}")))
}

/// A ticket for this endpoint: its key and the addresses it is bound to (unspecified
/// addresses replaced by this machine's addresses on the local network and loopback).
#[must_use]
pub fn ticket(endpoint: &Endpoint) -> Ticket {
    Ticket::for_sockets(
        &hex::encode(endpoint.id().as_bytes()),
        &endpoint.bound_sockets(),
        lan_ip(),
    )
}

/// This machine's address on the local network (the one a route to the internet would use;
/// no packet is sent). `allmende serve` names it too.
#[must_use]
pub fn lan_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    socket
        .local_addr()
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified())
}
