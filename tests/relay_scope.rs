//! A community syncs only through its own relays (a module of `relay.rs`): joining a second
//! community run by another operator does not hand the first one to that operator's relay.

use allmende_tests::{Peer, RelayProc};

fn fetched(p: &Peer, relay: &RelayProc, id: &str) -> bool {
    p.run(&[
        "sync",
        "--relay",
        &relay.url(),
        "--fetch",
        id,
        "--timeout",
        "3",
    ])
    .status
    .success()
}

/// Finding 2 of the edge review: joining through relay X (or `sync --relay X`) uploaded every
/// community on the device to X and made X the one remembered relay.
#[test]
fn joining_a_community_elsewhere_does_not_hand_the_first_one_to_its_relay() {
    let home = RelayProc::start("");
    let elsewhere = RelayProc::start("");
    // Anna's village syncs through its own relay; Carl is a member there too.
    let anna = Peer::new();
    let village = anna.create(&[
        "init",
        "--name",
        "Grünhausen",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    let secret = anna.create(&[
        "project",
        "add",
        "--title",
        "Nur fürs Team",
        "--category",
        "energy",
        "--team-only",
    ]);
    anna.ok(&["sync", "--relay", &home.url()]);
    let carl = Peer::new();
    let token = anna.ok(&["invite", "--name", "Carl"]).trim().to_string();
    anna.ok(&["sync"]);
    carl.ok(&["join", &token]);
    // A town run by another operator invites Anna.
    let bea = Peer::new();
    let town = bea.create(&[
        "init",
        "--name",
        "Neustadt",
        "--kind",
        "town",
        "--admin-name",
        "Bea",
    ]);
    bea.ok(&["sync", "--relay", &elsewhere.url()]);
    let invite = bea.ok(&["invite", "--name", "Anna"]).trim().to_string();
    bea.ok(&["sync"]);
    anna.ok(&["join", &invite]);
    assert!(
        fetched(&anna, &elsewhere, &town),
        "Anna is in the town on its relay"
    );
    assert!(
        !fetched(&anna, &elsewhere, &village),
        "the village did not go to the town's relay when Anna joined"
    );
    assert!(
        !fetched(&anna, &elsewhere, &secret),
        "nor its team-only project"
    );

    // A plain sync keeps each community with its own relay.
    anna.ok(&[
        "--community",
        &village,
        "idea",
        "add",
        "--title",
        "Dorfladen",
        "--category",
        "energy",
    ]);
    anna.ok(&[
        "--community",
        &town,
        "idea",
        "add",
        "--title",
        "Radweg",
        "--category",
        "mobility",
    ]);
    anna.ok(&["sync"]);
    assert!(
        !fetched(&anna, &elsewhere, &village),
        "nor with the next plain sync"
    );
    carl.ok(&["sync"]);
    assert!(
        carl.titles(&["idea", "list"])
            .contains(&"Dorfladen".to_string()),
        "the village's relay still gets its changes"
    );
    bea.ok(&["sync"]);
    assert!(
        bea.titles(&["idea", "list"])
            .contains(&"Radweg".to_string()),
        "the town's relay gets the town's"
    );
    // Invites for the village still name the village's relay.
    let next = anna
        .ok(&["--community", &village, "invite", "--name", "Dora"])
        .trim()
        .to_string();
    anna.ok(&["sync"]);
    let dora = Peer::new();
    dora.ok(&["join", &next]);
    assert!(dora
        .titles(&["idea", "list"])
        .contains(&"Dorfladen".to_string()));
}

/// From an adversarial review: an invite naming a community this device holds already, with
/// another relay, made the join upload that community to the invite's relay.
#[test]
fn an_invite_naming_a_community_held_here_through_another_relay_is_refused() {
    let home = RelayProc::start("");
    let elsewhere = RelayProc::start("");
    let anna = Peer::new();
    let village = anna.create(&[
        "init",
        "--name",
        "Grünhausen",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    anna.ok(&["sync", "--relay", &home.url()]);
    // Mallory's invite: a real one of her own town, edited to name Anna's village.
    let mallory = Peer::new();
    mallory.create(&[
        "init",
        "--name",
        "Falle",
        "--kind",
        "town",
        "--admin-name",
        "Mallory",
    ]);
    mallory.ok(&["sync", "--relay", &elsewhere.url()]);
    let token = mallory.ok(&["invite", "--name", "Anna"]).trim().to_string();
    let mut invite = allmende_service::invite::parse(&token).expect("invite");
    invite.community.clone_from(&village);
    let (code, _) = anna.fails(&["join", &invite.token(), "--timeout", "5"]);
    assert_eq!(code, 2);
    assert!(
        !fetched(&anna, &elsewhere, &village),
        "the village stayed off the other relay"
    );
}

/// From a review: a roster may list a key its holder never agreed to. Eve, founding her own
/// community on the relay Ben's community uses, lists Ben's public key under her member; the
/// relay's feed then offers Ben's device her community's documents. Ben's device takes in
/// only the communities it joined (or founded) and their items: nothing of Eve's reaches its
/// store, and it writes nothing into her documents (a repair of a value she broke would
/// otherwise be Ben's write into her community).
#[test]
fn a_community_that_lists_a_members_key_without_them_does_not_reach_their_device() {
    let relay = RelayProc::start("");
    let (_anna, members, village) = allmende_tests::community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let ben_key = allmende_service::Service::open(ben.path())
        .expect("open")
        .device()
        .public_hex();
    let (eve, _, elsewhere) = allmende_tests::community_with_members(&relay, &[]);
    eve.add_own_device(&elsewhere, &ben_key);
    let idea = eve.create(&[
        "idea",
        "add",
        "--title",
        "Eves Lockvogel",
        "--category",
        "energy",
    ]);
    eve.ok(&["sync"]);
    let out = ben.ok(&["sync"]);
    ben.ok(&["sync"]);
    let held = ben.doc_heads();
    // The relay's feed does not list Eve's documents to Ben's device: the sync dealt with
    // Ben's own documents only.
    let dealt: usize = out
        .split(": ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count of documents in {out:?}"));
    assert_eq!(dealt, held.len(), "{out}");
    assert!(held.contains_key(&village), "Ben's own community is there");
    assert!(
        !held.contains_key(&elsewhere) && !held.contains_key(&idea),
        "Eve's community reached Ben's device"
    );
    let communities = ben.json(&["community", "list"]);
    assert_eq!(
        communities.as_array().map(Vec::len),
        Some(1),
        "{communities}"
    );
}
