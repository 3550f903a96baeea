//! Changes held back for a dependency: who pays for them once they are stored, and that a
//! change sent again costs nothing (from a review of the quota across documents).
use automerge::transaction::Transactable;
use automerge::Automerge;

use super::tests::{channel_conn, next_frame, noise, Answers, Sent as Sender};
use super::tests_limits::carrying;
use super::*;

/// A change to `doc` putting `len` bytes of text; its bytes.
fn change(doc: &mut Automerge, seed: u64, len: usize) -> Vec<u8> {
    doc.transact(|t| t.put(automerge::ROOT, "text", noise(seed, len).as_str()))
        .expect("edit");
    doc.get_last_local_change()
        .expect("a change")
        .raw_bytes()
        .to_vec()
}

struct Relay {
    dir: tempfile::TempDir,
    hub: Hub,
}

impl Relay {
    /// A relay that knows document `4Tz9wc` as an item of a community of Anna (`ab`), Ben
    /// (`cd`, and a second device `ef`) and Cara (`gh`).
    fn new() -> Relay {
        Relay::with_quota(crate::Config::default().max_bytes_per_key)
    }

    /// [`Relay::new`] with a quota of `max` bytes per member.
    fn with_quota(max: u64) -> Relay {
        let dir = tempfile::tempdir().expect("tmp");
        let access = Access::new(true);
        access.know_for_test(
            "C1",
            &[("ab", "anna"), ("cd", "ben"), ("ef", "ben"), ("gh", "cara")],
            &["4Tz9wc"],
        );
        let hub = Hub::new(
            Store::open(dir.path()).expect("store"),
            access,
            Arc::new(Metrics::default()),
            1 << 30,
            1 << 30,
        )
        .with_connection_limits(&crate::Config {
            max_bytes_per_key: max,
            ..crate::Config::default()
        });
        Relay { dir, hub }
    }

    fn join(&self, peer: &str) -> (Sender, Answers) {
        let (conn, tx, out) = channel_conn();
        self.hub.accept(conn, peer.into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        (tx, out)
    }

    /// The relay's store, opened again.
    fn hub_store(&self) -> Store {
        Store::open(self.dir.path()).expect("store")
    }

    /// The bytes charged to each key, as stored.
    fn usage(&self) -> std::collections::HashMap<String, u64> {
        Store::open(self.dir.path())
            .expect("store")
            .usage()
            .expect("usage")
    }
}

async fn send(tx: &Sender, out: &mut Answers, peer: &str, changes: Vec<Vec<u8>>) -> String {
    tx.unbounded_send(Ok(protocol::sync(
        peer,
        RELAY_ID,
        "4Tz9wc",
        &carrying(changes),
    )))
    .expect("send");
    next_frame(out).await.0
}

/// Ben parks a change that waits for another; Anna's change lets it in. Ben pays for his
/// change (before, whoever's change let it in was charged for its own alone, and Ben's
/// waiting bytes were let go when the document unloaded: stored for free).
#[tokio::test]
async fn a_change_let_in_by_another_devices_change_is_charged_to_who_brought_it() {
    let relay = Relay::new();
    let (anna, ben) = ("device:ab:w1", "device:cd:w2");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    let mut first = doc.fork();
    let a = change(&mut first, 2, 1_000);
    let b = change(&mut first, 3, 10_000);
    let mut other = doc.fork();
    let _never = change(&mut other, 4, 1_000);
    let z = change(&mut other, 5, 1_000);
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![root.clone()]).await,
        "sync"
    );
    // Ben's B waits for A; his Z waits for a change that never comes.
    assert_eq!(
        send(&tx_b, &mut out_b, ben, vec![b.clone(), z]).await,
        "sync"
    );
    // Anna brings A: A and B are stored, Z still waits.
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![a.clone()]).await, "sync");
    let used = relay.usage();
    let len = |c: &Vec<u8>| u64::try_from(c.len()).expect("len");
    assert_eq!(
        used.get("device:ab").copied(),
        Some(len(&root) + len(&a)),
        "{used:?}"
    );
    assert_eq!(used.get("device:cd").copied(), Some(len(&b)), "{used:?}");
}

