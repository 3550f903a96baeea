//! Device-key logins (see `allmende_core::wire`): the relay hands out challenges and checks
//! that each signed login answers one of its own, fresh and unused, and names this relay.
//!
//! A challenge is `issued time ‖ 16 random bytes ‖ MAC` (hex): the relay keeps nothing for
//! the challenges it hands out (a flood of `GET /auth/challenge` costs it no memory), and
//! remembers the nonces of logins it accepted until they expire, so none is good twice.
//! Times are read from a monotonic clock started with the relay (whose secret is made at
//! start too), so a step of the wall clock neither expires nor revives a challenge.
//!
//! The relay a login names must be this one: one of the configured `names`, or an address
//! of this machine (`localhost` or an IP literal of one of its interfaces) with the port it
//! listens on. The `Host` header is never taken for it: a hostile relay that forwards a
//! device's login as it happens would set it to its own name.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use allmende_core::wire::{auth_message, device_peer_id, valid_session, CHALLENGE_TTL_MS};
use ed25519_dalek::{Signature, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Bytes of a challenge: 8 of issue time, 16 random, 16 of MAC.
const NONCE_BYTES: usize = 40;
/// Most accepted logins remembered at once (those of the last [`CHALLENGE_TTL_MS`]).
const MAX_REMEMBERED: usize = 1_000_000;
/// Of those, most from one address (an IPv6 /64 counts as one): about 20 logins a second,
/// far beyond what the devices behind one address need, so that no one address can use the
/// whole store up and lock everybody else out.
const MAX_REMEMBERED_PER_CLIENT: u32 = 1_200;
/// How long an accepted login is remembered past its challenge's lifetime.
const REMEMBER_MS: u64 = CHALLENGE_TTL_MS.unsigned_abs() + 1_000;

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
    #[error("the login is signed for another relay ({0:?})")]
    WrongRelay(String),
    #[error("the signature does not match the device key")]
    BadSignature,
    #[error("too many logins from this address: try again in a minute")]
    Busy,
}

/// Challenges handed out and logins accepted.
pub struct Logins {
    secret: [u8; 32],
    started: Instant,
    /// The addresses devices reach this relay at (normalised, see [`normalise`]).
    names: Vec<String>,
    /// Where it listens: its own addresses on this port are its names too.
    listen: SocketAddr,
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    set: HashSet<u128>,
    /// In the order accepted: (when, nonce, client).
    order: VecDeque<(u64, u128, IpAddr)>,
    per_client: HashMap<IpAddr, u32>,
}

/// A name as logins spell it: lower case, without the WebSocket default port `:80`.
#[must_use]
pub fn normalise(name: &str) -> String {
    let name = name.trim().to_ascii_lowercase();
    match name.strip_suffix(":80") {
        Some(bare) if !bare.is_empty() => bare.to_string(),
        _ => name,
    }
}

impl Logins {
    /// Logins for a relay listening on `listen`, reached at `names` (`host` or `host:port`)
    /// and at its own addresses, with a fresh secret.
    #[must_use]
    pub fn new(names: &[String], listen: SocketAddr) -> Logins {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        Logins {
            secret,
            started: Instant::now(),
            names: names.iter().map(|n| normalise(n)).collect(),
            listen,
            used: Mutex::default(),
        }
    }

