//! Ids a stranger learned cannot be taken at the relay before their creator uploads them
//! (issue 13, finding 6): a first upload needs its creator's proof.

use allmende_tests::raw::{Pushed, RawClient};
use allmende_tests::{community_with_members, Peer, RelayProc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};

/// A document under `id` whose header claims `kind` in `community`, made by nobody the
/// community knows, with no signature: what a stranger pushes to take an id.
pub(super) fn squatter_doc(id: &str, kind: &str, community: &str) -> automerge::Automerge {
    let mut d = AutoCommit::new();
    let header = d
        .put_object(ROOT, "header", automerge::ObjType::Map)
        .expect("header");
    for (k, v) in [
        ("kind", kind),
        ("id", id),
        ("community", community),
        ("created_by", "m1"),
        ("device", ""),
        ("nonce", ""),
        ("sig", ""),
    ] {
        d.put(&header, k, v).expect("field");
    }
    d.put(&header, "schema", 1_u64).expect("schema");
    d.put(&header, "created_at", 1_i64).expect("at");
    d.put(ROOT, "title", "Besetzt").expect("title");
    d.commit();
    d.document().clone()
}

/// A document under `id` whose header is signed by the stranger's own device, with a nonce
/// of its own: a signature that holds, but the id is not derived from that device.
fn signed_squatter_doc(id: &str, community: &str) -> automerge::Automerge {
    use allmende_core::apply::Item;
    use allmende_core::model::{DocKind, Header, Idea, IdeaStatus};
    let key = allmende_service::device::DeviceKey::from_secret(&[8; 32]);
    let mut item = Item::Idea(Idea {
        header: Header {
            schema: 1,
            kind: DocKind::Idea,
            id: id.to_string(),
            community: community.to_string(),
            created_at: 1,
            created_by: "m1".into(),
            device: key.public_hex(),
            nonce: "n1".into(),
            sig: String::new(),
        },
        title: "Besetzt".into(),
        text: String::new(),
        category: "energy".into(),
        author: "m1".into(),
        status: IdeaStatus::New,
        supporters: Default::default(),
        support_proofs: Default::default(),
        comments: Default::default(),
        reports: Default::default(),
        project: String::new(),
        updated_at: 1,
    });
    allmende_core::governance::sign_item(&mut item, None, &key);
    assert!(
        !item.header().sig.is_empty(),
        "the stranger signed its header"
    );
    let mut d = AutoCommit::new();
    match &item {
        Item::Idea(idea) => autosurgeon::reconcile(&mut d, idea).expect("idea"),
        _ => unreachable!(),
    }
    d.document().clone()
}

pub(super) fn push_as_stranger(
    relay: &RelayProc,
    id: &str,
    doc: &mut automerge::Automerge,
) -> Pushed {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut mallory = RawClient::open(relay, "127.0.0.1".parse().expect("ip"), [7; 32], "m")
            .await
            .expect("the relay lets a self-made key log in");
        mallory.push(id, doc).await
    })
}

#[test]
fn an_item_id_cannot_be_taken_before_its_creator_uploads_it() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    // Anna writes an idea offline; its id reaches a stranger before Anna syncs (a link, a
    // screenshot, a device nearby).
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Trinkbrunnen am Markt",
        "--category",
        "health",
    ]);
    // The stranger pushes a document under that id naming a community the relay does not
    // know: the old relay stored it and fixed the id to that community for good.
    let other = allmende_core::ids::DocId::from_bytes([9; 16]).to_string();
    let mut doc = squatter_doc(&idea, "idea", &other);
    assert_eq!(
        push_as_stranger(&relay, &idea, &mut doc),
        Pushed::Refused,
        "a first upload without its creator's proof is refused"
    );
    // A header the stranger signed itself holds as a signature, but its device and nonce do
    // not derive the id: no proof either.
    let mut doc = signed_squatter_doc(&idea, &other);
    assert_eq!(
        push_as_stranger(&relay, &idea, &mut doc),
        Pushed::Refused,
        "a signature alone is no creator's proof"
    );
    assert!(relay.metric("allmende_relay_rejected_requests_total") >= 1);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    let titles = ben.titles(&["idea", "list"]);
    assert!(
        titles.iter().any(|t| t == "Trinkbrunnen am Markt"),
        "Ben gets Anna's idea: {titles:?}"
    );
}

