//! What was last synced with which relay, and what is waiting.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use crate::Service;
use allmende_store::error::Result;

/// Sync state of one community with one relay, for the UI's indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub community: String,
    pub relay: String,
    /// When the last sync finished (ms since the epoch).
    pub last_synced: Option<i64>,
    /// Documents changed on this device since they were last synced with this relay.
    pub waiting: u64,
}

impl Service {
    /// Records that `docs` (id and the heads both sides hold) are in step with `relay` as of
    /// now. A document changed here since then has other heads in the store, so it counts as
    /// waiting and is offered again.
    ///
    /// # Errors
    /// Storage errors.
    pub fn record_synced(&mut self, relay: &str, docs: &[(String, String)]) -> Result<()> {
        let now = self.now();
        self.store_mut().write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO sync_state(remote, doc, heads, synced_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(remote, doc) DO UPDATE SET heads = excluded.heads, synced_at = excluded.synced_at",
            )?;
            for (d, heads) in docs {
                stmt.execute(params![relay, d, heads, now])?;
            }
            Ok(())
        })
    }

    /// Forgets that `docs` were in step with `relay` (a community that keeps this device out,
    /// a document held in quarantine): they are offered again once that ends.
    ///
    /// # Errors
    /// Storage errors.
    pub fn forget_synced(&mut self, relay: &str, docs: &[String]) -> Result<()> {
        self.store_mut().write(|tx| {
            let mut stmt =
                tx.prepare_cached("DELETE FROM sync_state WHERE remote = ?1 AND doc = ?2")?;
            for d in docs {
                stmt.execute(params![relay, d])?;
            }
            Ok(())
        })
    }

    /// The heads last in step with `relay`, by document.
    ///
    /// # Errors
    /// Storage errors.
    pub fn synced_heads(&self, relay: &str) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .store()
            .conn()
            .prepare("SELECT doc, heads FROM sync_state WHERE remote = ?1")?;
        let rows = stmt
            .query_map([relay], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<HashMap<String, String>, _>>()?;
        Ok(rows)
    }

    /// One local document's heads as the store keeps them.
    ///
    /// # Errors
    /// Storage errors.
    pub fn stored_heads(&self, id: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .store()
            .conn()
            .prepare_cached("SELECT heads FROM docs WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// Whether this device takes in documents of `community`: it is a member there (it
    /// founded or joined it), or holds its community document already (a bundle brought it
    /// in).
    ///
    /// # Errors
    /// Storage errors.
    pub fn belongs_to(&self, community: &str) -> Result<bool> {
        Ok(self.store().identity(community)?.is_some()
            || allmende_store::chunks_api::doc_meta(self.store().conn(), community)?
                .is_some_and(|m| m.kind == "community"))
    }

    /// Whether the community document `bytes` (of `id`) holds an accepted entry signed by
    /// this device: it founded or joined that community, or acted in it (a device restored
    /// from a backup made before it joined). A roster that merely lists this device's key
    /// does not count.
    pub fn took_part_in(&self, id: &str, bytes: &[u8]) -> bool {
        let me = self.device().public_hex().to_ascii_lowercase();
        crate::docs::load(bytes, &automerge::ActorId::random())
            .and_then(|mut doc| {
                crate::docs::community(
                    id,
                    &mut doc,
                    &mut allmende_core::governance::LogHistory::default(),
                )
            })
            .is_ok_and(|c| c.signers.contains(&me))
    }

    /// Remembers documents a sync left out (of a community this device does not belong
    /// to), with that community, in one transaction: a sync does not fetch them again while
    /// the community is none of this device's ([`Service::left_out_here`]). Ids that are not
    /// document ids are not kept.
    ///
    /// # Errors
    /// Storage errors.
    pub fn note_left_out(&mut self, left: &[(String, String)]) -> Result<()> {
        let left: Vec<&(String, String)> = left
            .iter()
            .filter(|(id, c)| {
                allmende_core::DocId::parse(id).is_ok() && allmende_core::DocId::parse(c).is_ok()
            })
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = left
            .iter()
            .map(|(id, _)| format!("left_out:{id}"))
            .collect();
        let settings: Vec<(&str, &str)> = keys
            .iter()
            .zip(&left)
            .map(|(key, (_, community))| (key.as_str(), community.as_str()))
            .collect();
        self.store_mut().set_settings(&settings)
    }

    /// Every local document's heads as the store keeps them.
    ///
    /// # Errors
    /// Storage errors.
    pub fn local_heads(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.store().conn().prepare("SELECT id, heads FROM docs")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<HashMap<String, String>, _>>()?;
        Ok(rows)
    }

    /// Sync state per community and relay.
    ///
    /// # Errors
    /// Storage errors.
    pub fn sync_status(&self) -> Result<Vec<SyncStatus>> {
        let conn = self.store().conn();
        let mut stmt = conn.prepare(
            "SELECT d.community, r.remote,
                (SELECT max(s.synced_at) FROM sync_state s JOIN docs x ON x.id = s.doc
                  WHERE s.remote = r.remote AND x.community = d.community),
                sum(CASE WHEN s.heads IS NULL OR s.heads <> d.heads THEN 1 ELSE 0 END)
             FROM docs d
             CROSS JOIN (SELECT DISTINCT remote FROM sync_state) r
             LEFT JOIN sync_state s ON s.doc = d.id AND s.remote = r.remote
             GROUP BY d.community, r.remote
             ORDER BY d.community, r.remote",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SyncStatus {
                    community: r.get(0)?,
                    relay: r.get(1)?,
                    last_synced: r.get(2)?,
                    waiting: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // A community is in step (or not) only with the relays it syncs through.
        let mut shown = Vec::with_capacity(rows.len());
        for row in rows {
            let relays = self.relays_of(&row.community)?;
            if row.relay.starts_with("peer:") || relays.is_empty() || relays.contains(&row.relay) {
                shown.push(row);
            }
        }
        Ok(shown)
    }
}

impl Service {
    /// Remembers the relay last synced with, as the default for the next sync.
    ///
    /// # Errors
    /// Storage errors.
    pub fn remember_relay(&mut self, relay: &str) -> Result<()> {
        self.store_mut().set_setting("relay", relay)
    }
}

impl Service {
    /// Records that the local device is `member` in `community` (after joining).
    ///
    /// # Errors
    /// Storage errors.
    pub fn adopt_identity(&mut self, community: &str, member: &str) -> Result<()> {
        self.store_mut()
            .write(|tx| allmende_store::set_identity(tx, community, member))
    }
}
