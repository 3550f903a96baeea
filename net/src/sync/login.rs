//! Signing a login to a relay (protocol in `allmende_core::wire`): ask for a challenge, sign
//! it with the relay's address as this device dialed it. A signed login is good for one
//! connection to that relay only.

use allmende_core::wire::{auth_message, relay_authority, CHALLENGE_PATH};
use ed25519_dalek::{Signer, SigningKey};

use allmende_service::device::DeviceKey;

/// Longest challenge answer read.
const MAX_ANSWER: u64 = 4 * 1024;

/// `url` (or `url` with `path` in place of its path) with a fresh login of `key` for
/// `session` in its query. A server that hands out no challenges (the JavaScript sync
/// server, which takes everyone) gets the URL without credentials: nothing signed is given
/// to it.
///
/// # Errors
/// The relay cannot be reached.
pub(crate) async fn signed(
    url: &samod::Url,
    path: Option<&str>,
    key: &DeviceKey,
    session: &str,
) -> std::io::Result<samod::Url> {
    let mut target = url.clone();
    if let Some(path) = path {
        target.set_path(&format!("{}{path}", url.path().trim_end_matches('/')));
    }
    let challenge_path = format!("{}{CHALLENGE_PATH}", url.path().trim_end_matches('/'));
    let Some(answer) = crate::sync::http_get::get(url, &challenge_path, MAX_ANSWER).await? else {
        return Ok(target);
    };
    let nonce = answer.body.trim();
    if answer.status != 200 || !is_nonce(nonce) {
        tracing::debug!(%url, status = answer.status, "no login challenge; connecting without credentials");
        return Ok(target);
    }
    let relay = relay_authority(url.host_str().unwrap_or_default(), url.port());
    let sig = SigningKey::from_bytes(&key.secret_bytes())
        .sign(auth_message(&relay, nonce, session).as_bytes());
    target
        .query_pairs_mut()
        .append_pair("device", &key.public_hex())
        .append_pair("session", session)
        .append_pair("relay", &relay)
        .append_pair("nonce", nonce)
        .append_pair("sig", &hex::encode(sig.to_bytes()));
    Ok(target)
}

/// Whether a challenge looks like one (hex, of a sane length): anything else is not a
/// relay's challenge and is not signed.
fn is_nonce(text: &str) -> bool {
    (16..=256).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_challenge_is_signed() {
        assert!(is_nonce(&"ab".repeat(40)));
        assert!(!is_nonce("<html>not found</html>"));
        assert!(!is_nonce(""));
        assert!(!is_nonce(&"a".repeat(1000)));
    }
}
