//! What peers and the relay agree on beyond the automerge-repo protocol: how a device proves
//! its key when it opens a WebSocket, and how that key becomes a samod peer id.
//!
//! The device picks a session name (fresh for every repository it runs, so servers never mix
//! up sync state of two sessions), signs `allmende-relay-auth/1:<unix millis>:<session>` with
//! its ed25519 key and passes `device=<hex public key>&session=<session>&ts=<millis>&sig=<hex
//! signature>` in the WebSocket URL's query. The relay checks the signature and that the time
//! is within [`MAX_CLOCK_SKEW_MS`], then binds the connection to the peer id
//! `device:<hex>:<session>`; the automerge-repo handshake must claim it.

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

/// Signed-message context, versioned.
pub const AUTH_CONTEXT: &str = "allmende-relay-auth/1";

/// How far a device's clock may be off the relay's.
pub const MAX_CLOCK_SKEW_MS: i64 = 10 * 60 * 1000;

/// The text a device signs to open a connection at time `ts_ms` for `session`.
#[must_use]
pub fn auth_message(ts_ms: i64, session: &str) -> String {
    format!("{AUTH_CONTEXT}:{ts_ms}:{session}")
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
        assert_eq!(auth_message(5, "s1"), "allmende-relay-auth/1:5:s1");
        assert!(valid_session("a-1"));
        assert!(!valid_session("a:1"));
        assert!(!valid_session(""));
    }
}
