//! Keeping in step in the background, for the front doors (the desktop app, `allmende serve`):
//! with every relay a community here syncs through (once there is one, for example after
//! joining with an invite; each community only with its own relays), and with devices of its
//! communities on the local network (iroh, mDNS).
//!
//! Each runs on a service of its own over the same data directory (the store is safe to share),
//! so the front door's service stays free for the person using it. Failures are logged and
//! retried with a growing pause; nothing here can stop the front door.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use tokio::sync::watch;

use crate::p2p::node::NodeOptions;
use allmende_service::Service;
use allmende_store::error::Result;
use allmende_store::Store;

/// How long the background work waits after start: the first screen comes first (syncing
/// loads every document, which competes with it on small machines).
const START_DELAY: Duration = Duration::from_secs(3);

/// What to keep in step with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The relays the communities sync through (and the remembered one, setting `relay`).
    pub relay: bool,
    /// Devices of this device's communities on the local network.
    pub lan: bool,
}

/// The running background work; dropping it stops it.
pub struct Background {
    stop: watch::Sender<bool>,
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starts the background work on a thread of its own.
#[must_use]
pub fn start(dir: &Path, opts: Options) -> Background {
    let (stop, stopped) = watch::channel(false);
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::warn!("background sync cannot start: {e}");
                return;
            }
        };
        rt.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(START_DELAY) => {}
                () = until_stopped(stopped.clone()) => return,
            }
            let relay = async {
                if opts.relay {
                    relays(&dir, stopped.clone()).await;
                }
            };
            let lan = async {
                if opts.lan {
                    let dir = dir.clone();
                    supervise(
                        "local network",
                        stopped.clone(),
                        FIRST_PAUSE,
                        move |stopped| {
                            let dir = dir.clone();
                            async move { lan(&dir, stopped).await }
                        },
                    )
                    .await;
                }
            };
            tokio::join!(relay, lan);
        });
    });
    Background { stop }
}

/// Resolves once `stop` is set.
async fn until_stopped(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// Every relay a community here syncs through (`sync/scope.rs`), and the remembered one.
fn known_relays(dir: &Path) -> Vec<String> {
    match Store::open(dir).and_then(|s| crate::sync::known_relays(&s)) {
        Ok(all) => all,
        Err(e) => {
            tracing::warn!("background sync cannot read the store: {e}");
            Vec::new()
        }
    }
}

/// Keeps one watcher per known relay: each community syncs with its own relays only, and a
/// relay that becomes known (a community joined elsewhere) gets a watcher of its own.
async fn relays(dir: &Path, stopped: watch::Receiver<bool>) {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let mut running: HashMap<String, watch::Sender<bool>> = HashMap::new();
            loop {
                let known = known_relays(dir);
                running.retain(|relay, stop| {
                    let keep = known.contains(relay);
                    if !keep {
                        let _ = stop.send(true);
                    }
                    keep
                });
                for relay in known {
                    if running.contains_key(&relay) {
                        continue;
                    }
                    let (stop, this_stopped) = watch::channel(false);
                    running.insert(relay.clone(), stop);
                    let dir = dir.to_path_buf();
                    tokio::task::spawn_local(async move {
                        relay_loop(&dir, &relay, this_stopped).await;
                    });
                }
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(5)) => {}
                    () = until_stopped(stopped.clone()) => break,
                }
            }
            for stop in running.values() {
                let _ = stop.send(true);
            }
        })
        .await;
}

/// Watches `relay`; reconnects after failures with a pause that grows from 2 s to a minute.
async fn relay_loop(dir: &Path, relay: &str, stopped: watch::Receiver<bool>) {
    let mut pause = Duration::from_secs(2);
    loop {
        if *stopped.borrow() {
            return;
        }
        let outcome = match Service::open(dir) {
            Ok(mut svc) => {
                crate::sync::watch(
                    &mut svc,
                    relay,
                    Duration::from_secs(20),
                    |line| tracing::debug!("relay {relay}: {line}"),
                    until_stopped(stopped.clone()),
                )
                .await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => pause = Duration::from_secs(2),
            Err(e) => {
                tracing::info!("relay {relay} not reached: {e}; trying again in {pause:?}");
                pause = (pause * 2).min(Duration::from_secs(60));
            }
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = until_stopped(stopped.clone()) => return,
        }
    }
}

/// The first pause before work that ended is started again.
const FIRST_PAUSE: Duration = Duration::from_secs(2);

/// Runs `work` until stopped, starting it again whenever it ends before that (with an error,
/// or without one: a listener that returns has stopped listening), after a pause that grows
/// from `first_pause` to a minute and starts small again once a run lasted a minute. Returns
/// how often it started the work again.
async fn supervise<F, Fut>(
    what: &str,
    stopped: watch::Receiver<bool>,
    first_pause: Duration,
    mut work: F,
) -> u32
where
    F: FnMut(watch::Receiver<bool>) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut pause = first_pause;
    let mut restarts = 0;
    loop {
        let started = tokio::time::Instant::now();
        let outcome = work(stopped.clone()).await;
        if *stopped.borrow() {
            return restarts;
        }
        if started.elapsed() >= Duration::from_secs(60) {
            pause = first_pause;
        }
        match outcome {
            Ok(()) => tracing::warn!("{what} ended; starting again in {pause:?}"),
            Err(e) => tracing::warn!("{what} stopped: {e}; starting again in {pause:?}"),
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = until_stopped(stopped.clone()) => return restarts,
        }
        pause = (pause * 2).min(Duration::from_secs(60));
        restarts += 1;
    }
}

/// Listens for and discovers peers on the local network until stopped.
async fn lan(dir: &Path, stopped: watch::Receiver<bool>) -> Result<()> {
    let mut svc = Service::open(dir)?;
    let endpoint = crate::p2p::node::start(svc.device(), &NodeOptions::default()).await?;
    svc.store_setting("peer_ticket", &crate::p2p::node::ticket(&endpoint).text())?;
    let result = crate::p2p::listen::listen_with(
        &mut svc,
        endpoint.clone(),
        true,
        Duration::from_secs(20),
        |line| tracing::debug!("local network: {line}"),
        until_stopped(stopped),
    )
    .await;
    endpoint.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    /// Issue 13, finding 7: a LAN listener that ended (a storage error) stayed down until
    /// the app restarted. Now it is started again, with a growing pause, until stopped.
    #[tokio::test]
    async fn a_listener_that_ends_is_started_again_until_stopped() {
        let (stop, stopped) = watch::channel(false);
        let runs = Arc::new(AtomicU32::new(0));
        let counted = runs.clone();
        let pause = Duration::from_millis(1);
        let supervisor = tokio::spawn(supervise("test", stopped, pause, move |stopped| {
            let runs = counted.clone();
            async move {
                match runs.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(allmende_store::error::PeerError::Unavailable(
                        "the store".into(),
                    )),
                    1 => Ok(()),
                    _ => {
                        until_stopped(stopped).await;
                        Ok(())
                    }
                }
            }
        }));
        while runs.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.send(true).expect("stop");
        let restarts = supervisor.await.expect("supervisor");
        assert_eq!(restarts, 2, "an error and an early end each start it again");
        assert_eq!(
            runs.load(Ordering::SeqCst),
            3,
            "a stopped listener is not started again"
        );
    }
}