/// Ben parks a change that waits; Anna sends a change the relay already has, then a new
/// one. She pays for the new one alone (before, the change sent again was held for her
/// while anything waited, and charged with her next change).
#[tokio::test]
async fn a_change_sent_again_while_something_waits_costs_nothing() {
    let relay = Relay::new();
    let (anna, ben) = ("device:ab:w1", "device:cd:w2");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    let mut other = doc.fork();
    let _never = change(&mut other, 4, 1_000);
    let z = change(&mut other, 5, 1_000);
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![root.clone()]).await,
        "sync"
    );
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![z]).await, "sync");
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![root.clone()]).await,
        "sync"
    );
    let next = change(&mut doc, 6, 2_000);
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![next.clone()]).await,
        "sync"
    );
    let used = relay.usage();
    let len = |c: &Vec<u8>| u64::try_from(c.len()).expect("len");
    assert_eq!(
        used.get("device:ab").copied(),
        Some(len(&root) + len(&next)),
        "{used:?}"
    );
}

/// From a second review: a change chunk with a wrong checksum was held under the hash of
/// its contents while Automerge dropped it, and once sent again properly it was taken for
/// the held one and stored for free. A message with such a chunk is refused now.
#[tokio::test]
async fn a_change_with_a_wrong_checksum_is_refused() {
    let relay = Relay::new();
    let ben = "device:cd:w2";
    let (tx, mut out) = relay.join(ben);
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx, &mut out, ben, vec![root]).await, "sync");
    let mut bad = change(&mut doc, 2, 5_000);
    bad[4] ^= 1;
    assert_eq!(send(&tx, &mut out, ben, vec![bad]).await, "error");
}

/// From a second review: a change that made Automerge fail (an empty change under an
/// actor and number it has) emptied Automerge's queue of waiting changes but not what the
/// relay held; Anna's held change, sent again after its dependency, then counted as held
/// already and was stored for free. What waits is dropped with such an error now, and a
/// held change whose dependencies are all here is let go.
#[tokio::test]
async fn a_held_change_that_left_automerges_queue_is_charged_when_it_comes_again() {
    let relay = Relay::new();
    let (anna, ben) = ("device:ab:w1", "device:cd:w2");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let mut doc = Automerge::new();
    let first: Vec<Vec<u8>> = (0..3).map(|n| change(&mut doc, n, 1_000)).collect();
    let at_three = doc.fork_at(&doc.get_heads()).expect("fork");
    let fourth = change(&mut doc, 3, 1_000);
    let fifth = change(&mut doc, 4, 1_000);
    let sixth = change(&mut doc, 5, 8_000);
    let mut all = first.clone();
    all.push(fourth.clone());
    assert_eq!(send(&tx_a, &mut out_a, anna, all.clone()).await, "sync");
    // Anna's sixth change waits for the fifth.
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![sixth.clone()]).await,
        "sync"
    );
    // Ben sends an empty change under Anna's actor and the fourth number: Automerge fails.
    let mut forged = automerge::AutoCommit::load(&at_three.save()).expect("load");
    forged.set_actor(doc.get_actor().clone());
    let hash = forged.empty_change(automerge::transaction::CommitOptions::default());
    let empty = forged
        .get_change_by_hash(&hash)
        .expect("change")
        .raw_bytes()
        .to_vec();
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![empty]).await, "error");
    // Anna sends the fifth, then the sixth again.
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![fifth.clone()]).await,
        "sync"
    );
    assert_eq!(
        send(&tx_a, &mut out_a, anna, vec![sixth.clone()]).await,
        "sync"
    );
    let used = relay.usage();
    let len = |c: &Vec<u8>| u64::try_from(c.len()).expect("len");
    let stored: u64 = all.iter().chain([&fifth, &sixth]).map(len).sum();
    assert_eq!(used.get("device:ab").copied(), Some(stored), "{used:?}");
}

/// From a third review: a held change counted at its compressed size, while Automerge keeps
/// it inflated: a member could park a change that inflates a thousandfold for the price of
/// its compressed bytes. It counts at its inflated size now.
#[tokio::test]
async fn a_held_compressed_change_counts_at_its_inflated_size() {
    let relay = Relay::with_quota(300_000);
    let ben = "device:cd:w2";
    let (tx, mut out) = relay.join(ben);
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx, &mut out, ben, vec![root]).await, "sync");
    let mut parked = doc.fork();
    let _missing = change(&mut parked, 2, 100);
    parked
        .transact(|t| t.put(automerge::ROOT, "text", "x".repeat(1_000_000)))
        .expect("edit");
    let big = parked
        .get_last_local_change()
        .expect("a change")
        .clone()
        .bytes()
        .to_vec();
    assert!(big.len() < 50_000, "compressed: {} bytes", big.len());
    assert_eq!(send(&tx, &mut out, ben, vec![big]).await, "sync");
    // A megabyte is held for Ben: his next change passes his 300 KB.
    let next = change(&mut doc, 3, 1_000);
    assert_eq!(send(&tx, &mut out, ben, vec![next]).await, "error");
}

