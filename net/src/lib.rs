//! # allmende-net: a peer's network
//!
//! Everything a peer says over the network, over the service ([`allmende_service`]):
//!
//! - [`sync`]: sync with a relay (or any automerge-repo sync server) over WebSocket or iroh,
//!   work proportional to what changed, each community only with its own relays.
//! - [`p2p`]: peer to peer on a local network (iroh QUIC, mDNS), with the same access rules
//!   as the relay.
//! - [`join`]: joining a community with an invite token through its relay.
//! - [`background`]: keeping in step in the background for the desktop app and `allmende serve`.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod background;
pub mod join;
pub mod p2p;
pub mod sync;

/// What the command line and the desktop app log when `ALLMENDE_LOG` says nothing: warnings,
/// except samod's internal ones. A sync of many windows ends each window's repository while
/// its connection is closing, and samod then warns that it cannot redial ("no dialer
/// registered"): nothing is lost and nothing for a person to do, but it filled the terminal of
/// every large sync. `ALLMENDE_LOG=warn` shows them again.
pub const LOG_DEFAULT: &str = "warn,samod=error,samod_core=error";
