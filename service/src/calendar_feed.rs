//! A community's calendar as a subscription: a secret link per community (kept on this
//! device) that calendar apps fetch without a session, as Mobilizon and Decidim offer. The
//! link reads the events and nothing else; making a new one ends the old.

use allmende_core::apply::Item;
use allmende_core::export::ics_feed;
use rand::RngCore;
use rusqlite::OptionalExtension;

use super::Service;
use allmende_store::error::{PeerError, Result};

const PREFIX: &str = "calendar-feed:";

impl Service {
    /// The secret of `community`'s calendar link, made on first use; a new one (the old
    /// one then leads nowhere) with `renew`.
    ///
    /// # Errors
    /// Not found (also for a guest of another community), storage errors.
    pub fn calendar_secret(&mut self, community: &str, renew: bool) -> Result<String> {
        if self.viewer_community().is_some_and(|v| v != community) {
            return Err(PeerError::HostOnly("another community".into()));
        }
        self.community_and_items(community)?;
        let key = format!("{PREFIX}{community}");
        let conn = self.store.conn();
        let known: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?;
        if let (Some(secret), false) = (&known, renew) {
            return Ok(secret.clone());
        }
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = hex::encode(bytes);
        conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [&key, &secret],
        )?;
        Ok(secret)
    }

    /// The calendar behind a secret link, with each event's description ending in
    /// `link(community, event id)`.
    ///
    /// # Errors
    /// An unknown secret (not found), storage and document errors.
    pub fn calendar_feed(
        &mut self,
        secret: &str,
        link: &dyn Fn(&str, &str) -> String,
    ) -> Result<String> {
        let community: Option<String> = if secret.len() == 32 {
            self.store
                .conn()
                .query_row(
                    "SELECT substr(key, ?1) FROM meta WHERE key LIKE 'calendar-feed:%' AND value = ?2",
                    rusqlite::params![PREFIX.len() + 1, secret],
                    |r| r.get(0),
                )
                .optional()?
        } else {
            None
        };
        let community = community.ok_or_else(|| {
            PeerError::from(allmende_core::DomainError::NotFound {
                what: "calendar",
                id: String::new(),
            })
        })?;
        let (c, items) = self.community_and_items(&community)?;
        let events: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                Item::Event(e) if !c.is_hidden(&e.header.id) => Some(e),
                _ => None,
            })
            .collect();
        Ok(ics_feed(&c.name, &events, self.now(), &|event| {
            link(&community, event)
        }))
    }
}
