//! The service's cache of loaded documents: each reloaded when another writer changed it
//! since, communities kept with their replayed log, the whole bounded in size.

use std::collections::HashMap;
use std::sync::Arc;

use allmende_core::model::Community;
use allmende_core::DomainError;
use allmende_store::chunks_api as chunks;
use allmende_store::error::{PeerError, Result};
use automerge::{ActorId, AutoCommit};
use rusqlite::Connection;

use crate::docs;
use crate::Cached;

/// Most documents kept loaded in a service's cache.
const MAX_CACHED: usize = 512;

/// Keeps the cache bounded before one more document goes in: a sync of a whole town reads or
/// writes every document once. Items go first; replayed communities (whose log history makes
/// the next replay incremental) stay unless nothing else is left.
pub(crate) fn make_room(cache: &mut HashMap<String, Cached>) {
    if cache.len() >= MAX_CACHED {
        cache.retain(|_, c| c.community.is_some());
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
    }
}

/// The cached document, reloaded when another writer changed it since.
///
/// # Errors
/// Not found, a damaged document, or storage errors.
pub(crate) fn load_cached<'c>(
    conn: &Connection,
    cache: &'c mut HashMap<String, Cached>,
    key: &ActorId,
    id: &str,
) -> Result<&'c mut AutoCommit> {
    let meta = chunks::doc_meta(conn, id)?.ok_or_else(|| DomainError::NotFound {
        what: "item",
        id: id.to_string(),
    })?;
    let fresh = cache.get(id).is_some_and(|c| c.version == meta.version);
    if !fresh {
        let bytes = chunks::load_bytes(conn, id)?;
        let doc = docs::load(&bytes, key).map_err(|e| PeerError::CorruptDocument {
            id: id.to_string(),
            reason: e.to_string(),
        })?;
        let history = cache.remove(id).map(|c| c.history).unwrap_or_default();
        make_room(cache);
        cache.insert(
            id.to_string(),
            Cached {
                doc,
                version: meta.version,
                community: None,
                history,
            },
        );
    }
    cache
        .get_mut(id)
        .map(|c| &mut c.doc)
        .ok_or_else(|| PeerError::BadInput(format!("document {id} vanished")))
}

/// The community as replayed from its log, cached with its document.
///
/// # Errors
/// Not found, a damaged document, or not a community.
pub(crate) fn load_community(
    conn: &Connection,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    id: &str,
) -> Result<Arc<Community>> {
    load_cached(conn, cache, key, id)?;
    let entry = cache
        .get_mut(id)
        .ok_or_else(|| PeerError::BadInput(format!("document {id} vanished")))?;
    if let Some(c) = &entry.community {
        return Ok(Arc::clone(c));
    }
    let c = Arc::new(docs::community(id, &mut entry.doc, &mut entry.history)?);
    entry.community = Some(Arc::clone(&c));
    Ok(c)
}
