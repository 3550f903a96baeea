//! `GET /changes`: the change feed (format in `allmende_core::wire::ChangeFeed`). A device
//! signs the request like a WebSocket upgrade and learns which documents it may read changed
//! since it last asked, with the relay's heads, so its sync offers only those out of step.

use std::collections::HashMap;

use allmende_core::wire::ChangeFeed;

use crate::app::App;
use crate::metrics::Metrics;

/// Most communities a device may ask about in one request.
const MAX_COMMUNITIES: usize = 256;

/// The status and body answering a feed request with `query`.
pub(crate) async fn answer(
    app: &App,
    query: &HashMap<String, String>,
    client: std::net::IpAddr,
) -> (&'static str, String) {
    let peer = match app.login(query, client) {
        Ok(peer) => peer,
        Err(e) => return ("401 Unauthorized", format!("{e}\n")),
    };
    let since: u64 = match query.get("since").map(|s| s.parse()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return ("400 Bad Request", "since is not a number\n".into()),
    };
    let storage = app.storage.clone();
    let epoch = query.get("epoch").cloned();
    // Another epoch (a new or restored store): everything, from the start.
    let read = tokio::task::spawn_blocking(move || {
        let same_epoch = storage.epoch()? == epoch.unwrap_or_default();
        let mut changes = storage.changes_since(if same_epoch { since } else { 0 })?;
        let mut from = if same_epoch { since } else { 0 };
        if from > changes.position {
            // A position this store has not reached (it was restored from a backup, say):
            // everything, so devices upload what the store lost.
            changes = storage.changes_since(0)?;
            from = 0;
        }
        Ok::<_, crate::storage::StorageError>((changes, from))
    });
    let Ok(Ok((changes, from))) = read.await else {
        return (
            "503 Service Unavailable",
            "the store cannot be read\n".into(),
        );
    };
    let access = app.hub.access();
    let named: Vec<&str> = query
        .get("communities")
        .map(|list| {
            list.split(',')
                .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
                .collect()
        })
        .unwrap_or_default();
    // A device that names its communities hears only of their documents: a roster elsewhere
    // may list its key without its holder's word, and that community is none of its business.
    // (One that names more than can be answered for hears of all it may read: leaving out
    // the communities past the limit would stop their changes without a word.)
    // Also the communities whose log holds an entry the device signed (it founded or joined
    // them): a device restored from a backup made before does not name them.
    let took_part = access.took_part_in(&peer);
    let only: Option<std::collections::HashSet<&str>> =
        (!named.is_empty() && named.len() <= MAX_COMMUNITIES).then(|| {
            named
                .iter()
                .copied()
                .chain(took_part.iter().map(String::as_str))
                .collect()
        });
    let changed: Vec<(String, String)> = changes
        .docs
        .into_iter()
        .filter(|(doc, _)| {
            access.may_read(doc, &peer)
                && only.as_ref().is_none_or(|only| {
                    access
                        .community_of(doc)
                        .is_some_and(|c| only.contains(c.as_str()))
                })
        })
        .collect();
    Metrics::add(&app.metrics.feed_requests, 1);
    Metrics::add(&app.metrics.feed_documents, changed.len() as u64);
    let communities = named
        .iter()
        .take(MAX_COMMUNITIES)
        .map(|id| ((*id).to_string(), access.standing(id, &peer)))
        .collect();
    let feed = ChangeFeed {
        epoch: changes.epoch,
        position: changes.position,
        from,
        changed,
        communities,
    };
    ("200 OK", feed.render())
}
