//! The access rules judged on real documents: items stay in their community, headers
//! proven by their creator, founders, team-only projects.

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
