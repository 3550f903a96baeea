//! One sync with a relay or a peer, with work proportional to what changed: the relay's
//! change feed and what was last in step with it say which documents are out of step; only
//! those are offered, a bounded window of them at a time (one connection and one in-memory
//! repository per window, so memory does not grow with the community), and only documents
//! that changed are written back.

use std::collections::HashSet;
use std::time::Duration;

use allmende_core::model::Catalog;
use serde::Serialize;

use super::feed;
use super::plan::plan;
use super::session::{Connector, Session};
use allmende_service::{Quarantined, Service};
use allmende_store::error::Result;

/// Documents in flight at once (one window).
pub(crate) const WINDOW: usize = 256;

/// What a sync session moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub relay: String,
    /// Documents in step with the other side after the sync (offered and synced, or known to
    /// be in step without a word).
    pub documents: usize,
    /// Documents offered and synced in this session (the rest were in step already).
    pub offered: usize,
    /// Documents that gained changes from the relay.
    pub received: usize,
    /// Documents that were new on this device.
    pub created: usize,
    /// Documents the relay refused, or still unfinished when nothing had moved for the
    /// timeout.
    pub not_synced: Vec<String>,
    /// Documents that arrived but were refused by the store (kept apart, with the reason).
    pub quarantined: Vec<Quarantined>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// How far a sync has come, for a progress bar (also as JSON, for the app while joining).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// Documents done (synced or given up on) so far.
    pub done: usize,
    /// Documents to sync, as far as known (discovery can add more).
    pub total: usize,
    /// Bytes received so far.
    pub bytes_received: u64,
}

/// Syncs every document this device holds or is entitled to with the relay, until both sides
/// are quiescent (or `timeout` passes with no document finishing).
///
/// # Errors
/// A bad URL, no connection, storage errors.
pub async fn sync_once(svc: &mut Service, relay: &str, timeout: Duration) -> Result<SyncReport> {
    sync_via(
        svc,
        Connector::Relay(relay.to_string()),
        timeout,
        &mut |_| {},
    )
    .await
}

