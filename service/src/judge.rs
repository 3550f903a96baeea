//! Judging items: an item as people may see it (its signed fields checked against its
//! community's roster, its own fields against who signed the changes that wrote them), and
//! the index kept to what people may see after each write or arrival.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use allmende_core::apply::Item;
use allmende_core::governance::reach::Reach;
use allmende_core::governance::{self, Flag};
use allmende_core::index::project;
use allmende_core::model::Community;
use automerge::ActorId;
use rusqlite::{Connection, Transaction};

use super::Cached;
use crate::cache::{load_cached, load_community};
use crate::docs;
use allmende_store::error::Result;
use allmende_store::{self, chunks_api as chunks, index};

/// An item as people may see it: its signed fields checked against its community's roster
/// (against nobody's, while the community document has not arrived yet), and its own fields
/// against who signed the changes that wrote them (`id` is the document it was read from).
///
/// # Errors
/// A damaged community or item document.
pub(super) fn checked_item(
    conn: &Connection,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    id: &str,
    item: &Item,
) -> Result<(Item, Vec<Flag>)> {
    let community = community_of(conn, cache, key, item)?;
    let (seen, flags, _) = judged(conn, cache, key, &community, id, item)?;
    Ok((seen, flags))
}

/// The governance that judges `item`: its community's, or nobody's while the community
/// document has not arrived yet.
fn community_of(
    conn: &Connection,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    item: &Item,
) -> Result<Arc<Community>> {
    let cid = &item.header().community;
    if chunks::doc_meta(conn, cid)?.is_some() {
        load_community(conn, cache, key, cid)
    } else {
        Ok(Arc::new(Community::empty(item.header().clone())))
    }
}

/// Item `item` (document `id`) judged against `community`: as people may see it, what was
/// flagged, and the member ids and device keys the judgement read (its parties).
pub(super) fn judged(
    conn: &Connection,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    community: &Community,
    id: &str,
    item: &Item,
) -> Result<(Item, Vec<Flag>, BTreeSet<String>)> {
    let (mut seen, mut flags) = governance::check_item(community, item);
    let mut parties = governance::reach::parties(item);
    // Loaded after the community: loading it may have made room by dropping this one.
    let doc = load_cached(conn, cache, key, id)?;
    flags.extend(governance::body::check_body_noting(
        community,
        id,
        doc.document(),
        &mut seen,
        &mut parties,
    ));
    Ok((seen, flags, parties))
}

/// [`checked_item`] without its flags, with its parties instead: what the index holds.
///
/// # Errors
/// A damaged community or item document.
pub(super) fn item_for_index(
    conn: &Connection,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    id: &str,
    item: &Item,
) -> Result<(Item, BTreeSet<String>)> {
    let community = community_of(conn, cache, key, item)?;
    let (seen, _, parties) = judged(conn, cache, key, &community, id, item)?;
    Ok((seen, parties))
}

/// Judges item `item` (document `id`, read from its document) and writes what people may see
/// of it, with its parties, into the index.
///
/// # Errors
/// A damaged community or item document; storage errors.
pub(super) fn index_item(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    id: &str,
    item: &Item,
) -> Result<()> {
    let (seen, parties) = item_for_index(tx, cache, key, id, item)?;
    index::put_item(tx, &project(&seen))?;
    allmende_store::parties::put(tx, id, &seen.header().community, &parties)?;
    Ok(())
}

/// Judges again the items of community `cid` that a change of its governance can read
/// differently (see `allmende_core::governance::reach`), skipping `skip` (written just
/// now), and indexes what people may see; returns how many.
///
/// # Errors
/// A damaged document.
pub(super) fn judge_items_again(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    cid: &str,
    reach: &Reach,
    skip: &BTreeSet<String>,
) -> Result<usize> {
    let ids: Vec<String> = match reach {
        Reach::All => chunks::docs_of(tx, Some(cid))?
            .into_iter()
            .filter(|m| m.kind != "community")
            .map(|m| m.id)
            .collect(),
        Reach::Some { parties, items } => {
            let mut ids = allmende_store::parties::naming(tx, cid, parties)?;
            ids.extend(items.iter().cloned());
            ids.into_iter().collect()
        }
    };
    let mut judged = 0;
    for id in ids {
        if skip.contains(&id) {
            continue;
        }
        // A moderation decision may name an item not held here (or of another community).
        let Some(meta) = chunks::doc_meta(tx, &id)? else {
            continue;
        };
        if meta.kind == "community" || meta.community != cid {
            continue;
        }
        let raw = docs::item_at(load_cached(tx, cache, key, &id)?, &id, cid)?;
        index_item(tx, cache, key, &id, &raw)?;
        judged += 1;
    }
    Ok(judged)
}
