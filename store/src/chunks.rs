//! Automerge documents as rows: a snapshot plus incremental chunks, appended per write.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Store;
use crate::error::Result;

/// Compaction threshold: more incremental chunks than this and the next write saves a snapshot.
pub const COMPACT_AFTER_CHUNKS: i64 = 64;

/// What the store knows about a document without loading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    pub id: String,
    pub kind: String,
    pub community: String,
    /// Bumped on every write; a cached copy with another version is stale.
    pub version: i64,
    pub chunks: i64,
    pub bytes: i64,
    /// Why the document could not be loaded, if it could not.
    pub corrupt: Option<String>,
}

fn row_to_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDoc> {
    Ok(StoredDoc {
        id: r.get(0)?,
        kind: r.get(1)?,
        community: r.get(2)?,
        version: r.get(3)?,
        chunks: r.get(4)?,
        bytes: r.get(5)?,
        corrupt: r.get(6)?,
    })
}

macro_rules! doc_columns {
    () => {
        "id, kind, community, version, chunks, bytes, corrupt"
    };
}
const DOC_COLUMNS: &str = doc_columns!();

/// The stored facts of one document.
///
/// # Errors
/// Storage errors.
pub fn doc_meta(conn: &Connection, id: &str) -> Result<Option<StoredDoc>> {
    Ok(conn
        .prepare_cached(concat!(
            "SELECT ",
            doc_columns!(),
            " FROM docs WHERE id = ?1"
        ))?
        .query_row([id], row_to_doc)
        .optional()?)
}

/// All chunks of a document, oldest first, ready for `Automerge::load`.
///
/// # Errors
/// Storage errors.
pub fn load_bytes(conn: &Connection, id: &str) -> Result<Vec<u8>> {
    let mut stmt = conn.prepare_cached("SELECT data FROM chunks WHERE doc = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let chunk: Vec<u8> = row.get(0)?;
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Appends an incremental chunk (creating the document row if new); returns the new version.
///
/// # Errors
/// Storage errors.
pub fn append(
    tx: &Transaction<'_>,
    meta: (&str, &str, &str),
    data: &[u8],
    heads: &str,
) -> Result<i64> {
    let (id, kind, community) = meta;
    let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
    // Prepared once per connection: a first sync appends thousands of documents.
    let version: i64 = tx
        .prepare_cached(
            "INSERT INTO docs(id, kind, community, version, chunks, bytes, heads)
             VALUES (?1, ?2, ?3, 1, 1, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET version = version + 1, chunks = chunks + 1,
                 bytes = bytes + excluded.bytes, heads = excluded.heads
             RETURNING version",
        )?
        .query_row(params![id, kind, community, size, heads], |r| r.get(0))?;
    let seq: i64 = tx
        .prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM chunks WHERE doc = ?1")?
        .query_row([id], |r| r.get(0))?;
    tx.prepare_cached("INSERT INTO chunks(doc, seq, snapshot, data) VALUES (?1, ?2, 0, ?3)")?
        .execute(params![id, seq, data])?;
    Ok(version)
}

/// Replaces every chunk of a document by one snapshot (same content, compacted).
///
/// # Errors
/// Storage errors.
pub fn compact(tx: &Transaction<'_>, id: &str, snapshot: &[u8]) -> Result<()> {
    let size = i64::try_from(snapshot.len()).unwrap_or(i64::MAX);
    tx.execute("DELETE FROM chunks WHERE doc = ?1", [id])?;
    tx.execute(
        "INSERT INTO chunks(doc, seq, snapshot, data) VALUES (?1, 1, 1, ?2)",
        params![id, snapshot],
    )?;
    tx.execute(
        "UPDATE docs SET chunks = 1, bytes = ?2, version = version + 1 WHERE id = ?1",
        params![id, size],
    )?;
    Ok(())
}

impl Store {
    /// Every stored document, optionally of one community.
    ///
    /// # Errors
    /// Storage errors.
    pub fn docs(&self, community: Option<&str>) -> Result<Vec<StoredDoc>> {
        docs_of(self.conn(), community)
    }
}

/// Every stored document, optionally of one community (inside a transaction too).
///
/// # Errors
/// Storage errors.
pub fn docs_of(conn: &Connection, community: Option<&str>) -> Result<Vec<StoredDoc>> {
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT {DOC_COLUMNS} FROM docs WHERE ?1 IS NULL OR community = ?1 ORDER BY kind <> 'community', id"
        ))?;
        let rows = stmt
            .query_map([community], row_to_doc)?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
