//! `sync --watch` against a real relay: live changes arrive, changes made while the watch
//! starts go out.

use super::*;

/// `allmende sync --watch` on `peer`'s data, its output piped.
fn spawn_watch(peer: &Peer) -> std::process::Child {
    std::process::Command::new(allmende_tests::bin())
        .arg("--data")
        .arg(peer.path())
        .args(["sync", "--watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("watch")
}

#[test]
fn a_watching_peer_applies_live_changes() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let (mut watch, _lines) = anna.watch(&[]);
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Live über das Relais",
        "--category",
        "energy",
    ]);
    ben.ok(&["sync"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !idea_titles(&anna).contains("Live über das Relais") {
        assert!(
            std::time::Instant::now() < deadline,
            "the watching peer never applied the change"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // And the other way: a change made on Anna's device while she watches goes out by itself.
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Von Anna, während sie zuschaut",
        "--category",
        "energy",
    ]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        ben.ok(&["sync"]);
        if idea_titles(ben).contains("Von Anna, während sie zuschaut") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the watching peer never sent the local change"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let _ = watch.kill();
    let _ = watch.wait();
}

/// Changes made while a watching peer is still connecting (after it read the local documents,
/// before it keeps in step) must go out too: the background sync of the app starts exactly
/// like this while its user is already at work.
#[test]
fn changes_made_while_the_watch_starts_go_out() {
    use std::io::{BufRead, BufReader};
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let mut watch = spawn_watch(&anna);
    let stdout = watch.stdout.take().expect("stdout");
    let (tx, connected) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok);
        let _ = tx.send(first);
        for _ in lines {}
    });
    // Anna keeps adding ideas until the watch says it is connected, and once more after.
    let mut titles = Vec::new();
    loop {
        let title = format!("Während des Verbindens {}", titles.len());
        anna.create(&["idea", "add", "--title", &title, "--category", "energy"]);
        titles.push(title);
        match connected.try_recv() {
            Ok(line) => {
                assert_eq!(line.as_deref(), Some("connected"));
                break;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(e) => panic!("the watch stopped: {e}"),
        }
        assert!(titles.len() < 200, "the watch never connected");
    }
    let title = "Nach dem Verbinden".to_string();
    anna.create(&["idea", "add", "--title", &title, "--category", "energy"]);
    titles.push(title);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        ben.ok(&["sync"]);
        let have = idea_titles(ben);
        let lost: Vec<&String> = titles.iter().filter(|t| !have.contains(*t)).collect();
        if lost.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the watching peer never sent {lost:?} (of {} ideas)",
            titles.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let _ = watch.kill();
    let _ = watch.wait();
}
