//! The relay's document store in SQLite (WAL, `synchronous=FULL`): one row per chunk, keyed
//! like automerge-repo's storage (`<doc>/snapshot/<hash>`, `<doc>/incremental/<hash>`), where
//! `<hash>` is the SHA-256 of the chunk's bytes. Content-addressed keys cannot collide: two
//! different chunks never share a row, and writing the same chunk twice is a no-op. A
//! compaction deletes only the chunks it names (those its snapshot was made from), so a chunk
//! written meanwhile survives it.
//!
//! Stores written before chunks were content-addressed named incremental chunks after the
//! document's first head. They are read as they are (a document is every row under its id,
//! whatever the key) and replaced by the first compaction, so no migration is needed.
//!
//! Writes go through one writer thread that commits everything waiting in one transaction
//! (group commit) and only then acknowledges, so a change the relay has acknowledged survives
//! kill -9, and a thousand devices writing at once cost one fsync per round, not a thousand.

use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

mod chunks;
mod feed;
mod usage;
pub use chunks::OnDisk;
pub use usage::Charges;

/// Most writes committed in one transaction.
const MAX_GROUP: usize = 1024;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[error("relay storage: {0}")]
pub struct StorageError(#[from] rusqlite::Error);

/// The key of a chunk: the document, whether it is a snapshot, and the SHA-256 of its bytes.
#[must_use]
pub fn chunk_key(doc: &str, snapshot: bool, bytes: &[u8]) -> String {
    let kind = if snapshot { "snapshot" } else { "incremental" };
    format!("{doc}/{kind}/{}", hex::encode(Sha256::digest(bytes)))
}

/// A document as stored: its chunks concatenated (loadable by `Automerge::load`) and the keys
/// of the chunks it was read from.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub bytes: Vec<u8>,
    pub keys: Vec<String>,
}

/// One write: new changes of a document, or its compaction into one snapshot.
enum Write {
    Append {
        doc: String,
        key: String,
        chunk: Vec<u8>,
        /// The document's heads once the chunk is in (for the change feed).
        heads: String,
        /// Bytes counted for the device keys that brought the changes.
        charges: Charges,
        done: oneshot::Sender<bool>,
    },
    Compact {
        doc: String,
        key: String,
        snapshot: Vec<u8>,
        replaced: Vec<String>,
        heads: String,
        charges: Charges,
        done: oneshot::Sender<bool>,
    },
}

/// The relay's document store. Clones share the reader and the writer thread.
#[derive(Clone)]
pub struct Store {
    reader: Arc<Mutex<Connection>>,
    writer: Arc<Mutex<Option<Writer>>>,
}

struct Writer {
    tx: mpsc::Sender<Write>,
    thread: JoinHandle<()>,
}

