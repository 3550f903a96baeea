//! A member's devices share one quota on the relay (issue 13): the relay limits what each
//! device key stores, and a member may add keys to themselves, so a member who added ten
//! devices had ten times the room to fill the relay's disk. The limit now holds for all
//! devices of a member together.

use std::net::IpAddr;

use allmende_tests::raw::{proven_idea, Pushed, RawClient};
use allmende_tests::{community_with_members, RelayProc};
use automerge::transaction::Transactable;
use automerge::ReadDoc;

/// Letters that compress little: what a member stores to fill the relay.
fn noise(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + u8::try_from(x % 26).expect("a letter"))
        })
        .collect()
}

/// `count` ideas titled "`title` N", each with about 12 KB of letters that compress little
/// (seeds from `seed`), written on `peer`; the id of the last.
fn noisy_ideas(peer: &allmende_tests::Peer, title: &str, seed: u64, count: u64) -> String {
    let mut last = String::new();
    for i in 0..count {
        last = peer.create(&[
            "idea",
            "add",
            "--title",
            &format!("{title} {i}"),
            "--category",
            "energy",
            "--text",
            &noise(seed + i, 19_000),
        ]);
    }
    last
}

#[test]
fn a_member_who_adds_devices_gets_no_more_room_on_the_relay() {
    let relay = RelayProc::start("max_bytes_per_key = 100000\n");
    let (anna, members, community) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    // Ben stores about 60 KB through his own device: within the quota of 100 KB.
    let idea = noisy_ideas(ben, "Messreihe", 0, 5);
    ben.ok(&["sync"]);
    assert_eq!(relay.metric("allmende_relay_refused_quota_total"), 0);
    // His modified client adds a key of its own making to him, which the roster allows (a
    // member adds their own phones and laptops).
    let seed = [42_u8; 32];
    let extra = hex::encode(
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes(),
    );
    ben.add_own_device(&community, &extra);
    let bytes = allmende_service::Service::open(ben.path())
        .expect("open")
        .doc_bytes(&idea)
        .expect("Ben's idea");
    // The new device writes about 60 KB more into Ben's idea: alone it is under the quota,
    // but Ben's devices together are past it.
    let mut doc = automerge::Automerge::load(&bytes).expect("load");
    doc.set_actor(automerge::ActorId::from(hex::decode(&extra).expect("hex")));
    doc.transact(|t| t.put(automerge::ROOT, "filler", noise(99, 95_000).as_str()))
        .expect("filler");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local: IpAddr = "127.0.0.1".parse().expect("ip");
    runtime.block_on(async {
        let mut client = RawClient::open(&relay, local, seed, "extra")
            .await
            .expect("Ben's added device gets in");
        // Taken or not, the relay's own count and Anna's copy below say what was stored.
        let _: Pushed = client.push(&idea, &mut doc).await;
    });
    assert_eq!(
        relay.metric("allmende_relay_refused_quota_total"),
        1,
        "the filler of Ben's added device was not refused"
    );
    // Nothing of it was stored or reached the other members.
    anna.ok(&["sync"]);
    let held = {
        let mut svc = allmende_service::Service::open(anna.path()).expect("open");
        automerge::Automerge::load(&svc.doc_bytes(&idea).expect("the idea")).expect("load")
    };
    assert!(
        held.get(automerge::ROOT, "filler").expect("read").is_none(),
        "the filler reached Anna"
    );
    // Anna, another member, keeps her own room.
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Nachbarschaftsgarten",
        "--category",
        "energy",
        "--text",
        &noise(7, 19_000),
    ]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    assert!(ben.ok(&["idea", "list"]).contains("Nachbarschaftsgarten"));
}

/// From a review: for a document the relay does not hold yet (a first upload of a new
/// item), only the writing device's own bytes were counted, so each added device still had
/// a whole quota for new items. Ben's second device here is a real app: it imports Ben's
/// community from a file and writes new ideas.
#[test]
fn new_items_from_a_members_added_device_count_against_the_members_quota() {
    let relay = RelayProc::start("max_bytes_per_key = 100000\n");
    let (anna, members, community) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    // Ben's own device stores about 85 KB of the 100 KB.
    noisy_ideas(ben, "Messreihe", 0, 7);
    ben.ok(&["sync"]);
    // Ben's second device: its key added to him, the community handed over as a file.
    let second = allmende_tests::Peer::new();
    let key = allmende_service::Service::open(second.path())
        .expect("open")
        .device()
        .public_hex();
    ben.add_own_device(&community, &key);
    let file = ben.path().join("ben.allmende");
    ben.ok(&["bundle", "export", file.to_str().expect("path")]);
    second.ok(&["bundle", "import", file.to_str().expect("path")]);
    // The device knows itself as Ben, as a device linked to him does.
    allmende_service::Service::open(second.path())
        .expect("open")
        .adopt_identity(&community, &ben.member_id())
        .expect("identity");
    noisy_ideas(&second, "Zweitgerät", 50, 5);
    let _ = second.run(&["sync", "--relay", &relay.url(), "--timeout", "10"]);
    assert!(
        relay.metric("allmende_relay_refused_quota_total") >= 1,
        "the second device's new ideas were stored past Ben's quota"
    );
    anna.ok(&["sync"]);
    let arrived = anna.ok(&["idea", "list"]).matches("Zweitgerät").count();
    assert_eq!(arrived, 0, "the second device's ideas reached Anna");
}

