//! Sync with a relay (or any automerge-repo sync server) over WebSocket, using samod.
//!
//! `once` runs one sync whose work is proportional to what changed: the relay's change feed
//! (`feed`) and the heads last in step (`status`) say which documents are out of step
//! (`plan`); those go in windows, each a short samod session (`session`) that finds them,
//! waits until both sides have each other's changes and writes back what moved. Without a
//! feed every document is offered and the catalogues say what is missing. `watch` keeps one
//! session with every document and moves changes both ways as they happen. What the other
//! side sends is checked before samod reads it (`screen`), and a repository that broke on it
//! anyway ends its session with the reason, never the process (`repo_tasks`).

pub(crate) mod dialer;
mod feed;
mod http_get;
mod login;
mod once;
mod plan;
mod progress;
mod repo_tasks;
mod screen;
mod session;

pub use allmende_service::relays::known_relays;
pub use allmende_service::sync_state::SyncStatus;
pub use dialer::RelayDialer;
pub(crate) use once::sync_via;
pub use once::{sync_joined, sync_once, sync_once_showing, Progress, SyncReport};
pub(crate) use repo_tasks::RepoTasks;
pub(crate) use screen::{over_stream, LastSender};
pub use session::{check_relay, fetch, fetch_community, push_as, watch};
pub(crate) use session::{keep_in_step, preload, Connector, Session};
