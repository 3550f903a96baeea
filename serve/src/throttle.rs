//! Failed attempts per address in a window: class codes are short, so a browser may not
//! guess many. Attempts that succeed do not count: a whole class joining from behind one
//! address (a school's network address translation) is not held up.

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

    /// Whether `ip` may try (it has not failed `max` times in the current window).
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.allow_at(ip, Instant::now())
    }

    /// Counts a failed attempt from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        self.failed_at(ip, Instant::now());
    }

    fn allow_at(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(seen) = self.seen.lock() else {
            return false;
        };
        let window = self.window;
        seen.get(&ip)
            .is_none_or(|(start, n)| now.duration_since(*start) >= window || *n < self.max)
    }

    fn failed_at(&self, ip: IpAddr, now: Instant) {
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        // Old windows go, so the map holds only addresses seen lately.
        let window = self.window;
        seen.retain(|_, (start, _)| now.duration_since(*start) < window);
        let (_, n) = seen.entry(ip).or_insert((now, 0));
        *n = n.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_failed_tries_per_window_and_others_are_not_affected() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = (
            "10.0.0.2".parse().expect("ip"),
            "10.0.0.3".parse().expect("ip"),
        );
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.allow_at(a, start));
            t.failed_at(a, start);
        }
        assert!(!t.allow_at(a, start + Duration::from_secs(1)));
        assert!(t.allow_at(b, start + Duration::from_secs(1)));
        assert!(
            t.allow_at(a, start + Duration::from_secs(61)),
            "a new window"
        );
    }

    /// From an adversarial review: successes counted too, so the eleventh pupil of a class
    /// behind one address was refused for a minute.
    #[test]
    fn attempts_that_succeed_do_not_count() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.2".parse().expect("ip");
        let start = Instant::now();
        assert!((0..30).all(|_| t.allow_at(a, start)));
    }
}
