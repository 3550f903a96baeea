//! A large sync killed midway (kill -9) loses nothing it wrote and the next run resumes
//! where it stopped instead of starting over (issue 15).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use allmende_tests::{bin, community_with_members, Peer, RelayProc};

const IDEAS: usize = 1000;

fn ideas(p: &Peer) -> usize {
    p.titles(&["idea", "list", "--limit", "5000"]).len()
}

/// "300 / 1001 documents (29 %), 0.4 MB received" -> (300, 1001).
fn done_of(line: &str) -> Option<(usize, usize)> {
    let (done, rest) = line.trim().split_once(" / ")?;
    let total = rest.split_whitespace().next()?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

#[test]
fn a_sync_killed_midway_keeps_what_it_wrote_and_resumes() {
    let relay = RelayProc::start("");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    anna.ok(&["dev", "write-ideas", "--count", &IDEAS.to_string()]);
    anna.ok(&["sync"]);

    // Ben's sync, killed -9 once a window of ideas is written and more are to come.
    let mut child = Command::new(bin())
        .arg("--data")
        .arg(ben.path())
        .args(["--lang", "en", "sync", "--progress"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sync");
    let stderr = child.stderr.take().expect("stderr");
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        seen.push(line.clone());
        if done_of(&line).is_some_and(|(done, total)| done > 1 && done < total) {
            child.kill().expect("kill -9");
            break;
        }
    }
    let _ = child.wait();
    let kept = ideas(ben);
    assert!(
        kept > 0 && kept < IDEAS,
        "killed midway with part of the ideas written: {kept} ({seen:?})"
    );

    // The next run offers only what was not in step yet, and ends with everything.
    let report = ben.json(&["sync"]);
    let offered = report["offered"].as_u64().expect("offered");
    eprintln!("killed with {kept} of {IDEAS} ideas written; the next sync offered {offered}");
    assert!(
        offered as usize <= IDEAS - kept + 2,
        "resumed, not started over: {offered} offered with {kept} of {IDEAS} kept ({report})"
    );
    assert_eq!(ideas(ben), IDEAS);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    assert_eq!(
        anna.doc_heads(),
        ben.doc_heads(),
        "both hold the same documents at the same heads"
    );
}

/// Joining a large community shows how far it has come (documents and bytes, as `sync` does)
/// and ends with what it moved.
#[test]
fn joining_shows_how_far_the_community_has_come() {
    let relay = RelayProc::start("");
    let (anna, _, _) = community_with_members(&relay, &[]);
    anna.ok(&["dev", "write-ideas", "--count", "600"]);
    anna.ok(&["sync"]);
    let token = anna.ok(&["invite", "--name", "Ben"]).trim().to_string();
    anna.ok(&["sync"]);

    let ben = Peer::new();
    let out = Command::new(bin())
        .arg("--data")
        .arg(ben.path())
        .args(["--lang", "en", "join", &token, "--progress"])
        .output()
        .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        !stderr.contains("WARN"),
        "no log noise on a join that went well: {stderr}"
    );
    let steps: Vec<(usize, usize)> = stderr.lines().filter_map(done_of).collect();
    assert!(steps.len() >= 3, "a line per window of documents: {stderr}");
    assert!(
        steps.windows(2).all(|w| w[0].0 <= w[1].0),
        "the count only grows: {steps:?}"
    );
    let (done, total) = *steps.last().expect("a last step");
    assert!(done == total && total > 600, "{steps:?}");
    let moved = stdout
        .lines()
        .find(|l| l.starts_with("✓ Synced with"))
        .unwrap_or_else(|| panic!("what the join moved: {stdout}"));
    let received: u64 = moved
        .rsplit(", ")
        .next()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bytes received in: {moved}"));
    assert!(received > 100_000, "{moved}");
    assert_eq!(ideas(&ben), 600);
}
