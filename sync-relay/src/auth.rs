//! Device-key logins (see `allmende_core::wire`): the relay hands out challenges and checks
//! that each signed login answers one of its own, fresh and unused, and names this relay.
//!
//! A challenge is `issued time ‖ 16 random bytes ‖ MAC` (hex): the relay keeps nothing for
//! the challenges it hands out (a flood of `GET /auth/challenge` costs it no memory), and
//! remembers the nonces of logins it accepted until they expire, so none is good twice.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use allmende_core::wire::{auth_message, device_peer_id, valid_session, CHALLENGE_TTL_MS};
use ed25519_dalek::{Signature, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Bytes of a challenge: 8 of issue time, 16 random, 16 of MAC.
const NONCE_BYTES: usize = 40;
/// Most accepted logins remembered at once (those of the last [`CHALLENGE_TTL_MS`]); past
/// it, logins wait until older ones expire.
const MAX_REMEMBERED: usize = 200_000;
/// How far ahead of the relay's clock a challenge's time may be (never, unless the clock
/// stepped back).
const CLOCK_STEP_MS: i64 = 1_000;

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    #[error("missing device credentials (device, session, relay, nonce, sig)")]
    Missing,
    #[error(
        "this device signs its login the old way (allmende-relay-auth/1, which can be \
         replayed): update Allmende"
    )]
    Outdated,
    #[error("malformed device credentials: {0}")]
    Malformed(&'static str),
    #[error("the challenge is not one of this relay's, or too old: ask for a new one")]
    Expired,
    #[error("this login was used before: ask for a new challenge")]
    Replayed,
    #[error("the login is signed for another relay ({0})")]
    WrongRelay(String),
    #[error("the signature does not match the device key")]
    BadSignature,
    #[error("too many logins at once: try again in a minute")]
    Busy,
}

/// Checks a login to `app` (see [`Logins::verify`]) and counts a refusal in its metrics.
///
/// # Errors
/// Why the login was refused.
pub(crate) fn login(
    app: &crate::app::App,
    query: &HashMap<String, String>,
    host: Option<&str>,
) -> Result<String, AuthError> {
    let result = app.logins.verify(query, host, crate::app::now_ms());
    if let Err(e) = &result {
        use crate::metrics::Metrics;
        Metrics::add(&app.metrics.rejected_connections, 1);
        match e {
            AuthError::Replayed => Metrics::add(&app.metrics.refused_replayed_logins, 1),
            AuthError::WrongRelay(_) => Metrics::add(&app.metrics.refused_foreign_logins, 1),
            _ => {}
        }
    }
    result
}

/// Challenges handed out and logins accepted.
pub struct Logins {
    secret: [u8; 32],
    /// The addresses devices must sign (lower case); empty: the request's `Host`.
    names: Vec<String>,
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    set: HashSet<[u8; NONCE_BYTES]>,
    order: VecDeque<(i64, [u8; NONCE_BYTES])>,
}

impl Logins {
    /// Logins that must name one of `names` (`host` or `host:port`; none: the `Host` header
    /// of each request), with a fresh secret.
    #[must_use]
    pub fn new(names: &[String]) -> Logins {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        Logins {
            secret,
            names: names
                .iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .collect(),
            used: Mutex::default(),
        }
    }

