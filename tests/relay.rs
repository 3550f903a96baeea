//! Sync through a real relay process on 127.0.0.1 with real `allmende` peers.

use std::collections::BTreeSet;

use allmende_tests::{community_with_members, Peer, RelayProc};

fn idea_titles(p: &Peer) -> BTreeSet<String> {
    p.titles(&["idea", "list", "--limit", "1000"])
        .into_iter()
        .collect()
}

#[test]
fn two_peers_that_never_run_together_exchange_changes() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    // Ben works offline, syncs and goes away; Anna comes later.
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Bens Obstwiese",
        "--category",
        "nature",
    ]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    assert!(idea_titles(&anna).contains("Bens Obstwiese"));
    // And back: Anna answers while Ben is away.
    let idea = anna.json(&["idea", "list"])["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    anna.ok(&["idea", "comment", &idea, "--text", "Bin dabei!"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    let shown = ben.json(&["idea", "show", &idea]);
    assert_eq!(shown["summary"]["comments"], 1);
    let status = anna.json(&["sync", "--status"]);
    assert_eq!(status[0]["waiting"], 0, "{status}");
    anna.ok(&[
        "idea",
        "add",
        "--title",
        "Noch nicht gesendet",
        "--category",
        "energy",
    ]);
    let status = anna.json(&["sync", "--status"]);
    assert!(
        status[0]["waiting"].as_u64().unwrap_or(0) >= 1,
        "offline edits wait: {status}"
    );
    assert!(relay.metric("allmende_relay_documents_stored") >= 4);
}

