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
use allmende_core::{Command, DomainError, Lang};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::device::DeviceKey;
use crate::error::{PeerError, Result};
use crate::service::Service;

const PREFIX: &str = "allmende-invite:";
/// The pause between asks for a community the relay does not (yet) let the invite into.
const INVITE_RETRY: Duration = Duration::from_secs(2);
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why an invite token cannot be used, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteFault {
    /// The text is not an invite at all.
    NotAnInvite,
    /// The text was cut off or changed on the way.
    Damaged,
    /// Made by a newer Allmende.
    NewerVersion(u8),
    /// The invite names no relay and none was given.
    NoRelay,
    /// The relay does not (or no longer) let the invite in: not there yet, used, or withdrawn.
    NotOnRelay,
    /// The invited member was removed from the community.
    MemberGone,
}

impl InviteFault {
    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let (de, en) = match self {
            InviteFault::NotAnInvite => (
                "Das ist keine Allmende-Einladung. Sie beginnt mit „allmende-invite:“.".to_string(),
                "This is not an Allmende invite. It starts with \"allmende-invite:\".".to_string(),
            ),
            InviteFault::Damaged => (
                "Die Einladung ist beschädigt (unvollständig kopiert?). Bitte neu kopieren oder den QR-Code fotografieren.".to_string(),
                "The invite is damaged (copied only in part?). Copy it again or photograph the QR code.".to_string(),
            ),
            InviteFault::NewerVersion(v) => (
                format!("Die Einladung stammt von einer neueren Allmende-Version ({v}). Bitte Allmende aktualisieren."),
                format!("The invite comes from a newer Allmende (version {v}). Please update Allmende."),
            ),
            InviteFault::NoRelay => (
                "Die Einladung nennt keinen Relay-Server. Bitte eine Einladung mit Relay verwenden.".to_string(),
                "The invite names no relay server. Use an invite that names one.".to_string(),
            ),
            InviteFault::NotOnRelay => (
                "Der Relay-Server kennt diese Einladung nicht: noch nicht angekommen (gleich noch einmal versuchen), schon benutzt oder zurückgezogen.".to_string(),
                "The relay does not know this invite: not arrived yet (try again in a moment), already used, or withdrawn.".to_string(),
            ),
            InviteFault::MemberGone => (
                "Die eingeladene Person ist nicht mehr Mitglied der Gemeinschaft.".to_string(),
                "The invited person is no longer a member of the community.".to_string(),
            ),
        };
        match lang {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

impl std::fmt::Display for InviteFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

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
    /// [`PeerError::Invite`] for anything that is not a valid invite.
    pub fn parse(text: &str) -> Result<Invite> {
        let body = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(PeerError::Invite(InviteFault::NotAnInvite))?;
        let bytes = B64
            .decode(body)
            .map_err(|_| PeerError::Invite(InviteFault::Damaged))?;
        let invite: Invite =
            serde_json::from_slice(&bytes).map_err(|_| PeerError::Invite(InviteFault::Damaged))?;
        if invite.v != 1 {
            return Err(PeerError::Invite(InviteFault::NewerVersion(invite.v)));
        }
        allmende_core::DocId::parse(&invite.community)
            .map_err(|_| PeerError::Invite(InviteFault::Damaged))?;
        invite.device_key()?;
        Ok(invite)
    }

    fn device_key(&self) -> Result<DeviceKey> {
        let bytes: [u8; 32] = hex::decode(&self.key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(PeerError::Invite(InviteFault::Damaged))?;
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
        .ok_or(PeerError::Invite(InviteFault::NoRelay))?;
    let invite_key = invite.device_key()?;
    // An invite naming a community this device holds already, through another relay, would
    // hand that community to this relay: refused.
    if svc
        .store()
        .docs(Some(&invite.community))?
        .iter()
        .any(|d| d.id == invite.community)
        && !svc.relays_of(&invite.community)?.contains(&relay)
    {
        return Err(PeerError::BadInput(
            "this community is on this device already and syncs through another relay".into(),
        ));
    }
    // An invite handed on right after it was made may still be on its way to the relay: ask
    // again for a while before giving up.
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match crate::sync::fetch_community(svc, &relay, &invite.community, &invite_key, timeout)
            .await
        {
            Err(PeerError::Domain(DomainError::NotFound { .. })) => {
                if tokio::time::Instant::now() + INVITE_RETRY >= deadline {
                    return Err(PeerError::Invite(InviteFault::NotOnRelay));
                }
                tokio::time::sleep(INVITE_RETRY).await;
            }
            other => break other?,
        }
    }
    if svc.store().identity(&invite.community)?.is_none() {
        svc.adopt_identity(&invite.community, &invite.member)?;
    }
    let me = svc.device().public_hex();
    // The community must have arrived (a relay without it fails here, before any write).
    svc.overview(&invite.community)?;
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
            return Err(PeerError::Invite(InviteFault::MemberGone))
        }
        Err(e) => return Err(e),
    }
    svc.execute(Command::RemoveDevice {
        community: invite.community.clone(),
        member: invite.member.clone(),
        device: invite_key.public_hex(),
    })?;
    // Push the roster change with the invite key (the relay knows it), then sync as ourselves:
    // the joined community only goes through this relay, and other communities on this
    // device do not (see `sync/scope.rs`); a relay remembered before stays the default.
    svc.bind_relay(&invite.community, &relay)?;
    crate::sync::push_as(svc, &relay, &invite.community, &invite_key, timeout).await?;
    crate::sync::sync_joined(svc, &relay, timeout).await?;
    if svc.store().setting("relay")?.is_none() {
        svc.remember_relay(&relay)?;
    }
    svc.set_current_community(&invite.community)?;
    Ok(invite.community)
}