#[test]
fn a_community_id_cannot_be_taken_before_its_creator_uploads_it() {
    let relay = RelayProc::start("");
    let anna = Peer::new();
    let community = anna.create(&[
        "init",
        "--name",
        "Besetztdorf",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    // The stranger pushes a header that only claims to be that community (no signed
    // beginning): the old relay took it as a community with nobody on its roster, which
    // locked Anna out of her own community.
    let mut doc = squatter_doc(&community, "community", &community);
    assert_eq!(
        push_as_stranger(&relay, &community, &mut doc),
        Pushed::Refused,
        "a community's first upload needs its signed beginning"
    );
    anna.ok(&["sync", "--relay", &relay.url()]);
    let token = anna.ok(&["invite", "--name", "Ben"]).trim().to_string();
    anna.ok(&["sync"]);
    let ben = Peer::new();
    ben.ok(&["join", &token]);
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Dorfladen",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    assert!(ben
        .titles(&["idea", "list"])
        .iter()
        .any(|t| t == "Dorfladen"));
}

/// Finding 5 (disk across many addresses): on a relay that lists its founders, a stranger's
/// own community is not stored, however many keys they make, while the founder's community
/// and its members sync as always.
#[test]
fn only_listed_founders_found_communities_and_members_still_sync() {
    let anna = Peer::new();
    let key = allmende_service::Service::open(anna.path())
        .expect("open")
        .device()
        .public_hex();
    let relay = RelayProc::start(&format!("founders = [\"{}\"]\n", key.to_uppercase()));
    anna.create(&[
        "init",
        "--name",
        "Grünhausen",
        "--kind",
        "town",
        "--admin-name",
        "Anna",
    ]);
    anna.ok(&["sync", "--relay", &relay.url()]);
    let token = anna.ok(&["invite", "--name", "Ben"]).trim().to_string();
    anna.ok(&["sync"]);
    let ben = Peer::new();
    ben.ok(&["join", &token]);
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Lastenrad",
        "--category",
        "mobility",
    ]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    assert_eq!(
        anna.titles(&["idea", "list"]),
        vec!["Lastenrad"],
        "members sync as always"
    );
    let stored = relay.metric("allmende_relay_documents_stored");
    // An honest client hears from the relay's feed that its community is not welcome and
    // sends nothing (no wait for an answer that will not come).
    let sam = Peer::new();
    let sams = sam.create(&[
        "init",
        "--name",
        "Sam",
        "--kind",
        "village",
        "--admin-name",
        "Sam",
    ]);
    sam.create(&[
        "idea",
        "add",
        "--title",
        "Platzhalter",
        "--category",
        "energy",
    ]);
    let out = sam.run(&["sync", "--relay", &relay.url()]);
    let told = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        told.contains(&sams),
        "the refused community is named: {told}"
    );
    // Refused there, Sam's community is not tied to that relay: a relay open to all takes it.
    let open = RelayProc::start("");
    sam.ok(&["sync", "--relay", &open.url()]);
    assert!(
        open.metric("allmende_relay_documents_stored") >= 2,
        "Sam's community and idea are on the open relay"
    );
    // A modified client that ignores the feed pushes Sam's community with Sam's own key, a
    // proper founding (a signed Genesis): the relay refuses it all the same.
    let (seed, mut doc) = {
        let mut svc = allmende_service::Service::open(sam.path()).expect("open");
        let bytes = svc.doc_bytes(&sams).expect("bytes");
        (
            svc.device().secret_bytes(),
            automerge::Automerge::load(&bytes).expect("load"),
        )
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pushed = rt.block_on(async {
        let mut client = RawClient::open(&relay, "127.0.0.1".parse().expect("ip"), seed, "s")
            .await
            .expect("login");
        client.push(&sams, &mut doc).await
    });
    assert!(!matches!(pushed, Pushed::Taken), "{pushed:?}");
    assert_eq!(
        relay.metric("allmende_relay_documents_stored"),
        stored,
        "nothing of the strangers' communities is stored"
    );
}
