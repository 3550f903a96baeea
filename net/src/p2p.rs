//! Peer to peer without any server: the automerge-repo sync protocol over an iroh QUIC
//! connection (ALPN [`ALPN`]), with the device key as the iroh endpoint key.
//!
//! - [`node`]: the iroh endpoint (public relays off unless one is configured), tickets.
//! - [`policy`]: who may have which document — the same rules as the relay's: a peer gets
//!   only documents of communities whose roster lists its device, team-only projects only
//!   for their team. Both sides of a connection apply it.
//! - [`connect`]: one sync with the device of a ticket (`allmende peer connect`).
//! - [`dial`]: a samod dialer that opens the sync stream to a peer, binding the samod peer id
//!   to the key the QUIC handshake proved.
//! - [`listen`]: accepting peers: a long-running samod repository over the local store that
//!   writes what peers bring into the store and serves local changes.
//!
//! Peers this device knows (how they were found, when they last synced) are kept by
//! [`allmende_service::peers`].

pub mod connect;
pub mod dial;
pub mod discover;
pub mod listen;
pub mod node;
pub mod policy;

/// The ALPN of Allmende's sync protocol over iroh.
pub const ALPN: &[u8] = allmende_core::wire::P2P_ALPN;

/// The samod session name both sides use on P2P connections (the peer id is
/// `device:<key>:p2p`; the key is proven by the QUIC handshake).
pub const P2P_SESSION: &str = "p2p";
