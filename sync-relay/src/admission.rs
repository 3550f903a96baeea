//! Who may open a connection: caps on sockets that have not finished their handshake, on
//! connections per IP address and per device key. Every admitted socket holds permits;
//! dropping them gives the places back, so a connection that ends for any reason frees
//! what it held.
//!
//! A self-made key costs nothing, so the per-key cap only keeps one device from crowding
//! out the others; the per-IP cap is what stops one machine from holding thousands of
//! sockets, and the pending cap keeps slow handshakes from using up file descriptors.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::metrics::Metrics;

/// The caps, from the configuration.
#[derive(Debug, Clone)]
pub struct AdmissionLimits {
    /// Open connections in all (WebSocket and iroh).
    pub max_open: usize,
    pub max_pending: usize,
    pub max_pending_per_ip: usize,
    pub max_per_ip: usize,
    pub max_per_key: usize,
    pub trusted_proxies: Vec<IpAddr>,
}

impl AdmissionLimits {
    #[must_use]
    pub fn from_config(c: &crate::Config) -> AdmissionLimits {
        AdmissionLimits {
            max_open: c.max_connections,
            max_pending: c.max_pending_handshakes,
            max_pending_per_ip: c.max_pending_handshakes_per_ip,
            max_per_ip: c.max_connections_per_ip,
            max_per_key: c.max_connections_per_key,
            trusted_proxies: c.trusted_proxies.clone(),
        }
    }
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    #[error("too many connections")]
    Full(usize),
    #[error("more than {0} handshakes at once: try again in a moment")]
    Pending(usize),
    #[error("more than {max} connections from {ip}")]
    PerIp { max: usize, ip: IpAddr },
    #[error("more than {0} connections of this device")]
    PerKey(usize),
}

#[derive(Default)]
struct Counts {
    open: usize,
    pending: usize,
    pending_per_ip: HashMap<IpAddr, usize>,
    per_ip: HashMap<IpAddr, usize>,
    per_key: HashMap<String, usize>,
}

struct Inner {
    limits: AdmissionLimits,
    counts: Mutex<Counts>,
    metrics: Arc<Metrics>,
}

/// The relay's door keeper, shared by the WebSocket and the iroh side.
#[derive(Clone)]
pub struct Admission {
    inner: Arc<Inner>,
}

enum Place {
    Open,
    Pending(Option<IpAddr>),
    Ip(IpAddr),
    Key(String),
}

/// A place taken; given back when dropped.
pub struct Permit {
    inner: Arc<Inner>,
    place: Place,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let Ok(mut c) = self.inner.counts.lock() else {
            return;
        };
        match &self.place {
            Place::Open => c.open = c.open.saturating_sub(1),
            Place::Pending(ip) => {
                c.pending = c.pending.saturating_sub(1);
                if let Some(ip) = ip {
                    release(&mut c.pending_per_ip, ip);
                }
            }
            Place::Ip(ip) => release(&mut c.per_ip, ip),
            Place::Key(key) => release(&mut c.per_key, key),
        }
    }
}

fn release<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = map.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            map.remove(key);
        }
    }
}

/// The address a cap counts: IPv4 as it is (also when mapped into IPv6), IPv6 by its /64
/// (one subscriber's network: a host has a whole /64 to pick addresses from).
#[must_use]
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

/// The device key of a peer id `device:<key>:<session>` (the id itself otherwise).
#[must_use]
pub fn device_of(peer: &str) -> &str {
    match peer.strip_prefix("device:").and_then(|rest| rest.find(':')) {
        Some(end) => &peer[.."device:".len() + end],
        None => peer,
    }
}

impl Admission {
    #[must_use]
    pub fn new(limits: AdmissionLimits, metrics: Arc<Metrics>) -> Admission {
        Admission {
            inner: Arc::new(Inner {
                limits,
                counts: Mutex::default(),
                metrics,
            }),
        }
    }

