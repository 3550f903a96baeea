//! The engine with in-memory connections: limits that close one connection and spare the rest.
use super::*;
use automerge::sync::SyncDoc;
use automerge::transaction::Transactable;
use futures::{SinkExt, StreamExt};

pub(super) type Sent = futures::channel::mpsc::UnboundedSender<Result<Vec<u8>, GuardError>>;
pub(super) type Answers = futures::channel::mpsc::UnboundedReceiver<Vec<u8>>;

/// A connection made of channels: what the test sends, and what the relay answers.
pub(super) fn channel_conn() -> (Conn, Sent, Answers) {
    let (in_tx, in_rx) = futures::channel::mpsc::unbounded();
    let (out_tx, out_rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
    let outbound = out_tx.sink_map_err(|e| crate::limits::OutboundError::new(e.to_string()));
    (
        Conn::from_parts(Box::pin(in_rx), Box::pin(outbound)),
        in_tx,
        out_rx,
    )
}

pub(super) async fn next_frame(out: &mut Answers) -> (String, Vec<u8>) {
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), out.next())
        .await
        .expect("an answer in time")
        .expect("an answer");
    // By the message's own `type` (a change's text may hold any word).
    let kind = allmende_sync_wire::protocol::message_type(&frame).unwrap_or_else(|_| "?".into());
    (kind, frame)
}

/// Text that does not compress.
pub(super) fn noise(mut seed: u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            char::from(b'a' + u8::try_from((seed >> 33) % 26).expect("letter"))
        })
        .collect()
}

/// Sends `doc`'s changes until the relay has them; false when it never answers.
async fn push(
    doc: &mut automerge::Automerge,
    state: &mut automerge::sync::State,
    peer: &str,
    tx: &Sent,
    out: &mut Answers,
) {
    while let Some(m) = doc.generate_sync_message(state) {
        tx.unbounded_send(Ok(protocol::sync(peer, RELAY_ID, "4Tz9abc", &m.encode())))
            .expect("send");
        let (kind, frame) = next_frame(out).await;
        assert_eq!(kind, "sync");
        let Ok(Inbound::Sync { data, .. }) = protocol::decode(&frame) else {
            panic!("not a sync message");
        };
        let m = automerge::sync::Message::decode(&data).expect("sync message");
        doc.receive_sync_message(state, m).expect("apply");
    }
}

#[tokio::test]
async fn a_connection_that_does_not_read_is_closed_while_others_keep_syncing() {
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        Access::new(true),
        metrics.clone(),
        1 << 30,
        30_000,
    );
    // The slow one joins, asks for the document, and then reads nothing more.
    let (in_tx, in_rx) = futures::channel::mpsc::unbounded();
    let (out_tx, _never_read) = futures::channel::mpsc::channel::<Vec<u8>>(1);
    let outbound = out_tx.sink_map_err(|e| crate::limits::OutboundError::new(e.to_string()));
    let slow = "device:aa:slow".to_string();
    hub.accept(
        Conn::from_parts(Box::pin(in_rx), Box::pin(outbound)),
        slow.as_str().into(),
    );
    in_tx
        .unbounded_send(Ok(protocol::join(&slow)))
        .expect("send");
    let empty = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message");
    in_tx
        .unbounded_send(Ok(protocol::request(
            &slow,
            RELAY_ID,
            "4Tz9abc",
            &empty.encode(),
        )))
        .expect("send");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // The writer makes ten changes of 10 KB; each reaches the relay and is answered. The slow
    // one answers nothing, so it is sent the next changes once its wait is over.
    let writer = "device:bb:w".to_string();
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, writer.as_str().into());
    tx.unbounded_send(Ok(protocol::join(&writer)))
        .expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut doc = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    for i in 0..10 {
        doc.transact(|t| t.put(automerge::ROOT, format!("k{i}"), noise(i, 10_000).as_str()))
            .expect("edit");
        push(&mut doc, &mut state, &writer, &tx, &mut out).await;
        tokio::time::sleep(crate::document::pace::HOLD).await;
    }
    assert_eq!(
        metrics.closed_slow.load(Ordering::Relaxed),
        1,
        "the slow connection is closed, once"
    );
}

