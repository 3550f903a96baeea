//! Invites: a token a person can pass on as text (or QR code) to let a new device join.
//!
//! An admin's `create_invite` registers the new member and adds a fresh *invite key* to the
//! member's devices. The token carries the community, the member, the invite key's secret and
//! the relay. The joining device connects to the relay as the invite key (which the relay
//! already knows as a member's device), fetches the community, then adds its own device key to
//! its member with a change written by the invite key, and retires the invite key with a change
//! of its own. Anyone holding the token can join once as that member: share it like a key.

use std::time::Duration;

use allmende_core::model::Role;
use allmende_core::{Command, DomainError};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::device::DeviceKey;
use crate::error::{PeerError, Result};
use crate::service::Service;

const PREFIX: &str = "allmende-invite:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

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

    /// Reads a token.
    ///
    /// # Errors
    /// [`PeerError::BadInput`] for anything that is not a valid invite.
    pub fn parse(text: &str) -> Result<Invite> {
        let body = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or_else(|| PeerError::BadInput("not an Allmende invite".into()))?;
        let bytes = B64
            .decode(body)
            .map_err(|_| PeerError::BadInput("the invite is damaged".into()))?;
        let invite: Invite = serde_json::from_slice(&bytes)
            .map_err(|_| PeerError::BadInput("the invite is damaged".into()))?;
        if invite.v != 1 {
            return Err(PeerError::BadInput(format!(
                "invite version {} is not supported",
                invite.v
            )));
        }
        allmende_core::DocId::parse(&invite.community)?;
        invite.device_key()?;
        Ok(invite)
    }

    fn device_key(&self) -> Result<DeviceKey> {
        let bytes: [u8; 32] = hex::decode(&self.key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| PeerError::BadInput("the invite key is damaged".into()))?;
        Ok(DeviceKey::from_secret(&bytes))
    }
}

impl Service {
    /// Registers a new member and returns an invite for them (admins).
    ///
    /// # Errors
    /// Not allowed, not found, storage errors.
    pub fn create_invite(
        &mut self,
        community: &str,
        name: &str,
        role: Role,
        relay: Option<String>,
    ) -> Result<Invite> {
        let community = self.resolve(community)?;
        let member = self
            .execute(Command::AddMember {
                community: community.clone(),
                display_name: name.to_string(),
                role,
            })?
            .id;
        let key = DeviceKey::generate();
        self.execute(Command::AddDevice {
            community: community.clone(),
            member: member.clone(),
            device: key.public_hex(),
        })?;
        let community_name = self
            .communities()?
            .into_iter()
            .find(|c| c.id == community)
            .map(|c| c.name)
            .unwrap_or_default();
        Ok(Invite {
            v: 1,
            community,
            community_name,
            member,
            key: hex::encode(key.secret_bytes()),
            relay,
        })
    }
}

/// Joins a community with an invite token through its relay (or `relay`, if given).
///
/// # Errors
/// A damaged token, no relay, no connection, the community not on the relay.
pub async fn join(
    svc: &mut Service,
    token: &str,
    relay: Option<String>,
    timeout: Duration,
) -> Result<String> {
    let invite = Invite::parse(token)?;
    let relay = relay
        .or_else(|| invite.relay.clone())
        .ok_or_else(|| PeerError::BadInput("the invite names no relay: use --relay".into()))?;
    let invite_key = invite.device_key()?;
    crate::sync::fetch_community(svc, &relay, &invite.community, &invite_key, timeout).await?;
    if svc.store().identity(&invite.community)?.is_none() {
        svc.adopt_identity(&invite.community, &invite.member)?;
    }
    let me = svc.device().public_hex();
    let community_doc = svc.overview(&invite.community)?;
    let _ = community_doc;
    match svc.execute_with_key(
        &invite_key,
        Command::AddDevice {
            community: invite.community.clone(),
            member: invite.member.clone(),
            device: me,
        },
    ) {
        Ok(_) => {}
        Err(PeerError::Domain(DomainError::NotFound { .. })) => {
            return Err(PeerError::BadInput(
                "the invite's member is not in the community (was it removed?)".into(),
            ))
        }
        Err(e) => return Err(e),
    }
    svc.execute(Command::RemoveDevice {
        community: invite.community.clone(),
        member: invite.member.clone(),
        device: invite_key.public_hex(),
    })?;
    // Push the roster change with the invite key (the relay knows it), then sync as ourselves.
    crate::sync::push_as(svc, &relay, &invite.community, &invite_key, timeout).await?;
    crate::sync::sync_once(svc, &relay, timeout).await?;
    svc.remember_relay(&relay)?;
    svc.set_current_community(&invite.community)?;
    Ok(invite.community)
}

impl Service {
    /// An invite for the current community, as front doors show it: the token, the member it
    /// registered, and the token as a QR code (SVG).
    ///
    /// # Errors
    /// No community, not allowed, an unknown role, storage errors.
    pub fn invite_view(&mut self, name: &str, role: &str) -> Result<serde_json::Value> {
        let community = self
            .current_community()?
            .ok_or_else(|| PeerError::BadInput("no community".into()))?;
        let relay = self.store().setting("relay")?;
        let invite = self.create_invite(&community, name, role.parse()?, relay)?;
        let token = invite.token();
        Ok(
            serde_json::json!({ "token": token, "member": invite.member, "qr_svg": crate::qr::svg(&token)? }),
        )
    }

    /// What the interface needs at start: this device, the current community, all
    /// communities and the sync state.
    ///
    /// # Errors
    /// Storage errors.
    pub fn session_view(&self) -> Result<serde_json::Value> {
        let guest = self.viewer_community().is_some();
        Ok(serde_json::json!({
            "device": self.device().public_hex(),
            "current_community": self.current_community()?,
            "communities": self.communities()?,
            "sync": if guest { serde_json::json!([]) } else { serde_json::to_value(self.sync_status()?)? },
            "guest": guest,
            "peers": if guest { serde_json::json!([]) } else { serde_json::to_value(self.peers()?)? },
            "now": self.now(),
        }))
    }
}
