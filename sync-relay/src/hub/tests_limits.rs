//! The connection limits of the engine: joins in time, silence, documents per connection,
//! ephemeral size. Each closes the offending connection and spares the others.
use super::tests::{channel_conn, next_frame, noise, Answers, Sent};
use super::*;
use futures::StreamExt;

fn hub(config: &crate::Config) -> (tempfile::TempDir, Hub, Arc<Metrics>) {
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        Access::new(true),
        metrics.clone(),
        1 << 30,
        1 << 30,
    )
    .with_connection_limits(config);
    (dir, hub, metrics)
}

/// The first sync message of an empty document.
fn first_message() -> Vec<u8> {
    use automerge::sync::SyncDoc;
    automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message")
        .encode()
}

/// Reads answers until the relay's error message; its text.
async fn error_text(out: &mut Answers) -> String {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(120), out.next())
            .await
            .expect("an answer")
            .expect("the connection is still there");
        if let Ok(Inbound::Ignored) | Err(_) = protocol::decode(&frame) {
            let text = String::from_utf8_lossy(&frame).to_string();
            if text.contains("error") {
                return text;
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_never_joins_is_closed_and_one_that_joined_stays() {
    let (_dir, hub, metrics) = hub(&crate::Config::default());
    hub.spawn_sweeper(Duration::from_secs(10), Duration::ZERO);
    let (silent, _silent_tx, mut silent_out) = channel_conn();
    hub.accept(silent, "device:aa:s".into());
    let (joined, joined_tx, mut joined_out) = channel_conn();
    hub.accept(joined, "device:bb:s".into());
    joined_tx
        .unbounded_send(Ok(protocol::join("device:bb:s")))
        .expect("send");
    assert_eq!(next_frame(&mut joined_out).await.0, "peer");
    let text = error_text(&mut silent_out).await;
    assert!(text.contains("no join within 10 s"), "{text}");
    assert!(
        tokio::time::timeout(Duration::from_secs(5), silent_out.next())
            .await
            .expect("closed")
            .is_none(),
        "nothing after the error: the connection ends"
    );
    assert_eq!(metrics.closed_idle.load(Ordering::Relaxed), 1);
    // The joined connection is still served.
    tokio::time::sleep(Duration::from_secs(60)).await;
    joined_tx
        .unbounded_send(Ok(protocol::request(
            "device:bb:s",
            RELAY_ID,
            "4Tz9abc",
            &first_message(),
        )))
        .expect("send");
    let (kind, _) = next_frame(&mut joined_out).await;
    assert_ne!(kind, "error", "the joined connection was closed");
    assert_eq!(metrics.closed_idle.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn one_document_more_than_a_connection_may_have_closes_it() {
    let config = crate::Config {
        max_documents_per_connection: 3,
        ..crate::Config::default()
    };
    let (_dir, hub, metrics) = hub(&config);
    let peer = "device:cc:s";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let empty = first_message();
    for doc in ["4Tz9aa", "4Tz9ab", "4Tz9ac", "4Tz9aa"] {
        tx.unbounded_send(Ok(protocol::request(peer, RELAY_ID, doc, &empty)))
            .expect("send");
    }
    tx.unbounded_send(Ok(protocol::request(peer, RELAY_ID, "4Tz9ad", &empty)))
        .expect("send");
    let text = error_text(&mut out).await;
    assert!(text.contains("more than 3 documents"), "{text}");
    assert_eq!(metrics.closed_too_many_documents.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn an_oversize_ephemeral_message_closes_its_connection_and_a_small_one_passes() {
    let config = crate::Config {
        max_ephemeral_bytes: 1024,
        ..crate::Config::default()
    };
    let (_dir, hub, metrics) = hub(&config);
    let peer = "device:dd:s";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    // Ephemerals go only to documents the connection works on: one for another document
    // is dropped, whatever its size.
    tx.unbounded_send(Ok(protocol::ephemeral(
        peer, RELAY_ID, "4Tz9zz", "s", 1, &[7; 4096],
    )))
    .expect("send");
    tx.unbounded_send(Ok(protocol::request(
        peer,
        RELAY_ID,
        "4Tz9aa",
        &first_message(),
    )))
    .expect("send");
    tx.unbounded_send(Ok(protocol::ephemeral(
        peer, RELAY_ID, "4Tz9aa", "s", 1, &[7; 1024],
    )))
    .expect("send");
    tx.unbounded_send(Ok(protocol::ephemeral(
        peer, RELAY_ID, "4Tz9aa", "s", 2, &[7; 1025],
    )))
    .expect("send");
    let text = error_text(&mut out).await;
    assert!(text.contains("ephemeral message of 1025 bytes"), "{text}");
    assert_eq!(metrics.closed_oversize_ephemeral.load(Ordering::Relaxed), 1);
}

/// A raw WebSocket client (after the handshake) on a real socket, served by the hub.
async fn ws_client(
    hub: &Hub,
    listener: &tokio::net::TcpListener,
    peer: &str,
) -> std::net::TcpStream {
    let addr = listener.local_addr().expect("addr");
    let client = std::net::TcpStream::connect(addr).expect("connect");
    let (server, _) = listener.accept().await.expect("accept");
    let conn = crate::limits::guard_ws(
        crate::ws::WsConn::new(server, 1 << 20),
        Arc::from(peer),
        1 << 20,
        1000,
        Arc::new(Metrics::default()),
    );
    hub.accept(conn, Arc::from(peer));
    client
}

/// A masked client frame.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [1, 2, 3, 4];
    let len = u8::try_from(payload.len()).expect("short");
    assert!(len < 126);
    let mut out = vec![0x80 | opcode, 0x80 | len];
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

/// Reads server frames, answering pings, until the close frame or the end; the pings seen.
fn answer_pings_until_closed(mut s: std::net::TcpStream, answer: bool) -> usize {
    use std::io::{Read, Write};
    let mut pings = 0;
    loop {
        let mut head = [0u8; 2];
        if s.read_exact(&mut head).is_err() {
            return pings;
        }
        let len = match head[1] & 0x7f {
            126 => {
                let mut b = [0u8; 2];
                s.read_exact(&mut b).expect("len");
                usize::from(u16::from_be_bytes(b))
            }
            127 => {
                let mut b = [0u8; 8];
                s.read_exact(&mut b).expect("len");
                usize::try_from(u64::from_be_bytes(b)).expect("len")
            }
            n => usize::from(n),
        };
        let mut payload = vec![0u8; len];
        s.read_exact(&mut payload).expect("payload");
        match head[0] & 0x0f {
            0x9 => {
                pings += 1;
                if answer {
                    s.write_all(&client_frame(0xA, &payload)).expect("pong");
                }
            }
            0x8 => return pings,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_websocket_is_closed_and_one_that_answers_pings_stays_open() {
    use std::io::Write;
    let (_dir, hub, metrics) = hub(&crate::Config::default());
    hub.spawn_sweeper(Duration::from_secs(10), Duration::from_secs(2));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let mut silent = ws_client(&hub, &listener, "device:ee:s").await;
    let mut lively = ws_client(&hub, &listener, "device:ff:s").await;
    silent
        .write_all(&client_frame(0x2, &protocol::join("device:ee:s")))
        .expect("join");
    lively
        .write_all(&client_frame(0x2, &protocol::join("device:ff:s")))
        .expect("join");
    let lively_reader = lively.try_clone().expect("clone");
    let lively_task = std::thread::spawn(move || answer_pings_until_closed(lively_reader, true));
    let silent_pings =
        tokio::task::spawn_blocking(move || answer_pings_until_closed(silent, false))
            .await
            .expect("reader");
    assert!(silent_pings >= 1, "the silent connection was pinged first");
    assert_eq!(metrics.closed_idle.load(Ordering::Relaxed), 1);
    // Twice the idle time more: the lively connection answers every ping and stays.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        metrics.closed_idle.load(Ordering::Relaxed),
        1,
        "a connection that answers pings is not closed for silence"
    );
    hub.shutdown().await;
    assert!(
        lively_task.join().expect("reader") >= 2,
        "the lively one was pinged too"
    );
}

#[tokio::test]
async fn a_second_join_closes_the_connection() {
    // Each join is answered: joins in a loop to a peer that never reads would fill its
    // socket and hold the connection's task in a write, out of the sweeper's reach.
    let (_dir, hub, _) = hub(&crate::Config::default());
    let peer = "device:ab:s";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    let text = error_text(&mut out).await;
    assert!(text.contains("a second join"), "{text}");
}

/// Sends `n` changes of `len` letters that hardly compress to document `doc_id`, reading
/// the relay's answers; the kinds of the answers (up to the first that is not a sync).
async fn write_noise(
    peer: &str,
    doc_id: &str,
    (n, len): (u8, usize),
    tx: &Sent,
    out: &mut Answers,
) -> Vec<String> {
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    let mut doc = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    let mut kinds = Vec::new();
    for i in 0..n {
        let text = noise(u64::from(i) + len as u64, len);
        doc.transact(|t| t.put(automerge::ROOT, format!("k{i}"), text.as_str()))
            .expect("edit");
        while let Some(m) = doc.generate_sync_message(&mut state) {
            tx.unbounded_send(Ok(protocol::sync(peer, RELAY_ID, doc_id, &m.encode())))
                .expect("send");
            let (kind, frame) = next_frame(out).await;
            kinds.push(kind.clone());
            let Ok(Inbound::Sync { data, .. }) = protocol::decode(&frame) else {
                return kinds;
            };
            let m = automerge::sync::Message::decode(&data).expect("sync message");
            doc.receive_sync_message(&mut state, m).expect("apply");
        }
    }
    kinds
}

/// Finding (5): no quota per key, so one member could fill the relay's disk with many
/// documents, each under the document limit. Now what a device stores is counted under its
/// key, across documents and restarts, and past the quota its new changes are refused while
/// other devices keep writing.
#[tokio::test]
async fn a_device_past_its_quota_is_refused_across_documents_and_restarts() {
    let config = crate::Config {
        max_bytes_per_key: 25_000,
        ..crate::Config::default()
    };
    let (dir, hub, metrics) = hub(&config);
    let greedy = "device:ab:g1";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, greedy.into());
    tx.unbounded_send(Ok(protocol::join(greedy))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let kinds = write_noise(greedy, "4Tz9qa", (10, 10_000), &tx, &mut out).await;
    assert_eq!(kinds.last().map(String::as_str), Some("error"), "{kinds:?}");
    // Each change takes a message or two; ten would take at least ten.
    assert!(kinds.len() <= 8, "refused near the quota: {kinds:?}");
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 1);
    // Another device is not held to the first one's quota.
    let other = "device:cd:o1";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, other.into());
    tx.unbounded_send(Ok(protocol::join(other))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let kinds = write_noise(other, "4Tz9qb", (2, 10_000), &tx, &mut out).await;
    assert!(kinds.iter().all(|k| k == "sync"), "{kinds:?}");
    // After a restart, the first device is still at its quota, also on a new document: a
    // change larger than the one refused before is refused at once.
    hub.shutdown().await;
    let metrics = Arc::new(Metrics::default());
    let again = Hub::new(
        Store::open(dir.path()).expect("store"),
        Access::new(true),
        metrics.clone(),
        1 << 30,
        1 << 30,
    )
    .with_connection_limits(&config);
    let (conn, tx, mut out) = channel_conn();
    again.accept(conn, "device:ab:g2".into());
    tx.unbounded_send(Ok(protocol::join("device:ab:g2")))
        .expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let kinds = write_noise("device:ab:g2", "4Tz9qc", (1, 20_000), &tx, &mut out).await;
    assert_eq!(
        kinds,
        ["sync", "error"],
        "the first message holds no change; the change is refused"
    );
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 1);
}

/// Changes of `n` steps of `len` letters each, each on top of the one before: the raw
/// change bytes in order (the first on a fresh document).
fn chain(n: u64, len: usize) -> Vec<Vec<u8>> {
    use automerge::transaction::Transactable;
    let mut doc = automerge::Automerge::new();
    (0..n)
        .map(|i| {
            doc.transact(|t| t.put(automerge::ROOT, "text", noise(i + 77, len).as_str()))
                .expect("edit");
            doc.get_last_local_change()
                .expect("a change")
                .raw_bytes()
                .to_vec()
        })
        .collect()
}

/// A sync message carrying exactly `changes`.
pub(super) fn carrying(changes: Vec<Vec<u8>>) -> Vec<u8> {
    use automerge::sync::SyncDoc;
    let mut m = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("a message");
    m.changes = changes.into();
    m.encode()
}

/// From an adversarial review: only changes that moved the document's heads were charged,
/// so a chain sent last change first waited for free and the final root change paid for
/// its own bytes alone. What waits now counts against the quota, and is charged when it is
/// stored.
#[tokio::test]
async fn changes_sent_last_first_count_against_the_quota_while_they_wait() {
    let config = crate::Config {
        max_bytes_per_key: 25_000,
        ..crate::Config::default()
    };
    let (_dir, hub, metrics) = hub(&config);
    let peer = "device:ab:r1";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    // A first change the relay stores, then five of 10 KB on top of it, last first.
    let mut changes = chain(6, 10_000);
    let root = changes.remove(0);
    tx.unbounded_send(Ok(protocol::sync(
        peer,
        RELAY_ID,
        "4Tz9rv",
        &carrying(vec![root]),
    )))
    .expect("send");
    assert_eq!(next_frame(&mut out).await.0, "sync");
    let mut kinds = Vec::new();
    for change in changes.into_iter().rev() {
        tx.unbounded_send(Ok(protocol::sync(
            peer,
            RELAY_ID,
            "4Tz9rv",
            &carrying(vec![change]),
        )))
        .expect("send");
        let (kind, _) = next_frame(&mut out).await;
        kinds.push(kind.clone());
        if kind == "error" {
            break;
        }
    }
    assert_eq!(kinds.last().map(String::as_str), Some("error"), "{kinds:?}");
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 1);
}

/// From an adversarial review: anyone could park changes that wait for a dependency in a
/// document the relay does not hold (a stranger may write a new id; waiting changes never
/// move its heads, so no creator's proof was asked). That connection is closed now.
#[tokio::test]
async fn changes_that_wait_in_a_document_the_relay_does_not_hold_close_the_connection() {
    let (_dir, hub, metrics) = hub(&crate::Config::default());
    let peer = "device:cd:w1";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let mut changes = chain(2, 1_000);
    let second = changes.pop().expect("second");
    tx.unbounded_send(Ok(protocol::sync(
        peer,
        RELAY_ID,
        "4Tz9ws",
        &carrying(vec![second]),
    )))
    .expect("send");
    let text = error_text(&mut out).await;
    assert!(text.contains("does not have"), "{text}");
    assert_eq!(
        metrics.refused_missing_dependencies.load(Ordering::Relaxed),
        1
    );
}

/// From a review: what waits for a dependency counted against the quota per device, so each
/// key of a member could park up to the member's quota in waiting changes. The waiting bytes
/// of all the member's keys count together now.
#[tokio::test]
async fn changes_waiting_from_one_members_two_keys_count_together() {
    let config = crate::Config {
        max_bytes_per_key: 25_000,
        ..crate::Config::default()
    };
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    // Its changes carry no header (this relay takes such documents in); the relay knows
    // the document as an item of Ben's community all the same.
    let access = Access::new(true);
    access.know_for_test("C1", &[("ab", "ben"), ("cd", "ben")], &["4Tz9wt"]);
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        access,
        metrics.clone(),
        1 << 30,
        1 << 30,
    )
    .with_connection_limits(&config);
    let (mut txs, mut outs) = (Vec::new(), Vec::new());
    let peers = ["device:ab:w1", "device:cd:w2"];
    for peer in peers {
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        txs.push(tx);
        outs.push(out);
    }
    // Ben's first key stores a change of 10 KB, then parks one that waits (10 KB more).
    let mut changes = chain(4, 10_000);
    let root = changes.remove(0);
    let send = |i: usize, change: Vec<u8>| {
        txs[i]
            .unbounded_send(Ok(protocol::sync(
                peers[i],
                RELAY_ID,
                "4Tz9wt",
                &carrying(vec![change]),
            )))
            .expect("send");
    };
    send(0, root);
    assert_eq!(next_frame(&mut outs[0]).await.0, "sync");
    send(0, changes.pop().expect("last"));
    assert_eq!(next_frame(&mut outs[0]).await.0, "sync");
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 0);
    // His second key parks another 10 KB: 30 KB of his are held, past the 25 KB.
    send(1, changes.pop().expect("middle"));
    let (kind, _) = next_frame(&mut outs[1]).await;
    assert_eq!(
        kind, "error",
        "the second key parked past the member's quota"
    );
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 1);
}

/// From a review: what waits for a dependency counted against the quota only within its
/// document, so a member could park up to the quota in every document (relay memory). What
/// a member's keys have waiting counts together across documents now.
#[tokio::test]
async fn changes_waiting_in_two_documents_count_together() {
    let config = crate::Config {
        max_bytes_per_key: 35_000,
        ..crate::Config::default()
    };
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let access = Access::new(true);
    access.know_for_test("C1", &[("ab", "ben")], &["4Tz9wa", "4Tz9wb"]);
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        access,
        metrics.clone(),
        1 << 30,
        1 << 30,
    )
    .with_connection_limits(&config);
    let peer = "device:ab:w1";
    let (conn, tx, mut out) = channel_conn();
    hub.accept(conn, peer.into());
    tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
    assert_eq!(next_frame(&mut out).await.0, "peer");
    let send = |doc: &str, change: Vec<u8>| {
        tx.unbounded_send(Ok(protocol::sync(
            peer,
            RELAY_ID,
            doc,
            &carrying(vec![change]),
        )))
        .expect("send");
    };
    // In each document Ben stores a change of 10 KB and parks one that waits (10 KB more).
    let mut first = chain(3, 10_000);
    send("4Tz9wa", first.remove(0));
    assert_eq!(next_frame(&mut out).await.0, "sync");
    send("4Tz9wa", first.pop().expect("last"));
    assert_eq!(next_frame(&mut out).await.0, "sync");
    let mut second = chain(3, 10_000);
    send("4Tz9wb", second.remove(0));
    assert_eq!(next_frame(&mut out).await.0, "sync");
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 0);
    // 20 KB stored and 10 KB held in the first document: 10 KB more held in the second
    // passes the 35 KB.
    send("4Tz9wb", second.pop().expect("last"));
    let (kind, _) = next_frame(&mut out).await;
    assert_eq!(
        kind, "error",
        "parked past the member's quota in a second document"
    );
    assert_eq!(metrics.refused_quota.load(Ordering::Relaxed), 1);
}
