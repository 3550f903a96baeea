//! What the relay's HTTP handlers share: its configuration, the sync engine, the metrics and
//! the store, and the logins.

use std::sync::Arc;

use crate::auth::Logins;
use crate::config::Config;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::storage::Store;

/// What the handlers need.
pub struct App {
    pub config: Config,
    pub ticket: Option<String>,
    pub hub: Hub,
    pub metrics: Arc<Metrics>,
    pub storage: Store,
    pub logins: Logins,
}
