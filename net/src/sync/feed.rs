//! Asking a relay's change feed (`GET /changes`, see `allmende_core::wire::ChangeFeed`), and
//! remembering per relay where the next ask starts.
//!
//! A relay that has no feed (the JavaScript sync server, an older relay) or cannot be asked
//! (an iroh ticket, a `wss://` URL: this build speaks plain HTTP only) answers nothing here,
//! and the session offers every document as before.

use std::time::Duration;

use allmende_core::wire::ChangeFeed;

use allmende_service::device::DeviceKey;
pub use allmende_service::feed_mark::Mark;

/// Largest feed answer read (a town of 100,000 documents lists about 11 MB).
const MAX_ANSWER: u64 = 64 * 1024 * 1024;

/// Asks the feed of the relay at `relay` (a `ws://` URL) what changed since `mark`, signed
/// with `key`. `None` when the relay has no feed or cannot be asked; why is logged.
pub(crate) async fn ask(
    relay: &str,
    key: &DeviceKey,
    mark: Option<&Mark>,
    communities: &[String],
    timeout: Duration,
) -> Option<ChangeFeed> {
    match tokio::time::timeout(timeout, get(relay, key, mark, communities)).await {
        Ok(Ok(feed)) => feed,
        Ok(Err(e)) => {
            tracing::debug!(%relay, error = %e, "no change feed; every document is offered");
            None
        }
        Err(_) => {
            tracing::debug!(%relay, "the change feed did not answer in time");
            None
        }
    }
}

async fn get(
    relay: &str,
    key: &DeviceKey,
    mark: Option<&Mark>,
    communities: &[String],
) -> std::io::Result<Option<ChangeFeed>> {
    let Ok(url) = samod::Url::parse(relay) else {
        return Ok(None);
    };
    if url.scheme() != "ws" || url.host_str().is_none() {
        return Ok(None);
    }
    let session = super::session::session_name();
    let mut target = super::login::signed(&url, Some("/changes"), key, &session).await?;
    {
        let mut q = target.query_pairs_mut();
        if let Some(m) = mark {
            q.append_pair("since", &m.position.to_string())
                .append_pair("epoch", &m.epoch);
        }
        if !communities.is_empty() {
            q.append_pair("communities", &communities.join(","));
        }
    }
    let path = format!("{}?{}", target.path(), target.query().unwrap_or_default());
    let Some(answer) = super::http_get::get(&url, &path, MAX_ANSWER).await? else {
        return Ok(None);
    };
    if answer.status != 200 {
        return Err(std::io::Error::other(format!(
            "the relay answered {}",
            answer.status
        )));
    }
    ChangeFeed::parse(&answer.body)
        .map(Some)
        .map_err(|e| std::io::Error::other(e.to_string()))
}
