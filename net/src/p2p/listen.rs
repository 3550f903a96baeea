//! Accepting peers: a samod repository over this device's documents that any peer sharing a
//! community can connect to (by ticket, or found on the local network), kept in step with
//! the store while it runs.

use std::collections::HashSet;
use std::time::Duration;

use iroh::Endpoint;
use samod::storage::InMemoryStorage;
use samod::{Repo, Url};
use tokio::sync::mpsc;

use super::dial::peer_id_of;
use super::discover::Arrival;
use super::policy::{PeerPolicy, Rules};
use crate::sync::{keep_in_step, preload, LastSender, RepoTasks, Session};
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

fn on_event_moved<'a>(f: &'a mut impl FnMut(&str)) -> impl FnMut(&str) + 'a {
    move |line: &str| {
        if line != "connected" {
            f(line);
        }
    }
}

/// Accepts peers on `endpoint` and keeps the store in step with them until `stop`. Peers
/// whose device is in no roster here are turned away at once. `on_event` hears of peers and
/// of documents that moved.
///
/// # Errors
/// Storage errors.
pub async fn listen(
    svc: &mut Service,
    endpoint: Endpoint,
    timeout: Duration,
    on_event: impl FnMut(&str),
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    listen_with(svc, endpoint, false, timeout, on_event, stop).await
}