fn open_conn(dir: &Path) -> Result<Connection, StorageError> {
    let conn = Connection::open(dir.join("relay.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(conn)
}

impl Store {
    /// Opens (or creates) `dir/relay.db` and starts the writer thread.
    ///
    /// # Errors
    /// Storage errors, including a file that is not a database.
    pub fn open(dir: &Path) -> Result<Store, StorageError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        let conn = open_conn(dir)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, doc TEXT NOT NULL, data BLOB NOT NULL);
             CREATE INDEX IF NOT EXISTS kv_doc ON kv(doc);",
        )?;
        feed::prepare(&conn)?;
        usage::prepare(&conn)?;
        let write_conn = open_conn(dir)?;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("relay-store".into())
            .spawn(move || write_loop(&write_conn, &rx))
            .map_err(|e| StorageError(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        Ok(Store {
            reader: Arc::new(Mutex::new(conn)),
            writer: Arc::new(Mutex::new(Some(Writer { tx, thread }))),
        })
    }

    fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StorageError> {
        let conn = self
            .reader
            .lock()
            .map_err(|_| StorageError(rusqlite::Error::InvalidQuery))?;
        Ok(f(&conn)?)
    }

    /// Ids of every stored document.
    ///
    /// # Errors
    /// Storage errors.
    pub fn documents(&self) -> Result<Vec<String>, StorageError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare("SELECT DISTINCT doc FROM kv WHERE key LIKE '%/%'")?;
            let rows = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(rows)
        })
    }

    /// How many documents are stored (correct after a restart: it is read from disk).
    ///
    /// # Errors
    /// Storage errors.
    pub fn document_count(&self) -> Result<u64, StorageError> {
        self.with_conn(|c| {
            c.query_row(
                "SELECT count(DISTINCT doc) FROM kv WHERE key LIKE '%/%'",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| u64::try_from(n).unwrap_or(0))
    }

    /// All stored chunks of a document, snapshots first, and their keys.
    ///
    /// # Errors
    /// Storage errors.
    pub fn document(&self, doc: &str) -> Result<Stored, StorageError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT key, data FROM kv WHERE doc = ?1 ORDER BY instr(key, '/snapshot/') = 0, key",
            )?;
            let mut out = Stored::default();
            let rows = stmt.query_map([doc], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            for row in rows {
                let (key, data) = row?;
                out.bytes.extend_from_slice(&data);
                out.keys.push(key);
            }
            Ok(out)
        })
    }

    /// All stored chunks of a document, concatenated.
    ///
    /// # Errors
    /// Storage errors.
    pub fn document_bytes(&self, doc: &str) -> Result<Vec<u8>, StorageError> {
        self.document(doc).map(|s| s.bytes)
    }

    /// Hands a write to the writer thread and waits until it is durable (true) or failed.
    async fn write(&self, make: impl FnOnce(oneshot::Sender<bool>) -> Write) -> bool {
        let (done, rx) = oneshot::channel();
        let sent = match self.writer.lock() {
            Ok(w) => w.as_ref().is_some_and(|w| w.tx.send(make(done)).is_ok()),
            Err(_) => false,
        };
        sent && rx.await.unwrap_or(false)
    }

    /// Stores a chunk of new changes of `doc`, whose heads are then `heads` (comma-separated,
    /// sorted), counting `charges` for the devices that brought it; its key once it is
    /// durable.
    pub async fn append(
        &self,
        doc: &str,
        chunk: Vec<u8>,
        heads: &str,
        charges: Charges,
    ) -> Option<String> {
        let key = chunk_key(doc, false, &chunk);
        let ok = self
            .write(|done| Write::Append {
                doc: doc.to_string(),
                key: key.clone(),
                chunk,
                heads: heads.to_string(),
                charges,
                done,
            })
            .await;
        ok.then_some(key)
    }

    /// Stores `snapshot` of `doc` and deletes the chunks `replaced` (those it was made from;
    /// any other chunk stays); the snapshot's key once that is durable.
    pub async fn compact(
        &self,
        doc: &str,
        snapshot: Vec<u8>,
        replaced: Vec<String>,
        heads: &str,
        charges: Charges,
    ) -> Option<String> {
        let key = chunk_key(doc, true, &snapshot);
        let ok = self
            .write(|done| Write::Compact {
                doc: doc.to_string(),
                key: key.clone(),
                snapshot,
                replaced,
                heads: heads.to_string(),
                charges,
                done,
            })
            .await;
        ok.then_some(key)
    }

    /// Finishes every write already sent and stops the writer thread.
    pub fn close(&self) {
        let writer = self.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(Writer { tx, thread }) = writer {
            drop(tx);
            let _ = thread.join();
        }
    }
}

fn write_loop(conn: &Connection, rx: &mpsc::Receiver<Write>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(w) => group.push(w),
                Err(_) => break,
            }
        }
        let ok = match commit(conn, &group) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, writes = group.len(), "relay storage failed");
                let _ = conn.execute_batch("ROLLBACK");
                false
            }
        };
        for w in group {
            let (Write::Append { done, .. } | Write::Compact { done, .. }) = w;
            let _ = done.send(ok);
        }
    }
}

fn commit(conn: &Connection, group: &[Write]) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    for w in group {
        match w {
            Write::Append {
                doc,
                key,
                chunk,
                heads,
                charges,
                ..
            } => {
                insert(conn, key, doc, chunk)?;
                feed::changed(conn, doc, heads)?;
                usage::charge(conn, charges)?;
            }
            Write::Compact {
                doc,
                key,
                snapshot,
                replaced,
                heads,
                charges,
                ..
            } => {
                feed::changed(conn, doc, heads)?;
                usage::charge(conn, charges)?;
                let mut delete =
                    conn.prepare_cached("DELETE FROM kv WHERE key = ?1 AND doc = ?2")?;
                for old in replaced.iter().filter(|old| *old != key) {
                    delete.execute(params![old, doc])?;
                }
                insert(conn, key, doc, snapshot)?;
            }
        }
    }
    conn.execute_batch("COMMIT")
}

/// Inserts a chunk; a chunk already stored under its key (the same bytes) stays as it is.
fn insert(conn: &Connection, key: &str, doc: &str, data: &[u8]) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO kv(key, doc, data) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO NOTHING",
    )?
    .execute(params![key, doc, data])?;
    Ok(())
}

#[cfg(test)]
mod tests;