/// From a fourth review: a change held back counted as tangling with a new one of the same
/// actor and number, so a member who parked an empty change under Anna's actor and her next
/// number (waiting for a change that never comes) kept Anna's real next change out for as
/// long as the document stayed open. What is held goes now; Anna's change is taken.
#[tokio::test]
async fn a_twin_parked_under_someone_elses_actor_keeps_nothing_out() {
    let relay = Relay::new();
    let (anna, ben) = ("device:ab:w1", "device:cd:w2");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![root]).await, "sync");
    // Ben's client: a change of its own it never sends, then an empty change under Anna's
    // actor (her next number) that depends on it.
    let mut forged = automerge::AutoCommit::load(&doc.save()).expect("load");
    forged.put(automerge::ROOT, "x", 1).expect("put");
    forged.commit();
    forged.set_actor(doc.get_actor().clone());
    let hash = forged.empty_change(automerge::transaction::CommitOptions::default());
    let twin = forged
        .get_change_by_hash(&hash)
        .expect("change")
        .raw_bytes()
        .to_vec();
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![twin]).await, "sync");
    let next = change(&mut doc, 2, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![next]).await, "sync");
    let stored =
        automerge::Automerge::load(&relay.hub_store().document_bytes("4Tz9wc").expect("stored"))
            .expect("load");
    assert_eq!(
        stored.get_heads(),
        doc.get_heads(),
        "Anna's change is stored"
    );
}

/// From a fifth review: a whole document in a message was passed over when the message was
/// checked against what its own device has waiting. A device could park a change X whose
/// operation numbers lie inside a change W it had not sent, then send a whole document
/// holding W: Automerge applied W, then X, and the stored document was tangled.
#[tokio::test]
async fn a_document_tangling_with_a_waiting_change_of_its_device_is_refused() {
    use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
    let relay = Relay::new();
    let (anna, ben) = ("device:ab:w1", "device:cd:w2");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![root]).await, "sync");
    // W: two operations of actor Z, never sent as a change.
    let z = automerge::ActorId::random();
    let mut with_w = automerge::AutoCommit::load(&doc.save()).expect("load");
    with_w.set_actor(z.clone());
    with_w.put(automerge::ROOT, "note", "eins").expect("put");
    with_w.put(automerge::ROOT, "seen", "ja").expect("put");
    let w = with_w.commit().expect("W");
    let w_meta = with_w.document().get_change_meta_by_hash(&w).expect("meta");
    // X: Z's next change on top of W, claiming W's second operation number.
    let x = automerge::Change::from(automerge::ExpandedChange {
        operations: vec![Op {
            action: OpType::Put("drei".into()),
            obj: ObjectId::Root,
            key: Key::Map("note".into()),
            pred: vec![OpId(w_meta.start_op, z.clone())].into(),
            insert: false,
        }],
        actor_id: z,
        hash: None,
        seq: w_meta.seq + 1,
        start_op: std::num::NonZeroU64::new(w_meta.max_op).expect("numbers start at 1"),
        time: 0,
        message: None,
        deps: vec![w],
        extra_bytes: Vec::new(),
        author: None,
    });
    assert_eq!(
        send(&tx_b, &mut out_b, ben, vec![x.raw_bytes().to_vec()]).await,
        "sync"
    );
    let whole = with_w.save();
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![whole]).await, "error");
}

/// The bytes of the change `hash` of `doc`.
fn bytes_of(doc: &mut automerge::AutoCommit, hash: automerge::ChangeHash) -> Vec<u8> {
    doc.get_change_by_hash(&hash)
        .expect("change")
        .raw_bytes()
        .to_vec()
}

