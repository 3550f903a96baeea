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
//! The relay asks on every message it receives and before every message it sends, so a
//! roster or team change takes effect at once for open connections. Refusals are counted in
//! `/metrics` by the caller.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use allmende_core::access::team_of;
use allmende_core::governance;
use allmende_core::model::{Community, DocKind, Header, Project, Visibility};
use allmende_core::wire::device_of_peer;
use automerge::{Automerge, ReadDoc, ROOT};

pub use allmende_core::access::{DocAccess, Roster};
pub use quota_group::claimed_community;

mod quota_group;

/// The relay's wall clock, for invite keys' validity.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[derive(Debug, Default)]
struct State {
    docs: HashMap<String, DocAccess>,
    rosters: HashMap<String, Roster>,
    /// Communities as replayed from their logs (to check project teams).
    views: HashMap<String, Community>,
    /// Team-only projects as stored (header, visibility and team only): their teams are
    /// judged again whenever their community's roster changes, so a project that arrived
    /// before its community (or before the roster that makes its lead a member) is not shut
    /// to its own team.
    teams: HashMap<String, Project>,
    /// Each item's header as the relay first learned it: what it is and who made it stay
    /// that, whatever a later header says (a member's modified client turning an idea into a
    /// team-only project with a team of one, or naming itself the creator of a project).
    first: HashMap<String, Header>,
}

/// What is kept to replay community logs incrementally: each community document's history
/// read so far, and the entries whose signatures were checked.
#[derive(Default)]
struct Replay {
    histories: HashMap<String, governance::LogHistory>,
    checked: governance::Checked,
}

/// The relay's access policy.
#[derive(Clone)]
pub struct Access {
    state: Arc<RwLock<State>>,
    replay: Arc<Mutex<Replay>>,
    allow_foreign: bool,
    accept_unproven: bool,
    /// Device keys that may found communities (and bring in items of communities not here);
    /// `None`: anyone may.
    founders: Option<Arc<HashSet<String>>>,
}

impl Access {
    #[must_use]
    pub fn new(allow_foreign: bool) -> Self {
        Access {
            state: Arc::default(),
            replay: Arc::default(),
            allow_foreign,
            accept_unproven: false,
            founders: None,
        }
    }

    /// Only `founders` (device keys) may found communities here, and bring in items of a
    /// community the relay does not hold; none listed: anyone may.
    #[must_use]
    pub fn founded_only_by(mut self, founders: &[String]) -> Self {
        self.founders = (!founders.is_empty())
            .then(|| Arc::new(founders.iter().map(|k| k.to_ascii_lowercase()).collect()));
        self
    }

    /// Whether `device` may read and write documents that are not Allmende's: where the
    /// operator allows them, and only founders where founders are listed (so strangers
    /// cannot fill the disk that way either).
    fn foreign_for(&self, device: &str) -> bool {
        self.allow_foreign && self.may_found(device)
    }

    /// Whether `device` may found a community here.
    fn may_found(&self, device: &str) -> bool {
        self.founders
            .as_ref()
            .is_none_or(|f| f.contains(&device.to_ascii_lowercase()))
    }

    /// Also stores items without a creator's proof (made before ids were derived) first
    /// from a device on the roster of the community they name (`accept_unproven_items`).
    #[must_use]
    pub fn accepting_unproven_items(mut self, accept: bool) -> Self {
        self.accept_unproven = accept;
        self
    }

    /// Re-reads the rules of one document from its stored bytes.
    pub fn refresh(&self, doc_id: &str, bytes: &[u8]) {
        if let Ok(doc) = Automerge::load(bytes) {
            self.refresh_doc(doc_id, &doc);
        }
    }

