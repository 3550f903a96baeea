//! Sync with a relay (or any automerge-repo sync server) over WebSocket, using samod.
//!
//! A sync session loads every local document into an in-memory samod repository, dials the
//! relay (authenticating with the device key), lets samod run the automerge-repo protocol until
//! both sides have each other's changes, discovers the community's documents this device does
//! not have yet from the catalogue, and merges everything back into the local store in one
//! transaction per community. `watch` keeps the connection and moves changes both ways as they
//! happen. What was last synced with which relay is recorded, so the service can tell how many
//! documents have changes waiting to be sent.

pub(crate) mod dialer;
mod feed;
mod once;
mod plan;
mod progress;
mod session;
mod status;

pub use dialer::RelayDialer;
pub(crate) use once::sync_via;
pub use once::{sync_once, sync_once_showing, Progress, SyncReport};
pub use session::{fetch, fetch_community, push_as, watch};
pub(crate) use session::{keep_in_step, preload, Connector, Session};
pub use status::SyncStatus;
