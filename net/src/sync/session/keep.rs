//! Staying in step: the watching loop of `sync --watch`, the app and `serve`, and of a
//! peer-to-peer link.

use std::collections::HashMap;
use std::time::Duration;

use automerge::Automerge;
use samod::storage::{Storage, StorageKey};

use super::{bad, Session};
use crate::sync::repo_tasks::read_doc;
use allmende_service::Service;
use allmende_store::error::Result;

/// Stays connected: changes from the relay are written into the store as they arrive, and
/// changes made on this device (also by other processes) go out. Calls `on_change` with a
/// line for each document that moved. Runs until `stop` resolves.
///
/// # Errors
/// A bad URL, no connection, storage errors.
pub async fn watch(
    svc: &mut Service,
    relay: &str,
    timeout: Duration,
    mut on_change: impl FnMut(&str),
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    // Only the communities that sync through this relay (`scope.rs`). A watcher never binds
    // a community on its own: that takes a person's choice (joining, `sync --relay`, making a
    // community on a device with a relay).
    let scope = svc.relay_scope(relay, false)?;
    let ids: Vec<String> = svc
        .store()
        .docs(None)?
        .into_iter()
        .filter(|d| scope.contains(&d.community))
        .map(|d| d.id)
        .collect();
    let key = svc.device().clone();
    let mut s = Session::open_with(svc, relay, timeout, &key, &ids).await?;
    let _ = s.settle().await;
    keep_in_step(
        svc,
        &mut s,
        relay,
        true,
        &mut on_change,
        |_| Ok(false),
        stop,
    )
    .await?;
    s.stop().await;
    Ok(())
}

/// Catalogued ids to ask the other side for: not those stored here already. A document made
/// here while the session opened is listed by its community's catalogue before the session
/// holds it; asked for remotely, it would be "unavailable" (the other side has not seen it
/// yet) and its retry pause would keep the local pass from handing it over. Stored documents
/// go out through the local pass instead, which loads their bytes first. This also keeps a
/// catalogue naming documents of a community outside this relay's scope (a hostile relay or
/// member) from making the relay's copy flow into them: stored documents are never asked for.
fn to_find(svc: &Service, s: &Session) -> Result<Vec<String>> {
    let conn = svc.store().conn();
    let mut kept = Vec::new();
    // Those the session holds need no lookup (most of them, on every look).
    let communities = svc.community_ids()?;
    for id in s.catalogued(&communities) {
        if !s.handles.contains_key(&id)
            && allmende_store::chunks_api::doc_meta(conn, &id)?.is_none()
            && !svc.left_out_here(&id)?
        {
            kept.push(id);
        }
    }
    Ok(kept)
}

/// Moves changes both ways until `stop`: local changes (also by other processes) go into the
/// repository, and what peers bring is written into the store. `on_change` hears of each.
/// `each` runs first in every round; when it says so (new share rules, say), the local
/// changes wait for the next round, so the rules reach every link before what they guard.
pub(crate) async fn keep_in_step(
    svc: &mut Service,
    s: &mut Session,
    label: &str,
    scoped: bool,
    on_change: &mut impl FnMut(&str),
    mut each: impl FnMut(&mut Service) -> Result<bool>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    let relay = label;
    let new_ids = to_find(svc, s)?;
    s.find_all(&new_ids).await;
    s.write_back(svc, None)?;
    let mut seen = s.heads();
    // Versions whose content the repository has. Documents written back from the repository
    // are not marked here: a local change may have landed in between, so the next look merges
    // the stored bytes again (a no-op when nothing else changed).
    let mut local_versions: HashMap<String, i64> = s.loaded.clone();
    let mut acknowledged: HashMap<String, String> = HashMap::new();
    on_change("connected");
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(Duration::from_millis(300)) => {}
        }
        // A repository broken by what the other side sent does no more work (see
        // `repo_tasks`): what it read is written, and the caller hears why.
        if let Some(e) = s.broken() {
            s.write_back(svc, None)?;
            return Err(e);
        }
        if each(svc)? {
            continue;
        }
        // Local changes (this or another process) go out: to a relay, only those of the
        // communities that sync through it (a community joined meanwhile may be one).
        let scope = if scoped {
            Some(svc.relay_scope(relay, false)?)
        } else {
            None
        };
        for meta in svc.store().docs(None)? {
            if local_versions.get(&meta.id) == Some(&meta.version) {
                continue;
            }
            if scope.as_ref().is_some_and(|c| !c.contains(&meta.community)) {
                continue;
            }
            local_versions.insert(meta.id.clone(), meta.version);
            let bytes = svc.doc_bytes(&meta.id)?;
            let sent = if let Some(h) = s.handles.get(&meta.id) {
                Automerge::load(&bytes).is_ok_and(|mut local| {
                    read_doc(h, |d| {
                        let before = d.get_heads();
                        let _ = d.merge(&mut local);
                        d.get_heads() != before
                    })
                    .unwrap_or(false)
                })
            } else {
                let key =
                    StorageKey::from_parts([meta.id.as_str(), "snapshot", "local"]).map_err(bad)?;
                s.storage.put(key, bytes).await;
                // Its bytes are here now: no pause from an earlier remote ask applies.
                s.missing.remove(&meta.id);
                s.find_all(std::slice::from_ref(&meta.id)).await;
                let held = s.handles.contains_key(&meta.id);
                if !held {
                    // Not in the repository yet: the next look tries again.
                    local_versions.remove(&meta.id);
                }
                held
            };
            if sent {
                on_change(&format!("sent {}", meta.id));
            }
        }
        // New documents announced in the catalogues.
        let new_ids = to_find(svc, s)?;
        s.find_all(&new_ids).await;
        // Remote changes come in.
        let now = s.heads();
        let changed: Vec<String> = now
            .iter()
            .filter(|(id, h)| seen.get(*id) != Some(h))
            .map(|(id, _)| id.clone())
            .collect();
        if !changed.is_empty() {
            s.write_back(svc, None)?;
            for id in &changed {
                on_change(&format!("received {id}"));
            }
            seen = now;
        }
        // Only what the other side has acknowledged counts as in step, and only when it
        // moved: with the relay gone, changes made here stay waiting and the time of the
        // last sync stays that of the last exchange.
        if s.conn.is_some() {
            let moved: Vec<(String, String)> = s
                .in_step()
                .into_iter()
                .filter(|(id, heads)| acknowledged.get(id) != Some(heads))
                .collect();
            if !moved.is_empty() {
                svc.record_synced(relay, &moved)?;
                acknowledged.extend(moved);
            }
        }
    }
    Ok(())
}