/// From the last review: a key taken off a member no longer counted with them, so Ben could
/// add a key, fill the relay through it, take it off and add the next, gaining a whole quota
/// each time. A key belongs to its member for good (the roster remembers it), and so do its
/// bytes.
#[test]
fn a_key_taken_off_a_member_still_counts_against_the_members_quota() {
    let relay = RelayProc::start("max_bytes_per_key = 100000\n");
    let (_anna, members, community) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let idea = ben.create(&[
        "idea",
        "add",
        "--title",
        "Messreihe",
        "--category",
        "energy",
    ]);
    ben.ok(&["sync"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local: IpAddr = "127.0.0.1".parse().expect("ip");
    // Through a key of its own making, 60 KB: within Ben's quota of 100 KB.
    let fill = |seed: [u8; 32], field: &str| {
        let key = hex::encode(
            ed25519_dalek::SigningKey::from_bytes(&seed)
                .verifying_key()
                .to_bytes(),
        );
        ben.add_own_device(&community, &key);
        let bytes = allmende_service::Service::open(ben.path())
            .expect("open")
            .doc_bytes(&idea)
            .expect("Ben's idea");
        let mut doc = automerge::Automerge::load(&bytes).expect("load");
        doc.set_actor(automerge::ActorId::from(hex::decode(&key).expect("hex")));
        doc.transact(|t| {
            t.put(
                automerge::ROOT,
                field,
                noise(seed[0].into(), 60_000).as_str(),
            )
        })
        .expect("filler");
        runtime.block_on(async {
            let mut client = RawClient::open(&relay, local, seed, field)
                .await
                .expect("Ben's added key gets in");
            let _: Pushed = client.push(&idea, &mut doc).await;
        });
        key
    };
    let first = fill([42_u8; 32], "filler");
    assert_eq!(
        relay.metric("allmende_relay_refused_quota_total"),
        0,
        "60 KB are within Ben's quota"
    );
    // Ben takes the key off and adds the next one.
    allmende_service::Service::open(ben.path())
        .expect("open")
        .execute(allmende_core::Command::RemoveDevice {
            community: community.clone(),
            member: ben.member_id(),
            device: first,
        })
        .expect("Ben takes his key off");
    ben.ok(&["sync"]);
    fill([43_u8; 32], "more");
    assert_eq!(
        relay.metric("allmende_relay_refused_quota_total"),
        1,
        "the next key had a whole quota again"
    );
}

/// From a review: the relay grouped a key with every member that any roster it holds lists
/// it under. Eve, who founds her own community on an open relay, lists Ben's public key
/// under herself there; her bytes then counted against Ben's quota and locked him out of
/// his own community. A write now counts with the member's keys of the community of the
/// document it goes into.
#[test]
fn a_key_listed_on_a_strangers_roster_does_not_share_the_strangers_quota() {
    let relay = RelayProc::start("max_bytes_per_key = 100000\n");
    let (anna, members, _community) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let ben_key = allmende_service::Service::open(ben.path())
        .expect("open")
        .device()
        .public_hex();
    let (eve, _, elsewhere) = community_with_members(&relay, &[]);
    eve.add_own_device(&elsewhere, &ben_key);
    let ideas = |peer: &allmende_tests::Peer, title: &str, seed: u64| {
        noisy_ideas(peer, title, seed, 5);
        peer.ok(&["sync"]);
    };
    // About 60 KB each: Eve's within her quota, Ben's within his.
    ideas(&eve, "Eves Messreihe", 100);
    assert_eq!(relay.metric("allmende_relay_refused_quota_total"), 0);
    ideas(ben, "Bens Messreihe", 200);
    assert_eq!(
        relay.metric("allmende_relay_refused_quota_total"),
        0,
        "Eve's bytes counted against Ben's quota"
    );
    anna.ok(&["sync"]);
    assert_eq!(
        anna.ok(&["idea", "list"]).matches("Bens Messreihe").count(),
        5
    );
}

/// A write counts with the member's keys of the community of the document it goes into: a
/// key added to Ben whose first write is a new item of Ben's community (one the relay does
/// not hold yet) is counted with Ben's keys there, the community the new item names, not
/// alone.
#[test]
fn a_new_keys_first_upload_of_a_new_item_counts_with_its_members_keys() {
    let relay = RelayProc::start("max_bytes_per_key = 100000\n");
    let (anna, members, community) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    // Ben's own device stores about 85 KB of the 100 KB.
    noisy_ideas(ben, "Messreihe", 0, 7);
    ben.ok(&["sync"]);
    assert_eq!(relay.metric("allmende_relay_refused_quota_total"), 0);
    let seed = [44_u8; 32];
    let key = allmende_service::device::DeviceKey::from_secret(&seed).public_hex();
    ben.add_own_device(&community, &key);
    // Its first write: a new idea of about 25 KB, under the quota alone, past it with Ben's.
    let (id, mut doc) = proven_idea(seed, &community, &ben.member_id(), &noise(9, 40_000));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut client = RawClient::open(&relay, "127.0.0.1".parse().expect("ip"), seed, "new")
            .await
            .expect("Ben's added key gets in");
        let _: Pushed = client.push(&id, &mut doc).await;
    });
    assert_eq!(
        relay.metric("allmende_relay_refused_quota_total"),
        1,
        "the new key's first item was stored past Ben's quota"
    );
    anna.ok(&["sync"]);
    assert!(!anna.ok(&["idea", "list"]).contains("Eigene Messreihe"));
}
