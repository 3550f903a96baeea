//! Tangled operation numbers at the relay (issue 12): a member's modified client sends a
//! change under another member's actor id whose operation number lies inside that member's
//! signed change. Automerge takes it in, and then shows the forged value at the signed
//! change and fails to list or sync the document's changes. The relay refuses it before
//! applying anything: the document stays as it was for everyone.

use std::net::IpAddr;
use std::time::Duration;

use allmende_sync_wire::protocol;
use allmende_tests::raw::{tangled_change, RawClient};
use allmende_tests::{community_with_members, RelayProc};

#[test]
fn a_change_with_tangled_operation_numbers_is_refused_and_the_document_stays_whole() {
    let relay = RelayProc::start("");
    let (anna, members, community) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Bänke am Dorfplatz",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync"]);
    // Ben's modified client: a key of its own, added to Ben as his device.
    let seed = [43_u8; 32];
    let extra = hex::encode(
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes(),
    );
    let ben_id = ben.json(&["community", "list"])[0]["me"]
        .as_str()
        .expect("Ben's member id")
        .to_string();
    {
        let mut svc = allmende_service::Service::open(ben.path()).expect("open");
        svc.execute(allmende_core::Command::AddDevice {
            community: community.clone(),
            member: ben_id,
            device: extra,
            until: None,
        })
        .expect("a member adds a device of their own");
    }
    ben.ok(&["sync"]);
    let bytes = {
        let mut svc = allmende_service::Service::open(ben.path()).expect("open");
        svc.doc_bytes(&idea).expect("Anna's idea on Ben's device")
    };
    let doc = automerge::Automerge::load(&bytes).expect("load");
    let forged = tangled_change(&doc, "title", "Parkplatz statt Bänke");
    // One sync message carrying the change, as the relay's own sync would carry it.
    let message = {
        use automerge::sync::SyncDoc as _;
        let mut m = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("a message");
        m.changes = vec![forged.raw_bytes().to_vec()].into();
        m.encode()
    };
    let refused_before = relay.metric("allmende_relay_closed_bad_input_total");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local: IpAddr = "127.0.0.1".parse().expect("ip");
    runtime.block_on(async {
        let mut client = RawClient::open(&relay, local, seed, "tangle")
            .await
            .expect("Ben's added device gets in");
        let frame = protocol::sync(&client.peer, &client.relay, &idea, &message);
        client.send(frame).await.expect("sent");
        // Whatever the relay answers (or closes), the count and the copies below tell.
        while client.next(Duration::from_secs(3)).await.is_some() {}
    });
    assert_eq!(
        relay.metric("allmende_relay_closed_bad_input_total"),
        refused_before + 1,
        "the relay did not refuse the tangled change"
    );
    // The relay holds the document as it was: both members sync it, and nobody holds a
    // document in quarantine.
    for p in [&anna, ben] {
        let out = p.ok(&["sync"]);
        assert!(
            !out.contains("quarantine") && !out.contains("Quarantäne"),
            "{out}"
        );
        let shown = p.json(&["idea", "show", &idea]);
        assert_eq!(shown["summary"]["title"], "Bänke am Dorfplatz", "{shown}");
    }
}
