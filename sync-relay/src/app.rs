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

impl App {
    /// Checks a login from `client` (see [`Logins::verify`]) and counts a refusal in the
    /// metrics.
    ///
    /// # Errors
    /// Why the login was refused.
    pub(crate) fn login(
        &self,
        query: &std::collections::HashMap<String, String>,
        client: std::net::IpAddr,
    ) -> Result<String, crate::auth::AuthError> {
        use crate::auth::AuthError;
        let result = self.logins.verify(query, client, self.logins.now());
        if let Err(e) = &result {
            Metrics::add(&self.metrics.rejected_connections, 1);
            match e {
                AuthError::Replayed => Metrics::add(&self.metrics.refused_replayed_logins, 1),
                AuthError::WrongRelay(_) => {
                    Metrics::add(&self.metrics.refused_foreign_logins, 1);
                }
                _ => {}
            }
        }
        result
    }
}
