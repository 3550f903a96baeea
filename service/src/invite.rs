//! Invites: a token a person can pass on as text (or QR code) to let a new device join.
//!
//! An admin's `create_invite` registers the new member and adds a fresh *invite key* to the
//! member's devices. The token carries the community, the member, the invite key's secret and
//! the relay. The joining device connects to the relay as the invite key (which the relay
//! already knows as a member's device), fetches the community, then adds its own device key to
//! its member with a change written by the invite key, and retires the invite key with a change
//! of its own. Anyone holding the token can join once as that member: share it like a key.

use allmende_core::model::Role;
use allmende_core::Command;

use crate::device::DeviceKey;
use crate::Service;
pub use allmende_core::faults::InviteFault;
use allmende_store::error::{PeerError, Result};

pub use allmende_core::invite::Invite;

/// How many days an invite holds unless the admin says otherwise.
pub const DEFAULT_INVITE_DAYS: u32 = 14;
/// The longest an invite may hold.
pub const MAX_INVITE_DAYS: u32 = 90;

/// The invite key a token carries, as this device's key type.
pub trait InviteKey {
    /// The invite key.
    ///
    /// # Errors
    /// A damaged key.
    fn device_key(&self) -> Result<DeviceKey>;
}

impl InviteKey for Invite {
    fn device_key(&self) -> Result<DeviceKey> {
        let bytes = self.secret().map_err(PeerError::Invite)?;
        Ok(DeviceKey::from_secret(&bytes))
    }
}

/// Reads a token ([`Invite::parse`]) with the peer's error type.
///
/// # Errors
/// [`PeerError::Invite`] for anything that is not a valid invite.
pub fn parse(text: &str) -> Result<Invite> {
    Invite::parse(text).map_err(PeerError::Invite)
}

impl Service {
    /// Registers a new member and returns an invite for them (admins), holding for `days`
    /// (1 to [`MAX_INVITE_DAYS`]).
    ///
    /// # Errors
    /// Not allowed, not found, a validity out of range, storage errors.
    pub fn create_invite(
        &mut self,
        community: &str,
        name: &str,
        role: Role,
        relay: Option<String>,
        days: u32,
    ) -> Result<Invite> {
        if !(1..=MAX_INVITE_DAYS).contains(&days) {
            return Err(
                allmende_core::DomainError::Invalid("an invite holds for 1 to 90 days").into(),
            );
        }
        let until = self.now() + i64::from(days) * 24 * 60 * 60 * 1000;
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
            until: Some(until),
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
            until: Some(until),
        })
    }

    /// Invites of `community` not used yet, newest end of validity first (admins).
    ///
    /// # Errors
    /// Not an admin here, not found, storage errors.
    pub fn open_invites(
        &mut self,
        community: &str,
    ) -> Result<Vec<allmende_core::query::OpenInvite>> {
        let community = self.resolve(community)?;
        let c = self.community_view(&community)?;
        // Who may manage members sees the invites (guests are never admins).
        let (_, role) = self.role_in(&community)?;
        let admin = role.is_some_and(|r| {
            allmende_core::permission::allows(r, allmende_core::permission::Action::ManageMembers)
        });
        if !admin {
            return Err(allmende_core::DomainError::Forbidden {
                action: "invites",
                needed: "admin",
            }
            .into());
        }
        let names: std::collections::HashMap<String, String> = self
            .members(&community)?
            .into_iter()
            .map(|m| (m.id, m.display_name))
            .collect();
        let now = self.now();
        let mut open: Vec<_> = c
            .members
            .values()
            .filter(|m| !m.removed)
            .filter_map(|m| {
                let until = *m.expires.values().max()?;
                Some(allmende_core::query::OpenInvite {
                    member: m.id.clone(),
                    display_name: names.get(&m.id).cloned().unwrap_or_default(),
                    role: m.role.to_string(),
                    until,
                    expired: until < now,
                })
            })
            .collect();
        open.sort_by_key(|i| std::cmp::Reverse(i.until));
        Ok(open)
    }
}

impl Service {
    /// An invite for the current community, as front doors show it: the token, the member it
    /// registered, and the token as a QR code (SVG).
    ///
    /// # Errors
    /// No community, not allowed, an unknown role, storage errors.
    pub fn invite_view(
        &mut self,
        community: Option<&str>,
        name: &str,
        role: &str,
        days: Option<u32>,
    ) -> Result<serde_json::Value> {
        // The community the person has open (the app says which), else the device's current.
        let community = match community.filter(|c| !c.is_empty()) {
            Some(c) => self.resolve(c)?,
            None => self
                .current_community()?
                .ok_or_else(|| PeerError::BadInput("no community".into()))?,
        };
        let relay = match self.relays_of(&community)?.into_iter().next() {
            Some(r) => Some(r),
            None => self.store().setting("relay")?,
        };
        let days = days.unwrap_or(DEFAULT_INVITE_DAYS);
        let invite = self.create_invite(&community, name, role.parse()?, relay, days)?;
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
            "version": env!("CARGO_PKG_VERSION"),
            "data_format": allmende_store::FORMAT_VERSION,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use allmende_core::Lang;

    #[test]
    fn invite_faults_say_what_is_wrong_in_both_languages() {
        assert_eq!(
            parse("hello").map(|_| ()).map_err(|e| e.code()),
            Err("bad_invite")
        );
        let e = PeerError::Invite(InviteFault::Damaged);
        assert_eq!(e.code(), "bad_invite");
        assert!(e.is_input_error());
        assert!(e.message(Lang::De).contains("beschädigt"));
        assert!(e.message(Lang::En).contains("damaged"));
    }
}
