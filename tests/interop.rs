//! Interoperability with the official JavaScript automerge-repo client and sync server.
//!
//! These need node and `tests/js/node_modules` (`npm ci` in tests/js); scripts/test.sh installs
//! them and runs this file with `--ignored`. They fail with a clear message when node is missing.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use allmende_tests::{Peer, RelayProc};
use base64::Engine as _;

fn js_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js");
    assert!(
        dir.join("node_modules/@automerge/automerge-repo").exists(),
        "tests/js/node_modules is missing: run `npm ci` in tests/js (scripts/test.sh does)"
    );
    dir
}

fn node(args: &[&str]) -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(js_dir()).arg("interop.mjs").args(args);
    cmd
}

/// A child whose standard output lines arrive on a channel.
struct Lines {
    child: Child,
    rx: mpsc::Receiver<String>,
}

impl Lines {
    fn spawn(mut cmd: Command) -> Lines {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines { child, rx }
    }

    fn expect(&self, prefix: &str, secs: u64) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line starting with {prefix:?} within {secs} s"),
            }
        }
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn invite_secret(token: &str) -> String {
    let body = token
        .trim()
        .strip_prefix("allmende-invite:")
        .expect("token");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .expect("base64");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    v["key"].as_str().expect("key").to_string()
}

#[test]
#[ignore = "needs node and tests/js/node_modules; run by scripts/test.sh"]
fn a_document_created_by_the_js_client_through_our_relay_is_readable_by_allmende() {
    let relay = RelayProc::start("allow_foreign_documents = true\n");
    let secret = hex::encode([42u8; 32]);
    let out = node(&["create", &relay.url(), &secret])
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let p = Peer::new();
    let doc = p.json(&["sync", "--relay", &relay.url(), "--fetch", &id]);
    assert_eq!(doc["title"], "Hallo aus JavaScript", "{doc}");
    assert_eq!(doc["tags"], serde_json::json!(["klima", "rad"]));
}

#[test]
#[ignore = "needs node and tests/js/node_modules; run by scripts/test.sh"]
fn a_change_made_with_allmende_reaches_the_js_client() {
    let relay = RelayProc::start("");
    let anna = Peer::new();
    anna.create(&["init", "--name", "Interop", "--kind", "town"]);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Alter Titel",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync", "--relay", &relay.url()]);
    // The JS client connects with the key of an invited member's device.
    let token = anna.ok(&["invite", "--name", "JS-Client"]);
    anna.ok(&["sync"]);
    let js = Lines::spawn(node(&[
        "watch",
        &relay.url(),
        &invite_secret(&token),
        &idea,
        "title",
        "Neuer Titel",
    ]));
    let found = js.expect("found", 30);
    assert!(found.contains("Alter Titel"), "{found}");
    anna.ok(&["idea", "edit", &idea, "--title", "Neuer Titel"]);
    anna.ok(&["sync"]);
    js.expect("seen", 30);
}

#[test]
#[ignore = "needs node and tests/js/node_modules; run by scripts/test.sh"]
fn allmende_peers_sync_through_the_official_js_sync_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let data = tempfile::tempdir().expect("tmp");
    let server = Lines::spawn(node(&[
        "server",
        &port.to_string(),
        data.path().to_str().expect("utf-8"),
    ]));
    server.expect("listening", 30);
    let url = format!("ws://127.0.0.1:{port}");
    let anna = Peer::new();
    anna.create(&["init", "--name", "Offizieller Server", "--kind", "village"]);
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Von Anna",
        "--category",
        "mobility",
    ]);
    anna.ok(&["sync", "--relay", &url]);
    let token = anna.ok(&["invite", "--name", "Ben"]);
    anna.ok(&["sync"]);
    let ben = Peer::new();
    ben.ok(&["join", token.trim()]);
    assert_eq!(ben.titles(&["idea", "list"]), vec!["Von Anna"]);
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Von Ben",
        "--category",
        "mobility",
    ]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    let mut titles = anna.titles(&["idea", "list"]);
    titles.sort();
    assert_eq!(titles, vec!["Von Anna", "Von Ben"]);
}