/// [`listen`], and with `discover` also finds peers on the local network (mDNS) and links
/// with those that share a community, reconnecting when the link comes back.
///
/// # Errors
/// Storage errors; mDNS cannot start.
pub async fn listen_with(
    svc: &mut Service,
    endpoint: Endpoint,
    discover: bool,
    timeout: Duration,
    mut on_event: impl FnMut(&str),
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    tokio::pin!(stop);
    // Devices shut out for the rest of this run: each sent the last sync message let through
    // before the repository broke (most likely the one that broke it).
    let mut shut: HashSet<String> = HashSet::new();
    loop {
        let last = LastSender::default();
        let run = Run {
            endpoint: &endpoint,
            discover,
            timeout,
            shut: &shut,
            last: last.clone(),
        };
        match listen_once(svc, run, &mut on_event, &mut stop).await {
            // What a peer sent broke the repository (see `sync::repo_tasks`): the others'
            // links go on with a fresh one over the store, without the peer that sent it.
            Ok(Ended::Broken(why)) => {
                let sender = last.lock().ok().and_then(|mut l| l.take());
                tracing::warn!(%why, device = ?sender, "the peers' repository broke on what a peer sent; starting it again without that peer");
                shut.extend(sender);
                on_event("restarted");
            }
            Ok(Ended::Stopped) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// What one run of the listener works with.
struct Run<'a> {
    endpoint: &'a Endpoint,
    discover: bool,
    timeout: Duration,
    /// Devices shut out (see `Rules::shutting`).
    shut: &'a HashSet<String>,
    /// Who sent the last sync message let through.
    last: LastSender,
}

/// How one run of the listener ended.
enum Ended {
    Stopped,
    Broken(String),
}

async fn listen_once(
    svc: &mut Service,
    run: Run<'_>,
    on_event: &mut impl FnMut(&str),
    stop: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
) -> Result<Ended> {
    let Run {
        endpoint,
        discover,
        timeout,
        shut,
        last,
    } = run;
    // Read before learning: a change made meanwhile is learned in the first round.
    let mut learned_at: i64 = svc.store().docs(None)?.iter().map(|d| d.version).sum();
    let policy = PeerPolicy::new(Rules::learn(svc)?.shutting(shut));
    let mut next_expiry = policy.current().next_expiry(svc.now());
    let storage = InMemoryStorage::new();
    let loaded = preload(svc, &storage).await?;
    let tasks = RepoTasks::new();
    let repo = Repo::builder(tasks.clone())
        .with_storage(storage.clone())
        .with_peer_id(peer_id_of(&svc.device().public_hex()))
        .with_share_policy(policy.clone())
        .load()
        .await;
    let acceptor = repo
        .make_acceptor(Url::parse("iroh://listen").map_err(|e| PeerError::BadInput(e.to_string()))?)
        .map_err(|e| PeerError::Unavailable(e.to_string()))?;
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<Arrival>();
    let repo_for_discovery = repo.clone();
    let accept_task = {
        let (endpoint, policy, arrivals, acceptor, last) = (
            endpoint.clone(),
            policy.clone(),
            arrivals.clone(),
            acceptor.clone(),
            last.clone(),
        );
        tokio::spawn(async move {
            // Each peer's link, ended with this task (each holds the acceptor, which holds
            // the repository).
            let mut links = tokio::task::JoinSet::new();
            while let Some(incoming) = endpoint.accept().await {
                while links.try_join_next().is_some() {}
                let Ok(conn) = incoming.await else { continue };
                let device = hex::encode(conn.remote_id().as_bytes());
                // Subscribed before the check: a change right after it is heard of.
                let mut rules = policy.subscribe();
                if !rules.borrow_and_update().knows(&device) {
                    tracing::info!(%device, "a peer from none of our communities; closed");
                    conn.close(1u32.into(), b"not a member");
                    continue;
                }
                let addr = String::new();
                let (acceptor, arrivals, last) = (acceptor.clone(), arrivals.clone(), last.clone());
                links.spawn(async move {
                    let Ok((send, recv)) = conn.accept_bi().await else {
                        return;
                    };
                    let transport = crate::sync::over_stream(
                        tokio::io::join(recv, send),
                        peer_id_of(&device),
                        device.clone(),
                        Some(last),
                    );
                    if acceptor.accept(transport).is_ok() {
                        let _ = arrivals.send(Arrival {
                            device: device.clone(),
                            addr,
                            how: "incoming".into(),
                        });
                        // Keep the connection until the peer is done, or until the
                        // rules leave its device out (the share policy has already shut
                        // every document to it by then).
                        let left_out = async {
                            while rules.changed().await.is_ok() {
                                if !rules.borrow_and_update().knows(&device) {
                                    return true;
                                }
                            }
                            false
                        };
                        tokio::select! {
                            _ = conn.closed() => {}
                            out = left_out => if out {
                                tracing::info!(%device, "no longer a member here; link closed");
                                conn.close(2u32.into(), b"no longer a member");
                            },
                        }
                    }
                });
            }
        })
    };
    // Documents peers bring are looked for briefly; the loop must not wait on one a peer
    // will never share.
    let hosted = Session::hosting(
        svc,
        (repo, tasks, acceptor),
        storage,
        loaded,
        timeout.min(Duration::from_secs(3)),
    )
    .await;
    let mut session = match hosted {
        Ok(session) => session,
        Err(e) => {
            accept_task.abort();
            return Err(e);
        }
    };
    let discovery_task = if discover {
        match super::discover::spawn(
            endpoint,
            repo_for_discovery,
            policy.clone(),
            arrivals.clone(),
            last.clone(),
        ) {
            Ok(task) => Some(task),
            Err(e) => {
                accept_task.abort();
                session.stop().await;
                return Err(e);
            }
        }
    } else {
        None
    };
    on_event("listening");
    let result = keep_in_step(
        svc,
        &mut session,
        "peers",
        false,
        &mut on_event_moved(on_event),
        |svc| {
            while let Ok(a) = arrived.try_recv() {
                svc.record_peer(&a.device, &a.how, std::slice::from_ref(&a.addr))?;
                tracing::info!(device = %a.device, how = %a.how, "peer");
            }
            // Relearn the rules only when a document changed (the loop runs every 300 ms);
            // new rules hold this round's local changes back until every link has them.
            let versions: i64 = svc.store().docs(None)?.iter().map(|d| d.version).sum();
            let now = svc.now();
            if next_expiry.is_some_and(|at| now > at) {
                // An invite key's day passed: every link decides again.
                policy.recheck();
                next_expiry = policy.current().next_expiry(now);
            }
            if versions != learned_at {
                let before = policy.current();
                let rules = Rules::learn(svc)?.shutting(shut);
                let narrower = before.takes_away(&rules);
                next_expiry = rules.next_expiry(now);
                policy.update(rules);
                learned_at = versions;
                if narrower {
                    // Let the links' share decisions settle before the next merge.
                    return Ok(true);
                }
            }
            Ok(false)
        },
        stop,
    )
    .await;
    accept_task.abort();
    if let Some(t) = discovery_task {
        t.abort();
    }
    let broken = session.broken().map(|e| e.to_string());
    session.stop().await;
    match (result, broken) {
        (_, Some(why)) => Ok(Ended::Broken(why)),
        (Ok(()), None) => Ok(Ended::Stopped),
        (Err(e), None) => Err(e),
    }
}
