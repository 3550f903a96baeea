//! Whose stored bytes count together against one quota: a member's keys, grouped in the
//! community of the document being written.
//!
//! A roster may list a key its holder never agreed to: an admin of another community (or
//! anyone, where anyone may found one) can put a member's public key on their own member
//! there. Grouped over every roster, that stranger's bytes would count against the member's
//! quota and lock them out; grouped over the communities the key has written to, a client
//! tricked into writing there once (a repair of a value the stranger broke) would be locked
//! out for good. So a write counts with the keys its member holds in the community of the
//! document it goes into, and nowhere else: a member who adds keys to themselves to gain
//! room writes through them into that community, where the keys are grouped. A document of
//! no community (not Allmende's) counts its writer's own key alone.

use std::collections::HashMap;

use allmende_core::model::{DocKind, Header};
use allmende_core::wire::device_of_peer;
use automerge::{Automerge, ROOT};

use super::{Access, DocAccess};

impl Access {
    /// The quota keys (`device:<hex>`) whose stored bytes count together with `peer`'s when
    /// it writes into `doc_id`: every key of its member on the roster of `doc_id`'s
    /// community. A member who adds devices gets no more room; a key not on that roster,
    /// or writing a document of no community, stands alone.
    #[must_use]
    pub fn quota_keys(&self, peer: &str, doc_id: &str) -> Vec<String> {
        let community = self
            .state
            .read()
            .ok()
            .and_then(|s| community_of(&s.docs, doc_id));
        self.quota_keys_in(peer, community.as_deref())
    }

    /// The community of a document the relay knows (its own id for a community document);
    /// none for a document not known yet or not Allmende's.
    #[must_use]
    pub fn community_of(&self, doc_id: &str) -> Option<String> {
        community_of(&self.state.read().ok()?.docs, doc_id)
    }

    /// The communities whose log holds an accepted entry signed by `peer`'s device: those it
    /// founded, joined or acted in (a roster that merely lists its key is not one).
    #[must_use]
    pub fn took_part_in(&self, peer: &str) -> Vec<String> {
        let (Some(device), Ok(state)) = (device_of_peer(peer), self.state.read()) else {
            return Vec::new();
        };
        let device = device.to_ascii_lowercase();
        state
            .views
            .iter()
            .filter(|(_, c)| c.signers.contains(&device))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// [`Access::quota_keys`] for a write into a document of `community` (a document the
    /// relay does not hold yet says its community itself: [`claimed_community`]).
    #[must_use]
    pub fn quota_keys_in(&self, peer: &str, community: Option<&str>) -> Vec<String> {
        let own = crate::admission::device_of(peer).to_string();
        let (Some(device), Ok(state)) = (device_of_peer(peer), self.state.read()) else {
            return vec![own];
        };
        let mut keys: Vec<String> = community
            .and_then(|c| state.rosters.get(c))
            .map(|r| r.fellow_devices(device))
            .unwrap_or_default()
            .into_iter()
            .map(|d| format!("device:{d}"))
            .collect();
        keys.push(own);
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

#[cfg(test)]
impl Access {
    /// Learns, as if from stored documents, a community's roster (device -> member) and the
    /// items it holds (for tests of what a member's devices store together).
    pub(crate) fn know_for_test(&self, community: &str, devices: &[(&str, &str)], items: &[&str]) {
        let mut state = self.state.write().expect("state");
        state.rosters.insert(
            community.into(),
            super::Roster {
                devices: devices
                    .iter()
                    .map(|(d, m)| ((*d).to_string(), (*m).to_string()))
                    .collect(),
                ..super::Roster::default()
            },
        );
        state.docs.insert(community.into(), DocAccess::Community);
        for item in items {
            state.docs.insert(
                (*item).into(),
                DocAccess::Item {
                    community: community.into(),
                    team: None,
                },
            );
        }
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

    /// Ben (keys b1, b2) in community C; Eve lists Ben's b1 under herself (keys e1, b1) in X.
    fn access() -> Access {
        let access = Access::new(false);
        access.know_for_test("C", &[("b1", "ben"), ("b2", "ben")], &["idea-c"]);
        access.know_for_test("X", &[("e1", "eve"), ("b1", "eve")], &["idea-x"]);
        access
            .state
            .write()
            .expect("state")
            .docs
            .insert("F".into(), DocAccess::Foreign);
        access
    }

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| format!("device:{k}")).collect()
    }

    #[test]
    fn a_write_counts_with_the_members_keys_of_the_documents_community_only() {
        let access = access();
        // Into C (its community document or an item): with Ben's other key, never Eve's.
        assert_eq!(
            access.quota_keys("device:b1:s", "idea-c"),
            keys(&["b1", "b2"])
        );
        assert_eq!(access.quota_keys("device:b1:s", "C"), keys(&["b1", "b2"]));
        // A new item naming C, from b2: with Ben's keys.
        assert_eq!(
            access.quota_keys_in("device:b2:s", Some("C")),
            keys(&["b1", "b2"])
        );
        // Into X, where Eve listed b1 under herself: b1 and Eve's keys count together
        // there, and only there.
        assert_eq!(
            access.quota_keys("device:e1:s", "idea-x"),
            keys(&["b1", "e1"])
        );
        assert_eq!(
            access.quota_keys("device:b1:s", "idea-x"),
            keys(&["b1", "e1"])
        );
        // A document of no community, or one the relay does not know: alone.
        assert_eq!(access.quota_keys("device:b1:s", "F"), keys(&["b1"]));
        assert_eq!(access.quota_keys("device:b1:s", "new"), keys(&["b1"]));
    }
}
