//! # allmende-store: a peer's SQLite database
//!
//! The bottom of a peer: the database of one data directory (Automerge document chunks, the
//! projected index, local settings), its online backup and restore, and [`PeerError`], the
//! error type every layer of a peer returns (it sits here so each layer above can use it).
//!
//! One file `allmende.db` per data directory, in WAL mode with `synchronous=FULL`, so a
//! committed transaction survives a crash or power loss. A file that is not an Allmende
//! database, or one from a newer version, is refused with a clear error and never written.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod backup;
mod chunks;
pub mod error;
pub mod index;
pub mod parties;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use chunks::StoredDoc;
/// Document chunk storage, for the service.
pub mod chunks_api {
    pub use super::chunks::{append, compact, doc_meta, docs_of, load_bytes, COMPACT_AFTER_CHUNKS};
}
pub use index::{ListQuery, NameMap};

pub use error::{ApiError, PeerError, Result};
pub use schema::FORMAT_VERSION;

/// The database of one data directory.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) `dir/allmende.db`.
    ///
    /// # Errors
    /// [`PeerError::CorruptDatabase`] when the file is not an Allmende database,
    /// [`PeerError::NewerDatabase`] when a newer version wrote it.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("allmende.db");
        Self::open_file(&path)
    }

    /// Opens (or creates) a database file.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_file(path: &Path) -> Result<Store> {
        let corrupt = |e: rusqlite::Error| PeerError::CorruptDatabase {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(corrupt)?;
        // Reading the header first: a foreign or damaged file fails here, before any write.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(corrupt)?;
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(corrupt)?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(corrupt)?;
        if tables > 0 && app_id != schema::APPLICATION_ID {
            return Err(PeerError::CorruptDatabase {
                path: path.display().to_string(),
                reason: "not an Allmende database".to_string(),
            });
        }
        if version > schema::FORMAT_VERSION {
            return Err(PeerError::NewerDatabase {
                path: path.display().to_string(),
                found: version,
                supported: schema::FORMAT_VERSION,
            });
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(corrupt)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        schema::migrate(&mut store.conn, version)?;
        Ok(store)
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in an immediate (write-locking) transaction; commits on `Ok`.
    ///
    /// # Errors
    /// Whatever `f` returns, or a storage error; then nothing is written.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Read access for queries.
    #[must_use]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A local setting (current community, demo community, ...).
    ///
    /// # Errors
    /// Storage errors.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        // Cached: a sync asks once per document it may fetch (`left_out:` marks).
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a local setting.
    ///
    /// # Errors
    /// Storage errors.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.set_settings(&[(key, value)])
    }

    /// Sets local settings, all in one transaction.
    ///
    /// # Errors
    /// Storage errors.
    pub fn set_settings(&mut self, settings: &[(&str, &str)]) -> Result<()> {
        self.write(|tx| {
            let mut put = tx.prepare_cached(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?;
            for (key, value) in settings {
                put.execute([key, value])?;
            }
            Ok(())
        })
    }

    /// This device's secret key, created on first use.
    ///
    /// # Errors
    /// Storage errors, or a damaged key.
    pub fn device_secret(&mut self, fresh: impl FnOnce() -> [u8; 32]) -> Result<[u8; 32]> {
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT secret FROM device WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        if let Some(bytes) = existing {
            return bytes.try_into().map_err(|_| PeerError::CorruptDatabase {
                path: self.path.display().to_string(),
                reason: "the device key is damaged".to_string(),
            });
        }
        let secret = fresh();
        self.conn.execute(
            "INSERT INTO device(id, secret) VALUES (1, ?1)",
            [secret.as_slice()],
        )?;
        Ok(secret)
    }

    /// The local device's member id in a community.
    ///
    /// # Errors
    /// Storage errors.
    pub fn identity(&self, community: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT member FROM identities WHERE community = ?1",
                [community],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether the integrity check passes; returns SQLite's findings otherwise.
    ///
    /// # Errors
    /// Storage errors.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }
}

/// Records which member the local device is in a community.
///
/// # Errors
/// Storage errors.
pub fn set_identity(tx: &rusqlite::Transaction<'_>, community: &str, member: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO identities(community, member) VALUES (?1, ?2)
         ON CONFLICT(community) DO UPDATE SET member = excluded.member",
        [community, member],
    )?;
    Ok(())
}
