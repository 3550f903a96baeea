//! Tangled operation numbers at the relay (issue 12): a member's modified client sends a
//! change under another member's actor id whose operation number lies inside that member's
//! signed change. Automerge takes it in, and then shows the forged value at the signed
//! change and fails to list or sync the document's changes. The relay refuses it before
//! applying anything, however the message packs it: the document stays as it was for
//! everyone.

use std::net::IpAddr;
use std::time::Duration;

use allmende_sync_wire::protocol;
use allmende_tests::raw::{tangled_change, RawClient};
use allmende_tests::{community_with_members, Peer, RelayProc};
use automerge::transaction::Transactable;
use automerge::ReadDoc as _;

/// A community of Anna and Ben on a relay; Anna's idea; a key Ben's modified client made
/// and added to him as his device (its seed), and the idea as Ben's device holds it.
struct Scene {
    relay: RelayProc,
    anna: Peer,
    ben: Peer,
    idea: String,
    seed: [u8; 32],
    doc: automerge::Automerge,
}

fn scene() -> Scene {
    let relay = RelayProc::start("");
    let (anna, mut members, community) = community_with_members(&relay, &["Ben"]);
    let ben = members.remove(0);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Bänke am Dorfplatz",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync"]);
    let seed = [43_u8; 32];
    let extra = hex::encode(
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes(),
    );
    ben.add_own_device(&community, &extra);
    let bytes = {
        let mut svc = allmende_service::Service::open(ben.path()).expect("open");
        svc.doc_bytes(&idea).expect("Anna's idea on Ben's device")
    };
    let doc = automerge::Automerge::load(&bytes).expect("load");
    Scene {
        relay,
        anna,
        ben,
        idea,
        seed,
        doc,
    }
}

/// One sync message whose change list is `entries`, as a modified client packs it.
fn carrying(entries: Vec<Vec<u8>>) -> Vec<u8> {
    use automerge::sync::SyncDoc as _;
    let mut m = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("a message");
    m.changes = entries.into();
    m.encode()
}

impl Scene {
    /// Sends `messages` (sync messages for the idea) from Ben's added device, one after the
    /// other, reading what the relay answers to each.
    fn send(&self, messages: &[Vec<u8>]) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let local: IpAddr = "127.0.0.1".parse().expect("ip");
        runtime.block_on(async {
            let mut client = RawClient::open(&self.relay, local, self.seed, "tangle")
                .await
                .expect("Ben's added device gets in");
            for message in messages {
                let frame = protocol::sync(&client.peer, &client.relay, &self.idea, message);
                if client.send(frame).await.is_err() {
                    break;
                }
                // Whatever it answers (or closes): the count and the copies below tell.
                while client.next(Duration::from_secs(2)).await.is_some() {}
            }
        });
    }

    /// The relay refused once more than `before`, and both members sync the idea whole,
    /// with Anna's title and nothing in quarantine.
    fn refused_and_whole(&self, before: u64) {
        assert_eq!(
            self.relay.metric("allmende_relay_closed_bad_input_total"),
            before + 1,
            "the relay did not refuse the tangled change"
        );
        for p in [&self.anna, &self.ben] {
            let out = p.ok(&["sync"]);
            assert!(
                !out.contains("quarantine") && !out.contains("Quarantäne"),
                "{out}"
            );
            let shown = p.json(&["idea", "show", &self.idea]);
            assert_eq!(shown["summary"]["title"], "Bänke am Dorfplatz", "{shown}");
        }
    }
}

#[test]
fn a_change_with_tangled_operation_numbers_is_refused_and_the_document_stays_whole() {
    let s = scene();
    let forged = tangled_change(&s.doc, "title", "Parkplatz statt Bänke");
    let before = s.relay.metric("allmende_relay_closed_bad_input_total");
    s.send(&[carrying(vec![forged.raw_bytes().to_vec()])]);
    s.refused_and_whole(before);
}

/// From a review: the check read each entry of the message as one chunk, while Automerge
/// reads the entries joined as one stream. An entry holding the forged change twice parsed
/// as neither a change nor a document and went unchecked.
#[test]
fn a_tangled_change_packed_twice_into_one_entry_is_refused() {
    let s = scene();
    let forged = tangled_change(&s.doc, "title", "Parkplatz statt Bänke");
    let mut twice = forged.raw_bytes().to_vec();
    twice.extend_from_slice(forged.raw_bytes());
    let before = s.relay.metric("allmende_relay_closed_bad_input_total");
    s.send(&[carrying(vec![twice])]);
    s.refused_and_whole(before);
}

/// From a review: changes that wait for a dependency are held back by Automerge, which shows
/// none of their metadata. Two changes of one actor with overlapping numbers, sent one
/// after the other while both wait, each passed alone; the dependency then applied both.
#[test]
fn tangled_changes_that_wait_for_a_dependency_are_refused() {
    let s = scene();
    let actor = automerge::ActorId::from(
        ed25519_dalek::SigningKey::from_bytes(&s.seed)
            .verifying_key()
            .to_bytes()
            .to_vec(),
    );
    let mut d = automerge::AutoCommit::load(&s.doc.save()).expect("load");
    d.set_actor(actor);
    // The dependency, held back; then a change on top of it; then one tangled with that.
    d.put(automerge::ROOT, "note", "eins").expect("put");
    let dep = d.commit().expect("dependency");
    d.put(automerge::ROOT, "note", "zwei").expect("put");
    d.put(automerge::ROOT, "seen", "ja").expect("put");
    d.commit().expect("second");
    let dep = d.document().get_change_by_hash(&dep).expect("dep").clone();
    let second = d
        .document()
        .get_last_local_change()
        .expect("second")
        .clone();
    let tangled = tangled_change(d.document(), "note", "drei");
    let before = s.relay.metric("allmende_relay_closed_bad_input_total");
    s.send(&[
        carrying(vec![second.raw_bytes().to_vec()]),
        carrying(vec![tangled.raw_bytes().to_vec()]),
        carrying(vec![dep.raw_bytes().to_vec()]),
    ]);
    s.refused_and_whole(before);
}
