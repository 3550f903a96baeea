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
    teams: HashMap<String, KeptTeam>,
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
                    .filter(|(_, kept)| kept.project.header.community == doc_id)
                    .map(|(id, kept)| (id.clone(), kept.team_by(&c)))
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

/// A team-only project as the relay keeps it.
#[derive(Debug)]
struct KeptTeam {
    /// Header, visibility and team only.
    project: Project,
    /// Whether the team was judged with the document's history (its community was known):
    /// then an entry that held by the history holds when the roster changes (a lead who
    /// added a member has left the team since), as devices judge it.
    with_history: bool,
}

impl KeptTeam {
    /// The team as `c`'s roster accepts it now.
    fn team_by(&self, c: &Community) -> HashSet<String> {
        if self.with_history {
            let held: HashSet<String> = self.project.team.keys().cloned().collect();
            allmende_core::access::team_again(c, &self.project, &held)
        } else {
            team_of(Some(c), &self.project)
        }
    }
}

enum Learned {
    Community(Box<Community>),
    Item(DocAccess),
    TeamProject(DocAccess, Box<KeptTeam>),
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
            // Judged with the document's history above (where the community is known): not
            // again without it, which would drop whom a lead added before leaving the team.
            let community = communities.get(&header.community);
            let team = allmende_core::access::judged_team(community, &project);
            Learned::TeamProject(
                DocAccess::Item {
                    community: header.community,
                    team: Some(team),
                },
                Box::new(KeptTeam {
                    project,
                    with_history: community.is_some(),
                }),
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
pub(crate) mod tests;