/// Joins with an invite from a front door (the desktop app, `allmende serve`): opens a second
/// service on the same data directory (the store is safe to share between connections and
/// processes), so the front door keeps answering while the relay is reached. Blocks; call it
/// off the async threads. Returns the community, its name and its code of conduct.
///
/// # Errors
/// As [`join`], and storage errors.
pub fn join_beside(
    dir: &std::path::Path,
    token: &str,
    timeout: Duration,
) -> Result<serde_json::Value> {
    let mut svc = Service::open(dir)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let community = rt.block_on(join(&mut svc, token, None, timeout))?;
    let overview = svc.overview(&community)?;
    Ok(serde_json::json!({
        "community": community,
        "name": overview.community.name,
        "code_of_conduct": overview.settings.code_of_conduct,
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> Invite {
        Invite {
            v: 1,
            community: allmende_core::DocId::derive("device", "1").to_string(),
            community_name: "Hofheim".into(),
            member: "m1".into(),
            key: hex::encode([9u8; 32]),
            relay: Some("ws://127.0.0.1:3030".into()),
        }
    }

    fn fault(text: &str) -> InviteFault {
        match Invite::parse(text) {
            Err(PeerError::Invite(f)) => f,
            other => panic!("expected an invite fault, got {other:?}"),
        }
    }

    #[test]
    fn a_token_reads_back_with_surrounding_space() {
        let i = invite();
        assert_eq!(
            Invite::parse(&format!("  {}\n", i.token())).expect("token"),
            i
        );
    }

    #[test]
    fn bad_tokens_say_what_is_wrong_in_both_languages() {
        assert_eq!(fault("hello"), InviteFault::NotAnInvite);
        let token = invite().token();
        assert_eq!(fault(&token[..token.len() - 7]), InviteFault::Damaged);
        assert_eq!(fault("allmende-invite:kaputt"), InviteFault::Damaged);
        let newer = Invite { v: 2, ..invite() };
        assert_eq!(fault(&newer.token()), InviteFault::NewerVersion(2));
        let bad_key = Invite {
            key: "zz".into(),
            ..invite()
        };
        assert_eq!(fault(&bad_key.token()), InviteFault::Damaged);
        let e = PeerError::Invite(InviteFault::Damaged);
        assert_eq!(e.code(), "bad_invite");
        assert!(e.is_input_error());
        assert!(e.message(Lang::De).contains("beschädigt"));
        assert!(e.message(Lang::En).contains("damaged"));
    }
}