    /// Whether connections from `ip` come through a trusted reverse proxy.
    #[must_use]
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.inner
            .limits
            .trusted_proxies
            .iter()
            .any(|p| p.to_canonical() == ip)
    }

    /// The client behind trusted proxies: the last address in `X-Forwarded-For` that is
    /// not a trusted proxy itself (each proxy appends the address it saw).
    #[must_use]
    pub fn forwarded_client(&self, header: &str) -> Option<IpAddr> {
        header
            .rsplit(',')
            .map(|a| a.trim().parse::<IpAddr>().ok())
            .find(|a| a.is_none_or(|ip| !self.is_trusted_proxy(ip)))
            .flatten()
    }

    fn permit(&self, place: Place) -> Permit {
        Permit {
            inner: self.inner.clone(),
            place,
        }
    }

    fn refuse(&self, r: Refusal) -> Refusal {
        let counter = match r {
            Refusal::Full(_) => None,
            Refusal::Pending(_) => Some(&self.inner.metrics.refused_pending),
            Refusal::PerIp { .. } => Some(&self.inner.metrics.refused_per_ip),
            Refusal::PerKey(_) => Some(&self.inner.metrics.refused_per_key),
        };
        if let Some(counter) = counter {
            Metrics::add(counter, 1);
        }
        Metrics::add(&self.inner.metrics.rejected_connections, 1);
        r
    }

    /// One of the `max_connections` places, taken when a handshake is about to open a
    /// connection and held while it is open. Checked and taken in one step: handshakes
    /// finishing at once cannot pass a check together and open more than the cap.
    ///
    /// # Errors
    /// Every place is taken.
    pub fn open(&self) -> Result<Permit, Refusal> {
        let max = self.inner.limits.max_open;
        {
            let Ok(mut c) = self.inner.counts.lock() else {
                return Err(self.refuse(Refusal::Full(max)));
            };
            if c.open < max {
                c.open += 1;
                return Ok(self.permit(Place::Open));
            }
        }
        Err(self.refuse(Refusal::Full(max)))
    }

    /// A socket from `ip` (`None`: a trusted proxy, or not known yet) that has not
    /// finished its handshake.
    ///
    /// # Errors
    /// Too many handshakes at once, in all or from that address.
    pub fn pending(&self, ip: Option<IpAddr>) -> Result<Permit, Refusal> {
        let max = self.inner.limits.max_pending;
        let ip = ip.map(bucket);
        let refusal = {
            let Ok(mut c) = self.inner.counts.lock() else {
                return Err(self.refuse(Refusal::Pending(max)));
            };
            let from_ip = ip.map_or(0, |ip| c.pending_per_ip.get(&ip).copied().unwrap_or(0));
            if c.pending >= max {
                Refusal::Pending(max)
            } else if let Some(ip) = ip.filter(|_| from_ip >= self.inner.limits.max_pending_per_ip)
            {
                Refusal::PerIp {
                    max: self.inner.limits.max_pending_per_ip,
                    ip,
                }
            } else {
                c.pending += 1;
                if let Some(ip) = ip {
                    *c.pending_per_ip.entry(ip).or_insert(0) += 1;
                }
                return Ok(self.permit(Place::Pending(ip)));
            }
        };
        Err(self.refuse(refusal))
    }

    /// A connection from `ip` (the socket's address, or the client's behind a trusted
    /// proxy), held for as long as the connection lives.
    ///
    /// # Errors
    /// Too many connections from that address.
    pub fn ip(&self, ip: IpAddr) -> Result<Permit, Refusal> {
        let ip = bucket(ip);
        let max = self.inner.limits.max_per_ip;
        let refusal = Refusal::PerIp { max, ip };
        {
            let Ok(mut c) = self.inner.counts.lock() else {
                return Err(self.refuse(refusal));
            };
            let n = c.per_ip.entry(ip).or_insert(0);
            if *n < max {
                *n += 1;
                return Ok(self.permit(Place::Ip(ip)));
            }
        }
        Err(self.refuse(refusal))
    }

    /// An open connection of the device behind peer id `peer`.
    ///
    /// # Errors
    /// Too many connections of that device.
    pub fn key(&self, peer: &str) -> Result<Permit, Refusal> {
        let max = self.inner.limits.max_per_key;
        let device = device_of(peer).to_string();
        {
            let Ok(mut c) = self.inner.counts.lock() else {
                return Err(self.refuse(Refusal::PerKey(max)));
            };
            let n = c.per_key.entry(device.clone()).or_insert(0);
            if *n < max {
                *n += 1;
                return Ok(self.permit(Place::Key(device)));
            }
        }
        Err(self.refuse(Refusal::PerKey(max)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(pending: usize, ip: usize, key: usize) -> (Admission, Arc<Metrics>) {
        let metrics = Arc::new(Metrics::default());
        let a = Admission::new(
            AdmissionLimits {
                max_open: 3,
                max_pending: pending,
                max_pending_per_ip: 2,
                max_per_ip: ip,
                max_per_key: key,
                trusted_proxies: vec!["10.0.0.1".parse().expect("ip")],
            },
            metrics.clone(),
        );
        (a, metrics)
    }

    /// From an adversarial review: the connection cap compared the connections already
    /// open, so handshakes finishing together each passed the check and the relay opened
    /// up to `max_pending_handshakes` more than `max_connections`. A place is now taken in
    /// the same step as the check, from many threads at once.
    #[test]
    fn open_places_are_taken_in_one_step_and_never_more_than_the_cap() {
        let (a, metrics) = admission(100, 100, 100);
        let taken: Vec<Option<Permit>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16).map(|_| s.spawn(|| a.open().ok())).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let held: Vec<Permit> = taken.into_iter().flatten().collect();
        assert_eq!(held.len(), 3, "exactly the cap");
        assert_eq!(a.open().err(), Some(Refusal::Full(3)));
        use std::sync::atomic::Ordering::Relaxed;
        assert_eq!(metrics.rejected_connections.load(Relaxed), 14);
        drop(held);
        let _again = a.open().expect("places given back");
    }

    #[test]
    fn places_are_capped_and_given_back_when_dropped() {
        let (a, metrics) = admission(2, 2, 1);
        let p1 = a.pending(None).expect("first");
        let _p2 = a.pending(None).expect("second");
        assert_eq!(a.pending(None).err(), Some(Refusal::Pending(2)));
        drop(p1);
        let _p3 = a.pending(None).expect("a freed place");

        let one: IpAddr = "127.0.0.2".parse().expect("ip");
        let other: IpAddr = "127.0.0.3".parse().expect("ip");
        let i1 = a.ip(one).expect("first");
        let _i2 = a.ip(one).expect("second");
        assert!(matches!(a.ip(one), Err(Refusal::PerIp { max: 2, .. })));
        let _o = a.ip(other).expect("another address is not affected");
        drop(i1);
        let _i3 = a.ip(one).expect("a freed place");

        let k = a.key("device:abc:s1").expect("first session");
        assert_eq!(
            a.key("device:abc:s2").err(),
            Some(Refusal::PerKey(1)),
            "sessions of one device share its places"
        );
        let _k2 = a.key("device:def:s1").expect("another device");
        drop(k);
        let _k3 = a.key("device:abc:s3").expect("a freed place");

        use std::sync::atomic::Ordering::Relaxed;
        assert_eq!(metrics.refused_pending.load(Relaxed), 1);
        assert_eq!(metrics.refused_per_ip.load(Relaxed), 1);
        assert_eq!(metrics.refused_per_key.load(Relaxed), 1);
        assert!(a.is_trusted_proxy("10.0.0.1".parse().expect("ip")));
        assert!(!a.is_trusted_proxy(one));
    }

    #[test]
    fn one_ipv6_network_is_one_address_and_pending_places_are_shared_fairly() {
        let (a, _) = admission(10, 3, 1);
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let same_net: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other_net: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        let _a = a.ip(one).expect("1");
        let _b = a.ip(same_net).expect("2");
        let _c = a.ip(same_net).expect("3");
        assert!(a.ip(one).is_err(), "a /64 is one address for the caps");
        let _d = a.ip(other_net).expect("another network");
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().expect("ip");
        assert_eq!(bucket(mapped), "127.0.0.2".parse::<IpAddr>().expect("ip"));
        // Pending places: at most two per address, so one address cannot take them all.
        let slow: IpAddr = "192.0.2.7".parse().expect("ip");
        let _p1 = a.pending(Some(slow)).expect("1");
        let _p2 = a.pending(Some(slow)).expect("2");
        assert!(matches!(a.pending(Some(slow)), Err(Refusal::PerIp { .. })));
        let _q = a
            .pending(Some("192.0.2.8".parse().expect("ip")))
            .expect("another address");
    }

    #[test]
    fn the_client_behind_proxies_is_the_last_address_no_proxy_added() {
        let (a, _) = admission(10, 10, 10);
        assert_eq!(
            a.forwarded_client("203.0.113.5, 10.0.0.1"),
            Some("203.0.113.5".parse().expect("ip")),
            "the trusted proxy's own entry is skipped"
        );
        assert_eq!(
            a.forwarded_client("198.51.100.1, 203.0.113.5"),
            Some("203.0.113.5".parse().expect("ip")),
            "what the client wrote itself is not believed"
        );
        assert_eq!(a.forwarded_client("1.2.3.4:5678"), None);
        assert_eq!(a.forwarded_client(""), None);
        assert!(a.is_trusted_proxy("::ffff:10.0.0.1".parse().expect("ip")));
    }

    #[test]
    fn the_device_is_the_key_without_the_session() {
        assert_eq!(device_of("device:abc:s1"), "device:abc");
        assert_eq!(device_of("device:abc"), "device:abc");
        assert_eq!(device_of("someone"), "someone");
    }
}
