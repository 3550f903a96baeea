//! The invite token: what a person passes on as text (or QR code) to let a new device join.
//! It carries the community, the member, the invite key's secret and the relay (see the
//! service's `invite` module for how a device joins with it). Pure, and read without trust:
//! a pasted token is a stranger's text.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::faults::InviteFault;

const PREFIX: &str = "allmende-invite:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// The token format this build writes and reads.
pub const VERSION: u8 = 1;

/// The content of an invite token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub v: u8,
    pub community: String,
    pub community_name: String,
    pub member: String,
    /// The invite key's secret (hex).
    pub key: String,
    pub relay: Option<String>,
    /// Until when the invite holds (ms since the epoch); the relay and the peers refuse its
    /// key after that. Older invites have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

impl Invite {
    /// The token as text.
    #[must_use]
    pub fn token(&self) -> String {
        format!(
            "{PREFIX}{}",
            B64.encode(serde_json::to_vec(self).unwrap_or_default())
        )
    }

    /// Reads a token (surrounding space allowed).
    ///
    /// # Errors
    /// Not an invite, a damaged one (also a bad community id or key), a newer version.
    pub fn parse(text: &str) -> Result<Invite, InviteFault> {
        let body = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(InviteFault::NotAnInvite)?;
        let bytes = B64.decode(body).map_err(|_| InviteFault::Damaged)?;
        let invite: Invite = serde_json::from_slice(&bytes).map_err(|_| InviteFault::Damaged)?;
        if invite.v != VERSION {
            return Err(InviteFault::NewerVersion(invite.v));
        }
        crate::ids::DocId::parse(&invite.community).map_err(|_| InviteFault::Damaged)?;
        invite.secret()?;
        Ok(invite)
    }

    /// The invite key's 32 secret bytes.
    ///
    /// # Errors
    /// A damaged key.
    pub fn secret(&self) -> Result<[u8; 32], InviteFault> {
        hex::decode(&self.key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(InviteFault::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> Invite {
        Invite {
            v: 1,
            community: crate::DocId::derive("device", "1").to_string(),
            community_name: "Hofheim".into(),
            member: "m1".into(),
            key: hex::encode([9u8; 32]),
            relay: Some("ws://127.0.0.1:3030".into()),
            until: None,
        }
    }

    #[test]
    fn a_token_reads_back_with_surrounding_space() {
        let i = invite();
        assert_eq!(Invite::parse(&format!("  {}\n", i.token())), Ok(i));
    }

    #[test]
    fn bad_tokens_say_what_is_wrong() {
        assert_eq!(Invite::parse("hello"), Err(InviteFault::NotAnInvite));
        let token = invite().token();
        assert_eq!(
            Invite::parse(&token[..token.len() - 7]),
            Err(InviteFault::Damaged)
        );
        assert_eq!(
            Invite::parse("allmende-invite:kaputt"),
            Err(InviteFault::Damaged)
        );
        let newer = Invite { v: 2, ..invite() };
        assert_eq!(
            Invite::parse(&newer.token()),
            Err(InviteFault::NewerVersion(2))
        );
        let bad_key = Invite {
            key: "zz".into(),
            ..invite()
        };
        assert_eq!(Invite::parse(&bad_key.token()), Err(InviteFault::Damaged));
        let bad_community = Invite {
            community: "nope".into(),
            ..invite()
        };
        assert_eq!(
            Invite::parse(&bad_community.token()),
            Err(InviteFault::Damaged)
        );
    }
}
