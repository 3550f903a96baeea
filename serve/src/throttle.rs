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

    /// Counts an attempt from `ip` as failed until it succeeds; false when it is one too
    /// many. Attempts are counted before they run, so many sent at once cannot all pass.
    pub fn attempt(&self, ip: IpAddr) -> bool {
        self.attempt_at(ip, Instant::now())
    }

    /// An attempt from `ip` succeeded: it does not count.
    pub fn succeeded(&self, ip: IpAddr) {
        if let Ok(mut seen) = self.seen.lock() {
            if let Some((_, n)) = seen.get_mut(&ip) {
                *n = n.saturating_sub(1);
            }
        }
    }

    fn attempt_at(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        // Old windows go, so the map holds only addresses seen lately.
        let window = self.window;
        seen.retain(|_, (start, _)| now.duration_since(*start) < window);
        let (_, n) = seen.entry(ip).or_insert((now, 0));
        if *n >= self.max {
            return false;
        }
        *n += 1;
        true
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
        assert!((0..3).all(|_| t.attempt_at(a, start)));
        assert!(!t.attempt_at(a, start + Duration::from_secs(1)));
        assert!(t.attempt_at(b, start + Duration::from_secs(1)));
        assert!(
            t.attempt_at(a, start + Duration::from_secs(61)),
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
        assert!((0..30).all(|_| {
            let ok = t.attempt_at(a, start);
            t.succeeded(a);
            ok
        }));
    }

    /// From an adversarial review: attempts were counted only once they had failed, so many
    /// sent at once all passed the check. Those still running count.
    #[test]
    fn attempts_at_once_count_before_they_finish() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.2".parse().expect("ip");
        let start = Instant::now();
        let passed = (0..100).filter(|_| t.attempt_at(a, start)).count();
        assert_eq!(passed, 3);
    }
}