    /// Re-reads the rules of one document from its current state.
    pub fn refresh_doc(&self, doc_id: &str, doc: &Automerge) {
        let community = self.replay.lock().ok().and_then(|mut r| {
            let Replay { histories, checked } = &mut *r;
            let history = histories.entry(doc_id.to_string()).or_default();
            // Kept for every document (small for items: heads and empty sets), so each
            // refresh decodes only the changes that arrived since the last one.
            let c = governance::replay_document(doc_id, doc, history, checked);
            c.is_founded().then_some(c)
        });
        // What an item is, where it belongs and who made it is its first header's word: the
        // one this relay learned first, or after a restart the one in the document's history
        // with its creator's proof (`first_header`), never one written later.
        let (learned, first) = match (community, self.state.read()) {
            (Some(c), _) => (Learned::Community(Box::new(c)), None),
            (None, Ok(state)) => match classify(doc, &state.views) {
                learned @ (Learned::Item(_) | Learned::TeamProject(..)) => {
                    match state
                        .first
                        .get(doc_id)
                        .cloned()
                        .or_else(|| first_header(doc_id, doc))
                    {
                        Some(h) => (classify_as(h.clone(), doc, &state.views), Some(h)),
                        None => (learned, None),
                    }
                }
                learned => (learned, None),
            },
            (None, Err(_)) => return,
        };
        let Ok(mut state) = self.state.write() else {
            return;
        };
        // What a document is, and which community it belongs to, is fixed once the relay
        // knows it: a later header edit (a modified client moving an item into another
        // community, or deleting its header to make it "foreign") changes nothing here.
        let known = state.docs.get(doc_id);
        let same_kind = match (known, &learned) {
            (None, _)
            | (_, Learned::Nothing)
            | (Some(DocAccess::Community), Learned::Community(_)) => true,
            (
                Some(DocAccess::Item { community: was, .. }),
                Learned::Item(DocAccess::Item { community, .. })
                | Learned::TeamProject(DocAccess::Item { community, .. }, _),
            ) => was == community,
            _ => false,
        };
        if !same_kind {
            tracing::warn!(doc = %doc_id, "a change tried to make the document something else; ignored");
            return;
        }
        if let Some(h) = first {
            state.first.entry(doc_id.to_string()).or_insert(h);
        }
        match learned {
            Learned::Community(c) => {
                let roster = Roster::of(&c);
                state.docs.insert(doc_id.to_string(), DocAccess::Community);
                state.rosters.insert(doc_id.to_string(), roster);
                // The community's team-only projects are judged by the new roster.
                let judged: Vec<(String, HashSet<String>)> = state
                    .teams
                    .iter()
                    .filter(|(_, p)| p.header.community == doc_id)
                    .map(|(id, p)| (id.clone(), team_of(Some(&c), p)))
                    .collect();
                for (id, team) in judged {
                    if let Some(DocAccess::Item { team: t, .. }) = state.docs.get_mut(&id) {
                        *t = Some(team);
                    }
                }
                state.views.insert(doc_id.to_string(), *c);
            }
            Learned::Item(access) => {
                state.teams.remove(doc_id);
                state.docs.insert(doc_id.to_string(), access);
            }
            Learned::TeamProject(access, project) => {
                state.teams.insert(doc_id.to_string(), *project);
                state.docs.insert(doc_id.to_string(), access);
            }
            Learned::Foreign => {
                state.docs.insert(doc_id.to_string(), DocAccess::Foreign);
            }
            Learned::Nothing => {}
        }
    }

    /// Whether `peer` may read and write `doc_id` right now. The relay never announces
    /// documents on its own: peers ask for what they need, by id.
    #[must_use]
    pub fn allows(&self, doc_id: &str, peer: &str) -> bool {
        let Some(device) = device_of_peer(peer) else {
            return false;
        };
        let Ok(state) = self.state.read() else {
            return false;
        };
        match state.docs.get(doc_id) {
            // A document the relay has not seen: a device may push it; until its header tells
            // who may read it, it holds nothing to read.
            None => true,
            Some(access) => {
                access.allows(doc_id, device, now_ms(), self.foreign_for(device), |c| {
                    state.rosters.get(c)
                })
            }
        }
    }
}

impl Access {
    /// What the relay's roster of `community` says of `peer`'s device.
    #[must_use]
    pub fn standing(&self, community: &str, peer: &str) -> allmende_core::wire::Standing {
        use allmende_core::wire::Standing;
        let (Some(device), Ok(state)) = (device_of_peer(peer), self.state.read()) else {
            return Standing::Refused;
        };
        match (state.docs.get(community), state.rosters.get(community)) {
            // Not here yet: the device may bring it, where it may found communities here.
            (None, _) if self.may_found(device) => Standing::Unknown,
            (Some(DocAccess::Community), Some(r)) if r.member_at(device, now_ms()).is_some() => {
                Standing::Member
            }
            _ => Standing::Refused,
        }
    }