#[tokio::test]
async fn a_change_beyond_the_document_limit_closes_that_connection_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(dir.path()).expect("store");
    let hub = Hub::new(
        store.clone(),
        Access::new(true),
        Arc::new(Metrics::default()),
        2_000,
        1 << 30,
    );
    let peer = "device:ab:s1".to_string();
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.as_str().into());
    tx.unbounded_send(Ok(protocol::join(&peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    // A document with 10 KB of text that does not compress.
    let mut doc = automerge::Automerge::new();
    doc.transact(|t| t.put(automerge::ROOT, "text", noise(7, 10_000).as_str()))
        .expect("edit");
    let mut state = automerge::sync::State::new();
    let doc_id = "4Tz9abc";
    let mut answers = Vec::new();
    for _ in 0..3 {
        let Some(m) = doc.generate_sync_message(&mut state) else {
            break;
        };
        tx.unbounded_send(Ok(protocol::sync(&peer, RELAY_ID, doc_id, &m.encode())))
            .expect("send");
        let (kind, frame) = next_frame(&mut out).await;
        answers.push(kind.clone());
        // The relay's answer tells what it lacks: apply it to learn what to send next.
        match protocol::decode(&frame) {
            Ok(Inbound::Sync { data, .. }) => {
                let m = automerge::sync::Message::decode(&data).expect("sync message");
                doc.receive_sync_message(&mut state, m).expect("apply");
            }
            _ => break,
        }
    }
    assert!(answers.contains(&"error".to_string()), "{answers:?}");
    assert_eq!(store.document_count().expect("count"), 0, "nothing stored");
}

/// Joins `peer` on a channel connection and asks for the test document.
async fn follower(hub: &Hub, peer: &str) -> (Sent, Answers) {
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let empty = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message");
    tx.unbounded_send(Ok(protocol::request(
        peer,
        RELAY_ID,
        "4Tz9abc",
        &empty.encode(),
    )))
    .expect("send");
    (tx, out)
}

/// Applies a sync frame to a follower's document; returns how many changes it brought.
fn apply(
    doc: &mut automerge::Automerge,
    state: &mut automerge::sync::State,
    frame: &[u8],
) -> usize {
    let Ok(Inbound::Sync { data, .. }) = protocol::decode(frame) else {
        panic!("not a sync message");
    };
    let m = automerge::sync::Message::decode(&data).expect("sync message");
    let before = doc.get_changes(&[]).len();
    doc.receive_sync_message(state, m).expect("apply");
    doc.get_changes(&[]).len() - before
}

/// A writer on a fresh hub, its document already there (`k` = 0).
struct Writer {
    name: String,
    tx: Sent,
    out: Answers,
    doc: automerge::Automerge,
    state: automerge::sync::State,
}

impl Writer {
    /// Sets `k` and pushes the change until the relay has it.
    async fn change(&mut self, k: i64) {
        self.doc
            .transact(|t| t.put(automerge::ROOT, "k", k))
            .expect("edit");
        push(
            &mut self.doc,
            &mut self.state,
            &self.name,
            &self.tx,
            &mut self.out,
        )
        .await;
    }
}

async fn hub_with_writer() -> (tempfile::TempDir, Hub, Writer, Arc<Metrics>) {
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        Access::new(true),
        metrics.clone(),
        1 << 30,
        1 << 30,
    );
    let name = "device:bb:w".to_string();
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, name.as_str().into());
    tx.unbounded_send(Ok(protocol::join(&name))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut w = Writer {
        name,
        tx,
        out,
        doc: automerge::Automerge::new(),
        state: automerge::sync::State::new(),
    };
    w.change(0).await;
    (dir, hub, w, metrics)
}

#[tokio::test]
async fn a_follower_that_has_not_answered_gets_the_changes_made_meanwhile_in_one_message() {
    let (_dir, hub, mut w, metrics) = hub_with_writer().await;
    // The follower gets the document and does not answer.
    let (_ftx, mut fout) = follower(&hub, "device:cc:f").await;
    let mut mine = automerge::Automerge::new();
    let mut my_state = automerge::sync::State::new();
    let (kind, first) = next_frame(&mut fout).await;
    assert_eq!(kind, "sync");
    assert_eq!(apply(&mut mine, &mut my_state, &first), 1);
    // Three changes while it is silent are held back and arrive together once its wait is
    // over.
    for i in 1..=3 {
        w.change(i).await;
    }
    let (kind, next) = next_frame(&mut fout).await;
    assert_eq!(kind, "sync");
    assert_eq!(apply(&mut mine, &mut my_state, &next), 3);
    assert!(metrics.held_back.load(Ordering::Relaxed) >= 1);
}

#[tokio::test]
async fn a_follower_that_answers_gets_each_change_at_once() {
    let (_dir, hub, mut w, metrics) = hub_with_writer().await;
    let peer = "device:cc:f";
    let (ftx, mut fout) = follower(&hub, peer).await;
    let mut mine = automerge::Automerge::new();
    let mut my_state = automerge::sync::State::new();
    for i in 1..=3 {
        // Apply what arrived and answer, as every client does.
        if i == 1 {
            let (_, frame) = next_frame(&mut fout).await;
            assert_eq!(apply(&mut mine, &mut my_state, &frame), 1);
        }
        if let Some(a) = mine.generate_sync_message(&mut my_state) {
            ftx.unbounded_send(Ok(protocol::sync(peer, RELAY_ID, "4Tz9abc", &a.encode())))
                .expect("send");
        }
        tokio::time::sleep(crate::document::pace::MIN_INTERVAL).await;
        w.change(i).await;
        let (kind, next) = next_frame(&mut fout).await;
        assert_eq!(kind, "sync");
        assert_eq!(apply(&mut mine, &mut my_state, &next), 1, "change {i}");
        // Sent with the change, not held back for an answer it had given.
        assert_eq!(metrics.held_back.load(Ordering::Relaxed), 0, "change {i}");
    }
}

#[tokio::test]
async fn followers_in_step_all_get_the_change() {
    let (_dir, hub, mut w, _metrics) = hub_with_writer().await;
    // Five followers take the document and answer, as clients do.
    let mut followers = Vec::new();
    for n in 0..5 {
        let peer = format!("device:cc:f{n}");
        let (ftx, mut fout) = follower(&hub, &peer).await;
        let mut mine = automerge::Automerge::new();
        let mut my_state = automerge::sync::State::new();
        let (_, frame) = next_frame(&mut fout).await;
        assert_eq!(apply(&mut mine, &mut my_state, &frame), 1);
        let a = mine.generate_sync_message(&mut my_state).expect("answer");
        ftx.unbounded_send(Ok(protocol::sync(&peer, RELAY_ID, "4Tz9abc", &a.encode())))
            .expect("send");
        followers.push((peer, ftx, fout, mine, my_state));
    }
    tokio::time::sleep(crate::document::pace::MIN_INTERVAL).await;
    w.change(1).await;
    let mut datas = Vec::new();
    for (_, _, fout, mine, my_state) in &mut followers {
        let (_, frame) = next_frame(fout).await;
        assert_eq!(apply(mine, my_state, &frame), 1);
        assert_eq!(mine.get_heads(), w.doc.get_heads());
        let Ok(Inbound::Sync { data, .. }) = protocol::decode(&frame) else {
            panic!("not a sync message");
        };
        datas.push(data);
    }
    assert!(
        datas.windows(2).all(|w| w[0] == w[1]),
        "one message for all"
    );
}

/// The process's peak resident memory so far, in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Finding: one sync message whose change chunk inflates to a gigabyte (about 1 MB sent)
/// made the relay allocate all of it. Now it is refused before anything is inflated, the
/// connection is closed, and others keep syncing.
#[tokio::test]
async fn a_compression_bomb_is_refused_before_it_is_inflated() {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        e.write_all(&zeros).expect("deflate");
    }
    let deflated = e.finish().expect("deflate");
    let mut bomb = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut n = deflated.len();
    while n >= 0x80 {
        bomb.push(u8::try_from(n & 0x7f).expect("byte") | 0x80);
        n >>= 7;
    }
    bomb.push(u8::try_from(n).expect("byte"));
    bomb.extend_from_slice(&deflated);
    assert!(bomb.len() < 16 << 20, "{}", bomb.len());
    let mut message = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message");
    message.changes = vec![bomb].into();

    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        Access::new(true),
        metrics.clone(),
        1 << 30,
        1 << 26,
    );
    let before = peak_rss();
    let stranger = "device:cc:bomb".to_string();
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, stranger.as_str().into());
    tx.unbounded_send(Ok(protocol::join(&stranger)))
        .expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    tx.unbounded_send(Ok(protocol::sync(
        &stranger,
        RELAY_ID,
        "4Tz9abc",
        &message.encode(),
    )))
    .expect("send");
    let (kind, _) = next_frame(&mut out).await;
    assert_eq!(kind, "error", "the bomb's connection is told and closed");
    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 256 << 20, "the relay grew by {} MiB", grown >> 20);
    assert_eq!(metrics.refused_inflated.load(Ordering::Relaxed), 1);
    // An honest writer still syncs the same document.
    let writer = "device:dd:w".to_string();
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, writer.as_str().into());
    tx.unbounded_send(Ok(protocol::join(&writer)))
        .expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut doc = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    doc.transact(|t| t.put(automerge::ROOT, "k", "Bäume"))
        .expect("edit");
    push(&mut doc, &mut state, &writer, &tx, &mut out).await;
}

