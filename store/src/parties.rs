//! Who each indexed item names: the member ids and device keys its judgement reads, so a
//! change of the roster judges again only the items it can change (see
//! `allmende_core::governance::reach`). Part of the disposable index.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, Transaction};

use crate::error::Result;

/// Replaces what item `doc` of `community` names. One row per item, its parties joined by
/// spaces (they hold none): a first sync writes thousands of items, and a roster change
/// reads them all once (a scan of a few megabytes in a town).
///
/// # Errors
/// Storage errors.
pub fn put(
    tx: &Transaction<'_>,
    doc: &str,
    community: &str,
    parties: &BTreeSet<String>,
) -> Result<()> {
    let joined = parties
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    tx.prepare_cached(
        "INSERT INTO item_parties(doc, community, parties) VALUES (?1, ?2, ?3)
         ON CONFLICT(doc) DO UPDATE SET community = excluded.community, parties = excluded.parties",
    )?
    .execute(params![doc, community, joined])?;
    Ok(())
}

/// The items of `community` that name one of `parties`.
///
/// # Errors
/// Storage errors.
pub fn naming(
    conn: &Connection,
    community: &str,
    parties: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let mut docs = BTreeSet::new();
    if parties.is_empty() {
        return Ok(docs);
    }
    let mut query =
        conn.prepare_cached("SELECT doc, parties FROM item_parties WHERE community = ?1")?;
    let mut rows = query.query([community])?;
    while let Some(row) = rows.next()? {
        let named: String = row.get(1)?;
        if named.split(' ').any(|p| parties.contains(p)) {
            docs.insert(row.get(0)?);
        }
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_found_by_what_it_names_now_and_not_by_what_it_named_before() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(crate::schema::INDEX_TABLES)
            .expect("tables");
        let set = |list: &[&str]| {
            list.iter()
                .map(|s| (*s).to_string())
                .collect::<BTreeSet<_>>()
        };
        let tx = conn.transaction().expect("tx");
        put(&tx, "idea1", "town", &set(&["anna", "k1"])).expect("put");
        put(&tx, "idea2", "town", &set(&["ben"])).expect("put");
        put(&tx, "idea3", "village", &set(&["anna"])).expect("put");
        put(&tx, "idea1", "town", &set(&["carl"])).expect("put again");
        tx.commit().expect("commit");
        assert_eq!(naming(&conn, "town", &set(&["anna"])).expect("q"), set(&[]));
        assert_eq!(
            naming(&conn, "town", &set(&["carl", "ben", "nobody"])).expect("q"),
            set(&["idea1", "idea2"])
        );
        assert_eq!(
            naming(&conn, "village", &set(&["anna"])).expect("q"),
            set(&["idea3"])
        );
    }
}