#[test]
fn three_peers_with_200_offline_edits_each_converge() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben", "Cem"]);
    let shared = anna.create(&[
        "idea",
        "add",
        "--title",
        "Gemeinsame Idee",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync"]);
    for m in &members {
        m.ok(&["sync"]);
    }
    let peers: Vec<&Peer> = std::iter::once(&anna).chain(members.iter()).collect();
    // 200 offline edits on each peer: 180 new ideas, 20 comments on the shared idea.
    for (n, p) in peers.iter().enumerate() {
        p.ok(&["dev", "write-ideas", "--count", "180"]);
        for k in 0..20 {
            p.ok(&[
                "idea",
                "comment",
                &shared,
                "--text",
                &format!("Peer {n}, Kommentar {k}"),
            ]);
        }
    }
    for _round in 0..2 {
        for p in &peers {
            p.ok(&["sync"]);
        }
    }
    let lists: Vec<serde_json::Value> = peers
        .iter()
        .map(|p| p.json(&["idea", "list", "--limit", "1000"]))
        .collect();
    assert_eq!(lists[0]["total"], 3 * 180 + 1);
    assert!(
        lists.iter().all(|l| l == &lists[0]),
        "all peers list the same ideas"
    );
    let shown: Vec<serde_json::Value> = peers
        .iter()
        .map(|p| p.json(&["idea", "show", &shared])["item"].clone())
        .collect();
    assert_eq!(
        shown[0]["idea"]["comments"].as_object().map(|c| c.len()),
        Some(60)
    );
    assert!(
        shown.iter().all(|s| s == &shown[0]),
        "the shared idea is identical everywhere"
    );
}

#[test]
fn a_non_team_member_cannot_read_a_team_only_project() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben", "Cem"]);
    let (ben, cem) = (&members[0], &members[1]);
    let project = anna.create(&[
        "project",
        "add",
        "--title",
        "Geheimplan",
        "--category",
        "energy",
        "--team-only",
    ]);
    anna.ok(&["project", "team-add", &project, "Ben"]);
    let public = anna.create(&[
        "project",
        "add",
        "--title",
        "Offenes Projekt",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync"]);
    let before = relay.metric("allmende_relay_rejected_requests_total");
    ben.ok(&["sync"]);
    // Cem learns of the project from the catalogue; the relay refuses it to him.
    let report = cem.json(&["sync"]);
    assert!(ben
        .ok(&["project", "show", &project])
        .contains("Geheimplan"));
    assert!(cem
        .ok(&["project", "show", &public])
        .contains("Offenes Projekt"));
    let (code, _) = cem.fails(&["project", "show", &project]);
    assert_eq!(code, 2, "Cem has no copy of the team-only project");
    assert!(
        report["not_synced"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == project.as_str())),
        "{report}"
    );
    assert!(relay.metric("allmende_relay_rejected_requests_total") > before);
}

/// From a review: Ben, on a team-only project's team but not its lead, has his client write
/// "public" over its visibility and syncs. Readers keep it team-only (only its leads set
/// that); the relay, which decides who gets it, must too.
#[test]
fn a_visibility_written_by_a_team_member_not_a_lead_opens_no_project_on_the_relay() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben", "Cem"]);
    let (ben, cem) = (&members[0], &members[1]);
    let project = anna.create(&[
        "project",
        "add",
        "--title",
        "Geheimplan",
        "--category",
        "energy",
        "--team-only",
    ]);
    anna.ok(&["project", "team-add", &project, "Ben"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    allmende_tests::tamper(ben, &project, |d, svc| {
        use automerge::transaction::Transactable;
        d.put(automerge::ROOT, "visibility", "public")
            .expect("visibility");
        // Signed by Ben's device, as his app signs its changes.
        let hash = d.commit().expect("a change");
        d.empty_change(
            automerge::transaction::CommitOptions::default().with_message(
                allmende_core::governance::body::signature_message(svc.device(), &project, &hash),
            ),
        );
    });
    ben.ok(&["sync"]);
    let report = cem.json(&["sync"]);
    assert!(
        report["not_synced"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == project.as_str())),
        "the relay refuses the project to Cem: {report}"
    );
    let held = allmende_service::Service::open(cem.path())
        .expect("Cem's store")
        .doc_bytes(&project);
    assert!(held.is_err(), "Cem's store holds no copy of the project");
    // Anna, its lead, still reads it as team-only.
    anna.ok(&["sync"]);
    assert!(anna
        .ok(&["project", "show", &project])
        .contains("Geheimplan"));
}

#[test]
fn kill_9_of_the_relay_loses_no_acknowledged_change() {
    let mut relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    anna.ok(&["dev", "write-ideas", "--count", "60"]);
    let report = anna.json(&["sync"]);
    assert!(
        report["not_synced"].as_array().is_some_and(Vec::is_empty),
        "{report}"
    );
    let stored = relay.metric("allmende_relay_documents_stored");
    relay.kill9_and_restart();
    assert_eq!(
        relay.metric("allmende_relay_documents_stored"),
        stored,
        "counted from disk after a restart"
    );
    members[0].ok(&["sync"]);
    assert_eq!(idea_titles(&members[0]).len(), 60);
}

/// Sends raw bytes to the relay and returns its status line.
fn status_line(relay: &RelayProc, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(&relay.addr).expect("connect");
    s.write_all(request).expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn plain_http_requests_get_clear_answers_and_the_relay_keeps_serving() {
    let relay = RelayProc::start("");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "200"),
        (b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "404"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "426"),
        (b"POST /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "405"),
        (b"BLA\r\n\r\n".to_vec(), "400"),
        (
            [b"GET / HTTP/1.1\r\nX: ".to_vec(), vec![b'a'; 20_000], b"\r\n\r\n".to_vec()].concat(),
            "431",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".to_vec(),
            "401",
        ),
    ];
    for (request, want) in cases {
        let line = status_line(&relay, &request);
        assert!(
            line.starts_with("HTTP/1.1 ") && line.contains(want),
            "{:?} answered {line:?}, expected {want}",
            String::from_utf8_lossy(&request[..request.len().min(40)])
        );
    }
    assert!(relay.get("/healthz").starts_with("ok allmende-relay "));
}

#[test]
fn a_busy_first_sync_is_slowed_down_not_cut_off() {
    // A relay that reads 20 messages a second: an honest first sync of many documents sends
    // far more. It must be read later, never closed as abuse.
    let relay = RelayProc::start("max_messages_per_second = 20\n");
    let admin = Peer::new();
    admin.create(&[
        "init",
        "--name",
        "Eiltal",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    admin.ok(&["dev", "write-ideas", "--count", "60"]);
    let out = admin.ok(&["sync", "--relay", &relay.url(), "--timeout", "60"]);
    assert!(
        !out.contains('✗'),
        "documents were cut off on a busy first sync:\n{out}"
    );
    assert!(relay.metric("allmende_relay_throttled_total") > 0);
    assert_eq!(relay.metric("allmende_relay_closed_bad_input_total"), 0);
    let member = Peer::new();
    let token = admin.ok(&["invite", "--name", "Ben", "--relay", &relay.url()]);
    admin.ok(&["sync", "--timeout", "60"]);
    member.ok(&["join", token.trim(), "--timeout", "60"]);
    assert_eq!(idea_titles(&member), idea_titles(&admin));
    assert_eq!(idea_titles(&member).len(), 60);
}

/// Opens an authenticated WebSocket to the relay from `local` (a loopback address of its
/// own) as device `seed`; whether the relay let it in.
async fn open_ws(
    relay: &RelayProc,
    local: std::net::IpAddr,
    seed: u8,
    session: &str,
) -> Option<tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>> {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let url = format!("ws://{}/?{}", relay.addr, relay.login_query(&key, session));
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(std::net::SocketAddr::new(local, 0))
        .expect("bind");
    let stream = socket
        .connect(relay.addr.parse().expect("addr"))
        .await
        .expect("connect");
    tokio_tungstenite::client_async(url, stream)
        .await
        .ok()
        .map(|(ws, _)| ws)
}

#[test]
fn a_stranger_holding_sockets_does_not_lock_out_members() {
    let relay = RelayProc::start(
        "max_connections = 40\nmax_connections_per_ip = 10\nmax_connections_per_key = 4\n",
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let addr = relay.addr.clone();
    let held = rt.block_on(async {
        let mut held = Vec::new();
        // Fresh keys from one address: as many as the relay has room for, if it let them.
        let stranger: std::net::IpAddr = "127.0.0.2".parse().expect("ip");
        for i in 0..50u8 {
            if let Some(ws) = open_ws(&relay, stranger, i + 1, &format!("s{i}")).await {
                held.push(ws);
            }
        }
        let from_stranger = held.len();
        // One key from another address, many sessions.
        let one_key: std::net::IpAddr = "127.0.0.3".parse().expect("ip");
        for i in 0..10u8 {
            if let Some(ws) = open_ws(&relay, one_key, 99, &format!("k{i}")).await {
                held.push(ws);
            }
        }
        // Sockets that never send a request head, from a third address.
        let slow: std::net::IpAddr = "127.0.0.4".parse().expect("ip");
        let mut sockets = Vec::new();
        for _ in 0..100 {
            let socket = tokio::net::TcpSocket::new_v4().expect("socket");
            socket
                .bind(std::net::SocketAddr::new(slow, 0))
                .expect("bind");
            if let Ok(s) = socket.connect(addr.parse().expect("addr")).await {
                sockets.push(s);
            }
        }
        (held, from_stranger, sockets)
    });
    let (held, from_stranger, _sockets) = held;
    // The community's own devices still get in and sync, while all of that is held open.
    let (admin, members, _) = community_with_members(&relay, &["Ben"]);
    admin.create(&[
        "idea",
        "add",
        "--title",
        "Trotz allem",
        "--category",
        "energy",
    ]);
    admin.ok(&["sync", "--relay", &relay.url()]);
    members[0].ok(&["sync", "--relay", &relay.url()]);
    assert!(idea_titles(&members[0]).contains("Trotz allem"));
    assert_eq!(from_stranger, 10, "one address gets its share, no more");
    assert_eq!(held.len(), 14, "one key gets its share, no more");
    assert!(relay.metric("allmende_relay_refused_per_ip_total") >= 40 + 90);
    assert_eq!(relay.metric("allmende_relay_refused_per_key_total"), 6);
    drop(held);
}

/// Mallory's modified client writes a title that is not text straight into stored
/// documents (as another app on the same relay could) and syncs them up.
fn poison(mallory: &Peer, idea: &str) {
    use automerge::transaction::Transactable;
    let mut svc = allmende_service::Service::open(mallory.path()).expect("open");
    let bytes = svc.doc_bytes(idea).expect("bytes");
    let mut d = allmende_service::docs::load(&bytes, &svc.device().actor()).expect("load");
    let _ = d.save_incremental();
    d.put(automerge::ROOT, "title", 5_i64).expect("poison");
    let change = d.save_incremental();
    let heads = allmende_service::docs::heads(&mut d);
    drop(svc);
    let db = rusqlite::Connection::open(mallory.db()).expect("db");
    db.execute(
        "INSERT INTO chunks(doc, seq, snapshot, data)
         VALUES (?1, (SELECT max(seq) + 1 FROM chunks WHERE doc = ?1), 0, ?2)",
        rusqlite::params![idea, change],
    )
    .expect("raw chunk");
    db.execute(
        "UPDATE docs SET version = version + 1, heads = ?2 WHERE id = ?1",
        [idea, &heads],
    )
    .expect("version");
}

#[test]
fn one_poisoned_document_is_quarantined_and_everything_else_still_syncs() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Mallory", "Ben"]);
    let (mallory, ben) = (&members[0], &members[1]);
    // An idea Anna already holds, and one she has not seen yet.
    let held = mallory.create(&["idea", "add", "--title", "Heilbar", "--category", "energy"]);
    mallory.ok(&["sync"]);
    anna.ok(&["sync"]);
    let fresh = mallory.create(&["idea", "add", "--title", "Gift", "--category", "energy"]);
    poison(mallory, &held);
    poison(mallory, &fresh);
    mallory.ok(&["sync"]);
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Bens gute Idee",
        "--category",
        "nature",
    ]);
    ben.ok(&["sync"]);
    // Anna's sync takes everything else in and keeps the poisoned new document apart; the
    // one she held is put back in shape (she has a good copy to restore from).
    let out = anna.ok(&["sync"]);
    assert!(
        out.contains(&fresh) && (out.contains("Quarantäne") || out.contains("quarantine")),
        "{out}"
    );
    assert!(!out.contains(&held), "{out}");
    let titles = idea_titles(&anna);
    assert!(titles.contains("Bens gute Idee"));
    assert!(titles.contains("Heilbar"), "put back in shape: {titles:?}");
    assert!(!titles.contains("Gift"));
    // And every later session too; Ben gets the repaired idea from Anna through the relay.
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Noch eine",
        "--category",
        "nature",
    ]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    assert!(idea_titles(&anna).contains("Noch eine"));
    ben.ok(&["sync"]);
    assert!(idea_titles(ben).contains("Heilbar"));
}

#[path = "relay_feed.rs"]
mod feed;

#[path = "relay_scope.rs"]
mod scope;

#[path = "relay_teams.rs"]
mod teams;

#[path = "relay_backup.rs"]
mod backup;

#[path = "relay_login.rs"]
mod login;

#[path = "relay_invites.rs"]
mod invites;

#[path = "relay_squat.rs"]
mod squat;

#[path = "relay_quota.rs"]
mod quota;

#[path = "relay_tangled.rs"]
mod tangled;

#[path = "relay_siege.rs"]
mod siege;

#[path = "relay_resume.rs"]
mod resume;

#[path = "relay_service.rs"]
mod service;

#[path = "relay_town.rs"]
mod town;

#[path = "relay_frames.rs"]
mod frames;

#[path = "relay_watch.rs"]
mod watch;

#[path = "relay_unreadable.rs"]
mod unreadable;
