//! The change feed's bookkeeping: per document the position of its last write and its heads
//! then, and the store's epoch (a random name made when the store is created).
//!
//! Positions grow with every write, in commit order (the one writer thread assigns them inside
//! its transaction), so a device that asked up to position `p` has seen every write at or
//! below `p`. Documents stored before the feed existed get position 1 and unknown heads.

use rusqlite::{params, Connection, OptionalExtension};

use super::{StorageError, Store};

/// Creates the feed's tables, the epoch, and rows for documents stored without one.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS changes (doc TEXT PRIMARY KEY, seq INTEGER NOT NULL, heads TEXT NOT NULL);
         CREATE INDEX IF NOT EXISTS changes_seq ON changes(seq);
         CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT OR IGNORE INTO changes(doc, seq, heads)
            SELECT DISTINCT doc, 1, '' FROM kv WHERE key LIKE '%/%';",
    )?;
    let epoch: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if epoch.is_none() {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('epoch', ?1)",
            [hex::encode(bytes)],
        )?;
    }
    Ok(())
}

/// Records a write of `doc` (inside the writer's transaction): the next position, its heads.
pub(super) fn changed(conn: &Connection, doc: &str, heads: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO changes(doc, seq, heads)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM changes), ?2)
         ON CONFLICT(doc) DO UPDATE SET seq = excluded.seq, heads = excluded.heads",
    )?
    .execute(params![doc, heads])?;
    Ok(())
}

/// What changed after a position.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub epoch: String,
    /// The position of the last write included.
    pub position: u64,
    /// Documents written after the asked position, with their heads, oldest write first.
    pub docs: Vec<(String, String)>,
}

impl Store {
    /// The store's epoch.
    ///
    /// # Errors
    /// Storage errors.
    pub fn epoch(&self) -> Result<String, StorageError> {
        self.with_conn(|c| {
            c.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })
        })
    }

    /// Documents written after `since` (all, when `since` is 0), up to the last write.
    ///
    /// # Errors
    /// Storage errors.
    pub fn changes_since(&self, since: u64) -> Result<Changes, StorageError> {
        self.with_conn(|c| {
            let epoch: String =
                c.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                    r.get(0)
                })?;
            // Read in one transaction: a write committed meanwhile is after `position`.
            c.execute_batch("BEGIN")?;
            let read = (|| -> rusqlite::Result<(i64, Vec<(String, String)>)> {
                let position: i64 =
                    c.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                        r.get(0)
                    })?;
                let mut stmt = c.prepare_cached(
                    "SELECT doc, heads FROM changes WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
                )?;
                let since = i64::try_from(since).unwrap_or(i64::MAX);
                let docs = stmt
                    .query_map(params![since, position], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
                Ok((position, docs))
            })();
            c.execute_batch("COMMIT")?;
            let (position, docs) = read?;
            Ok(Changes {
                epoch,
                position: u64::try_from(position).unwrap_or(0),
                docs,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_feed_lists_what_changed_after_a_position_and_its_epoch_stays() {
        let dir = tempfile::tempdir().expect("test");
        let store = Store::open(dir.path()).expect("test");
        let empty = store.changes_since(0).expect("test");
        assert_eq!(empty.position, 0);
        assert!(empty.docs.is_empty());
        store
            .append("a", b"1".to_vec(), "h1", Vec::new())
            .await
            .expect("test");
        store
            .append("b", b"2".to_vec(), "h2", Vec::new())
            .await
            .expect("test");
        let first = store.changes_since(0).expect("test");
        assert_eq!(
            first.docs,
            vec![("a".into(), "h1".into()), ("b".into(), "h2".into())]
        );
        // Nothing new: nothing listed, the position stays.
        let again = store.changes_since(first.position).expect("test");
        assert!(again.docs.is_empty());
        assert_eq!(again.position, first.position);
        // A write to `a` (also a compaction) lists `a` alone, with its new heads.
        let keys = store.document("a").expect("test").keys;
        store
            .compact("a", b"1+3".to_vec(), keys, "h3", Vec::new())
            .await
            .expect("test");
        let later = store.changes_since(first.position).expect("test");
        assert_eq!(later.docs, vec![("a".into(), "h3".into())]);
        // The epoch survives a restart; positions go on from where they were.
        store.close();
        drop(store);
        let store = Store::open(dir.path()).expect("test");
        let reopened = store.changes_since(first.position).expect("test");
        assert_eq!(reopened.epoch, first.epoch);
        assert_eq!(reopened.position, later.position);
        let other = tempfile::tempdir().expect("test");
        let fresh = Store::open(other.path()).expect("test");
        assert_ne!(fresh.changes_since(0).expect("test").epoch, first.epoch);
    }

    #[test]
    fn documents_stored_before_the_feed_are_listed_with_unknown_heads() {
        let dir = tempfile::tempdir().expect("test");
        {
            let conn = Connection::open(dir.path().join("relay.db")).expect("test");
            conn.execute_batch(
                "CREATE TABLE kv (key TEXT PRIMARY KEY, doc TEXT NOT NULL, data BLOB NOT NULL);
                 INSERT INTO kv VALUES ('old/snapshot/x', 'old', x'00');",
            )
            .expect("test");
        }
        let store = Store::open(dir.path()).expect("test");
        let all = store.changes_since(0).expect("test");
        assert_eq!(all.docs, vec![("old".into(), String::new())]);
    }
}
