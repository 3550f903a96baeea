//! samod's key-value storage in SQLite: one row per key, WAL with `synchronous=FULL`, so a
//! change the relay has stored survives kill -9.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection};
use samod::storage::{Storage, StorageKey};
use tokio::sync::mpsc::UnboundedSender;

/// The relay's document store.
#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    /// Receives the id of every document that was written, for access-control upkeep.
    notify: Option<UnboundedSender<String>>,
}

/// A storage failure; the relay logs it (samod's storage interface has no error channel).
#[derive(Debug, thiserror::Error)]
#[error("relay storage: {0}")]
pub struct StorageError(#[from] rusqlite::Error);

fn encode(key: &StorageKey) -> String {
    key.into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("/")
}

fn decode(text: &str) -> Option<StorageKey> {
    StorageKey::from_parts(text.split('/')).ok()
}

impl SqliteStorage {
    /// Opens (or creates) `dir/relay.db`.
    ///
    /// # Errors
    /// Storage errors, including a file that is not a database.
    pub fn open(dir: &Path) -> Result<SqliteStorage, StorageError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        let conn = Connection::open(dir.join("relay.db"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, doc TEXT NOT NULL, data BLOB NOT NULL);
             CREATE INDEX IF NOT EXISTS kv_doc ON kv(doc);",
        )?;
        Ok(SqliteStorage {
            conn: Arc::new(Mutex::new(conn)),
            notify: None,
        })
    }

    /// Sends the id of each written document to `tx`.
    #[must_use]
    pub fn with_notify(mut self, tx: UnboundedSender<String>) -> Self {
        self.notify = Some(tx);
        self
    }

    fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StorageError> {
        let conn = self
            .conn
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

    /// All stored chunks of a document, concatenated (loadable by `Automerge::load`).
    ///
    /// # Errors
    /// Storage errors.
    pub fn document_bytes(&self, doc: &str) -> Result<Vec<u8>, StorageError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT data FROM kv WHERE doc = ?1 ORDER BY instr(key, '/snapshot/') = 0, key",
            )?;
            let mut out = Vec::new();
            for row in stmt.query_map([doc], |r| r.get::<_, Vec<u8>>(0))? {
                out.extend_from_slice(&row?);
            }
            Ok(out)
        })
    }

    fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&SqliteStorage) -> Result<T, StorageError> + Send + 'static,
    ) -> impl std::future::Future<Output = Option<T>> + Send {
        let this = self.clone();
        async move {
            match tokio::task::spawn_blocking(move || f(&this)).await {
                Ok(Ok(v)) => Some(v),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "relay storage failed");
                    None
                }
                Err(e) => {
                    tracing::error!(error = %e, "relay storage task failed");
                    None
                }
            }
        }
    }
}

impl Storage for SqliteStorage {
    fn load(&self, key: StorageKey) -> impl std::future::Future<Output = Option<Vec<u8>>> + Send {
        let k = encode(&key);
        let fut = self.blocking(move |s| {
            s.with_conn(|c| {
                use rusqlite::OptionalExtension;
                c.query_row("SELECT data FROM kv WHERE key = ?1", [&k], |r| r.get(0))
                    .optional()
            })
        });
        async move { fut.await.flatten() }
    }

    fn load_range(
        &self,
        prefix: StorageKey,
    ) -> impl std::future::Future<Output = HashMap<StorageKey, Vec<u8>>> + Send {
        let p = encode(&prefix);
        let fut = self.blocking(move |s| {
            s.with_conn(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT key, data FROM kv WHERE key = ?1 OR (key >= ?1 || '/' AND key < ?1 || '0')",
                )?;
                let rows = stmt
                    .query_map([&p], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
        });
        async move {
            fut.await
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(k, v)| decode(&k).map(|k| (k, v)))
                .collect()
        }
    }

    fn put(&self, key: StorageKey, data: Vec<u8>) -> impl std::future::Future<Output = ()> + Send {
        let k = encode(&key);
        let doc = key.into_iter().next().unwrap_or_default();
        let notify = self.notify.clone();
        let fut = self.blocking(move |s| {
            s.with_conn(|c| {
                c.execute(
                    "INSERT INTO kv(key, doc, data) VALUES (?1, ?2, ?3)
                     ON CONFLICT(key) DO UPDATE SET data = excluded.data",
                    params![k, doc, data],
                )
            })?;
            Ok(doc)
        });
        async move {
            if let (Some(doc), Some(tx)) = (fut.await, notify) {
                let _ = tx.send(doc);
            }
        }
    }

    fn delete(&self, key: StorageKey) -> impl std::future::Future<Output = ()> + Send {
        let k = encode(&key);
        let fut = self
            .blocking(move |s| s.with_conn(|c| c.execute("DELETE FROM kv WHERE key = ?1", [&k])));
        async move {
            fut.await;
        }
    }
}
