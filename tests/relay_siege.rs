//! A relay under attack keeps serving (issue 13): one hostile client per attack class runs
//! against a real relay process while two honest peers keep syncing through it. The honest
//! peers end with the same documents at the same heads, each attack is answered by its own
//! limit (counted in `/metrics`), and the relay's peak memory stays bounded.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use allmende_sync_wire::protocol;
use allmende_tests::raw::{bomb, Pushed, RawClient};
use allmende_tests::{community_with_members, RelayProc};

/// What the hostile clients saw, for the assertions after the honest work.
#[derive(Debug, Default)]
struct Seen {
    bomb_closed: bool,
    flood_closed: bool,
    ephemeral_closed: bool,
    replay_refused: bool,
    idle_held: usize,
    metrics_status: String,
}

fn random_id(i: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&i.to_le_bytes());
    bytes[8..].copy_from_slice(&0x5eed_u64.to_le_bytes());
    allmende_core::ids::DocId::from_bytes(bytes).to_string()
}

fn empty_request() -> Vec<u8> {
    use automerge::sync::SyncDoc as _;
    automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message")
        .encode()
}

/// Whether the relay ends the connection (an error message or a close) within `wait`.
pub(super) async fn closed(client: &mut RawClient, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        match client.next(left).await {
            None => return tokio::time::Instant::now() < deadline,
            Some(frame) if frame.windows(5).any(|w| w == b"error") => return true,
            Some(_) => {}
        }
    }
}

/// The status line of a GET of `path` sent from `local`.
async fn status_from(relay: &RelayProc, local: IpAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind((local, 0).into()).expect("bind");
    let mut s = socket
        .connect(relay.addr.parse().expect("addr"))
        .await
        .expect("connect");
    let head = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", relay.addr);
    s.write_all(head.as_bytes()).await.expect("write");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer).await;
    answer.lines().next().unwrap_or_default().to_string()
}

async fn attack(relay: &RelayProc, idea: &str, done: &AtomicBool, stop: &AtomicBool) -> Seen {
    let ip = |s: &str| -> IpAddr { s.parse().expect("ip") };
    // Counters answer whether a probe hit a document: not for strangers.
    let mut seen = Seen {
        metrics_status: status_from(relay, ip("127.0.0.9"), "/metrics").await,
        ..Seen::default()
    };

    // Idle flood: sockets that never send a request head, and logged-in WebSockets that
    // never say a word, from fresh keys.
    let mut idle_sockets = Vec::new();
    for _ in 0..40 {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind((ip("127.0.0.4"), 0).into()).expect("bind");
        if let Ok(s) = socket.connect(relay.addr.parse().expect("addr")).await {
            idle_sockets.push(s);
        }
    }
    let mut idle = Vec::new();
    for i in 0..20u8 {
        if let Some(c) = RawClient::open(relay, ip("127.0.0.5"), [100 + i; 32], "idle").await {
            idle.push(c);
        }
    }
    seen.idle_held = idle.len();

    // A compression bomb for a document nobody has.
    let mut bomber = RawClient::open(relay, ip("127.0.0.6"), [11; 32], "bomb")
        .await
        .expect("the bomber logs in");
    let frame = protocol::sync(&bomber.peer, &bomber.relay, &random_id(1), &bomb(256));
    if bomber.send(frame).await.is_ok() {
        seen.bomb_closed = closed(&mut bomber, Duration::from_secs(30)).await;
    }

    // Requests for random documents, far past the per-connection cap.
    let mut flooder = RawClient::open(relay, ip("127.0.0.7"), [12; 32], "flood")
        .await
        .expect("the flooder logs in");
    let data = empty_request();
    for i in 0..2_000u64 {
        let frame = protocol::request(&flooder.peer, &flooder.relay, &random_id(100 + i), &data);
        if flooder.send(frame).await.is_err() {
            break;
        }
    }
    seen.flood_closed = closed(&mut flooder, Duration::from_secs(60)).await;

    // Ephemeral messages far over their size limit.
    let mut chatter = RawClient::open(relay, ip("127.0.0.8"), [13; 32], "chat")
        .await
        .expect("the chatter logs in");
    // An ephemeral is passed on only for a document the connection works on.
    let ask = protocol::request(&chatter.peer, &chatter.relay, idea, &empty_request());
    chatter.send(ask).await.expect("request");
    let frame = protocol::ephemeral(
        &chatter.peer,
        &chatter.relay,
        idea,
        "chat",
        1,
        &vec![7u8; 1 << 20],
    );
    if chatter.send(frame).await.is_ok() {
        seen.ephemeral_closed = closed(&mut chatter, Duration::from_secs(30)).await;
    }

    // A login used twice: the second connection is refused.
    let key = ed25519_dalek::SigningKey::from_bytes(&[14; 32]);
    let query = relay.login_query(&key, "replay");
    let url = format!("ws://{}/?{query}", relay.addr);
    let first = tokio_tungstenite::connect_async(url.clone()).await;
    let second = tokio_tungstenite::connect_async(url).await;
    seen.replay_refused = first.is_ok() && second.is_err();

    // Hold the idle connections (answering nothing) until the honest peers are done.
    done.store(true, Ordering::Relaxed);
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(idle);
    drop(idle_sockets);
    seen
}