    /// Whether `peer` may be the first to write `doc_id`, a document the relay has not stored
    /// yet, judged by what its first changes make it (`doc`):
    ///
    /// - a community only with its signed beginning (a `Genesis` whose device and nonce
    ///   derive `doc_id`): a header that only claims to be one would found an empty roster
    ///   and lock the community's own members out;
    /// - an item only with its creator's proof (a header naming `doc_id`, signed by the
    ///   device whose key and nonce derive it, [`governance::content::creator_proof`]), so
    ///   nobody can take an id before its creator uploads it and fix it to another
    ///   community; an item made before ids were derived (no nonce) only where the operator
    ///   accepts such items, and then only from a device on the roster of the community it
    ///   names, which must be here;
    /// - and in both item cases, of a community the relay knows, only from a device on its
    ///   roster (a team-only project only from its team), so nobody stores content in a
    ///   community they are not (or no longer) part of.
    #[must_use]
    pub fn may_create(&self, doc_id: &str, doc: &Automerge, peer: &str) -> bool {
        let Some(device) = device_of_peer(peer) else {
            return false;
        };
        let Ok(state) = self.state.read() else {
            return false;
        };
        match classify(doc, &state.views) {
            Learned::Nothing => true,
            // Founded by its signed log, and written by a device on the roster it founds (a
            // stranger sending changes in the round of its first upload is not one).
            Learned::Community(_) if !self.may_found(device) => {
                tracing::warn!(doc = %doc_id, %device, "a community founded by a device not among the founders: refused");
                false
            }
            Learned::Community(_) => {
                let founded = governance::replay_document(
                    doc_id,
                    doc,
                    &mut governance::LogHistory::default(),
                    &mut governance::Checked::default(),
                );
                founded.is_founded()
                    && founded.members.values().any(|m| {
                        !m.removed
                            && m.devices.contains_key(device)
                            && !m.expires.contains_key(device)
                    })
            }
            Learned::Foreign => self.foreign_for(device),
            Learned::Item(DocAccess::Item { community, team })
            | Learned::TeamProject(DocAccess::Item { community, team }, _) => {
                let Ok(header) = autosurgeon::hydrate_prop::<_, Header, _, _>(doc, &ROOT, "header")
                else {
                    return false;
                };
                let proven = governance::content::creator_proof(doc_id, &header);
                let legacy = self.accept_unproven && header.nonce.is_empty() && header.id == doc_id;
                if !proven && !legacy {
                    return false;
                }
                // A community not here yet (its upload may follow): the creator's proof is
                // all there is to guard, and only the creator's device writes it first.
                let Some(roster) = state.rosters.get(&community) else {
                    return proven && header.device == device && self.may_found(device);
                };
                let access = DocAccess::Item {
                    community: community.clone(),
                    team,
                };
                access.allows(doc_id, device, now_ms(), false, |c| {
                    (c == community).then_some(roster)
                })
            }
            Learned::Item(_) | Learned::TeamProject(..) => false,
        }
    }

    /// Whether `peer` may read `doc_id` and the relay knows it as a community or an item (the
    /// change feed lists only such documents: one not known yet holds nothing to read, and
    /// foreign documents are never announced).
    #[must_use]
    pub fn may_read(&self, doc_id: &str, peer: &str) -> bool {
        let listed = self.state.read().is_ok_and(|s| {
            matches!(
                s.docs.get(doc_id),
                Some(DocAccess::Community | DocAccess::Item { .. })
            )
        });
        listed && self.allows(doc_id, peer)
    }
}

enum Learned {
    Community(Box<Community>),
    Item(DocAccess),
    TeamProject(DocAccess, Box<Project>),
    Foreign,
    Nothing,
}

fn classify(doc: &Automerge, communities: &HashMap<String, Community>) -> Learned {
    if doc.get_heads().is_empty() {
        return Learned::Nothing;
    }
    if doc.get(&ROOT, "header").ok().flatten().is_none() {
        return Learned::Foreign;
    }
    let Ok(header) = autosurgeon::hydrate_prop::<_, Header, _, _>(doc, &ROOT, "header") else {
        return Learned::Foreign;
    };
    classify_as(header, doc, communities)
}

