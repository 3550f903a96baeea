//! Asking a relay's change feed (`GET /changes`, see `allmende_core::wire::ChangeFeed`), and
//! remembering per relay where the next ask starts.
//!
//! A relay that has no feed (the JavaScript sync server, an older relay) or cannot be asked
//! (an iroh ticket, a `wss://` URL: this build speaks plain HTTP only) answers nothing here,
//! and the session offers every document as before.

use std::time::Duration;

use allmende_core::wire::{auth_message, ChangeFeed};
use ed25519_dalek::{Signer, SigningKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use allmende_service::clock::{Clock, SystemClock};
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
    let (Some(host), "ws") = (url.host_str(), url.scheme()) else {
        return Ok(None);
    };
    let port = url.port().unwrap_or(80);
    let session = super::session::session_name();
    let ts = SystemClock.now();
    let sig =
        SigningKey::from_bytes(&key.secret_bytes()).sign(auth_message(ts, &session).as_bytes());
    let mut target = url.clone();
    target.set_path(&format!("{}/changes", url.path().trim_end_matches('/')));
    {
        let mut q = target.query_pairs_mut();
        q.append_pair("device", &key.public_hex())
            .append_pair("session", &session)
            .append_pair("ts", &ts.to_string())
            .append_pair("sig", &hex::encode(sig.to_bytes()));
        if let Some(m) = mark {
            q.append_pair("since", &m.position.to_string())
                .append_pair("epoch", &m.epoch);
        }
        if !communities.is_empty() {
            q.append_pair("communities", &communities.join(","));
        }
    }
    let path = format!("{}?{}", target.path(), target.query().unwrap_or_default());
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nUser-Agent: allmende\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    (&mut stream)
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .await?;
    let text = String::from_utf8_lossy(&answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Err(std::io::Error::other("the answer ended early"));
    };
    let status = head.lines().next().unwrap_or_default();
    if status.split(' ').nth(1) != Some("200") {
        return Err(std::io::Error::other(format!(
            "the relay answered {status}"
        )));
    }
    ChangeFeed::parse(body)
        .map(Some)
        .map_err(|e| std::io::Error::other(e.to_string()))
}
