//! One bad document does not stop the rest. Documents arrive in batches (a sync writes a
//! community's documents in one transaction); a document that is refused (damaged, oversize,
//! of the wrong schema, naming another community) would fail its whole batch, in every later
//! session too. Instead it is put in quarantine with the reason, the rest is written, and the
//! quarantined document is tried again only when it arrives with other content.

use rusqlite::OptionalExtension;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ImportReport, Intake, Service};
use allmende_store::error::{PeerError, Result};

/// A document left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    pub id: String,
    pub reason: String,
    pub at: i64,
}

/// Whether `e` refuses the document (as opposed to a fault of this device, such as a full
/// disk or a damaged database, which must stop the sync).
fn refuses_document(e: &PeerError) -> bool {
    e.is_input_error()
        || matches!(e, PeerError::CorruptDocument { .. })
        || matches!(
            e,
            PeerError::Automerge(_) | PeerError::Hydrate(_) | PeerError::Reconcile(_)
        )
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Service {
    /// [`Service::receive_many`] that writes everything it can: refused documents go into
    /// quarantine (and are reported), the others are written. A document quarantined with
    /// the same bytes is not tried again.
    ///
    /// # Errors
    /// Faults of this device (storage); never a refused document.
    pub fn receive_each(
        &mut self,
        incoming: &[(String, Vec<u8>)],
    ) -> Result<(ImportReport, Vec<Quarantined>)> {
        self.receive_each_in(incoming, Intake::Any)
    }

    /// [`Service::receive_each`] taking in new documents only as `intake` allows (what a
    /// sync brings: [`Intake::Mine`]). Documents left out are remembered, so a sync does not
    /// fetch them again ([`Service::left_out_here`]).
    ///
    /// # Errors
    /// Faults of this device (storage); never a refused document.
    pub fn receive_each_in(
        &mut self,
        incoming: &[(String, Vec<u8>)],
        intake: Intake<'_>,
    ) -> Result<(ImportReport, Vec<Quarantined>)> {
        let mut held = Vec::new();
        // The common case, nothing in quarantine: the batch as it is (no copy of its bytes).
        let copied: Vec<(String, Vec<u8>)>;
        let fresh: &[(String, Vec<u8>)] = if self.any_quarantined()? {
            let mut kept = Vec::new();
            for (id, bytes) in incoming {
                match self.quarantined_with(id, &digest(bytes))? {
                    Some(q) => held.push(q),
                    None => kept.push((id.clone(), bytes.clone())),
                }
            }
            copied = kept;
            &copied
        } else {
            incoming
        };
        let report = match self.receive_many_in(fresh, intake) {
            Ok(report) => {
                self.release(fresh.iter().map(|(id, _)| id.as_str()))?;
                report
            }
            Err(e) if refuses_document(&e) => {
                // Find the bad ones: each alone (a rare path; the good ones are written too).
                let mut total = ImportReport::default();
                for one in fresh {
                    match self.receive_many_in(std::slice::from_ref(one), intake) {
                        Ok(r) => {
                            total.community = r.community;
                            total.left_out.extend(r.left_out);
                            total.created += r.created;
                            total.merged += r.merged;
                            total.unchanged += r.unchanged;
                            total.repaired.extend(r.repaired);
                            self.release(std::iter::once(one.0.as_str()))?;
                        }
                        Err(e) if refuses_document(&e) => {
                            held.push(self.quarantine(&one.0, &one.1, &e)?);
                        }
                        Err(e) => return Err(e),
                    }
                }
                total
            }
            Err(e) => return Err(e),
        };
        self.note_left_out(&report.left_out)?;
        Ok((report, held))
    }

    /// Whether document `id` was left out of a sync and its community is this device's now
    /// (it arrived later in the same sync, say): worth asking for again.
    ///
    /// # Errors
    /// Storage errors.
    pub fn left_out_now_mine(&self, id: &str) -> Result<bool> {
        match self.store().setting(&format!("left_out:{id}"))? {
            Some(community) => self.belongs_to(&community),
            None => Ok(false),
        }
    }

    /// Whether document `id` was left out of a sync (see [`Intake::Mine`]) and its community
    /// is still none of this device's: a sync need not fetch it again.
    ///
    /// # Errors
    /// Storage errors.
    pub fn left_out_here(&self, id: &str) -> Result<bool> {
        match self.store().setting(&format!("left_out:{id}"))? {
            Some(community) => Ok(!self.belongs_to(&community)?),
            None => Ok(false),
        }
    }

    /// Every document in quarantine, newest first.
    ///
    /// # Errors
    /// Storage errors.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        let mut stmt = self
            .store
            .conn()
            .prepare("SELECT doc, reason, at FROM quarantine ORDER BY at DESC, doc")?;
        let rows = stmt.query_map([], |r| {
            Ok(Quarantined {
                id: r.get(0)?,
                reason: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn quarantined_with(&self, id: &str, digest: &str) -> Result<Option<Quarantined>> {
        Ok(self
            .store
            .conn()
            .query_row(
                "SELECT doc, reason, at FROM quarantine WHERE doc = ?1 AND digest = ?2",
                [id, digest],
                |r| {
                    Ok(Quarantined {
                        id: r.get(0)?,
                        reason: r.get(1)?,
                        at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn quarantine(&mut self, id: &str, bytes: &[u8], e: &PeerError) -> Result<Quarantined> {
        let q = Quarantined {
            id: id.to_string(),
            reason: e.to_string(),
            at: self.now(),
        };
        tracing::warn!(doc = %id, reason = %q.reason, "document put in quarantine");
        let row = (q.clone(), digest(bytes));
        self.store_mut().write(|tx| {
            tx.execute(
                "INSERT INTO quarantine(doc, reason, at, digest) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(doc) DO UPDATE SET reason = excluded.reason, at = excluded.at,
                     digest = excluded.digest",
                rusqlite::params![row.0.id, row.0.reason, row.0.at, row.1],
            )?;
            Ok(())
        })?;
        Ok(q)
    }

    fn any_quarantined(&self) -> Result<bool> {
        Ok(self
            .store
            .conn()
            .query_row("SELECT EXISTS(SELECT 1 FROM quarantine)", [], |r| r.get(0))?)
    }

    /// Takes documents that were written out of quarantine.
    fn release<'a>(&mut self, ids: impl Iterator<Item = &'a str>) -> Result<()> {
        if !self.any_quarantined()? {
            return Ok(());
        }
        let ids: Vec<String> = ids.map(str::to_string).collect();
        self.store_mut().write(|tx| {
            for id in &ids {
                tx.execute("DELETE FROM quarantine WHERE doc = ?1", [id])?;
            }
            Ok(())
        })
    }
}
