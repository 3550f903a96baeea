//! Device-key authentication on the WebSocket upgrade.

use std::collections::HashMap;

use allmende_core::wire::{auth_message, device_peer_id, valid_session, MAX_CLOCK_SKEW_MS};
use ed25519_dalek::{Signature, VerifyingKey};

/// Why a connection was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    #[error("missing device credentials (device, session, ts, sig)")]
    Missing,
    #[error("malformed device credentials: {0}")]
    Malformed(&'static str),
    #[error("the signature's time is off by more than the allowed clock skew")]
    Expired,
    #[error("the signature does not match the device key")]
    BadSignature,
}

/// Checks `device`, `ts` and `sig` from the upgrade request's query; returns the peer id.
///
/// # Errors
/// An [`AuthError`] naming what is wrong.
pub fn verify(query: &HashMap<String, String>, now_ms: i64) -> Result<String, AuthError> {
    let (Some(device), Some(session), Some(ts), Some(sig)) = (
        query.get("device"),
        query.get("session"),
        query.get("ts"),
        query.get("sig"),
    ) else {
        return Err(AuthError::Missing);
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
    let ts: i64 = ts
        .parse()
        .map_err(|_| AuthError::Malformed("ts is not a number"))?;
    if (now_ms - ts).abs() > MAX_CLOCK_SKEW_MS {
        return Err(AuthError::Expired);
    }
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| AuthError::Malformed("not an ed25519 key"))?;
    key.verify_strict(
        auth_message(ts, session).as_bytes(),
        &Signature::from_bytes(&sig_bytes),
    )
    .map_err(|_| AuthError::BadSignature)?;
    Ok(device_peer_id(&device.to_lowercase(), session))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn query(key: &SigningKey, ts: i64, msg_ts: i64) -> HashMap<String, String> {
        let sig = key.sign(auth_message(msg_ts, "s1").as_bytes());
        HashMap::from([
            (
                "device".to_string(),
                hex::encode(key.verifying_key().to_bytes()),
            ),
            ("session".to_string(), "s1".to_string()),
            ("ts".to_string(), ts.to_string()),
            ("sig".to_string(), hex::encode(sig.to_bytes())),
        ])
    }

    #[test]
    fn accepts_fresh_signatures_and_refuses_the_rest() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let now = 1_800_000_000_000;
        let ok = verify(&query(&key, now, now), now).expect("valid");
        assert!(ok.starts_with("device:"));
        assert_eq!(
            verify(&query(&key, now, now + 1), now),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(
                &query(
                    &key,
                    now - MAX_CLOCK_SKEW_MS - 1,
                    now - MAX_CLOCK_SKEW_MS - 1
                ),
                now
            ),
            Err(AuthError::Expired)
        );
        assert_eq!(verify(&HashMap::new(), now), Err(AuthError::Missing));
        let mut bad = query(&key, now, now);
        bad.insert("device".into(), "zz".into());
        assert!(matches!(verify(&bad, now), Err(AuthError::Malformed(_))));
    }
}