    /// Milliseconds since the relay started (the clock challenges are made and judged by).
    #[must_use]
    pub fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A new challenge made at `now` (see [`Logins::now`]).
    #[must_use]
    pub fn challenge(&self, now: u64) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        nonce[..8].copy_from_slice(&now.to_be_bytes());
        rand::thread_rng().fill_bytes(&mut nonce[8..24]);
        let mac = self.mac(&nonce[..24]);
        nonce[24..].copy_from_slice(&mac[..16]);
        hex::encode(nonce)
    }

    /// Checks a login's credentials in `query` (a request to this relay from `client`) at
    /// `now`; the peer id it binds to.
    ///
    /// # Errors
    /// An [`AuthError`] naming what is wrong. A login that passes is used up.
    pub fn verify(
        &self,
        query: &HashMap<String, String>,
        client: IpAddr,
        now: u64,
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
        if issued > now || now - issued > CHALLENGE_TTL_MS.unsigned_abs() {
            return Err(AuthError::Expired);
        }
        let key = VerifyingKey::from_bytes(&key_bytes)
            .map_err(|_| AuthError::Malformed("not an ed25519 key"))?;
        key.verify_strict(
            auth_message(relay, nonce_hex, session).as_bytes(),
            &Signature::from_bytes(&sig_bytes),
        )
        .map_err(|_| AuthError::BadSignature)?;
        if !self.names_me(relay) {
            return Err(AuthError::WrongRelay(relay.chars().take(100).collect()));
        }
        let random = u128::from_be_bytes(nonce[8..24].try_into().unwrap_or_default());
        self.use_up(random, crate::admission::bucket(client), now)?;
        Ok(device_peer_id(&device.to_lowercase(), session))
    }

    /// The time a challenge of ours was made; `None` for one we did not make.
    fn issued(&self, nonce: &[u8; NONCE_BYTES]) -> Option<u64> {
        let mac = self.mac(&nonce[..24]);
        // Compared without an early exit: the MAC must not be guessed byte by byte.
        let diff = mac[..16]
            .iter()
            .zip(&nonce[24..])
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        (diff == 0).then(|| u64::from_be_bytes(nonce[..8].try_into().unwrap_or_default()))
    }

    /// Whether a login signed for `relay` is meant for this relay.
    fn names_me(&self, relay: &str) -> bool {
        let relay = normalise(relay);
        if self.names.contains(&relay) {
            return true;
        }
        let Some((host, port)) = relay.rsplit_once(':') else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.listen.port()) {
            return false;
        }
        let here = self.listen.ip();
        if host == "localhost" {
            return here.is_loopback() || here.is_unspecified();
        }
        let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        else {
            return false;
        };
        if here.is_unspecified() {
            // Listening on every address: any address of this machine (one it can bind).
            ip.is_loopback() || std::net::UdpSocket::bind((ip, 0)).is_ok()
        } else {
            ip == here
        }
    }

    fn use_up(&self, nonce: u128, client: IpAddr, now: u64) -> Result<(), AuthError> {
        let mut guard = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let used = &mut *guard;
        while let Some(&(at, old, from)) = used.order.front() {
            if now.saturating_sub(at) <= REMEMBER_MS {
                break;
            }
            used.order.pop_front();
            used.set.remove(&old);
            if let Some(n) = used.per_client.get_mut(&from) {
                *n -= 1;
                if *n == 0 {
                    used.per_client.remove(&from);
                }
            }
        }
        if used.set.contains(&nonce) {
            return Err(AuthError::Replayed);
        }
        let mine = used.per_client.get(&client).copied().unwrap_or(0);
        if mine >= MAX_REMEMBERED_PER_CLIENT || used.set.len() >= MAX_REMEMBERED {
            return Err(AuthError::Busy);
        }
        used.set.insert(nonce);
        used.order.push_back((now, nonce, client));
        *used.per_client.entry(client).or_insert(0) += 1;
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

    const NOW: u64 = 1_000_000;
    const HERE: &str = "127.0.0.1:3030";

    fn client() -> IpAddr {
        IpAddr::from([192, 0, 2, 1])
    }

    fn logins(names: &[&str]) -> Logins {
        let names: Vec<String> = names.iter().map(ToString::to_string).collect();
        Logins::new(&names, HERE.parse().expect("addr"))
    }

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
        let logins = logins(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let query = login(&key, HERE, &logins.challenge(NOW));
        let peer = logins.verify(&query, client(), NOW + 5).expect("valid");
        assert!(peer.starts_with("device:"));
        assert_eq!(
            logins.verify(&query, client(), NOW + 6),
            Err(AuthError::Replayed)
        );
        // From another address too.
        assert_eq!(
            logins.verify(&query, IpAddr::from([192, 0, 2, 2]), NOW + 7),
            Err(AuthError::Replayed)
        );
    }

    #[test]
    fn a_login_for_another_relay_or_with_another_relays_challenge_is_refused() {
        let here = logins(&["Relay.Example", "relay.example:8443"]);
        let elsewhere = logins(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let foreign = login(&key, HERE, &elsewhere.challenge(NOW));
        assert_eq!(
            here.verify(&foreign, client(), NOW),
            Err(AuthError::Expired)
        );
        // A hostile relay handing out this relay's challenge: the device signs its name.
        for other in [
            "evil.example",
            "evil.example:3030",
            "127.0.0.1:3031",
            "10.9.9.9:3030",
        ] {
            let q = login(&key, other, &here.challenge(NOW));
            assert!(
                matches!(
                    here.verify(&q, client(), NOW),
                    Err(AuthError::WrongRelay(_))
                ),
                "{other}"
            );
        }
        // Its names, its own address, localhost on its port: in any spelling devices use.
        for name in [
            "relay.example",
            "RELAY.example:80",
            "relay.example:8443",
            HERE,
            "localhost:3030",
        ] {
            let q = login(&key, name, &here.challenge(NOW));
            assert!(here.verify(&q, client(), NOW).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_relay_on_every_address_takes_the_addresses_of_its_machine() {
        let logins = Logins::new(&[], "0.0.0.0:3030".parse().expect("addr"));
        let key = SigningKey::from_bytes(&[7; 32]);
        let q = login(&key, "127.0.0.1:3030", &logins.challenge(NOW));
        assert!(logins.verify(&q, client(), NOW).is_ok());
        // 192.0.2.1 (TEST-NET) is no address of this machine.
        let q = login(&key, "192.0.2.1:3030", &logins.challenge(NOW));
        assert!(matches!(
            logins.verify(&q, client(), NOW),
            Err(AuthError::WrongRelay(_))
        ));
    }

    #[test]
    fn old_forged_and_malformed_logins_are_refused() {
        let logins = logins(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let stale = login(&key, HERE, &logins.challenge(NOW));
        assert_eq!(
            logins.verify(&stale, client(), NOW + CHALLENGE_TTL_MS.unsigned_abs() + 1),
            Err(AuthError::Expired)
        );
        let early = login(&key, HERE, &logins.challenge(NOW + 10));
        assert_eq!(
            logins.verify(&early, client(), NOW),
            Err(AuthError::Expired)
        );
        let mut forged = login(&key, HERE, &logins.challenge(NOW));
        forged.insert("session".into(), "s2".into());
        assert_eq!(
            logins.verify(&forged, client(), NOW),
            Err(AuthError::BadSignature)
        );
        // A bad signature does not use the challenge up.
        forged.insert("session".into(), "s1".into());
        assert!(logins.verify(&forged, client(), NOW).is_ok());
        // Nor does a relay named falsely in the query without a signature for it.
        let mut renamed = login(&key, HERE, &logins.challenge(NOW));
        renamed.insert("relay".into(), "evil.example".into());
        assert_eq!(
            logins.verify(&renamed, client(), NOW),
            Err(AuthError::BadSignature)
        );
        let mut tampered = login(&key, HERE, &logins.challenge(NOW));
        let nonce = tampered["nonce"].clone();
        let later = format!("{:016x}{}", NOW + 30_000, &nonce[16..]);
        tampered.insert("nonce".into(), later);
        assert_eq!(
            logins.verify(&tampered, client(), NOW),
            Err(AuthError::Expired)
        );
        assert_eq!(
            logins.verify(&HashMap::new(), client(), NOW),
            Err(AuthError::Missing)
        );
        let mut old = login(&key, HERE, "x");
        old.remove("relay");
        old.remove("nonce");
        old.insert("ts".into(), NOW.to_string());
        assert_eq!(logins.verify(&old, client(), NOW), Err(AuthError::Outdated));
        let mut bad = login(&key, HERE, &logins.challenge(NOW));
        bad.insert("device".into(), "zz".into());
        assert!(matches!(
            logins.verify(&bad, client(), NOW),
            Err(AuthError::Malformed(_))
        ));
    }

    #[test]
    fn one_address_cannot_use_up_the_memory_of_logins_for_everybody() {
        let logins = logins(&[]);
        let key = SigningKey::from_bytes(&[7; 32]);
        let busy = IpAddr::from([198, 51, 100, 7]);
        for _ in 0..MAX_REMEMBERED_PER_CLIENT {
            let q = login(&key, HERE, &logins.challenge(NOW));
            logins.verify(&q, busy, NOW).expect("within its share");
        }
        let q = login(&key, HERE, &logins.challenge(NOW));
        assert_eq!(logins.verify(&q, busy, NOW), Err(AuthError::Busy));
        // Everybody else still gets in; the busy address again once its logins expired.
        let q = login(&key, HERE, &logins.challenge(NOW));
        assert!(logins.verify(&q, client(), NOW).is_ok());
        let later = NOW + REMEMBER_MS + 1;
        let q = login(&key, HERE, &logins.challenge(later));
        assert!(logins.verify(&q, busy, later).is_ok());
        let used = logins.used.lock().expect("lock");
        assert_eq!(used.set.len(), 1, "expired logins are forgotten");
        assert_eq!(used.per_client.get(&busy), Some(&1));
    }
}
