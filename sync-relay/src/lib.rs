//! # allmende-relay: the store-and-forward sync relay
//!
//! An always-on peer that stores every document it is given and forwards changes between
//! devices that are rarely online at the same time. It speaks the automerge-repo sync protocol
//! over WebSocket (so the official JavaScript client works against it) with its own sync engine
//! on Automerge's sync protocol, and adds what a community relay needs:
//!
//! - [`protocol`]: the automerge-repo messages (CBOR).
//! - [`hub`] and [`document`]: one task per connection, one actor per document; changes are
//!   stored durably before anything reveals them.
//! - [`auth`]: devices prove their ed25519 key when they open the WebSocket; the connection is
//!   bound to the peer id `device:<key>`.
//! - [`access`]: the policy deciding per document and device: community members'
//!   devices read and write their community's documents; team-only projects only their team;
//!   everyone else nothing. It is rebuilt from the stored documents as they change.
//! - [`limits`]: maximum frame size and a per-connection message rate (a fast sender is read
//!   later, not closed); a malformed or oversize connection is closed with a logged reason,
//!   others go on.
//! - [`admission`]: caps on pending handshakes and on connections per IP address and per
//!   device key; the hub's sweeper closes connections that never join or fall silent.
//! - [`quic`]: the same sync over iroh (QUIC) for devices that reach the relay by its ticket.
//! - [`storage`]: chunks in SQLite (WAL, `synchronous=FULL`), written by one thread with group
//!   commit.
//! - [`metrics`]: Prometheus text at `/metrics`; `/healthz` for liveness.
//! - [`config`]: defaults, a TOML file, environment overrides.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

/// What `/healthz` answers: alive, and which release (for monitoring and upgrades).
pub const HEALTH: &str = concat!("ok allmende-relay ", env!("CARGO_PKG_VERSION"), "\n");

pub mod access;
pub mod admission;
mod app;
pub mod auth;
pub mod backup;
pub mod config;
pub mod document;
pub mod feed;
mod http;
pub mod hub;
pub mod limits;
pub mod metrics;
pub mod outbox;
pub mod quic;
pub mod quota;
pub mod server;
pub mod shared;
pub mod storage;
pub mod ws;

pub use allmende_sync_wire::{inflate, protocol};
pub use config::Config;
pub use server::{start, Relay};
