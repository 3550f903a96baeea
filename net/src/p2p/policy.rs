//! Which peer may have which document: the relay's rules, applied by both sides of a P2P
//! connection. Learned from the local store (replayed rosters, document headers, checked
//! teams) and refreshed while a listener runs.

use std::collections::{HashMap, HashSet};

use allmende_core::access::{DocAccess, Roster};
use std::sync::Arc;

use allmende_core::apply::Item;
use allmende_core::model::Visibility;
use allmende_core::wire::device_of_peer;
use futures::Stream;
use samod::{DocumentId, PeerId, ShareConfig, SharePolicy};

use allmende_service::docs;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

/// What the policy knows; what it allows is [`allmende_core::access`]'s rule, the relay's.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Community -> its roster (devices of active members, invite keys' validity). Per
    /// community: a key one community lets in for good says nothing of another's.
    rosters: HashMap<String, Roster>,
    /// Document -> what it is: a community, or an item of one (a team-only project with
    /// its checked team).
    docs: HashMap<String, DocAccess>,
    /// Devices this listener shut out for the rest of its run (their messages broke its
    /// repository): whatever the rosters say, they get nothing.
    shut: HashSet<String>,
}

impl Rules {
    /// Reads the rules from every community and document in the store. A document that
    /// cannot be read is shared with nobody (and logged): one damaged document must not end
    /// the listener, nor open what it guards.
    ///
    /// # Errors
    /// Storage errors.
    pub fn learn(svc: &mut Service) -> Result<Rules> {
        let mut rules = Rules::default();
        for meta in svc.store().docs(None)? {
            if meta.kind == "community" {
                let c = match svc.community_view(&meta.id) {
                    Ok(c) => c,
                    Err(e) if !matches!(e, PeerError::Storage(_)) => {
                        tracing::warn!(doc = %meta.id, error = %e, "community unreadable: shared with nobody");
                        // A community without a roster here lets nobody in.
                        rules.docs.insert(meta.id.clone(), DocAccess::Community);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                rules.rosters.insert(meta.id.clone(), Roster::of(&c));
                rules.docs.insert(meta.id.clone(), DocAccess::Community);
            } else {
                let team = if meta.kind == "project" {
                    match team_of(svc, &meta) {
                        Ok(team) => team,
                        Err(e) if !matches!(e, PeerError::Storage(_)) => {
                            tracing::warn!(doc = %meta.id, error = %e, "project unreadable: shared with nobody");
                            Some(HashSet::new())
                        }
                        Err(e) => return Err(e),
                    }
                } else {
                    None
                };
                rules.docs.insert(
                    meta.id.clone(),
                    DocAccess::Item {
                        community: meta.community,
                        team,
                    },
                );
            }
        }
        Ok(rules)
    }

    /// Whether `device` may read and write document `doc`.
    #[must_use]
    pub fn allows(&self, doc: &str, device: &str) -> bool {
        if self.shut.contains(device) {
            return false;
        }
        match self.docs.get(doc) {
            // A document this device does not know: a member of a community here may push it
            // (it reveals nothing); a device of none (a removed member on a live link) not.
            None => self.knows(device),
            Some(access) => access.allows(doc, device, now(), false, |c| self.rosters.get(c)),
        }
    }

    /// Whether `device` is a member of any community here (worth syncing with at all).
    #[must_use]
    pub fn knows(&self, device: &str) -> bool {
        if self.shut.contains(device) {
            return false;
        }
        let now = now();
        self.rosters
            .values()
            .any(|r| r.member_at(device, now).is_some())
    }

    /// These rules, with `devices` shut out whatever the rosters say.
    #[must_use]
    pub fn shutting(mut self, devices: &HashSet<String>) -> Rules {
        self.shut.extend(devices.iter().cloned());
        self
    }

    /// Whether `newer` takes anything away that these rules give: a device off a community
    /// (or onto another member), a document onto a smaller team or another community, an
    /// invite key's validity shortened. New documents and devices take nothing away.
    #[must_use]
    pub fn takes_away(&self, newer: &Rules) -> bool {
        let members = self.rosters.iter().any(|(community, roster)| {
            let now = newer.rosters.get(community);
            roster
                .devices
                .iter()
                .any(|(device, member)| now.and_then(|n| n.devices.get(device)) != Some(member))
        });
        let docs = self.docs.iter().any(|(doc, access)| {
            newer
                .docs
                .get(doc)
                .is_some_and(|now| access.narrowed_by(now))
        });
        let expires = newer.rosters.iter().any(|(community, roster)| {
            roster.expires.iter().any(|(device, until)| {
                self.rosters
                    .get(community)
                    .and_then(|r| r.expires.get(device))
                    .is_none_or(|old| until < old)
            })
        });
        let shut = newer.shut.iter().any(|d| !self.shut.contains(d));
        members || docs || expires || shut
    }

    /// The next end of an invite key's validity after `now`: when the rules say something
    /// else without any document changing.
    #[must_use]
    pub fn next_expiry(&self, now: i64) -> Option<i64> {
        self.rosters
            .values()
            .flat_map(|r| r.expires.values())
            .copied()
            .filter(|until| *until >= now)
            .min()
    }
}

/// This device's clock, for invite keys' validity.
fn now() -> i64 {
    use allmende_service::clock::Clock as _;
    allmende_service::clock::SystemClock.now()
}

/// The team of a team-only project (checked against the roster), `None` for a public one.
fn team_of(svc: &mut Service, meta: &allmende_store::StoredDoc) -> Result<Option<HashSet<String>>> {
    let bytes = svc.doc_bytes(&meta.id)?;
    let mut doc = docs::load(&bytes, &svc.device().actor())?;
    let Item::Project(mut p) = docs::item_at(&doc, &meta.id, &meta.community)? else {
        return Ok(None);
    };
    // Team-only or not as readers judge it (the leads' visibility, the signed team).
    let c = svc.community_view(&meta.community)?;
    allmende_core::access::judge_project(Some(&c), &meta.id, doc.document(), &mut p);
    Ok(
        (p.visibility == Visibility::Team)
            .then(|| allmende_core::access::judged_team(Some(&c), &p)),
    )
}

/// The rules as a samod share policy; the listener replaces them as the store changes, and
/// every live link hears of it: a document stops going to (and coming from) a device the
/// moment the new rules leave it out (a member removed, a device taken off, a project made
/// team-only), without waiting for the link to end.
#[derive(Clone)]
pub struct PeerPolicy {
    rules: tokio::sync::watch::Sender<Arc<Rules>>,
}

impl Default for PeerPolicy {
    fn default() -> Self {
        PeerPolicy::new(Rules::default())
    }
}

impl PeerPolicy {
    #[must_use]
    pub fn new(rules: Rules) -> Self {
        PeerPolicy {
            rules: tokio::sync::watch::Sender::new(Arc::new(rules)),
        }
    }

    /// Whether `device` may have document `doc`.
    #[must_use]
    pub fn allows(&self, doc: &str, device: &str) -> bool {
        self.rules.borrow().allows(doc, device)
    }

    /// Whether `device` is a member of any community here.
    #[must_use]
    pub fn knows(&self, device: &str) -> bool {
        self.rules.borrow().knows(device)
    }

    /// Replaces the rules: for documents and connections from now on, and for every live
    /// link's documents at once.
    pub fn update(&self, rules: Rules) {
        self.rules.send_if_modified(|old| {
            if **old == rules {
                return false;
            }
            *old = Arc::new(rules);
            true
        });
    }

    /// Tells every live link to decide again (an invite key's day passed: the rules are the
    /// same, what they say is not).
    pub fn recheck(&self) {
        self.rules.send_modify(|_| {});
    }

    /// The rules now.
    #[must_use]
    pub fn current(&self) -> Arc<Rules> {
        self.rules.borrow().clone()
    }

    /// A receiver that hears of every later change of the rules.
    #[must_use]
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Arc<Rules>> {
        self.rules.subscribe()
    }

    fn decide(rules: &Rules, doc: &str, peer: &str) -> ShareConfig {
        let allowed = device_of_peer(peer).is_some_and(|device| rules.allows(doc, device));
        tracing::debug!(%doc, %peer, allowed, "share decision");
        // A document not in the store yet is shared like the rest: samod asks a peer for a
        // document only when it may announce it there, and this device must ask for what
        // the catalogues name. (Whose it is is learned once it is stored; until then it may
        // reach a member's device outside its team: open, see SECURITY.md.)
        if allowed {
            ShareConfig::read_write()
        } else {
            tracing::info!(%doc, %peer, "not shared with this peer");
            ShareConfig::none()
        }
    }
}

impl SharePolicy for PeerPolicy {
    /// The decision for `doc_id` and `peer_id` now, then again after every change of the
    /// rules (samod ignores a decision equal to the last).
    fn share(
        &self,
        doc_id: DocumentId,
        peer_id: PeerId,
    ) -> impl Stream<Item = ShareConfig> + Send + 'static {
        let mut rx = self.rules.subscribe();
        rx.mark_changed();
        let (doc, peer) = (doc_id.to_string(), peer_id.to_string());
        // Only a decision that differs from the last is passed on (and logged).
        futures::stream::unfold((rx, None), move |(mut rx, last)| {
            let (doc, peer) = (doc.clone(), peer.clone());
            async move {
                loop {
                    rx.changed().await.ok()?;
                    let decision = PeerPolicy::decide(&rx.borrow_and_update(), &doc, &peer);
                    if last.as_ref() != Some(&decision) {
                        return Some((decision, (rx, Some(decision))));
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_get_their_communities_teams_their_projects_strangers_nothing() {
        let item = |team: Option<&[&str]>| DocAccess::Item {
            community: "c".into(),
            team: team.map(|t| t.iter().map(|m| (*m).to_string()).collect()),
        };
        let mut r = Rules::default();
        let mut roster = Roster::default();
        roster.devices.insert("aa".to_string(), "anna".to_string());
        roster.devices.insert("bb".to_string(), "ben".to_string());
        r.rosters.insert("c".into(), roster);
        r.docs.insert("c".into(), DocAccess::Community);
        r.docs.insert("idea".into(), item(None));
        r.docs.insert("secret".into(), item(Some(&["anna"])));
        assert!(r.allows("idea", "AA"));
        assert!(r.allows("c", "bb"));
        assert!(r.allows("secret", "aa"));
        assert!(!r.allows("secret", "bb"), "team-only: the team only");
        assert!(!r.allows("idea", "cc"), "strangers get nothing");
        assert!(
            r.allows("unknown", "bb"),
            "a member may push a new document"
        );
        assert!(!r.allows("unknown", "cc"), "a stranger may not");
        assert!(r.knows("bb") && !r.knows("cc"));
        // What takes access away, and what does not.
        let mut more = r.clone();
        more.docs.insert("new".into(), item(None));
        assert!(!r.takes_away(&more), "a new document takes nothing away");
        let mut fewer = r.clone();
        fewer.rosters.get_mut("c").expect("c").devices.remove("bb");
        assert!(r.takes_away(&fewer), "a device off the roster");
        let mut team = r.clone();
        team.docs.insert("secret".into(), item(Some(&[])));
        assert!(r.takes_away(&team), "a smaller team");
        let mut closed = r.clone();
        closed.docs.insert("idea".into(), item(Some(&[])));
        assert!(r.takes_away(&closed), "a project made team-only");
        let mut invite = r.clone();
        invite
            .rosters
            .get_mut("c")
            .expect("c")
            .expires
            .insert("aa".into(), 5);
        assert!(!invite.allows("idea", "aa"), "an invite key past its day");
        assert!(!invite.knows("aa"));
        assert!(r.takes_away(&invite), "an invite key with an end");
    }

    #[test]
    fn a_damaged_project_is_shared_with_nobody_and_the_rest_still_learned() {
        use allmende_core::model::CommunityKind;
        use allmende_core::Command;
        let dir = tempfile::tempdir().expect("tmp");
        let (community, project, device) = {
            let mut svc = Service::open(dir.path()).expect("open");
            let community = svc
                .execute(Command::CreateCommunity {
                    name: "Eichdorf".into(),
                    kind: CommunityKind::Village,
                    description: String::new(),
                    admin_name: "Anna".into(),
                })
                .expect("community")
                .id;
            let project = svc
                .execute(Command::CreateProject {
                    community: community.clone(),
                    title: "Geheim".into(),
                    summary: String::new(),
                    category: Some("energy".into()),
                    from_idea: None,
                    visibility: Some(Visibility::Team),
                    stage: None,
                })
                .expect("project")
                .id;
            let device = svc.device().public_hex();
            let id = project.clone();
            allmende_store::Store::open(&svc.data_dir())
                .expect("store")
                .write(|tx| {
                    tx.execute("UPDATE chunks SET data = x'00010203' WHERE doc = ?1", [&id])?;
                    Ok(())
                })
                .expect("damage");
            (community, project, device)
        };
        let mut svc = Service::open(dir.path()).expect("open again");
        let rules = Rules::learn(&mut svc).expect("one damaged document does not stop learning");
        assert!(
            !rules.allows(&project, &device),
            "the damaged project is shared with nobody"
        );
        assert!(rules.allows(&community, &device), "the community still is");
    }

    /// From a review: a member's client writes "public" over a team-only project's
    /// visibility. Readers keep it team-only (only its leads set that), and so must the
    /// rules that decide who gets it over the LAN.
    #[test]
    fn a_visibility_written_by_someone_not_a_lead_opens_no_project() {
        use allmende_core::model::{CommunityKind, Role};
        use allmende_core::Command;
        use automerge::transaction::Transactable;
        let dir = tempfile::tempdir().expect("tmp");
        let mut svc = Service::open(dir.path()).expect("open");
        let community = svc
            .execute(Command::CreateCommunity {
                name: "Eichdorf".into(),
                kind: CommunityKind::Village,
                description: String::new(),
                admin_name: "Anna".into(),
            })
            .expect("community")
            .id;
        let ben = svc
            .execute(Command::AddMember {
                community: community.clone(),
                display_name: "Ben".into(),
                role: Role::Member,
            })
            .expect("Ben")
            .id;
        let key = allmende_service::device::DeviceKey::generate();
        svc.execute(Command::AddDevice {
            community: community.clone(),
            member: ben,
            device: key.public_hex(),
            until: None,
        })
        .expect("Ben's device");
        let project = svc
            .execute(Command::CreateProject {
                community: community.clone(),
                title: "Geheim".into(),
                summary: String::new(),
                category: Some("energy".into()),
                from_idea: None,
                visibility: Some(Visibility::Team),
                stage: None,
            })
            .expect("project")
            .id;
        let bytes = svc.doc_bytes(&project).expect("bytes");
        let mut doc = automerge::AutoCommit::load(&bytes).expect("load");
        doc.set_actor(key.actor());
        doc.put(automerge::ROOT, "visibility", "public")
            .expect("visibility");
        let hash = doc.commit().expect("a change");
        doc.empty_change(
            automerge::transaction::CommitOptions::default().with_message(
                allmende_core::governance::body::signature_message(&key, &project, &hash),
            ),
        );
        svc.receive_each(&[(project.clone(), doc.save())])
            .expect("receive");
        let rules = Rules::learn(&mut svc).expect("learn");
        assert!(
            rules.allows(&community, &key.public_hex()),
            "Ben is a member"
        );
        assert!(
            !rules.allows(&project, &key.public_hex()),
            "the project stays team-only"
        );
    }
}