#[test]
fn a_relay_under_attack_keeps_serving_honest_peers() {
    let relay = RelayProc::start("max_documents_per_connection = 500\n");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Solardach Schule",
        "--category",
        "energy",
    ]);
    // Squatting first, before Anna uploads the idea: a document under its id naming a
    // community the relay does not know (what the old relay stored, fixing the id to it).
    let elsewhere = random_id(9);
    let squat = super::squat::push_as_stranger(
        &relay,
        &idea,
        &mut super::squat::squatter_doc(&idea, "idea", &elsewhere),
    );
    assert_eq!(squat, Pushed::Refused, "the id cannot be taken");
    let baseline = relay.peak_rss_bytes();

    let (done, stop) = (AtomicBool::new(false), AtomicBool::new(false));
    let seen = std::thread::scope(|s| {
        let hostile = s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(attack(&relay, &idea, &done, &stop))
        });
        // The honest peers keep working meanwhile.
        for round in 0..5 {
            anna.create(&[
                "idea",
                "add",
                "--title",
                &format!("Während des Angriffs {round}"),
                "--category",
                "energy",
            ]);
            anna.ok(&["sync"]);
            ben.ok(&["sync"]);
            ben.ok(&[
                "idea",
                "comment",
                &idea,
                "--text",
                &format!("Dabei {round}"),
            ]);
            ben.ok(&["sync"]);
        }
        // Every attack has been made; the idle connections are still held.
        while !done.load(Ordering::Relaxed) && !hostile.is_finished() {
            std::thread::sleep(Duration::from_millis(100));
        }
        anna.create(&["idea", "add", "--title", "Zuletzt", "--category", "energy"]);
        anna.ok(&["sync"]);
        ben.ok(&["sync"]);
        stop.store(true, Ordering::Relaxed);
        hostile.join().expect("the hostile clients")
    });
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);

    assert_eq!(
        anna.doc_heads(),
        ben.doc_heads(),
        "the honest peers hold the same documents at the same heads"
    );
    let titles = ben.titles(&["idea", "list", "--limit", "100"]);
    assert!(titles.iter().any(|t| t == "Solardach Schule"), "{titles:?}");
    assert!(
        titles.iter().any(|t| t == "Während des Angriffs 4"),
        "{titles:?}"
    );
    assert!(titles.iter().any(|t| t == "Zuletzt"), "{titles:?}");

    assert!(
        seen.bomb_closed,
        "the bomb's connection is closed: {seen:?}"
    );
    assert!(relay.metric("allmende_relay_refused_inflated_total") >= 1);
    assert!(seen.flood_closed, "the request flood is closed: {seen:?}");
    assert!(relay.metric("allmende_relay_closed_too_many_documents_total") >= 1);
    assert!(
        seen.ephemeral_closed,
        "the big ephemeral's connection is closed: {seen:?}"
    );
    assert!(relay.metric("allmende_relay_closed_oversize_ephemeral_total") >= 1);
    assert!(seen.replay_refused, "a login works once: {seen:?}");
    assert!(relay.metric("allmende_relay_refused_replayed_logins_total") >= 1);
    assert!(seen.idle_held > 0, "{seen:?}");
    assert!(
        seen.metrics_status.contains("403"),
        "a stranger cannot read the counters: {seen:?}"
    );

    // The bomb inflates to 256 MiB and the request flood names 2,000 documents: none of it
    // may reach the relay's memory.
    let peak = relay.peak_rss_bytes();
    assert!(
        peak < baseline + (96 << 20),
        "the relay's peak memory grew from {} MiB to {} MiB",
        baseline >> 20,
        peak >> 20
    );
}