    /// A new challenge made at `now_ms`.
    #[must_use]
    pub fn challenge(&self, now_ms: i64) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        nonce[..8].copy_from_slice(&now_ms.to_be_bytes());
        rand::thread_rng().fill_bytes(&mut nonce[8..24]);
        let mac = self.mac(&nonce[..24]);
        nonce[24..].copy_from_slice(&mac[..16]);
        hex::encode(nonce)
    }

    /// Checks a login's credentials in `query` (a request to this relay that came with
    /// `host` in its `Host` header) at `now_ms`; the peer id it binds to.
    ///
    /// # Errors
    /// An [`AuthError`] naming what is wrong. A login that passes is used up.
    pub fn verify(
        &self,
        query: &HashMap<String, String>,
        host: Option<&str>,
        now_ms: i64,
    ) -> Result<String, AuthError> {
        let get = |k: &str| query.get(k).map(String::as_str);
        let (Some(device), Some(session), Some(sig)) = (get("device"), get("session"), get("sig"))
        else {
            return Err(AuthError::Missing);
        };
        let (Some(relay), Some(nonce_hex)) = (get("relay"), get("nonce")) else {
            return Err(if get("ts").is_some() {
                AuthError::Outdated
            } else {
                AuthError::Missing
            });
        };
        if !valid_session(session) {
            return Err(AuthError::Malformed("session"));
        }
        let key_bytes: [u8; 32] = hex::decode(device)
            .map_err(|_| AuthError::Malformed("device is not hex"))?
            .try_into()
            .map_err(|_| AuthError::Malformed("device is not 32 bytes"))?;
        let sig_bytes: [u8; 64] = hex::decode(sig)
            .map_err(|_| AuthError::Malformed("sig is not hex"))?
            .try_into()
            .map_err(|_| AuthError::Malformed("sig is not 64 bytes"))?;
        let nonce: [u8; NONCE_BYTES] = hex::decode(nonce_hex)
            .map_err(|_| AuthError::Malformed("nonce is not hex"))?
            .try_into()
            .map_err(|_| AuthError::Malformed("nonce has the wrong length"))?;
        let issued = self.issued(&nonce).ok_or(AuthError::Expired)?;
        if issued > now_ms + CLOCK_STEP_MS || now_ms - issued > CHALLENGE_TTL_MS {
            return Err(AuthError::Expired);
        }
        if !self.names_me(relay, host) {
            return Err(AuthError::WrongRelay(relay.chars().take(100).collect()));
        }
        let key = VerifyingKey::from_bytes(&key_bytes)
            .map_err(|_| AuthError::Malformed("not an ed25519 key"))?;
        key.verify_strict(
            auth_message(relay, nonce_hex, session).as_bytes(),
            &Signature::from_bytes(&sig_bytes),
        )
        .map_err(|_| AuthError::BadSignature)?;
        self.use_up(nonce, issued, now_ms)?;
        Ok(device_peer_id(&device.to_lowercase(), session))
    }

    /// The time a challenge of ours was made; `None` for one we did not make.
    fn issued(&self, nonce: &[u8; NONCE_BYTES]) -> Option<i64> {
        let mac = self.mac(&nonce[..24]);
        // Compared in constant time: the MAC must not be guessed byte by byte.
        let diff = mac[..16]
            .iter()
            .zip(&nonce[24..])
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        (diff == 0).then(|| i64::from_be_bytes(nonce[..8].try_into().unwrap_or_default()))
    }

    /// Whether a login signed for `relay` is meant for this relay.
    fn names_me(&self, relay: &str, host: Option<&str>) -> bool {
        let relay = relay.to_ascii_lowercase();
        if self.names.is_empty() {
            host.is_some_and(|h| h.trim().eq_ignore_ascii_case(&relay))
        } else {
            self.names.contains(&relay)
        }
    }

    fn use_up(&self, nonce: [u8; NONCE_BYTES], issued: i64, now_ms: i64) -> Result<(), AuthError> {
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while let Some(&(at, old)) = used.order.front() {
            if now_ms - at <= CHALLENGE_TTL_MS + CLOCK_STEP_MS {
                break;
            }
            used.order.pop_front();
            used.set.remove(&old);
        }
        if used.set.contains(&nonce) {
            return Err(AuthError::Replayed);
        }
        if used.set.len() >= MAX_REMEMBERED {
            return Err(AuthError::Busy);
        }
        used.set.insert(nonce);
        used.order.push_back((issued, nonce));
        Ok(())
    }

    /// HMAC-SHA-256 of `data` under the relay's secret.
    fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut inner_key = [0x36u8; 64];
        let mut outer_key = [0x5cu8; 64];
        for (i, b) in self.secret.iter().enumerate() {
            inner_key[i] ^= b;
            outer_key[i] ^= b;
        }
        let inner = Sha256::new()
            .chain_update(inner_key)
            .chain_update(data)
            .finalize();
        Sha256::new()
            .chain_update(outer_key)
            .chain_update(inner)
            .finalize()
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    const NOW: i64 = 1_800_000_000_000;
    const HOST: &str = "relay.example:3030";

    fn login(key: &SigningKey, relay: &str, nonce: &str) -> HashMap<String, String> {
        let sig = key.sign(auth_message(relay, nonce, "s1").as_bytes());
        HashMap::from([
            (
                "device".to_string(),
                hex::encode(key.verifying_key().to_bytes()),
            ),
            ("session".to_string(), "s1".to_string()),
            ("relay".to_string(), relay.to_string()),
            ("nonce".to_string(), nonce.to_string()),
            ("sig".to_string(), hex::encode(sig.to_bytes())),
        ])
    }

    #[test]
    fn a_login_answers_a_fresh_challenge_once() {
        let logins = Logins::new(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let query = login(&key, HOST, &logins.challenge(NOW));
        let peer = logins.verify(&query, Some(HOST), NOW + 5).expect("valid");
        assert!(peer.starts_with("device:"));
        assert_eq!(
            logins.verify(&query, Some(HOST), NOW + 6),
            Err(AuthError::Replayed)
        );
    }

    #[test]
    fn a_login_for_another_relay_or_with_another_relays_challenge_is_refused() {
        let here = Logins::new(&[]);
        let elsewhere = Logins::new(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let foreign = login(&key, HOST, &elsewhere.challenge(NOW));
        assert_eq!(
            here.verify(&foreign, Some(HOST), NOW),
            Err(AuthError::Expired)
        );
        let other_name = login(&key, "other.example", &here.challenge(NOW));
        assert!(matches!(
            here.verify(&other_name, Some(HOST), NOW),
            Err(AuthError::WrongRelay(_))
        ));
        // With its names configured, the relay does not take the Host header's word.
        let named = Logins::new(&["Relay.Example:3030".to_string()]);
        let signed_for_other = login(&key, "other.example", &named.challenge(NOW));
        assert!(matches!(
            named.verify(&signed_for_other, Some("other.example"), NOW),
            Err(AuthError::WrongRelay(_))
        ));
        let ok = login(&key, HOST, &named.challenge(NOW));
        assert!(named.verify(&ok, None, NOW).is_ok());
    }

    #[test]
    fn old_forged_and_malformed_logins_are_refused() {
        let logins = Logins::new(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let stale = login(&key, HOST, &logins.challenge(NOW - CHALLENGE_TTL_MS - 1));
        assert_eq!(
            logins.verify(&stale, Some(HOST), NOW),
            Err(AuthError::Expired)
        );
        let mut forged = login(&key, HOST, &logins.challenge(NOW));
        forged.insert("session".into(), "s2".into());
        assert_eq!(
            logins.verify(&forged, Some(HOST), NOW),
            Err(AuthError::BadSignature)
        );
        // A bad signature does not use the challenge up.
        forged.insert("session".into(), "s1".into());
        assert!(logins.verify(&forged, Some(HOST), NOW).is_ok());
        let mut tampered = login(&key, HOST, &logins.challenge(NOW));
        let nonce = tampered["nonce"].clone();
        let later = format!("{:016x}{}", NOW + 30_000, &nonce[16..]);
        tampered.insert("nonce".into(), later);
        assert_eq!(
            logins.verify(&tampered, Some(HOST), NOW),
            Err(AuthError::Expired)
        );
        assert_eq!(
            logins.verify(&HashMap::new(), Some(HOST), NOW),
            Err(AuthError::Missing)
        );
        let mut old = login(&key, HOST, "x");
        old.remove("relay");
        old.remove("nonce");
        old.insert("ts".into(), NOW.to_string());
        assert_eq!(
            logins.verify(&old, Some(HOST), NOW),
            Err(AuthError::Outdated)
        );
        let mut bad = login(&key, HOST, &logins.challenge(NOW));
        bad.insert("device".into(), "zz".into());
        assert!(matches!(
            logins.verify(&bad, Some(HOST), NOW),
            Err(AuthError::Malformed(_))
        ));
    }

    #[test]
    fn remembered_logins_are_forgotten_once_their_challenge_expired() {
        let logins = Logins::new(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        for i in 0..10 {
            let q = login(&key, HOST, &logins.challenge(NOW + i));
            logins.verify(&q, Some(HOST), NOW + i).expect("valid");
        }
        let q = login(&key, HOST, &logins.challenge(NOW + 3 * CHALLENGE_TTL_MS));
        logins
            .verify(&q, Some(HOST), NOW + 3 * CHALLENGE_TTL_MS)
            .expect("valid");
        let used = logins.used.lock().expect("lock");
        assert_eq!(used.set.len(), 1);
        assert_eq!(used.order.len(), 1);
    }
}