/// [`sync_once`] for a device that has just joined through `relay`: communities that have no
/// relay yet are not handed to it (only the joined one, bound before, and those that synced
/// with it already). Tells `progress` after every window.
///
/// # Errors
/// As [`sync_once`].
pub async fn sync_joined(
    svc: &mut Service,
    relay: &str,
    timeout: Duration,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport> {
    sync_scoped(
        svc,
        Connector::Relay(relay.to_string()),
        false,
        timeout,
        progress,
    )
    .await
}

/// [`sync_once`], telling `progress` after every window.
///
/// # Errors
/// As [`sync_once`].
pub async fn sync_once_showing(
    svc: &mut Service,
    relay: &str,
    timeout: Duration,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport> {
    sync_via(svc, Connector::Relay(relay.to_string()), timeout, progress).await
}

/// [`sync_once`] with a relay or a peer.
///
/// # Errors
/// As [`sync_once`].
pub(crate) async fn sync_via(
    svc: &mut Service,
    to: Connector,
    timeout: Duration,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport> {
    sync_scoped(svc, to, true, timeout, progress).await
}

async fn sync_scoped(
    svc: &mut Service,
    to: Connector,
    adopt: bool,
    timeout: Duration,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport> {
    if let Connector::Relay(relay) = &to {
        super::session::check_relay(relay)?;
    }
    let label = to.label();
    let key = svc.device().clone();
    // A peer gets only what it may have; the rest is not waiting for it either.
    let mut local = svc.local_heads()?;
    let mut withheld = Vec::new();
    if let Connector::Peer { addr, policy, .. } = &to {
        let device = hex::encode(addr.id.as_bytes());
        local.retain(|id, heads| {
            let allowed = policy.allows(id, &device);
            if !allowed {
                withheld.push((id.clone(), heads.clone()));
            }
            allowed
        });
    }
    // What the peer may not have is not waiting for it either.
    svc.record_synced(&label, &withheld)?;
    let mut stored = svc.store().docs(None)?;
    // A relay gets only the communities that sync through it (`scope.rs`); the others are
    // neither offered nor asked about there, also when its feed lists them.
    let mut out_of_scope: HashSet<String> = HashSet::new();
    // Communities with no relay yet: bound to this one now (`adopt`), and let go again if
    // its feed refuses them (a relay that lets only its founders found communities).
    let mut unbound: HashSet<String> = HashSet::new();
    if let Connector::Relay(url) = &to {
        for d in stored.iter().filter(|d| d.kind == "community") {
            if svc.relays_of(&d.id)?.is_empty() {
                unbound.insert(d.id.clone());
            }
        }
        let scope = svc.relay_scope(url, adopt)?;
        out_of_scope = stored
            .iter()
            .filter(|d| !scope.contains(&d.community))
            .map(|d| d.id.clone())
            .collect();
        stored.retain(|d| scope.contains(&d.community));
        let kept: HashSet<&str> = stored.iter().map(|d| d.id.as_str()).collect();
        local.retain(|id, _| kept.contains(id.as_str()));
    }
    let communities: HashSet<String> = stored
        .iter()
        .filter(|d| d.kind == "community")
        .map(|d| d.id.clone())
        .collect();
    let mark = svc.feed_mark(&label)?;
    let answer = match &to {
        Connector::Relay(url) => {
            let mut named: Vec<String> = communities.iter().cloned().collect();
            named.sort();
            feed::ask(url, &key, mark.as_ref(), &named, timeout).await
        }
        Connector::Peer { .. } => None,
    };
    // Communities whose roster keeps this device out: nothing of them is in step, and
    // nothing is offered (the relay would refuse it document by document).
    let refused: HashSet<&str> = answer
        .iter()
        .flat_map(|f| f.communities.iter())
        .filter(|(_, s)| *s == allmende_core::wire::Standing::Refused)
        .map(|(id, _)| id.as_str())
        .collect();
    if let Connector::Relay(url) = &to {
        for c in refused.iter().filter(|c| unbound.contains(**c)) {
            svc.unbind_relay(c, url)?;
        }
    }
    let mut kept_out: Vec<String> = Vec::new();
    for d in &stored {
        if refused.contains(d.community.as_str()) && local.remove(&d.id).is_some() {
            kept_out.push(d.id.clone());
        }
    }
    let continues = matches!((&answer, &mark),
        (Some(f), Some(m)) if f.epoch == m.epoch && f.from == m.position && f.from > 0);
    let recorded = svc.synced_heads(&label)?;
    let mut planned = plan(&local, &recorded, answer.as_ref(), continues);
    planned.offer.retain(|id| !out_of_scope.contains(id));
    // Nor what was left out before (a relay of an older release lists such documents).
    let mut offer = Vec::with_capacity(planned.offer.len());
    for id in planned.offer {
        if local.contains_key(&id) || !svc.left_out_here(&id)? {
            offer.push(id);
        }
    }
    planned.offer = offer;
    svc.record_synced(&label, &planned.in_step)?;

    let mut report = SyncReport {
        relay: label.clone(),
        documents: planned.in_step.len() + planned.quiet + withheld.len(),
        ..SyncReport::default()
    };
    let mut unsettled = Vec::new();
    let mut tried: HashSet<String> = planned.offer.iter().cloned().collect();
    // Communities first, in windows of their own (`plan::windows`).
    let mut queue = planned.offer;
    let mut shown = Progress {
        total: queue.len(),
        ..Progress::default()
    };
    // Without a feed, every community's catalogue is read for documents not here yet; with
    // one, only those of communities whose document moved (the feed lists new items, but not
    // old ones a device may read since it joined or was let into a team).
    let mut discover_all = answer.is_none();
    // Communities the feed lists changed (also in step, after this device's own push: a
    // device just let into a community reads its catalogue here).
    let mut moved: Vec<String> = answer
        .iter()
        .flat_map(|f| f.changed.iter().map(|(id, _)| id.clone()))
        .collect();
    // Documents left out in this session: those of a community taken in by a later window
    // (a device restored from a backup, whose community document came after its items) are
    // asked for again.
    let mut left: Vec<String> = Vec::new();
    let mut asked_again: HashSet<String> = HashSet::new();
    loop {
        for window in super::plan::windows(&queue, &communities, WINDOW) {
            let w = run_window(svc, to.clone(), timeout, &key, &window, &label).await?;
            report.offered += w.synced.len();
            report.documents += w.synced.len();
            report.received += w.received;
            report.created += w.created;
            report.not_synced.extend(w.missing);
            unsettled.extend(w.unsettled);
            report.quarantined.extend(w.quarantined);
            left.extend(w.left_out);
            report.bytes_sent += w.bytes.0;
            report.bytes_received += w.bytes.1;
            moved.extend(w.synced);
            shown.done += window
                .iter()
                .filter(|id| !asked_again.contains(*id))
                .count();
            shown.bytes_received = report.bytes_received;
            progress(shown);
        }
        // Catalogues are in community documents: of what moved, only those are read (an
        // item read here for nothing costs a save and a load, 10,000 of them at a join).
        let held = svc.community_ids()?;
        let looked_at: Vec<String> = if discover_all {
            communities.iter().cloned().collect()
        } else {
            std::mem::take(&mut moved)
                .into_iter()
                .filter(|id| held.contains(id))
                .collect()
        };
        discover_all = false;
        let here: HashSet<String> = svc.local_heads()?.into_keys().collect();
        let mut next: Vec<String> = Vec::new();
        for id in catalogued(svc, &looked_at)? {
            // One left out before (of a community this device does not belong to) is not
            // fetched again.
            if !here.contains(&id) && !tried.contains(&id) && !svc.left_out_here(&id)? {
                next.push(id);
            }
        }
        for id in std::mem::take(&mut left) {
            // Once each, and only those noted for a community that is this device's now.
            if !here.contains(&id) && svc.left_out_now_mine(&id)? && asked_again.insert(id.clone())
            {
                next.push(id);
            }
        }
        next.sort();
        next.dedup();
        if next.is_empty() {
            break;
        }
        // Counted once each in the progress (those asked again were counted already).
        shown.total += next.iter().filter(|id| !tried.contains(*id)).count();
        tried.extend(next.iter().cloned());
        queue = next;
    }
    // The next ask starts where this one did, unless a document was left half-way or one the
    // feed listed (so one this device may read) did not arrive: then the feed lists again
    // what this session could not finish.
    let listed: HashSet<&str> = answer
        .iter()
        .flat_map(|f| f.changed.iter().map(|(id, _)| id.as_str()))
        .collect();
    let lost = report
        .not_synced
        .iter()
        .chain(report.quarantined.iter().map(|q| &q.id))
        .any(|id| listed.contains(id.as_str()));
    if let Some(feed) = answer.as_ref().filter(|_| unsettled.is_empty() && !lost) {
        svc.set_feed_mark(
            &label,
            &feed::Mark {
                epoch: feed.epoch.clone(),
                position: feed.position,
            },
        )?;
    }
    // Nothing of a community that keeps this device out, and nothing in quarantine, counts
    // as in step: once it is let in again (or a newer version can read it), it is offered.
    let held: Vec<String> = report.quarantined.iter().map(|q| q.id.clone()).collect();
    svc.forget_synced(&label, &kept_out)?;
    svc.forget_synced(&label, &held)?;
    report.not_synced.extend(unsettled);
    report.not_synced.extend(kept_out);
    report.not_synced.sort();
    report.not_synced.dedup();
    Ok(report)
}

/// What one window of documents did.
struct Window {
    /// Documents in step after the window.
    synced: Vec<String>,
    /// Documents the other side did not have or would not share.
    missing: Vec<String>,
    /// Documents found but not in step when nothing moved for the timeout.
    unsettled: Vec<String>,
    received: usize,
    created: usize,
    quarantined: Vec<Quarantined>,
    /// New documents of a community this device does not belong to (yet).
    left_out: Vec<String>,
    bytes: (u64, u64),
}

async fn run_window(
    svc: &mut Service,
    to: Connector,
    timeout: Duration,
    key: &allmende_service::device::DeviceKey,
    ids: &[String],
    label: &str,
) -> Result<Window> {
    let s = Session::open_via(svc, to, timeout, key, ids).await?;
    let unsettled = s.settle().await;
    let held: HashSet<&String> = s.held().collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !held.contains(id))
        .cloned()
        .collect();
    let back = s.write_back(svc, None)?;
    // What the other side sent broke the repository: what it had read is written, and the
    // sync ends with the reason (the documents it touched were left as they were here).
    if let Some(e) = s.broken() {
        s.stop().await;
        return Err(e);
    }
    let (received, created, quarantined) = (back.received, back.created, back.quarantined);
    // Neither what was refused nor what was left out (of a community this device does not
    // belong to) is in step here.
    let refused: HashSet<&str> = unsettled
        .iter()
        .map(String::as_str)
        .chain(quarantined.iter().map(|q| q.id.as_str()))
        .chain(back.left_out.iter().map(String::as_str))
        .collect();
    let in_step: Vec<(String, String)> = s
        .in_step()
        .into_iter()
        .filter(|(id, _)| !refused.contains(id.as_str()))
        .collect();
    svc.record_synced(label, &in_step)?;
    let bytes = s.traffic();
    s.stop().await;
    Ok(Window {
        synced: in_step.into_iter().map(|(id, _)| id).collect(),
        missing,
        unsettled,
        received,
        created,
        quarantined,
        left_out: back.left_out,
        bytes,
    })
}

/// Item ids listed in the catalogues of `communities` (those held here).
fn catalogued(svc: &mut Service, communities: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in communities {
        let Ok(bytes) = svc.doc_bytes(id) else {
            continue;
        };
        let Ok(doc) = automerge::Automerge::load(&bytes) else {
            continue;
        };
        // The store holds it as a community (a header rewritten since changes nothing).
        if let Ok(c) = autosurgeon::hydrate::<_, Catalog>(&doc) {
            out.extend(c.items.into_keys());
        }
    }
    Ok(out)
}
