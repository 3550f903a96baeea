//! # allmende-sync-wire: what is read from a stranger first
//!
//! - [`protocol`]: the automerge-repo sync protocol's messages (CBOR), decoded without trust.
//! - [`frame`]: WebSocket frames from a client, put together as their bytes arrive.
//! - [`head`]: an HTTP request head (the relay's GETs and WebSocket upgrades).
//! - [`inflate`]: how far the Automerge chunks of a sync message or a document inflate,
//!   found before anything is decompressed (a compression bomb is refused, not inflated).
//! - [`runs`]: how many values the columns of those chunks hold (a run-length bomb is
//!   refused before Automerge walks it), and whether a bloom filter is one Automerge can use.
//!
//! Small and free of IO, so the relay, the peer and the fuzz targets (`fuzz/`) share it.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod frame;
pub mod head;
pub mod inflate;
pub mod protocol;
pub mod runs;
