//! What the relay's HTTP handlers share: its configuration, the sync engine, the metrics and
//! the store, and the clock they read.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

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

/// Milliseconds since the epoch, from the system clock.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
