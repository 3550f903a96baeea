//! Quotas per device key: how many bytes of changes the relay has stored for each device,
//! and the most it stores for one.
//!
//! Every document has a size limit, but a member could still fill the disk with many
//! documents. What a device's messages add to the store is counted under its key (the bytes
//! of the changes it brought that were new to the relay), kept in the store beside the
//! changes (in the same transaction), and read again at start. Changes a device only passes
//! on again, or that the relay already had, cost it nothing. The limit holds for a member's
//! devices together ([`Quota::allows_together`]): a member who adds devices to themselves
//! gets no more room. Changes a document holds back until their dependencies come (in
//! memory, not stored yet) count too, across every document ([`Quota::hold`]): a member
//! cannot park a quota's worth in each.

use std::collections::HashMap;
use std::sync::Mutex;

/// Bytes stored (and held back) per device key, and the limit.
#[derive(Debug)]
pub struct Quota {
    max: u64,
    used: Mutex<HashMap<String, u64>>,
    /// Bytes of changes each key brought that wait in some document for a dependency.
    held: Mutex<HashMap<String, u64>>,
}

impl Quota {
    /// A quota of `max` bytes per key, starting from what the store has counted.
    #[must_use]
    pub fn new(max: u64, used: HashMap<String, u64>) -> Quota {
        Quota {
            max,
            used: Mutex::new(used),
            held: Mutex::new(HashMap::new()),
        }
    }

    /// The same counts under another limit.
    #[must_use]
    pub fn with_max(self, max: u64) -> Quota {
        Quota { max, ..self }
    }

    /// The limit per key.
    #[must_use]
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Whether `device` may add `bytes` more (beside what it has stored and held back).
    #[must_use]
    pub fn allows(&self, device: &str, bytes: u64) -> bool {
        self.taken(device).saturating_add(bytes) <= self.max
    }

    /// Whether the devices `together` (one member's) may add `bytes` more between them.
    #[must_use]
    pub fn allows_together(&self, together: &[String], bytes: u64) -> bool {
        together
            .iter()
            .fold(bytes, |sum, d| sum.saturating_add(self.taken(d)))
            <= self.max
    }

    /// Counts `bytes` of `device`'s changes that wait in a document for a dependency.
    pub fn hold(&self, device: &str, bytes: u64) {
        if let Ok(mut held) = self.held.lock() {
            let n = held.entry(device.to_string()).or_insert(0);
            *n = n.saturating_add(bytes);
        }
    }

    /// Takes back a [`Quota::hold`]: the changes were stored (and charged) or dropped.
    pub fn release(&self, device: &str, bytes: u64) {
        if let Ok(mut held) = self.held.lock() {
            if let Some(n) = held.get_mut(device) {
                *n = n.saturating_sub(bytes);
                if *n == 0 {
                    held.remove(device);
                }
            }
        }
    }

    /// Bytes of `device`'s changes held back in documents (a poisoned lock counts as full).
    #[must_use]
    pub fn held(&self, device: &str) -> u64 {
        self.held
            .lock()
            .map_or(u64::MAX, |held| held.get(device).copied().unwrap_or(0))
    }

    /// Stored and held back together.
    fn taken(&self, device: &str) -> u64 {
        self.used(device).saturating_add(self.held(device))
    }

    /// Counts `bytes` more for `device`.
    pub fn charge(&self, device: &str, bytes: u64) {
        if let Ok(mut used) = self.used.lock() {
            let n = used.entry(device.to_string()).or_insert(0);
            *n = n.saturating_add(bytes);
        }
    }

    /// Takes back a charge whose changes were not stored after all.
    pub fn refund(&self, device: &str, bytes: u64) {
        if let Ok(mut used) = self.used.lock() {
            if let Some(n) = used.get_mut(device) {
                *n = n.saturating_sub(bytes);
            }
        }
    }

    /// Bytes counted for `device` (a poisoned lock counts as full: nothing more is taken).
    #[must_use]
    pub fn used(&self, device: &str) -> u64 {
        self.used
            .lock()
            .map_or(u64::MAX, |used| used.get(device).copied().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_may_add_up_to_its_quota_and_a_refund_gives_room_again() {
        let q = Quota::new(100, HashMap::from([("device:aa".to_string(), 60)]));
        assert!(q.allows("device:aa", 40));
        assert!(!q.allows("device:aa", 41));
        assert!(q.allows("device:bb", 100));
        q.charge("device:aa", 40);
        assert!(!q.allows("device:aa", 1));
        q.refund("device:aa", 10);
        assert!(q.allows("device:aa", 10));
        assert!(!q.allows("device:aa", 11));
        assert_eq!(q.used("device:aa"), 90);
    }

    #[test]
    fn one_members_devices_share_the_quota() {
        let q = Quota::new(
            100,
            HashMap::from([("device:aa".to_string(), 60), ("device:bb".to_string(), 30)]),
        );
        let ben = ["device:aa".to_string(), "device:bb".to_string()];
        assert!(q.allows_together(&ben, 10));
        assert!(!q.allows_together(&ben, 11));
        // Alone, the second device would still have room.
        assert!(q.allows("device:bb", 11));
        assert!(q.allows_together(&["device:cc".to_string()], 100));
    }

    #[test]
    fn what_is_held_back_counts_until_it_is_released() {
        let q = Quota::new(100, HashMap::from([("device:aa".to_string(), 50)]));
        q.hold("device:aa", 30);
        q.hold("device:aa", 10);
        assert_eq!(q.held("device:aa"), 40);
        assert!(q.allows("device:aa", 10));
        assert!(!q.allows("device:aa", 11));
        assert!(!q.allows_together(&["device:aa".to_string()], 11));
        q.release("device:aa", 40);
        assert_eq!(q.held("device:aa"), 0);
        assert!(q.allows("device:aa", 50));
        // Releasing more than is held leaves nothing, not a credit.
        q.release("device:aa", 5);
        assert!(!q.allows("device:aa", 51));
    }
}
