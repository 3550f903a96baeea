//! Who may read and write which document, decided per document and device.
//!
//! The relay learns the rules from the documents it stores: a community document's roster
//! names each member's device keys (and whether they were removed); an item document's header
//! names its community; a team-only project names its team. The decision for a device:
//!
//! | document | member's device | team member (team-only project) | anyone else |
//! |---|---|---|---|
//! | community, profile, public item | read and write | read and write | refused |
//! | team-only project | refused | read and write | refused |
//! | not yet known to the relay | read and write (it may be a new document being pushed) | | |
//! | not an Allmende document | read and write only with `allow_foreign_documents` | | |
//!
//! Decisions are streams: when a roster or team changes, every open connection's access to
//! the affected documents is updated. Refusals are counted in `/metrics`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use allmende_core::governance;
use allmende_core::model::{Community, CommunityDoc, DocKind, Header, Project, Visibility};
use allmende_core::wire::device_of_peer;
use automerge::{Automerge, ReadDoc, ROOT};
use futures::Stream;
use samod::{DocumentId, PeerId, ShareConfig, SharePolicy};
use tokio::sync::watch;

use crate::metrics::Metrics;

/// What the relay knows about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocAccess {
    /// Not an Allmende document.
    Foreign,
    /// A community document.
    Community,
    /// An item of a community; `team` is set for team-only projects.
    Item {
        community: String,
        team: Option<HashSet<String>>,
    },
}

/// A community's roster, by device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// Device key (hex) -> member id, for members not removed.
    pub devices: HashMap<String, String>,
}

#[derive(Debug, Default)]
struct State {
    docs: HashMap<String, DocAccess>,
    rosters: HashMap<String, Roster>,
    /// Communities as replayed from their logs (to check project teams).
    views: HashMap<String, Community>,
}

/// The relay's access policy (a samod [`SharePolicy`]).
#[derive(Clone)]
pub struct Access {
    state: Arc<RwLock<State>>,
    version: Arc<watch::Sender<u64>>,
    allow_foreign: bool,
    metrics: Arc<Metrics>,
}

impl Access {
    #[must_use]
    pub fn new(allow_foreign: bool, metrics: Arc<Metrics>) -> Self {
        Access {
            state: Arc::default(),
            version: Arc::new(watch::channel(0).0),
            allow_foreign,
            metrics,
        }
    }

    /// Re-reads the rules of one document from its stored bytes.
    pub fn refresh(&self, doc_id: &str, bytes: &[u8]) {
        let learned = match self.state.read() {
            Ok(state) => classify(bytes, &state.views),
            Err(_) => return,
        };
        let Ok(mut state) = self.state.write() else {
            return;
        };
        // Only a real change of the rules wakes the open policy streams.
        let changed = match learned {
            Learned::Community(c) => {
                let mut roster = Roster::default();
                for m in c.members.values().filter(|m| !m.removed) {
                    for device in m.devices.keys() {
                        roster.devices.insert(device.to_lowercase(), m.id.clone());
                    }
                }
                let doc_changed = state.docs.insert(doc_id.to_string(), DocAccess::Community)
                    != Some(DocAccess::Community);
                let roster_changed = state.rosters.get(doc_id) != Some(&roster);
                state.rosters.insert(doc_id.to_string(), roster);
                state.views.insert(doc_id.to_string(), *c);
                doc_changed || roster_changed
            }
            Learned::Item(access) => {
                state.docs.insert(doc_id.to_string(), access.clone()) != Some(access)
            }
            Learned::Foreign => {
                state.docs.insert(doc_id.to_string(), DocAccess::Foreign)
                    != Some(DocAccess::Foreign)
            }
            Learned::Nothing => false,
        };
        if !changed {
            return;
        }
        drop(state);
        self.version.send_modify(|v| *v += 1);
    }

    /// The decision for one device and document right now. The relay never announces
    /// documents on its own (peers ask for what they need, by id): announcing every document
    /// to every new connection costs the relay work for each document and connection.
    #[must_use]
    pub fn decide(&self, doc_id: &str, peer: &str) -> ShareConfig {
        let decision = self.decide_access(doc_id, peer);
        decision.with_announce(false)
    }