/// How far into a document's history [`first_header`] looks for its creator's header.
const HISTORY_SCAN: usize = 64;

/// The header an item was made with: the current one when it carries its creator's proof
/// ([`governance::content::creator_proof`]); else the first in the document's history that
/// does (a header rewritten later by a member's modified client); else, for an item made
/// before ids were derived, the first readable one. `None` when no change so far holds one.
fn first_header(doc_id: &str, doc: &Automerge) -> Option<Header> {
    let read =
        |d: &Automerge| autosurgeon::hydrate_prop::<_, Header, _, _>(d, &ROOT, "header").ok();
    let now = read(doc);
    if now
        .as_ref()
        .is_some_and(|h| governance::content::creator_proof(doc_id, h))
    {
        return now;
    }
    let mut first_readable: Option<Header> = None;
    let hashes: Vec<automerge::ChangeHash> = doc
        .get_changes_meta(&[])
        .into_iter()
        .take(HISTORY_SCAN)
        .map(|c| c.hash)
        .collect();
    for hash in hashes {
        let Some(h) = doc.fork_at(&[hash]).ok().as_ref().and_then(read) else {
            continue;
        };
        if governance::content::creator_proof(doc_id, &h) {
            return Some(h);
        }
        // An item from before ids were derived has no proof anywhere: its first header is
        // the best word there is.
        let legacy = h.nonce.is_empty();
        let first = first_readable.get_or_insert(h);
        if legacy && first.nonce.is_empty() {
            break;
        }
    }
    first_readable.or(now)
}

/// What a document with `header` is: a community (only a claim; the caller replays the log
/// first), a team-only project (its team judged with this header's creator), or an item of
/// the header's community.
fn classify_as(
    header: Header,
    doc: &Automerge,
    communities: &HashMap<String, Community>,
) -> Learned {
    match header.kind {
        // A community is what its signed log founds (the caller replays that first, from
        // the history); a header that only claims to be one founds nobody's access.
        DocKind::Community => Learned::Community(Box::new(Community::empty(header))),
        DocKind::Project => {
            // Team-only or not as readers judge it: a visibility any member's client wrote
            // over the leads' neither opens a project nor closes it.
            let community = communities.get(&header.community);
            // A project that does not read (a value of the wrong type, until an honest
            // device repairs it) keeps what the relay knew of it, never turning public.
            let Ok(raw) = autosurgeon::hydrate::<_, Project>(doc) else {
                return Learned::Nothing;
            };
            let Some(project) = Some(raw)
                .map(|p| {
                    let mut p = Project {
                        header: header.clone(),
                        ..p
                    };
                    allmende_core::access::judge_project(community, &header.id, doc, &mut p);
                    p
                })
                .filter(|p| p.visibility == Visibility::Team)
            else {
                return Learned::Item(DocAccess::Item {
                    community: header.community,
                    team: None,
                });
            };
            let project = Project {
                header: header.clone(),
                ..trimmed(project)
            };
            let team = team_of(communities.get(&header.community), &project);
            Learned::TeamProject(
                DocAccess::Item {
                    community: header.community,
                    team: Some(team),
                },
                Box::new(project),
            )
        }
        _ => Learned::Item(DocAccess::Item {
            community: header.community,
            team: None,
        }),
    }
}

