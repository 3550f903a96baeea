//! Attempts per address in a window: class codes are short, so a browser may not try many.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` attempts per address in every `window`.
pub struct Throttle {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Throttle {
    #[must_use]
    pub fn new(max: u32, window: Duration) -> Throttle {
        Throttle {
            max,
            window,
            seen: Mutex::default(),
        }
    }

    /// Counts an attempt from `ip`; false when it is one too many.
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.allow_at(ip, Instant::now())
    }

    fn allow_at(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        // Old windows go, so the map holds only addresses seen lately.
        let window = self.window;
        seen.retain(|_, (start, _)| now.duration_since(*start) < window);
        let (_, n) = seen.entry(ip).or_insert((now, 0));
        *n += 1;
        *n <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_tries_per_window_and_others_are_not_affected() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = (
            "10.0.0.2".parse().expect("ip"),
            "10.0.0.3".parse().expect("ip"),
        );
        let start = Instant::now();
        assert!((0..3).all(|_| t.allow_at(a, start)));
        assert!(!t.allow_at(a, start + Duration::from_secs(1)));
        assert!(t.allow_at(b, start + Duration::from_secs(1)));
        assert!(
            t.allow_at(a, start + Duration::from_secs(61)),
            "a new window"
        );
    }
}
