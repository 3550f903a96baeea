//! Peer to peer over iroh on 127.0.0.1, with iroh's public relays off: tickets, one-shot
//! syncs in both directions with a listening peer, access rules between peers, known peers.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use allmende_tests::{bin, community_with_members, Peer, RelayProc, ServeProc};

struct Listener {
    child: Child,
    ticket: String,
}

impl Listener {
    fn start(p: &Peer) -> Listener {
        let mut child = Command::new(bin())
            .arg("--data")
            .arg(p.path())
            .args(["--lang", "en", "peer", "listen", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("listener");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let ticket = loop {
            let line = lines.next().expect("a line").expect("text");
            if let Some(t) = line.strip_prefix("ticket ") {
                break t.to_string();
            }
        };
        // Wait until it accepts.
        for line in lines.by_ref() {
            if line.expect("text") == "listening" {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Listener { child, ticket }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn titles(p: &Peer) -> Vec<String> {
    p.titles(&["idea", "list", "--limit", "1000"])
}

fn wait_for(p: &Peer, title: &str) -> bool {
    for _ in 0..50 {
        if titles(p).iter().any(|t| t == title) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}

#[test]
fn two_peers_sync_directly_by_ticket_without_any_server() {
    let (anna, others) = {
        let relay = RelayProc::start("");
        let (anna, others, _) = community_with_members(&relay, &["Ben"]);
        (anna, others)
        // The relay stops here: from now on there is no server at all.
    };
    let ben = &others[0];
    let listener = Listener::start(ben);
    assert!(listener.ticket.starts_with("allmende-peer:"));
    assert_eq!(
        ben.ok(&["peer", "ticket"]).lines().next(),
        Some(listener.ticket.as_str())
    );

    // Anna works offline, then links directly with Ben's device.
    anna.ok(&[
        "idea",
        "add",
        "--title",
        "Direkt von Anna",
        "--category",
        "energy",
    ]);
    let secret = anna.create(&[
        "project",
        "add",
        "--title",
        "Nur für Annas Team",
        "--category",
        "energy",
        "--team-only",
    ]);
    let out = anna.ok(&["peer", "connect", &listener.ticket]);
    assert!(out.contains("Synced with"), "{out}");
    assert!(
        wait_for(ben, "Direkt von Anna"),
        "Ben's listener took Anna's idea in"
    );
    assert_eq!(
        ben.fails(&["project", "show", &secret]).0,
        2,
        "a team-only project stays with its team"
    );

    // And back: Ben's change (made next to the running listener) reaches Anna on her next link.
    ben.ok(&[
        "idea",
        "add",
        "--title",
        "Antwort von Ben",
        "--category",
        "mobility",
    ]);
    std::thread::sleep(std::time::Duration::from_millis(900));
    anna.ok(&["peer", "connect", &listener.ticket]);
    assert!(titles(&anna).contains(&"Antwort von Ben".to_string()));

    // Anna knows Ben as a peer linked by ticket, in step.
    let peers = anna.json(&["peer", "list"]);
    assert_eq!(peers[0]["how"], "ticket", "{peers}");
    assert!(peers[0]["last_synced"].as_i64().is_some(), "{peers}");
    assert_eq!(peers[0]["waiting"], 0, "{peers}");
    // The app's session view carries the peers for the sync indicator.
    let serve = ServeProc::start(&anna);
    let (status, body) = serve.request("GET", "/api/session", "");
    assert_eq!(status, 200);
    let session: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(session["peers"][0]["how"], "ticket", "{session}");
    drop(serve);
    // Ben saw Anna coming in.
    let peers = ben.json(&["peer", "list"]);
    assert_eq!(peers[0]["how"], "incoming", "{peers}");

    // A device from none of Ben's communities gets nothing.
    let stranger = Peer::new();
    stranger.ok(&["init", "--name", "Anderswo", "--kind", "village"]);
    let (code, msg) = stranger.fails(&["peer", "connect", &listener.ticket]);
    assert_eq!(code, 2, "{msg}");
    // A damaged ticket is refused clearly.
    let (code, msg) = anna.fails(&["peer", "connect", "allmende-peer:kaputt"]);
    assert_eq!(code, 2, "{msg}");
}

/// Issue 15: progress people can see, also peer to peer. `peer connect --progress` prints a
/// line per window of documents ("done / total documents"), and the count only grows to the
/// whole.
#[test]
fn a_direct_sync_shows_its_progress() {
    let (anna, others) = {
        let relay = RelayProc::start("");
        let (anna, others, _) = community_with_members(&relay, &["Ben"]);
        (anna, others)
    };
    let ben = &others[0];
    anna.ok(&["dev", "write-ideas", "--count", "600"]);
    let listener = Listener::start(ben);
    let out = Command::new(bin())
        .arg("--data")
        .arg(anna.path())
        .args([
            "--lang",
            "en",
            "peer",
            "connect",
            &listener.ticket,
            "--progress",
        ])
        .output()
        .expect("connect");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let steps: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|line| {
            let (done, rest) = line.trim().split_once(" / ")?;
            let total = rest.split_whitespace().next()?;
            Some((done.parse().ok()?, total.parse().ok()?))
        })
        .collect();
    assert!(steps.len() >= 3, "a line per window of documents: {stderr}");
    assert!(
        steps.windows(2).all(|w| w[0].0 <= w[1].0),
        "the count only grows: {steps:?}"
    );
    let (done, total) = *steps.last().expect("a last step");
    assert!(done == total && total > 600, "{steps:?}");
}

impl Listener {
    /// The listener process's peak resident memory so far (`VmHWM`), in bytes.
    fn peak_rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the listener's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    }
}

#[path = "p2p_hostile.rs"]
mod hostile;
