//! What peers and the relay agree on beyond the automerge-repo protocol: how a device proves
//! its key when it opens a WebSocket, and how that key becomes a samod peer id.
//!
//! The device picks a session name (fresh for every repository it runs, so servers never mix
//! up sync state of two sessions) and asks the relay for a challenge (`GET
//! /auth/challenge`, [`CHALLENGE_PATH`]: a nonce the relay made for this one login). It signs
//! `allmende-relay-auth/2:<relay>:<nonce>:<session>` with its ed25519 key, where `<relay>` is
//! the relay's address as the device dialed it ([`relay_authority`]), and passes
//! `device=<hex public key>&session=<session>&relay=<relay>&nonce=<nonce>&sig=<hex signature>`
//! in the WebSocket URL's query (or the change feed's). The relay checks that the nonce is
//! its own, fresh ([`CHALLENGE_TTL_MS`]) and not used before, that `<relay>` names it, and the
//! signature; then it binds the connection to the peer id `device:<hex>:<session>`, which the
//! automerge-repo handshake must claim. A signed login is therefore good for one connection
//! to one relay: another relay the device talks to cannot replay it, neither can the relay
//! itself.

mod feed;
pub use feed::{heads_text, ChangeFeed, FeedError, Standing, FEED_MAGIC};

/// The ALPN of the sync protocol between two devices over iroh.
pub const P2P_ALPN: &[u8] = b"allmende/sync/1";

/// The ALPN of the sync protocol between a device and the relay over iroh: the device first
/// sends its session name and a newline (the key is proven by the QUIC handshake), then the
/// length-delimited automerge-repo messages; the relay is the peer `allmende-relay`.
pub const RELAY_ALPN: &[u8] = b"allmende/relay/1";

/// The samod peer id of the relay.
pub const RELAY_PEER_ID: &str = "allmende-relay";

/// Signed-message context, versioned. Version 1 (`<ts>:<session>`, no relay, no nonce) is
/// refused: it could be replayed.
pub const AUTH_CONTEXT: &str = "allmende-relay-auth/2";

/// Where a relay hands out login challenges.
pub const CHALLENGE_PATH: &str = "/auth/challenge";

/// How long a challenge may be used after the relay made it.
pub const CHALLENGE_TTL_MS: i64 = 60 * 1000;

/// The text a device signs to open one connection to the relay at `relay` (see
/// [`relay_authority`]) with the relay's challenge `nonce`, for `session`.
#[must_use]
pub fn auth_message(relay: &str, nonce: &str, session: &str) -> String {
    format!("{AUTH_CONTEXT}:{relay}:{nonce}:{session}")
}

/// A relay's address as a login names it: the host in lower case, with the port when the
/// address gives one (`relay.example.org`, `127.0.0.1:3030`), as a WebSocket client sends it
/// in the `Host` header.
#[must_use]
pub fn relay_authority(host: &str, port: Option<u16>) -> String {
    let host = host.to_ascii_lowercase();
    match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// The samod peer id of a device's session.
#[must_use]
pub fn device_peer_id(device_hex: &str, session: &str) -> String {
    format!("device:{device_hex}:{session}")
}

/// Whether a session name is acceptable: 1 to 64 characters of `a-z`, `A-Z`, `0-9`, `-`.
#[must_use]
pub fn valid_session(session: &str) -> bool {
    !session.is_empty()
        && session.len() <= 64
        && session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The device key (hex) of a peer id, if it is a device's.
#[must_use]
pub fn device_of_peer(peer_id: &str) -> Option<&str> {
    let rest = peer_id.strip_prefix("device:")?;
    Some(rest.split(':').next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_ids_round_trip() {
        assert_eq!(device_of_peer(&device_peer_id("ab12", "s1")), Some("ab12"));
        assert_eq!(device_of_peer("relay"), None);
        assert_eq!(
            auth_message("relay.example:3030", "n1", "s1"),
            "allmende-relay-auth/2:relay.example:3030:n1:s1"
        );
        assert_eq!(relay_authority("Relay.Example", None), "relay.example");
        assert_eq!(relay_authority("127.0.0.1", Some(3030)), "127.0.0.1:3030");
        assert!(valid_session("a-1"));
        assert!(!valid_session("a:1"));
        assert!(!valid_session(""));
    }
}
