//! The relay's document store in SQLite (WAL, `synchronous=FULL`): one row per chunk, keyed
//! like automerge-repo's storage (`<doc>/snapshot/<hash>`, `<doc>/incremental/<hash>`).
//!
//! Writes go through one writer thread that commits everything waiting in one transaction
//! (group commit) and only then acknowledges, so a change the relay has acknowledged survives
//! kill -9, and a thousand devices writing at once cost one fsync per round, not a thousand.

use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{params, Connection};
use tokio::sync::oneshot;

/// Most writes committed in one transaction.
const MAX_GROUP: usize = 1024;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[error("relay storage: {0}")]
pub struct StorageError(#[from] rusqlite::Error);

/// One write: new changes of a document, or its compaction into one snapshot.
enum Write {
    Append {
        doc: String,
        name: String,
        chunk: Vec<u8>,
        done: oneshot::Sender<bool>,
    },
    Compact {
        doc: String,
        name: String,
        snapshot: Vec<u8>,
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

    /// All stored chunks of a document, concatenated (loadable by `Automerge::load`), and how
    /// many chunks there are.
    ///
    /// # Errors
    /// Storage errors.
    pub fn document(&self, doc: &str) -> Result<(Vec<u8>, usize), StorageError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT data FROM kv WHERE doc = ?1 ORDER BY instr(key, '/snapshot/') = 0, key",
            )?;
            let mut out = Vec::new();
            let mut chunks = 0;
            for row in stmt.query_map([doc], |r| r.get::<_, Vec<u8>>(0))? {
                out.extend_from_slice(&row?);
                chunks += 1;
            }
            Ok((out, chunks))
        })
    }

    /// All stored chunks of a document, concatenated.
    ///
    /// # Errors
    /// Storage errors.
    pub fn document_bytes(&self, doc: &str) -> Result<Vec<u8>, StorageError> {
        self.document(doc).map(|(bytes, _)| bytes)
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

    /// Stores new changes of `doc` under `name`; true once they are durable.
    pub async fn append(&self, doc: &str, name: String, chunk: Vec<u8>) -> bool {
        self.write(|done| Write::Append {
            doc: doc.to_string(),
            name,
            chunk,
            done,
        })
        .await
    }

    /// Replaces every chunk of `doc` with one snapshot; true once that is durable.
    pub async fn compact(&self, doc: &str, name: String, snapshot: Vec<u8>) -> bool {
        self.write(|done| Write::Compact {
            doc: doc.to_string(),
            name,
            snapshot,
            done,
        })
        .await
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
                doc, name, chunk, ..
            } => {
                conn.prepare_cached(
                    "INSERT INTO kv(key, doc, data) VALUES (?1, ?2, ?3)
                     ON CONFLICT(key) DO UPDATE SET data = excluded.data",
                )?
                .execute(params![
                    format!("{doc}/incremental/{name}"),
                    doc,
                    chunk
                ])?;
            }
            Write::Compact {
                doc,
                name,
                snapshot,
                ..
            } => {
                conn.prepare_cached("DELETE FROM kv WHERE doc = ?1")?
                    .execute([doc])?;
                conn.prepare_cached("INSERT INTO kv(key, doc, data) VALUES (?1, ?2, ?3)")?
                    .execute(params![format!("{doc}/snapshot/{name}"), doc, snapshot])?;
            }
        }
    }
    conn.execute_batch("COMMIT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn appends_compacts_and_reads_back() {
        let dir = tempfile::tempdir().expect("test");
        let store = Store::open(dir.path()).expect("test");
        assert!(store.append("docA", "h1".into(), b"one".to_vec()).await);
        assert!(store.append("docA", "h2".into(), b"two".to_vec()).await);
        assert!(store.append("docB", "h1".into(), b"x".to_vec()).await);
        assert_eq!(
            store.document("docA").expect("test"),
            (b"onetwo".to_vec(), 2)
        );
        assert_eq!(store.document_count().expect("test"), 2);
        assert!(store.compact("docA", "s".into(), b"all".to_vec()).await);
        assert_eq!(store.document("docA").expect("test"), (b"all".to_vec(), 1));
        store.close();
        assert!(!store.append("docA", "h3".into(), b"late".to_vec()).await);
        let again = Store::open(dir.path()).expect("test");
        assert_eq!(again.document_bytes("docB").expect("test"), b"x".to_vec());
        assert_eq!(again.documents().expect("test").len(), 2);
    }
}
