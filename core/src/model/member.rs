//! A member of a community's roster, and the roster after each accepted roster change in
//! replay order, indexed by member: a signed field is checked against its author's entry at
//! the time it was written, once per field of every item, so that lookup must not walk the
//! whole history of a town of 2,000 members.

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::Millis;

string_enum! {
    /// What a member may do in a community; see [`crate::permission`].
    pub enum Role {
        Member => "member",
        Moderator => "moderator",
        MunicipalStaff => "municipal_staff",
        Admin => "admin",
    }
}

/// A member in the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub role: Role,
    pub joined_at: Millis,
    /// The member's profile document.
    pub profile: String,
    /// Device public keys (hex) -> when added. A member is a set of device keys.
    pub devices: BTreeMap<String, Millis>,
    /// Invite keys among the devices -> until when they may be used.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expires: BTreeMap<String, Millis>,
    pub removed: bool,
    /// Whether the member's posts are shown without review. New members of a community that
    /// holds first posts start untrusted until a moderator approves them.
    #[serde(default)]
    pub trusted: bool,
}

impl Member {
    /// Whether `device` (hex) is one of the member's and, if it is an invite key, still
    /// usable at `now`.
    #[must_use]
    pub fn device_open_at(&self, device: &str, now: Millis) -> bool {
        self.devices.contains_key(device) && self.expires.get(device).is_none_or(|u| now <= *u)
    }
}

/// Each accepted roster change's member entry, in replay order, with its time.
#[derive(Debug, Clone, Default)]
pub struct MemberHistory {
    entries: Vec<(Millis, Member)>,
    /// Member id -> positions of its entries in `entries`, in order.
    by_member: HashMap<String, Vec<usize>>,
}

impl MemberHistory {
    /// Adds the member's entry as it stood after a change at `at`.
    pub fn push(&mut self, entry: (Millis, Member)) {
        self.by_member
            .entry(entry.1.id.clone())
            .or_default()
            .push(self.entries.len());
        self.entries.push(entry);
    }

    /// Swaps two entries (the order of replay, as a test reorders it).
    pub fn swap(&mut self, a: usize, b: usize) {
        self.entries.swap(a, b);
        *self = self.entries.drain(..).collect();
    }

    /// The member's latest entry (in replay order) from at or before `at`.
    #[must_use]
    pub fn latest_at(&self, member: &str, at: Millis) -> Option<&Member> {
        self.by_member
            .get(member)?
            .iter()
            .rev()
            .map(|i| &self.entries[*i])
            .find(|(t, _)| *t <= at)
            .map(|(_, m)| m)
    }
}

impl Deref for MemberHistory {
    type Target = [(Millis, Member)];

    fn deref(&self) -> &Self::Target {
        &self.entries
    }
}

impl FromIterator<(Millis, Member)> for MemberHistory {
    fn from_iter<I: IntoIterator<Item = (Millis, Member)>>(iter: I) -> Self {
        let mut h = MemberHistory::default();
        for entry in iter {
            h.push(entry);
        }
        h
    }
}

impl<'a> IntoIterator for &'a MemberHistory {
    type Item = &'a (Millis, Member);
    type IntoIter = std::slice::Iter<'a, (Millis, Member)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl PartialEq for MemberHistory {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Serialize for MemberHistory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(s)
    }
}

impl<'de> Deserialize<'de> for MemberHistory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<(Millis, Member)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn member(id: &str, role: Role) -> Member {
        Member {
            id: id.into(),
            role,
            joined_at: 0,
            profile: String::new(),
            devices: Default::default(),
            expires: Default::default(),
            removed: false,
            trusted: false,
        }
    }

    /// The index answers as a walk back through every entry would.
    #[test]
    fn the_latest_entry_at_a_time_is_the_walk_backs_answer() {
        let mut h = MemberHistory::default();
        h.push((1, member("anna", Role::Admin)));
        h.push((2, member("ben", Role::Member)));
        h.push((5, member("ben", Role::Moderator)));
        h.push((3, member("ben", Role::Admin)));
        let agrees = |h: &MemberHistory| {
            for id in ["anna", "ben", "carl"] {
                for at in 0..7 {
                    let walk = h
                        .iter()
                        .rev()
                        .find(|(t, m)| m.id == id && *t <= at)
                        .map(|(_, m)| m.role);
                    assert_eq!(h.latest_at(id, at).map(|m| m.role), walk, "{id} {at}");
                }
            }
        };
        agrees(&h);
        let mut swapped = h.clone();
        swapped.swap(1, 3);
        agrees(&swapped);
        assert_ne!(swapped, h);
        let json = serde_json::to_string(&h).expect("json");
        let back: MemberHistory = serde_json::from_str(&json).expect("back");
        assert_eq!(back, h);
        agrees(&back);
    }
}
