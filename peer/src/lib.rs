//! # allmende-peer: a running Allmende peer
//!
//! Everything of a peer that does IO lives here, over the pure [`allmende_core`]:
//!
//! - [`store`]: one SQLite database per data directory (WAL, `synchronous=FULL`). Automerge
//!   documents are stored as a snapshot plus incremental chunks, compacted when they pile up;
//!   the index tables and the FTS5 search table are projected from the documents in the same
//!   transaction, and can be rebuilt from them at any time.
//! - [`docs`]: loading Automerge documents and converting them to and from the typed model.
//! - [`service`]: the one service API (commands and queries) every front door uses: the CLI
//!   here, later the HTTP server and the Tauri app.
//! - [`cli`]: the `allmende` command line.
//!
//! A command goes: front door builds a [`allmende_core::Command`] → [`service::Service::execute`]
//! opens an immediate SQLite transaction, loads the documents the command needs (refreshing
//! cached ones another process changed), hydrates them, calls
//! [`allmende_core::apply::execute`], reconciles the changed typed documents back into Automerge,
//! appends the incremental change bytes, updates the index rows and commits. Only then is the
//! write acknowledged; a crash before the commit leaves the previous state.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod background;
pub mod backup;
pub mod bundle;
pub mod cli;
pub mod clock;
pub mod device;
pub mod docs;
pub mod error;
pub mod invite;
pub mod p2p;
pub mod qr;
pub mod serve;
pub mod service;
pub mod store;
pub mod sync;

pub use error::{ApiError, PeerError};
pub use service::Service;
