//! Backups of the relay's store and restoring them (`allmende-relay backup|restore`).
//!
//! A backup is one SQLite file made with SQLite's online backup API, consistent while the
//! relay runs. A restore checks the file before the data directory changes, keeps a store
//! that was there beside it, and gives the restored store a new feed epoch: devices that had
//! synced past the backup's point then list and offer everything again (the change feed says
//! where its answer starts), so what the relay lost comes back from them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// What went wrong, in words for the operator.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("file: {0}")]
    File(#[from] std::io::Error),
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn documents(conn: &Connection) -> Result<u64, BackupError> {
    let n: i64 = conn.query_row(
        "SELECT count(DISTINCT doc) FROM kv WHERE key LIKE '%/%'",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Writes a consistent copy of `dir/relay.db` to `file` (which must not exist); returns the
/// number of documents in it.
///
/// # Errors
/// No store in `dir`, an existing `file`, storage and file errors.
pub fn backup(dir: &Path, file: &Path) -> Result<u64, BackupError> {
    let db = dir.join("relay.db");
    if !db.is_file() {
        return Err(BackupError::Refused(format!(
            "{} holds no relay store",
            dir.display()
        )));
    }
    if file.exists() {
        return Err(BackupError::Refused(format!(
            "{} exists already; choose a new file name",
            file.display()
        )));
    }
    let source = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    source.busy_timeout(Duration::from_secs(30))?;
    let partial = with_suffix(file, ".partial");
    let _ = std::fs::remove_file(&partial);
    {
        let mut dest = Connection::open(&partial)?;
        let b = rusqlite::backup::Backup::new(&source, &mut dest)?;
        b.run_to_completion(256, Duration::from_millis(5), None)?;
    }
    let n = documents(&Connection::open_with_flags(
        &partial,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?)?;
    std::fs::rename(&partial, file)?;
    Ok(n)
}

/// Restores the backup `file` as `dir/relay.db` (stop the relay first). Refuses when a store
/// is there unless `replace` (then it is kept as `relay.db.before-restore-<time>`). Returns the
/// number of documents.
///
/// # Errors
/// A file that is not a relay store or is damaged (nothing in `dir` changes), an existing
/// store without `replace`, storage and file errors.
pub fn restore(dir: &Path, file: &Path, replace: bool) -> Result<u64, BackupError> {
    if !file.is_file() {
        return Err(BackupError::Refused(format!(
            "{} is not a file",
            file.display()
        )));
    }
    std::fs::create_dir_all(dir)?;
    let target = dir.join("relay.db");
    if target.exists() && !replace {
        return Err(BackupError::Refused(format!(
            "{} holds a relay store already; add --replace (it is kept beside)",
            dir.display()
        )));
    }
    let staged = dir.join("relay.db.restoring");
    let files = |db: &Path| {
        [
            db.to_path_buf(),
            with_suffix(db, "-wal"),
            with_suffix(db, "-shm"),
        ]
    };
    for f in files(&staged) {
        let _ = std::fs::remove_file(f);
    }
    std::fs::copy(file, &staged)?;
    let checked = check_and_rotate(&staged);
    let n = match checked {
        Ok(n) => n,
        Err(e) => {
            for f in files(&staged) {
                let _ = std::fs::remove_file(f);
            }
            return Err(e);
        }
    };
    if target.exists() {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = dir.join(format!("relay.db.before-restore-{stamp}"));
        for (from, to) in files(&target).into_iter().zip(files(&aside)) {
            if from.exists() {
                std::fs::rename(from, to)?;
            }
        }
    }
    std::fs::rename(&staged, &target)?;
    for f in &files(&staged)[1..] {
        let _ = std::fs::remove_file(f);
    }
    Ok(n)
}

/// Checks the staged copy (a relay store, undamaged) and gives it a new feed epoch.
fn check_and_rotate(staged: &Path) -> Result<u64, BackupError> {
    let conn = Connection::open(staged).map_err(|e| {
        BackupError::Refused(format!("{} is not a relay backup: {e}", staged.display()))
    })?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| BackupError::Refused(format!("not a relay backup: {e}")))?;
    if check != "ok" {
        return Err(BackupError::Refused(format!(
            "the backup is damaged: {check}"
        )));
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('kv', 'meta')",
        [],
        |r| r.get(0),
    )?;
    if tables != 2 {
        return Err(BackupError::Refused(
            "this file is not a backup of a relay store".into(),
        ));
    }
    let epoch = hex::encode(rand::random::<[u8; 16]>());
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('epoch', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [epoch.as_str()],
    )?;
    let n = documents(&conn)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(n)
}
