//! Peers this device knows: how they were found (ticket, local network, incoming), their
//! addresses, when they were last seen and last synced, and what is waiting for them.

use rusqlite::params;
use serde::Serialize;

use crate::Service;
use allmende_store::error::Result;

/// One known peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerInfo {
    /// The peer's device key (hex).
    pub device: String,
    /// `ticket`, `lan` (found by local discovery) or `incoming`.
    pub how: String,
    pub addrs: Vec<String>,
    pub last_seen: i64,
    /// When a sync with it last finished.
    pub last_synced: Option<i64>,
    /// Documents changed here since they were last synced with this peer.
    pub waiting: u64,
}

/// The sync-state name of a peer.
#[must_use]
pub fn remote_of(device: &str) -> String {
    format!("peer:{device}")
}

impl Service {
    /// Remembers a peer (a ticket's device, one found on the LAN, one that connected).
    ///
    /// # Errors
    /// Storage errors.
    pub fn record_peer(&mut self, device: &str, how: &str, addrs: &[String]) -> Result<()> {
        let now = self.now();
        let addrs = addrs.join(" ");
        let (device, how) = (device.to_lowercase(), how.to_string());
        self.store_mut().write(|tx| {
            tx.execute(
                "INSERT INTO peers(device, how, addrs, last_seen) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(device) DO UPDATE SET addrs = CASE WHEN excluded.addrs = '' THEN addrs ELSE excluded.addrs END,
                    last_seen = excluded.last_seen",
                params![device, how, addrs, now],
            )?;
            Ok(())
        })
    }

    /// A local setting (for example the running listener's ticket).
    ///
    /// # Errors
    /// Storage errors.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.store().setting(key)
    }

    /// Stores a local setting.
    ///
    /// # Errors
    /// Storage errors.
    pub fn store_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.store_mut().set_setting(key, value)
    }

    /// Every known peer, most recently seen first.
    ///
    /// # Errors
    /// Storage errors.
    pub fn peers(&self) -> Result<Vec<PeerInfo>> {
        let status = self.sync_status()?;
        let mut stmt = self.store().conn().prepare(
            "SELECT device, how, addrs, last_seen FROM peers ORDER BY last_seen DESC, device",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .map(|(device, how, addrs, last_seen)| {
                let remote = remote_of(&device);
                let mine: Vec<_> = status.iter().filter(|s| s.relay == remote).collect();
                PeerInfo {
                    last_synced: mine.iter().filter_map(|s| s.last_synced).max(),
                    waiting: mine.iter().map(|s| s.waiting).sum(),
                    addrs: addrs.split_whitespace().map(str::to_string).collect(),
                    device,
                    how,
                    last_seen,
                }
            })
            .collect())
    }
}
