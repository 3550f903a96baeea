//! Which communities sync through which relay. A community goes to the relays it was joined
//! through or first synced with, never to every relay the device talks to: joining a second
//! community run by another operator does not hand the first one (its team-only projects, a
//! school class's profiles) to that operator.
//!
//! Kept as local settings `relays:<community>` (relay addresses, one per line): the relay a
//! community was joined through, the device's relay when the community was made here, or the
//! relay a person syncs it with (`sync --relay X`). A community from before these were kept
//! takes the relays it has synced with before. Watchers in the background never bind one.

use std::collections::{BTreeSet, HashSet};

use crate::Service;
use allmende_store::error::Result;
use allmende_store::Store;

fn key(community: &str) -> String {
    format!("relays:{community}")
}

/// Whether a sync remote is a relay (peers are named `peer:<key>`).
fn is_relay(remote: &str) -> bool {
    !remote.starts_with("peer:")
}

impl Service {
    /// The ids of the community documents held here (as the store knows them from their
    /// first arrival).
    ///
    /// # Errors
    /// Storage errors.
    pub fn community_ids(&self) -> Result<HashSet<String>> {
        let mut stmt = self
            .store()
            .conn()
            .prepare_cached("SELECT id FROM docs WHERE kind = 'community'")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<HashSet<_>, _>>()?;
        Ok(ids)
    }

    /// The relays `community` syncs through.
    ///
    /// # Errors
    /// Storage errors.
    pub fn relays_of(&self, community: &str) -> Result<Vec<String>> {
        Ok(self
            .store()
            .setting(&key(community))?
            .map(|v| v.lines().map(str::to_string).collect())
            .unwrap_or_default())
    }

    /// Lets `community` sync through `relay` (as well as through those it had).
    ///
    /// # Errors
    /// Storage errors.
    pub fn bind_relay(&mut self, community: &str, relay: &str) -> Result<()> {
        let mut relays = self.relays_of(community)?;
        if relays.iter().any(|r| r == relay) {
            return Ok(());
        }
        relays.push(relay.to_string());
        self.store_mut()
            .set_setting(&key(community), &relays.join("\n"))
    }

    /// Takes `relay` off `community`'s relays (a relay that refused to hold it).
    ///
    /// # Errors
    /// Storage errors.
    pub fn unbind_relay(&mut self, community: &str, relay: &str) -> Result<()> {
        let relays: Vec<String> = self
            .relays_of(community)?
            .into_iter()
            .filter(|r| r != relay)
            .collect();
        self.store_mut()
            .set_setting(&key(community), &relays.join("\n"))
    }

    /// Relays `community` has synced with before (from the kept sync state).
    fn synced_relays(&self, community: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .store()
            .conn()
            .prepare_cached("SELECT DISTINCT remote FROM sync_state WHERE doc = ?1")?;
        let rows = stmt
            .query_map([community], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows.into_iter().filter(|r| is_relay(r)).collect())
    }

    /// The communities that sync through `relay`. A community that has no relay yet is bound
    /// to the relays it synced with before, or (with `adopt`, when the person syncs with
    /// `relay` or it is the remembered one) to `relay`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn relay_scope(&mut self, relay: &str, adopt: bool) -> Result<HashSet<String>> {
        let communities = self.community_ids()?;
        let mut scope = HashSet::new();
        for c in communities {
            let mut relays = self.relays_of(&c)?;
            if relays.is_empty() {
                relays = self.synced_relays(&c)?;
                if relays.is_empty() && adopt {
                    relays.push(relay.to_string());
                }
                for r in &relays {
                    self.bind_relay(&c, r)?;
                }
            }
            if relays.iter().any(|r| r == relay) {
                scope.insert(c);
            }
        }
        Ok(scope)
    }

    /// Every relay a community here syncs through, and the remembered one.
    ///
    /// # Errors
    /// Storage errors.
    pub fn known_relays(&self) -> Result<Vec<String>> {
        known_relays(self.store())
    }
}

/// Every relay a community in `store` syncs through, and the remembered one.
///
/// # Errors
/// Storage errors.
pub fn known_relays(store: &Store) -> Result<Vec<String>> {
    let mut all = BTreeSet::new();
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT value FROM meta WHERE key LIKE 'relays:%'")?;
    for v in stmt.query_map([], |r| r.get::<_, String>(0))? {
        all.extend(v?.lines().map(str::to_string));
    }
    if let Some(r) = store.setting("relay")? {
        all.insert(r);
    }
    Ok(all.into_iter().collect())
}
