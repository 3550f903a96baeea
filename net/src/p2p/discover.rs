//! Finding peers on the local network (mDNS, through iroh's address lookup): a device that
//! shares a community is linked automatically, and samod keeps redialing it when the link is
//! cut, so edits made apart converge once it is back. Of two devices that find each other, the
//! one with the smaller key dials, so they keep one link.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use iroh::Endpoint;
use iroh_mdns_address_lookup::{DiscoveryEvent, MdnsAddressLookup};
use samod::{BackoffConfig, Repo};
use tokio::sync::mpsc;

use super::dial::IrohDialer;
use super::policy::PeerPolicy;
use allmende_store::error::{PeerError, Result};

/// A peer that connected (its device key and address).
#[derive(Debug, Clone)]
pub struct Arrival {
    pub device: String,
    pub addr: String,
    /// `incoming` or `lan`.
    pub how: String,
}

/// The links this device dials, closed when the task ends (also when it is aborted): a
/// dialer left open keeps the repository, which holds it, from ever being freed.
#[derive(Default)]
struct Links(HashMap<String, samod::DialerHandle>);

impl Drop for Links {
    fn drop(&mut self) {
        for handle in self.0.values() {
            handle.close();
        }
    }
}

/// The mDNS service name Allmende devices announce.
pub const SERVICE: &str = "allmende";

/// Starts announcing this endpoint and linking with the peers found.
///
/// # Errors
/// mDNS cannot start (no usable network).
pub fn spawn(
    endpoint: &Endpoint,
    repo: Repo,
    policy: PeerPolicy,
    arrivals: mpsc::UnboundedSender<Arrival>,
    last: crate::sync::LastSender,
) -> Result<tokio::task::JoinHandle<()>> {
    let mdns = MdnsAddressLookup::builder()
        .service_name(SERVICE)
        .build(endpoint.id())
        .map_err(|e| PeerError::Network(format!("local discovery: {e}")))?;
    endpoint
        .address_lookup()
        .map_err(|e| PeerError::Network(format!("local discovery: {e}")))?
        .add(mdns.clone());
    let endpoint = endpoint.clone();
    let me = hex::encode(endpoint.id().as_bytes());
    Ok(tokio::spawn(async move {
        let mut events = mdns.subscribe().await;
        let mut linked: HashSet<String> = HashSet::new();
        let mut dialing = Links::default();
        let mut rules = policy.subscribe();
        loop {
            let event = tokio::select! {
                event = events.next() => match event {
                    Some(event) => event,
                    None => break,
                },
                changed = rules.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    // A device the new rules leave out is no longer dialed, and its link ends.
                    let now = rules.borrow_and_update().clone();
                    dialing.0.retain(|device, handle| {
                        let keep = now.knows(device);
                        if !keep {
                            tracing::info!(%device, "no longer a member here; link closed");
                            handle.close();
                            linked.remove(device);
                        }
                        keep
                    });
                    continue;
                }
            };
            let DiscoveryEvent::Discovered { endpoint_info, .. } = event else {
                continue;
            };
            let addr = endpoint_info.into_endpoint_addr();
            let device = hex::encode(addr.id.as_bytes());
            if device == me || !policy.knows(&device) {
                continue;
            }
            let _ = arrivals.send(Arrival {
                device: device.clone(),
                addr: String::new(),
                how: "lan".into(),
            });
            if device < me || !linked.insert(device.clone()) {
                continue;
            }
            tracing::info!(%device, "found on the local network; linking");
            let backoff = BackoffConfig {
                initial_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(2),
                max_retries: None,
            };
            let dialer = Arc::new(IrohDialer::new(endpoint.clone(), addr).noting(last.clone()));
            match repo.dial(backoff, dialer) {
                Ok(handle) => {
                    dialing.0.insert(device, handle);
                }
                Err(_) => return,
            }
        }
    }))
}