/// Finding: changes whose dependencies never arrive wait in the document's memory, and the
/// size limit counted only what was stored, so one member could pile up gigabytes there
/// (and a compaction wrote them to disk). Now what waits counts against the document's
/// limit: the connection is closed and what waited is dropped.
#[tokio::test]
async fn changes_waiting_for_a_missing_dependency_count_against_the_document_limit() {
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let store = Store::open(dir.path()).expect("store");
    let hub = Hub::new(store, Access::new(true), metrics.clone(), 50_000, 1 << 30);
    let peer = "device:ee:orphans".to_string();
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.as_str().into());
    tx.unbounded_send(Ok(protocol::join(&peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut doc = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    doc.transact(|t| t.put(automerge::ROOT, "k", 0))
        .expect("edit");
    push(&mut doc, &mut state, &peer, &tx, &mut out).await;
    // One change the relay never gets, then twenty of 10 KB on top of it, sent one by one.
    doc.transact(|t| t.put(automerge::ROOT, "k", 1))
        .expect("edit");
    let mut kinds = Vec::new();
    for i in 0..20 {
        doc.transact(|t| t.put(automerge::ROOT, "text", noise(i, 10_000).as_str()))
            .expect("edit");
        let last = doc
            .get_last_local_change()
            .expect("a change")
            .raw_bytes()
            .to_vec();
        let mut m = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("a message");
        m.heads = doc.get_heads();
        m.changes = vec![last].into();
        tx.unbounded_send(Ok(protocol::sync(&peer, RELAY_ID, "4Tz9abc", &m.encode())))
            .expect("send");
        let (kind, _) = next_frame(&mut out).await;
        kinds.push(kind.clone());
        if kind == "error" {
            break;
        }
    }
    assert_eq!(kinds.last().map(String::as_str), Some("error"), "{kinds:?}");
    assert!(
        kinds.len() <= 6,
        "closed near the limit, not after {}",
        kinds.len()
    );
    // Refused by the size limit, which counts what waits (or by the waiting check itself).
    assert_eq!(
        metrics.refused_missing_dependencies.load(Ordering::Relaxed)
            + metrics.closed_bad_input.load(Ordering::Relaxed),
        1
    );
    // What waited is gone: a new reader of the document gets only the first change.
    let (_ftx, mut fout) = follower(&hub, "device:ff:r").await;
    let mut fresh = automerge::Automerge::new();
    let (kind, frame) = next_frame(&mut fout).await;
    assert_eq!(kind, "sync");
    apply(&mut fresh, &mut automerge::sync::State::new(), &frame);
    assert_eq!(fresh.get_changes(&[]).len(), 1);
}

/// From an adversarial review: the size limit compared what was on disk before the round,
/// so up to 512 messages applied in one round passed it together. What a round applied
/// counts now.
#[tokio::test]
async fn changes_applied_in_one_round_count_against_the_document_limit_together() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(dir.path()).expect("store");
    let hub = Hub::new(
        store.clone(),
        Access::new(true),
        Arc::new(Metrics::default()),
        30_000,
        1 << 30,
    );
    let mut conns = Vec::new();
    for peer in ["device:a1:s", "device:a2:s"] {
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        conns.push((peer, tx, out));
    }
    // Both send 20 KB that hardly compresses before either connection runs: one round.
    for (i, (peer, tx, _)) in conns.iter().enumerate() {
        let mut doc = automerge::Automerge::new();
        doc.transact(|t| {
            t.put(
                automerge::ROOT,
                format!("k{i}"),
                noise(i as u64 + 40, 20_000).as_str(),
            )
        })
        .expect("edit");
        let mut m = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("message");
        m.changes = vec![doc
            .get_last_local_change()
            .expect("change")
            .raw_bytes()
            .to_vec()]
        .into();
        tx.unbounded_send(Ok(protocol::sync(peer, RELAY_ID, "4Tz9rd", &m.encode())))
            .expect("send");
    }
    let mut kinds = Vec::new();
    for (_, _, out) in &mut conns {
        kinds.push(next_frame(out).await.0);
    }
    assert!(kinds.contains(&"error".to_string()), "{kinds:?}");
    let stored = store.document_bytes("4Tz9rd").expect("stored");
    assert!(stored.len() <= 30_000, "{} bytes stored", stored.len());
}