    fn decide_access(&self, doc_id: &str, peer: &str) -> ShareConfig {
        let Some(device) = device_of_peer(peer) else {
            return ShareConfig::none();
        };
        let Ok(state) = self.state.read() else {
            return ShareConfig::none();
        };
        let member_of = |community: &str| {
            state
                .rosters
                .get(community)
                .and_then(|r| r.devices.get(device))
                .cloned()
        };
        match state.docs.get(doc_id) {
            // A document the relay has not seen: a device may push it, but it is not announced
            // to anyone until its header tells who may read it.
            None => ShareConfig::read_write().with_announce(false),
            Some(DocAccess::Foreign) => {
                if self.allow_foreign {
                    ShareConfig::read_write()
                } else {
                    ShareConfig::none()
                }
            }
            Some(DocAccess::Community) => match member_of(doc_id) {
                Some(_) => ShareConfig::read_write(),
                None => ShareConfig::none(),
            },
            Some(DocAccess::Item { community, team }) => match (member_of(community), team) {
                (Some(_), None) => ShareConfig::read_write(),
                (Some(member), Some(team)) if team.contains(&member) => ShareConfig::read_write(),
                _ => ShareConfig::none(),
            },
        }
    }
}

enum Learned {
    Community(Box<Community>),
    Item(DocAccess),
    Foreign,
    Nothing,
}

fn classify(bytes: &[u8], communities: &HashMap<String, Community>) -> Learned {
    let Ok(doc) = Automerge::load(bytes) else {
        return Learned::Nothing;
    };
    if doc.get(&ROOT, "header").ok().flatten().is_none() {
        return Learned::Foreign;
    }
    let Ok(header) = autosurgeon::hydrate_prop::<_, Header, _, _>(&doc, &ROOT, "header") else {
        return Learned::Foreign;
    };
    match header.kind {
        // The roster is the replay of the signed log: entries nobody was allowed to write
        // do not give access (see allmende_core::governance).
        DocKind::Community => match autosurgeon::hydrate::<_, CommunityDoc>(&doc) {
            Ok(c) => Learned::Community(Box::new(governance::resolve(
                &c.header,
                &c.log,
                &mut governance::Checked::new(),
            ))),
            Err(_) => Learned::Foreign,
        },
        DocKind::Project => {
            let community = communities
                .get(&header.community)
                .cloned()
                .unwrap_or_else(|| Community::empty(header.clone()));
            let team = autosurgeon::hydrate::<_, Project>(&doc)
                .ok()
                .filter(|p| p.visibility == Visibility::Team)
                .map(|p| {
                    let (checked, _) =
                        governance::check_item(&community, &allmende_core::apply::Item::Project(p));
                    match checked {
                        allmende_core::apply::Item::Project(p) => p.team.keys().cloned().collect(),
                        _ => HashSet::new(),
                    }
                });
            Learned::Item(DocAccess::Item {
                community: header.community,
                team,
            })
        }
        _ => Learned::Item(DocAccess::Item {
            community: header.community,
            team: None,
        }),
    }
}

impl SharePolicy for Access {
    fn share(
        &self,
        doc_id: DocumentId,
        peer_id: PeerId,
    ) -> impl Stream<Item = ShareConfig> + Send + 'static {
        let this = self.clone();
        let doc = doc_id.to_string();
        let peer = peer_id.as_str().to_string();
        let rx = self.version.subscribe();
        futures::stream::unfold((rx, None::<ShareConfig>), move |(mut rx, last)| {
            let this = this.clone();
            let doc = doc.clone();
            let peer = peer.clone();
            async move {
                loop {
                    if last.is_some() && rx.changed().await.is_err() {
                        return None;
                    }
                    let now = this.decide(&doc, &peer);
                    if Some(now) != last {
                        if now.access == samod::ShareAccess::None {
                            Metrics::add(&this.metrics.rejected_requests, 1);
                            tracing::info!(%doc, %peer, "share refused");
                        }
                        return Some((now, (rx, Some(now))));
                    }
                    if last.is_none() {
                        return Some((now, (rx, Some(now))));
                    }
                }
            }
        })
    }
}
