//! Joining a community with an invite token: reaching the relay named in the token (or
//! given), fetching the community as the invite key, then moving the member onto this device.
//! The token itself is [`allmende_service::invite`].

use std::time::Duration;

use allmende_core::{Command, DomainError};
use allmende_service::invite::{InviteFault, InviteKey as _};
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

use crate::sync::{Progress, SyncReport};

/// The pause between asks for a community the relay does not (yet) let the invite into.
const INVITE_RETRY: Duration = Duration::from_secs(2);

/// A community joined: its id, and what the first sync with its relay moved.
#[derive(Debug, Clone)]
pub struct Joined {
    pub community: String,
    pub report: SyncReport,
}

/// Joins a community with an invite token through its relay (or `relay`, if given), telling
/// `progress` how far the community's documents have come.
///
/// # Errors
/// A damaged token, no relay, no connection, the community not on the relay.
pub async fn join(
    svc: &mut Service,
    token: &str,
    relay: Option<String>,
    timeout: Duration,
    progress: &mut dyn FnMut(Progress),
) -> Result<Joined> {
    let invite = allmende_service::invite::parse(token)?;
    let relay = relay
        .or_else(|| invite.relay.clone())
        .ok_or(PeerError::Invite(InviteFault::NoRelay))?;
    let invite_key = invite.device_key()?;
    // Said here in plain words; the relay and the peers refuse the key after it anyway.
    if let Some(until) = invite.until.filter(|u| *u < svc.now()) {
        return Err(PeerError::Invite(InviteFault::Expired(
            allmende_core::time::millis_to_date(until),
        )));
    }
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
            until: None,
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
    let report = crate::sync::sync_joined(svc, &relay, timeout, progress).await?;
    if svc.store().setting("relay")?.is_none() {
        svc.remember_relay(&relay)?;
    }
    svc.set_current_community(&invite.community)?;
    Ok(Joined {
        community: invite.community,
        report,
    })
}

/// Joins with an invite from a front door (the desktop app, `allmende serve`): opens a second
/// service on the same data directory (the store is safe to share between connections and
/// processes), so the front door keeps answering while the relay is reached, and tells
/// `progress` how far the community's documents have come (the app shows it). Blocks; call
/// it off the async threads. Returns the community, its name and its code of conduct.
///
/// # Errors
/// As [`join`], and storage errors.
pub fn join_beside(
    dir: &std::path::Path,
    token: &str,
    timeout: Duration,
    progress: &mut dyn FnMut(Progress),
) -> Result<serde_json::Value> {
    let mut svc = Service::open(dir)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let community = rt
        .block_on(join(&mut svc, token, None, timeout, progress))?
        .community;
    let overview = svc.overview(&community)?;
    Ok(serde_json::json!({
        "community": community,
        "name": overview.community.name,
        "code_of_conduct": overview.settings.code_of_conduct,
    }))
}

/// Where a front door keeps how far a join has come, for the app to ask while it waits:
/// `None` while no join runs.
#[derive(Debug, Clone, Default)]
pub struct Joining(std::sync::Arc<std::sync::Mutex<Option<Progress>>>);

impl Joining {
    /// Joins beside a front door (as [`join_beside`]), keeping the progress here meanwhile.
    ///
    /// # Errors
    /// As [`join_beside`].
    pub fn join(
        &self,
        dir: &std::path::Path,
        token: &str,
        timeout: Duration,
    ) -> Result<serde_json::Value> {
        self.set(Some(Progress::default()));
        let result = join_beside(dir, token, timeout, &mut |p| self.set(Some(p)));
        self.set(None);
        result
    }

    /// The answer to "how far?": `{"joining": false}`, or `{"joining": true, "done", "total",
    /// "bytes_received"}`.
    #[must_use]
    pub fn view(&self) -> serde_json::Value {
        match self.0.lock().ok().and_then(|p| *p) {
            Some(p) => serde_json::json!({
                "joining": true,
                "done": p.done,
                "total": p.total,
                "bytes_received": p.bytes_received,
            }),
            None => serde_json::json!({ "joining": false }),
        }
    }

    fn set(&self, p: Option<Progress>) {
        if let Ok(mut now) = self.0.lock() {
            *now = p;
        }
    }
}
