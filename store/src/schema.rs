//! The database layout and its migrations.
//!
//! `PRAGMA user_version` holds the format version; each step in [`migrate`] upgrades by one.
//! The index tables are disposable: [`INDEX_VERSION`] changes force a rebuild from documents.

use rusqlite::Connection;

use crate::error::Result;

/// `PRAGMA application_id`: "ALMD".
pub const APPLICATION_ID: i64 = 0x414C_4D44;
/// The storage format this build writes.
pub const FORMAT_VERSION: i64 = 6;
/// The layout of the projected index; bump to force a rebuild.
pub const INDEX_VERSION: &str = "4";

const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE device (id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL);
CREATE TABLE identities (community TEXT PRIMARY KEY, member TEXT NOT NULL);
CREATE TABLE docs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    community TEXT NOT NULL,
    version INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    heads TEXT NOT NULL DEFAULT '',
    corrupt TEXT
);
CREATE INDEX docs_community ON docs(community, kind);
CREATE TABLE chunks (
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    snapshot INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, seq)
) WITHOUT ROWID;
";

/// Version 2: what was last synced with which relay.
const V2: &str = "
CREATE TABLE sync_state (
    remote TEXT NOT NULL,
    doc TEXT NOT NULL,
    heads TEXT NOT NULL,
    synced_at INTEGER NOT NULL,
    PRIMARY KEY (remote, doc)
) WITHOUT ROWID;
";

/// Version 3: guests of `allmende serve` (pupils on phone browsers) and class codes.
const V3: &str = "
CREATE TABLE guest_sessions (
    token TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    member TEXT NOT NULL,
    secret BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE class_codes (
    code TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
";

/// Version 5: class codes let a bounded number of browsers in and can be withdrawn;
/// documents refused on arrival wait in quarantine.
const V5: &str = "
ALTER TABLE class_codes ADD COLUMN max_uses INTEGER NOT NULL DEFAULT 40;
ALTER TABLE class_codes ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE class_codes ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
CREATE TABLE quarantine (
    doc TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL,
    digest TEXT NOT NULL
);
";

/// Version 6: chunks live in a table with row ids and an index on `(doc, seq)`. Kept
/// `WITHOUT ROWID`, each chunk's bytes sat in the key's B-tree: a chunk is usually larger than
/// a twentieth of a page, so every look-up and insert by key read overflow pages (a town's
/// first sync spent a fifth of its time there).
const V6: &str = "
CREATE TABLE chunks_v6 (
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    snapshot INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, seq)
);
INSERT INTO chunks_v6(doc, seq, snapshot, data)
    SELECT doc, seq, snapshot, data FROM chunks ORDER BY doc, seq;
DROP TABLE chunks;
ALTER TABLE chunks_v6 RENAME TO chunks;
";

/// Version 4: peers found on the local network or linked by ticket.
const V4: &str = "
CREATE TABLE peers (
    device TEXT PRIMARY KEY,
    how TEXT NOT NULL,
    addrs TEXT NOT NULL,
    last_seen INTEGER NOT NULL
);
";

/// The disposable index: dropped and rebuilt when [`INDEX_VERSION`] changes.
pub const INDEX_TABLES: &str = "
CREATE TABLE IF NOT EXISTS communities (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
    description TEXT NOT NULL, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    community TEXT NOT NULL, id TEXT NOT NULL, role TEXT NOT NULL,
    profile TEXT NOT NULL, removed INTEGER NOT NULL,
    PRIMARY KEY (community, id)
);
CREATE TABLE IF NOT EXISTS hidden (
    community TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (community, key)
);
CREATE TABLE IF NOT EXISTS held (
    community TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (community, member)
);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    category TEXT NOT NULL,
    categories TEXT NOT NULL,
    status TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    start_at INTEGER,
    end_at INTEGER,
    running INTEGER,
    team_only INTEGER NOT NULL,
    team TEXT NOT NULL,
    parent TEXT NOT NULL,
    supporters INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    reports INTEGER NOT NULL,
    progress INTEGER,
    extra TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_list ON items(community, kind, created_at DESC);
CREATE INDEX IF NOT EXISTS items_author ON items(community, kind, author);
CREATE INDEX IF NOT EXISTS items_parent ON items(parent);
CREATE INDEX IF NOT EXISTS items_start ON items(community, start_at);
CREATE TABLE IF NOT EXISTS item_parties (
    doc TEXT PRIMARY KEY, community TEXT NOT NULL, parties TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS item_parties_community ON item_parties(community);
CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
";

/// Drops the index tables (before a rebuild).
pub const DROP_INDEX: &str = "
DROP TABLE IF EXISTS communities;
DROP TABLE IF EXISTS members;
DROP TABLE IF EXISTS hidden;
DROP TABLE IF EXISTS held;
DROP TABLE IF EXISTS items;
DROP TABLE IF EXISTS items_fts;
DROP TABLE IF EXISTS item_parties;
";

/// Brings the database from `from` to [`FORMAT_VERSION`].
///
/// # Errors
/// Storage errors; the transaction is then rolled back and nothing changes.
pub fn migrate(conn: &mut Connection, from: i64) -> Result<()> {
    if from >= FORMAT_VERSION {
        conn.execute_batch(INDEX_TABLES)?;
        return Ok(());
    }
    let tx = conn.transaction()?;
    if from < 1 {
        tx.execute_batch(V1)?;
        tx.execute_batch(INDEX_TABLES)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('index_version', ?1)",
            [INDEX_VERSION],
        )?;
    }
    if from < 2 {
        tx.execute_batch(V2)?;
    }
    if from < 3 {
        tx.execute_batch(V3)?;
    }
    if from < 4 {
        tx.execute_batch(V4)?;
    }
    if from < 5 {
        tx.execute_batch(V5)?;
    }
    if from < 6 {
        tx.execute_batch(V6)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", FORMAT_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as version 5 wrote it: chunks in a `WITHOUT ROWID` table.
    fn version_5(path: &std::path::Path) {
        let conn = Connection::open(path).expect("open");
        for step in [V1, INDEX_TABLES, V2, V3, V4, V5] {
            conn.execute_batch(step).expect("layout of version 5");
        }
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('index_version', ?1)",
            [INDEX_VERSION],
        )
        .expect("meta");
        conn.execute(
            "INSERT INTO docs(id, kind, community, version, chunks, bytes, heads)
             VALUES ('d', 'idea', 'c', 2, 2, 5, '')",
            [],
        )
        .expect("doc");
        conn.execute_batch(
            "INSERT INTO chunks VALUES ('d', 2, 0, x'0405');
             INSERT INTO chunks VALUES ('d', 1, 1, x'010203');",
        )
        .expect("chunks");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("id");
        conn.pragma_update(None, "user_version", 5)
            .expect("version");
    }

    #[test]
    fn a_version_5_database_keeps_its_chunks_in_order_after_the_upgrade() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("allmende.db");
        version_5(&path);
        let store = crate::Store::open_file(&path).expect("upgrade");
        let conn = store.conn();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, FORMAT_VERSION);
        let without_rowid: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'chunks' AND sql LIKE '%WITHOUT ROWID%'",
                [],
                |r| r.get(0),
            )
            .expect("layout");
        assert_eq!(
            without_rowid, 0,
            "chunks keep their bytes out of the key's tree"
        );
        assert_eq!(
            crate::chunks::load_bytes(conn, "d").expect("bytes"),
            vec![1, 2, 3, 4, 5]
        );
        // The key still holds: one chunk per sequence number.
        assert!(conn
            .execute("INSERT INTO chunks VALUES ('d', 1, 0, x'00')", [])
            .is_err());
    }
}