/// What the relay keeps of a team-only project: what its team is judged by.
fn trimmed(p: Project) -> Project {
    Project {
        header: p.header,
        visibility: p.visibility,
        team: p.team,
        title: String::new(),
        summary: String::new(),
        category: String::new(),
        from_idea: String::new(),
        steps: Default::default(),
        tasks: Default::default(),
        notes: Default::default(),
        milestones: Default::default(),
        needs: Default::default(),
        comments: Default::default(),
        reports: Default::default(),
        ..p
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use allmende_core::model::Header;
    use automerge::transaction::Transactable;
    use automerge::AutoCommit;

    fn with_header(kind: DocKind, community: &str) -> Automerge {
        let mut doc = AutoCommit::new();
        let header = Header {
            schema: 1,
            kind,
            id: "X1".into(),
            community: community.into(),
            created_at: 1,
            created_by: "m1".into(),
            device: String::new(),
            nonce: String::new(),
            sig: String::new(),
        };
        autosurgeon::reconcile_prop(&mut doc, ROOT, "header", &header).expect("header");
        doc.document().clone()
    }

    #[test]
    fn an_item_stays_in_its_community_and_never_turns_foreign() {
        let access = Access::new(true);
        access.refresh_doc("X1", &with_header(DocKind::Idea, "C1"));
        let of = |a: &Access| a.state.read().expect("state").docs.get("X1").cloned();
        let first = of(&access);
        assert!(matches!(&first, Some(DocAccess::Item { community, .. }) if community == "C1"));
        // A modified client edits the header: the item stays C1's.
        access.refresh_doc("X1", &with_header(DocKind::Idea, "C2"));
        assert_eq!(of(&access), first);
        // It deletes the header: the item does not become foreign (readable by anyone).
        let mut bare = AutoCommit::new();
        bare.put(ROOT, "title", "x").expect("put");
        access.refresh_doc("X1", bare.document());
        assert_eq!(of(&access), first);
        // Foreign documents are never listed in the feed.
        let mut foreign = AutoCommit::new();
        foreign.put(ROOT, "note", "x").expect("put");
        access.refresh_doc("F1", foreign.document());
        assert!(access.allows("F1", "device:ab:s1"));
        assert!(!access.may_read("F1", "device:ab:s1"));
    }

    /// From an adversarial review: a member's modified client rewrote an idea's header into
    /// a team-only project with a team of one (its own header, signed by itself), which shut
    /// the idea to everyone else, its creator included. What an item is stays what the relay
    /// first learned.
    #[test]
    fn an_item_never_turns_into_a_team_only_project_by_a_later_header() {
        let access = Access::new(false);
        access.refresh_doc("X1", &with_header(DocKind::Idea, "C1"));
        let of = |a: &Access| a.state.read().expect("state").docs.get("X1").cloned();
        let first = of(&access);
        let project: Project = serde_json::from_value(serde_json::json!({
            "header": {"schema": 1, "kind": "project", "id": "X1", "community": "C1",
                       "created_at": 2, "created_by": "mallory"},
            "title": "", "summary": "", "category": "", "from_idea": "",
            "stage": "concept", "visibility": "team", "team": {}, "steps": {}, "tasks": {},
            "notes": "", "milestones": {}, "needs": {}, "progress": null, "comments": {},
            "reports": {}, "updated_at": 2
        }))
        .expect("project");
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &project).expect("project");
        access.refresh_doc("X1", doc.document());
        assert_eq!(of(&access), first, "still an idea open to the community");
        assert!(matches!(first, Some(DocAccess::Item { team: None, .. })));
    }

    pub(crate) struct Key(pub(crate) ed25519_dalek::SigningKey);

    impl governance::Signer for Key {
        fn public_hex(&self) -> String {
            hex::encode(self.0.verifying_key().to_bytes())
        }
        fn sign(&self, message: &[u8]) -> [u8; 64] {
            use ed25519_dalek::Signer as _;
            self.0.sign(message).to_bytes()
        }
    }

    /// An idea of community C1 made by `key`, its id derived and its header signed.
    pub(crate) fn proven_idea(key: &Key) -> (String, AutoCommit) {
        use allmende_core::apply::Item;
        use allmende_core::model::{Idea, IdeaStatus};
        let device = governance::Signer::public_hex(key);
        let id = allmende_core::DocId::derive(&device, "n1").to_string();
        let mut item = Item::Idea(Idea {
            header: Header {
                schema: 1,
                kind: DocKind::Idea,
                id: id.clone(),
                community: "C1".into(),
                created_at: 1,
                created_by: "m1".into(),
                device,
                nonce: "n1".into(),
                sig: String::new(),
            },
            title: "Trinkbrunnen".into(),
            text: String::new(),
            category: "health".into(),
            author: "m1".into(),
            status: IdeaStatus::New,
            supporters: Default::default(),
            support_proofs: Default::default(),
            comments: Default::default(),
            reports: Default::default(),
            project: String::new(),
            updated_at: 1,
        });
        governance::sign_item(&mut item, None, key);
        let mut doc = AutoCommit::new();
        if let Item::Idea(idea) = &item {
            autosurgeon::reconcile(&mut doc, idea).expect("idea");
        }
        doc.commit();
        (id, doc)
    }

    /// On a relay that lists its founders, an item of a community not here is brought in
    /// by a founder only (a stranger would fill the disk with items of made-up communities).
    #[test]
    fn items_of_a_community_not_here_come_only_from_founders_where_they_are_listed() {
        let key = Key(ed25519_dalek::SigningKey::from_bytes(&[5; 32]));
        let (id, mut doc) = proven_idea(&key);
        let doc = doc.document().clone();
        let hex = governance::Signer::public_hex(&key);
        let peer = format!("device:{hex}:s1");
        assert!(Access::new(false).may_create(&id, &doc, &peer));
        let others = Access::new(false).founded_only_by(&["ab".repeat(32)]);
        assert!(!others.may_create(&id, &doc, &peer));
        let listed = Access::new(false).founded_only_by(&[hex.to_uppercase()]);
        assert!(listed.may_create(&id, &doc, &peer));
        // Nor do documents that are not Allmende's get in by another door.
        let mut foreign = AutoCommit::new();
        foreign.put(ROOT, "note", "x").expect("put");
        let foreign = foreign.document().clone();
        let open = Access::new(true).founded_only_by(&["ab".repeat(32)]);
        assert!(!open.may_create("F1", &foreign, &peer));
        assert!(Access::new(true).may_create("F1", &foreign, &peer));
        open.refresh_doc("F1", &foreign);
        assert!(!open.allows("F1", &peer));
    }

    /// From an adversarial review: a header rewritten while the relay ran was ignored, but
    /// after a restart the relay learned the item again from its current state, so the
    /// rewrite (here: the idea moved into another community) counted from then on.
    #[test]
    fn after_a_restart_an_item_is_what_its_proven_header_says() {
        let (id, mut doc) = proven_idea(&Key(ed25519_dalek::SigningKey::from_bytes(&[3; 32])));
        let running = Access::new(false);
        running.refresh_doc(&id, doc.document());
        let community_of = |a: &Access| match a.state.read().expect("state").docs.get(&id) {
            Some(DocAccess::Item { community, .. }) => community.clone(),
            other => panic!("not an item: {other:?}"),
        };
        assert_eq!(community_of(&running), "C1");
        // A member's modified client moves it into its own community.
        let (_, header) = doc.get(ROOT, "header").expect("read").expect("header");
        doc.put(&header, "community", "C2").expect("put");
        doc.commit();
        running.refresh_doc(&id, doc.document());
        assert_eq!(community_of(&running), "C1", "ignored while running");
        // The relay restarts: it learns everything again from what is stored.
        let restarted = Access::new(false);
        restarted.refresh(&id, &doc.save());
        assert_eq!(community_of(&restarted), "C1", "and after a restart too");
    }

    /// From the second review of issue 12's plan authorship: a team-only project that stops
    /// reading (a member's client writes a value of the wrong type into it, until an honest
    /// device repairs it) turned public on the relay. It keeps what the relay knew of it.
    #[test]
    fn a_team_only_project_that_stops_reading_stays_closed() {
        let project: Project = serde_json::from_value(serde_json::json!({
            "header": {"schema": 1, "kind": "project", "id": "P1", "community": "C1",
                       "created_at": 2, "created_by": "m1"},
            "title": "Geheimplan", "summary": "", "category": "", "from_idea": "",
            "stage": "concept", "visibility": "team",
            "team": {"m1": {"role": "lead", "joined_at": 2}},
            "steps": {}, "tasks": {}, "notes": "", "milestones": {}, "needs": {},
            "progress": null, "comments": {}, "reports": {}, "updated_at": 2
        }))
        .expect("project");
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &project).expect("project");
        let access = Access::new(false);
        access.refresh_doc("P1", doc.document());
        let team = |a: &Access| match a.state.read().expect("state").docs.get("P1") {
            Some(DocAccess::Item { team, .. }) => team.clone(),
            other => panic!("not an item: {other:?}"),
        };
        assert!(team(&access).is_some(), "team-only");
        doc.put(ROOT, "team", "kaputt").expect("put");
        doc.commit();
        assert!(autosurgeon::hydrate::<_, Project>(doc.document()).is_err());
        access.refresh_doc("P1", doc.document());
        assert!(
            team(&access).is_some(),
            "an unreadable project turned public"
        );
    }
}
