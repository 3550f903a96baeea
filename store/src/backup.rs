//! Backups of a data directory and restoring them.
//!
//! A backup is one SQLite file made with SQLite's online backup API: consistent (one moment of
//! the database) while the app, `serve` or a sync keep writing. Restoring checks the file
//! (an Allmende database of this or an older format, undamaged) before anything in the data
//! directory changes, then puts it in place. The restored device keeps its key (it stays the
//! same member's device) but writes under a new Automerge actor id, and forgets what it had
//! synced: changes it made after the backup may already be on relays and other devices, and
//! the next sync brings them back instead of clashing with them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::error::{PeerError, Result};
use crate::Store;

/// The setting that holds the actor salt made at the last restore (see `device.rs`).
pub const ACTOR_SALT: &str = "actor_salt";

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub file: String,
    pub bytes: u64,
    pub documents: u64,
}

/// What a restore put in place.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub documents: u64,
    /// Where the database that was there before was moved (with `replace`).
    pub previous: Option<String>,
}

fn bad(text: impl Into<String>) -> PeerError {
    PeerError::BadInput(text.into())
}

fn documents(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM docs", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

impl Store {
    /// Writes a consistent copy of this database to `file` (which must not exist yet).
    ///
    /// # Errors
    /// An existing file, storage and file-system errors.
    pub fn backup_to(&self, file: &Path) -> Result<BackupReport> {
        if file.exists() {
            return Err(bad(format!(
                "{} exists already; choose a new file name",
                file.display()
            )));
        }
        let partial = with_suffix(file, ".partial");
        let _ = std::fs::remove_file(&partial);
        {
            let mut dest = Connection::open(&partial)?;
            let backup = rusqlite::backup::Backup::new(self.conn(), &mut dest)?;
            // Pages in steps, pausing between them, so writers are never held up for long.
            backup.run_to_completion(256, Duration::from_millis(5), None)?;
        }
        let dest = Connection::open_with_flags(&partial, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let docs = documents(&dest)?;
        drop(dest);
        std::fs::rename(&partial, file)?;
        Ok(BackupReport {
            file: file.display().to_string(),
            bytes: std::fs::metadata(file)?.len(),
            documents: docs,
        })
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Restores the backup `file` into the data directory `dir`. Refuses when `dir` holds a
/// database already, unless `replace` (then it is moved aside, never deleted). Stop the app
/// and `serve` on `dir` first.
///
/// # Errors
/// A missing, foreign, damaged or newer file (nothing in `dir` changes), an existing database
/// without `replace`, storage and file-system errors.
pub fn restore(dir: &Path, file: &Path, replace: bool) -> Result<RestoreReport> {
    if !file.is_file() {
        return Err(bad(format!("{} is not a file", file.display())));
    }
    std::fs::create_dir_all(dir)?;
    let target = dir.join("allmende.db");
    if target.exists() && !replace {
        return Err(bad(format!(
            "{} holds a database already; restore into an empty directory, or add --replace \
             (the current one is kept beside it)",
            dir.display()
        )));
    }
    // Checked and prepared as a copy: the data directory is touched only once it holds.
    let staged = dir.join("allmende.db.restoring");
    for f in sqlite_files(&staged) {
        let _ = std::fs::remove_file(f);
    }
    std::fs::copy(file, &staged)?;
    let prepared = prepare(&staged);
    let docs = match prepared {
        Ok(n) => n,
        Err(e) => {
            for f in sqlite_files(&staged) {
                let _ = std::fs::remove_file(f);
            }
            return Err(e);
        }
    };
    let previous = if target.exists() {
        let aside = dir.join(format!("allmende.db.before-restore-{}", stamp()));
        for (from, to) in sqlite_files(&target).into_iter().zip(sqlite_files(&aside)) {
            if from.exists() {
                std::fs::rename(from, to)?;
            }
        }
        Some(aside.display().to_string())
    } else {
        None
    };
    std::fs::rename(&staged, &target)?;
    for f in &sqlite_files(&staged)[1..] {
        let _ = std::fs::remove_file(f);
    }
    Ok(RestoreReport {
        documents: docs,
        previous,
    })
}

/// The database file and its WAL and shared-memory files.
fn sqlite_files(db: &Path) -> [PathBuf; 3] {
    [
        db.to_path_buf(),
        with_suffix(db, "-wal"),
        with_suffix(db, "-shm"),
    ]
}

fn stamp() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Opens the staged copy as a store (refusing foreign and newer files, upgrading older ones),
/// checks it for damage, gives it a new actor salt and forgets its sync state. Returns the
/// number of documents.
fn prepare(staged: &Path) -> Result<u64> {
    let mut store = Store::open_file(staged)?;
    let devices: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM device", [], |r| r.get(0))?;
    if devices == 0 {
        return Err(bad(
            "this file is not a backup of an Allmende data directory (it holds no device)",
        ));
    }
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(PeerError::CorruptDatabase {
            path: staged.display().to_string(),
            reason: check,
        });
    }
    let salt = hex::encode(rand::random::<[u8; 16]>());
    store.write(|tx| {
        tx.execute("DELETE FROM sync_state", [])?;
        tx.execute("DELETE FROM meta WHERE key LIKE 'feed:%'", [])?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [ACTOR_SALT, salt.as_str()],
        )?;
        Ok(())
    })?;
    let docs = documents(store.conn())?;
    // Everything into the main file, so it moves as one.
    store
        .conn()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(store);
    Ok(docs)
}
