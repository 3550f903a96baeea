//! One-shot exchanges: fetch one document, fetch a community as an invite's key, push one
//! document.

use std::time::Duration;

use samod::storage::InMemoryStorage;
use samod::{BackoffConfig, DocumentId};

use super::{bad, broken, dial_relay, stop_repo, unreachable, Session};
use crate::sync::repo_tasks::read_doc;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

/// Fetches one document (any automerge-repo document, not only Allmende's) from the relay and
/// returns its content as JSON. Nothing is stored.
///
/// # Errors
/// A bad URL or id, no connection, or the relay does not have the document.
pub async fn fetch(
    svc: &mut Service,
    relay: &str,
    id: &str,
    timeout: Duration,
) -> Result<serde_json::Value> {
    let id = id.trim().trim_start_matches("automerge:").to_string();
    let doc_id: DocumentId = id
        .parse()
        .map_err(|_| bad(format!("'{id}' is not a document id")))?;
    let key = svc.device().clone();
    let (repo, tasks, handle, _) = dial_relay(
        relay,
        &key,
        InMemoryStorage::new(),
        BackoffConfig::default(),
    )
    .await?;
    let found = async {
        tokio::time::timeout(timeout, handle.established())
            .await
            .map_err(|_| unreachable(format!("no connection to {relay}")))?
            .map_err(|e| unreachable(format!("cannot connect to {relay}: {e:?}")))?;
        let found = tokio::time::timeout(timeout, repo.find(doc_id))
            .await
            .map_err(|_| unreachable(format!("{id}: no answer from {relay}")))?
            .map_err(bad)?
            .ok_or_else(|| {
                PeerError::Domain(allmende_core::DomainError::NotFound {
                    what: "document",
                    id: id.clone(),
                })
            })?;
        read_doc(&found, |doc| {
            serde_json::to_value(automerge::AutoSerde::from(&*doc))
        })
        .ok_or_else(|| broken(&tasks))?
        .map_err(PeerError::from)
    }
    .await;
    // Freed on every path (see `repo_tasks`).
    stop_repo(&repo, &tasks).await;
    handle.close();
    tasks.end().await;
    found
}

/// Fetches a community's document into the store, connecting as `key` (an invite's key: its
/// items follow with the device's own key once the device is on the roster).
///
/// # Errors
/// No connection, the community is not on the relay, storage errors.
pub async fn fetch_community(
    svc: &mut Service,
    relay: &str,
    community: &str,
    key: &allmende_service::device::DeviceKey,
    timeout: Duration,
) -> Result<()> {
    let s = Session::open_with(svc, relay, timeout, key, &[community.to_string()]).await?;
    if !s.handles.contains_key(community) {
        s.stop().await;
        return Err(PeerError::Domain(allmende_core::DomainError::NotFound {
            what: "community",
            id: community.to_string(),
        }));
    }
    let _ = s.settle().await;
    s.write_back(svc, Some(community))?;
    s.stop().await;
    Ok(())
}

/// Pushes one document to the relay, connecting as `key`, and waits until the relay has it.
///
/// # Errors
/// No connection, storage errors, or the relay did not take the changes in time.
pub async fn push_as(
    svc: &mut Service,
    relay: &str,
    doc: &str,
    key: &allmende_service::device::DeviceKey,
    timeout: Duration,
) -> Result<()> {
    let s = Session::open_with(svc, relay, timeout, key, &[doc.to_string()]).await?;
    let pending = s.settle().await;
    s.stop().await;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(unreachable(format!("the relay did not take {doc} in time")))
    }
}
