//! What each device key has added to the store (see [`crate::quota`]), written in the same
//! transaction as the changes it is counted for.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::{StorageError, Store};

/// Bytes to count for a device key with a write.
pub type Charges = Vec<(String, u64)>;

/// Creates the table.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS usage (device TEXT PRIMARY KEY, bytes INTEGER NOT NULL);",
    )
}

/// Adds `charges` (inside the writer's transaction).
pub(super) fn charge(conn: &Connection, charges: &Charges) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO usage(device, bytes) VALUES (?1, ?2)
         ON CONFLICT(device) DO UPDATE SET bytes = bytes + excluded.bytes",
    )?;
    for (device, bytes) in charges {
        stmt.execute(params![device, i64::try_from(*bytes).unwrap_or(i64::MAX)])?;
    }
    Ok(())
}

impl Store {
    /// Bytes stored per device key.
    ///
    /// # Errors
    /// Storage errors.
    pub fn usage(&self) -> Result<HashMap<String, u64>, StorageError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare("SELECT device, bytes FROM usage")?;
            let rows = stmt.query_map([], |r| {
                let bytes: i64 = r.get(1)?;
                Ok((r.get::<_, String>(0)?, u64::try_from(bytes).unwrap_or(0)))
            })?;
            rows.collect()
        })
    }
}