/// Left by the fifth review: a twin parked by one of a member's devices, met by a change
/// from another of their devices, made the relay drop every change waiting in the document
/// (and start every follower over), so one member with two keys could throw away what
/// everyone else had waiting with each message. Only the twin goes now: Cara's change,
/// waiting for the one she sends next, is stored.
#[tokio::test]
async fn a_twin_dropped_takes_nothing_else_that_waits() {
    let relay = Relay::new();
    let (anna, ben, ben_2, cara) = (
        "device:ab:w1",
        "device:cd:w2",
        "device:ef:w3",
        "device:gh:w4",
    );
    let mut joined = Vec::new();
    for peer in [anna, ben, ben_2, cara] {
        let (tx, mut out) = relay.join(peer);
        assert_eq!(next_frame(&mut out).await.0, "peer");
        joined.push((tx, out));
    }
    let (tx_c, mut out_c) = joined.pop().expect("Cara");
    let (tx_b2, mut out_b2) = joined.pop().expect("Ben's second device");
    let (tx_b, mut out_b) = joined.pop().expect("Ben");
    let (tx_a, mut out_a) = joined.pop().expect("Anna");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![root]).await, "sync");
    // Cara's client sends her second change before her first (it waits for it).
    let mut caras = automerge::AutoCommit::load(&doc.save()).expect("load");
    caras.put(automerge::ROOT, "cara", 1).expect("put");
    let c1 = caras.commit().expect("c1");
    caras.put(automerge::ROOT, "cara", 2).expect("put");
    let c2 = caras.commit().expect("c2");
    assert_eq!(
        send(&tx_c, &mut out_c, cara, vec![bytes_of(&mut caras, c2)]).await,
        "sync"
    );
    // Ben's first device parks X, the first change of actor Z, waiting for a change M it
    // never sends; his second device sends Y, another first change of Z.
    let z = automerge::ActorId::random();
    let mut with_x = automerge::AutoCommit::load(&doc.save()).expect("load");
    with_x.put(automerge::ROOT, "m", 1).expect("put");
    with_x.commit();
    with_x.set_actor(z.clone());
    with_x.put(automerge::ROOT, "x", 1).expect("put");
    let x = with_x.commit().expect("x");
    let mut with_y = automerge::AutoCommit::load(&doc.save()).expect("load");
    with_y.set_actor(z);
    with_y.put(automerge::ROOT, "y", 1).expect("put");
    let y = with_y.commit().expect("y");
    assert_eq!(
        send(&tx_b, &mut out_b, ben, vec![bytes_of(&mut with_x, x)]).await,
        "sync"
    );
    assert_eq!(
        send(&tx_b2, &mut out_b2, ben_2, vec![bytes_of(&mut with_y, y)]).await,
        "sync"
    );
    // Cara's first change comes: both of hers are stored.
    assert_eq!(
        send(&tx_c, &mut out_c, cara, vec![bytes_of(&mut caras, c1)]).await,
        "sync"
    );
    let stored =
        automerge::Automerge::load(&relay.hub_store().document_bytes("4Tz9wc").expect("stored"))
            .expect("load");
    for (what, hash) in [
        ("Cara's waiting change", c2),
        ("Cara's first", c1),
        ("Y", y),
    ] {
        assert!(
            stored.get_change_meta_by_hash(&hash).is_some(),
            "{what} is stored"
        );
    }
    assert!(
        stored.get_change_meta_by_hash(&x).is_none(),
        "the twin went"
    );
}

/// A change of `actor`, numbered `seq` and starting at operation `start`, on top of `deps`
/// (a modified client can write any numbers).
fn numbered(
    actor: &automerge::ActorId,
    seq: u64,
    start: u64,
    deps: Vec<automerge::ChangeHash>,
) -> Vec<u8> {
    use automerge::legacy::{Key, ObjectId, Op, OpType};
    automerge::Change::from(automerge::ExpandedChange {
        operations: vec![Op {
            action: OpType::Put("gefälscht".into()),
            obj: ObjectId::Root,
            key: Key::Map("note".into()),
            pred: Vec::new().into(),
            insert: false,
        }],
        actor_id: actor.clone(),
        hash: None,
        seq,
        start_op: std::num::NonZeroU64::new(start).expect("from 1"),
        time: 0,
        message: None,
        deps,
        extra_bytes: Vec::new(),
        author: None,
    })
    .raw_bytes()
    .to_vec()
}

