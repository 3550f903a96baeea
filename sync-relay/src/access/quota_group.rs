//! Whose stored bytes count together against one quota: a member's keys, grouped only in the
//! communities where the writing key writes itself.
//!
//! A roster may list a key its holder never agreed to: an admin of another community (or
//! anyone, where anyone may found one) can put a member's public key on their own member
//! there. Grouped over every roster, that stranger's bytes would count against the member's
//! quota and lock them out. So a key is grouped with a member's other keys only in the
//! communities it has written to on this relay (kept in the store, `storage::usage`), and in
//! the community of the document it writes now. A member who adds keys to themselves to gain
//! room writes through them into their own community, where the keys are grouped.

use std::collections::{HashMap, HashSet};

use allmende_core::model::{DocKind, Header};
use allmende_core::wire::device_of_peer;
use automerge::{Automerge, ROOT};

use super::{Access, DocAccess};

/// Device key (lower-case hex) -> the communities it has written to here.
pub(super) type Wrote = HashMap<String, HashSet<String>>;

impl Access {
    /// Notes that `devices` (quota keys, `device:<hex>`) wrote into `doc_id`, once the relay
    /// knows which community the document belongs to (after storing it).
    pub fn note_writers<'a>(&self, doc_id: &str, devices: impl IntoIterator<Item = &'a str>) {
        let Ok(mut state) = self.state.write() else {
            return;
        };
        let Some(community) = community_of(&state.docs, doc_id) else {
            return;
        };
        for device in devices {
            let key = device.strip_prefix("device:").unwrap_or(device);
            state
                .wrote
                .entry(key.to_ascii_lowercase())
                .or_default()
                .insert(community.clone());
        }
    }

    /// The quota keys (`device:<hex>`) whose stored bytes count together with `peer`'s when
    /// it writes into `doc_id`: every key of its member on the roster of each community it
    /// has written to here, and of `doc_id`'s community. Whatever it writes, a member who
    /// adds devices gets no more room; a key on no such roster stands alone.
    #[must_use]
    pub fn quota_keys(&self, peer: &str, doc_id: &str) -> Vec<String> {
        let community = self
            .state
            .read()
            .ok()
            .and_then(|s| community_of(&s.docs, doc_id));
        self.quota_keys_in(peer, community.as_deref())
    }

    /// [`Access::quota_keys`] for a write into a document of `community` (a document the
    /// relay does not hold yet says its community itself: [`claimed_community`]).
    #[must_use]
    pub fn quota_keys_in(&self, peer: &str, community: Option<&str>) -> Vec<String> {
        let own = crate::admission::device_of(peer).to_string();
        let (Some(device), Ok(state)) = (device_of_peer(peer), self.state.read()) else {
            return vec![own];
        };
        let device = device.to_ascii_lowercase();
        let wrote = state.wrote.get(&device);
        let mut keys: Vec<String> = wrote
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(community)
            .filter_map(|c| state.rosters.get(c))
            .flat_map(|r| r.fellow_devices(&device))
            .map(|d| format!("device:{d}"))
            .collect();
        keys.push(own);
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// The community of a document the relay knows.
fn community_of(docs: &HashMap<String, DocAccess>, doc_id: &str) -> Option<String> {
    match docs.get(doc_id)? {
        DocAccess::Community => Some(doc_id.to_string()),
        DocAccess::Item { community, .. } => Some(community.clone()),
        DocAccess::Foreign => None,
    }
}

/// The community a document not stored yet names in its header (whether it may be stored
/// there is [`Access::may_create`]'s question).
#[must_use]
pub fn claimed_community(doc_id: &str, doc: &Automerge) -> Option<String> {
    let header = autosurgeon::hydrate_prop::<_, Header, _, _>(doc, &ROOT, "header").ok()?;
    Some(if header.kind == DocKind::Community {
        doc_id.to_string()
    } else {
        header.community
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Roster;

    /// Ben (keys b1, b2) in community C; Eve lists Ben's b1 under herself (keys e1, b1) in X.
    fn access() -> Access {
        let access = Access::new(false);
        {
            let mut state = access.state.write().expect("state");
            let roster = |pairs: &[(&str, &str)]| Roster {
                devices: pairs
                    .iter()
                    .map(|(d, m)| ((*d).to_string(), (*m).to_string()))
                    .collect(),
                ..Roster::default()
            };
            state
                .rosters
                .insert("C".into(), roster(&[("b1", "ben"), ("b2", "ben")]));
            state
                .rosters
                .insert("X".into(), roster(&[("e1", "eve"), ("b1", "eve")]));
            state.docs.insert("C".into(), DocAccess::Community);
            state.docs.insert("X".into(), DocAccess::Community);
            for (item, community) in [("idea-c", "C"), ("idea-x", "X")] {
                state.docs.insert(
                    item.into(),
                    DocAccess::Item {
                        community: community.into(),
                        team: None,
                    },
                );
            }
        }
        access
    }

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| format!("device:{k}")).collect()
    }

    #[test]
    fn a_key_counts_with_its_members_keys_only_where_it_writes() {
        let access = access();
        // Writing into C: with Ben's other key, never with Eve's.
        assert_eq!(
            access.quota_keys("device:b1:s", "idea-c"),
            keys(&["b1", "b2"])
        );
        // A document the relay does not know, before b1 wrote anywhere: alone.
        assert_eq!(access.quota_keys("device:b1:s", "new"), keys(&["b1"]));
        // A new item naming C, from b2 that wrote nothing yet: with Ben's keys.
        assert_eq!(
            access.quota_keys_in("device:b2:s", Some("C")),
            keys(&["b1", "b2"])
        );
        // Once b1 wrote into C, also its unknown documents count with Ben's keys there.
        access.note_writers("idea-c", ["device:b1"]);
        assert_eq!(access.quota_keys("device:b1:s", "new"), keys(&["b1", "b2"]));
        // Eve's writes count Ben's b1 with her (her roster's word costs only her).
        access.note_writers("X", ["device:e1"]);
        assert_eq!(
            access.quota_keys("device:e1:s", "idea-x"),
            keys(&["b1", "e1"])
        );
        assert_eq!(
            access.quota_keys("device:b1:s", "idea-c"),
            keys(&["b1", "b2"])
        );
        // A document the relay does not know is noted nowhere.
        access.note_writers("unknown", ["device:b2"]);
        assert_eq!(access.quota_keys("device:b2:s", "new"), keys(&["b2"]));
    }
}