/// From a review of the fix above: a change that would wait itself still displaced a waiting
/// twin. One key could send, for Cara's actor and next number, a change waiting for a
/// change that never comes, and her real change (waiting for its dependency) went. Such a
/// change is refused now; Cara's changes are stored once her first one arrives.
#[tokio::test]
async fn a_change_that_would_wait_displaces_no_twin() {
    let relay = Relay::new();
    let (anna, ben, cara) = ("device:ab:w1", "device:cd:w2", "device:gh:w4");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let (tx_c, mut out_c) = relay.join(cara);
    assert_eq!(next_frame(&mut out_c).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![root]).await, "sync");
    let mut caras = automerge::AutoCommit::load(&doc.save()).expect("load");
    caras.put(automerge::ROOT, "cara", 1).expect("put");
    let c1 = caras.commit().expect("c1");
    caras.put(automerge::ROOT, "cara", 2).expect("put");
    let c2 = caras.commit().expect("c2");
    assert_eq!(
        send(&tx_c, &mut out_c, cara, vec![bytes_of(&mut caras, c2)]).await,
        "sync"
    );
    // Ben's twin: Cara's actor, her second number, waiting for a change nobody has.
    let nowhere = automerge::ChangeHash([7; 32]);
    let twin = numbered(caras.get_actor(), 2, 900, vec![nowhere]);
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![twin]).await, "error");
    assert_eq!(
        send(&tx_c, &mut out_c, cara, vec![bytes_of(&mut caras, c1)]).await,
        "sync"
    );
    let stored =
        automerge::Automerge::load(&relay.hub_store().document_bytes("4Tz9wc").expect("stored"))
            .expect("load");
    assert!(
        stored.get_change_meta_by_hash(&c2).is_some(),
        "Cara's waiting change is stored"
    );
}

/// From the same review: a follower whose waiting change went was given a fresh sync state,
/// which does not tell its client to send again (the client keeps the change among those it
/// sent). The relay's next message to it now asks for a sync reset.
#[tokio::test]
async fn a_follower_whose_waiting_change_went_is_told_to_send_again() {
    let relay = Relay::new();
    let (anna, ben, cara) = ("device:ab:w1", "device:cd:w2", "device:gh:w4");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let (tx_c, mut out_c) = relay.join(cara);
    assert_eq!(next_frame(&mut out_c).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![root]).await, "sync");
    // Cara's first change under a new actor waits for one of hers under another.
    let mut caras = automerge::AutoCommit::load(&doc.save()).expect("load");
    caras.put(automerge::ROOT, "cara", 1).expect("put");
    caras.commit();
    let k = automerge::ActorId::random();
    caras.set_actor(k.clone());
    caras.put(automerge::ROOT, "cara", 2).expect("put");
    let k1 = caras.commit().expect("k1");
    assert_eq!(
        send(&tx_c, &mut out_c, cara, vec![bytes_of(&mut caras, k1)]).await,
        "sync"
    );
    // A change under actor K, number 1, that applies now: Cara's goes.
    let twin = numbered(&k, 1, 500, doc.get_heads());
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![twin]).await, "sync");
    let (kind, frame) = next_frame(&mut out_c).await;
    assert_eq!(kind, "sync");
    let Ok(allmende_sync_wire::protocol::Inbound::Sync { data, .. }) =
        allmende_sync_wire::protocol::decode(&frame)
    else {
        panic!("a sync message");
    };
    let message = automerge::sync::Message::decode(&data).expect("message");
    assert!(
        message
            .flags
            .is_some_and(|f| f.contains(automerge::sync::MessageFlags::SYNC_RESET)),
        "{:?}",
        message.flags
    );
}

/// Automerge 0.12 panics on a change whose sequence number skips one of its actor's (its
/// dependencies present). From any member, such a change ended the document's task: no
/// answer to anyone, the document stuck until the relay restarted. Its connection is closed
/// now, and the document serves on.
#[tokio::test]
async fn a_change_skipping_a_number_closes_its_connection_and_the_document_serves_on() {
    let relay = Relay::new();
    let (anna, ben) = ("device:ab:w1", "device:cd:w2");
    let (tx_a, mut out_a) = relay.join(anna);
    assert_eq!(next_frame(&mut out_a).await.0, "peer");
    let (tx_b, mut out_b) = relay.join(ben);
    assert_eq!(next_frame(&mut out_b).await.0, "peer");
    let mut doc = Automerge::new();
    let root = change(&mut doc, 1, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![root]).await, "sync");
    let skipping = numbered(doc.get_actor(), 3, 50, doc.get_heads());
    assert_eq!(send(&tx_b, &mut out_b, ben, vec![skipping]).await, "error");
    let next = change(&mut doc, 2, 1_000);
    assert_eq!(send(&tx_a, &mut out_a, anna, vec![next]).await, "sync");
    let stored =
        automerge::Automerge::load(&relay.hub_store().document_bytes("4Tz9wc").expect("stored"))
            .expect("load");
    assert_eq!(
        stored.get_heads(),
        doc.get_heads(),
        "Anna's change is stored"
    );
}
