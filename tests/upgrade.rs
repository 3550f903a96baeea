//! Upgrades (issue 17): a device's data directory and a relay's store written by an earlier
//! build open in this one, with everything in them, and go on working (writing, syncing).
//! The fixtures are made once per data format by `scripts/make-fixtures.sh` with that
//! build's own binaries and kept in `tests/fixtures/format-N`; every later build opens them.
//! A newer store is refused by an older build (`tests/cli.rs`, the store's own tests).

use std::path::Path;

use allmende_tests::{root, Peer, RelayProc};

/// Every fixture directory, oldest first.
fn fixtures() -> Vec<std::path::PathBuf> {
    let mut all: Vec<_> = std::fs::read_dir(root().join("tests/fixtures"))
        .expect("tests/fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("format-"))
        })
        .collect();
    all.sort();
    assert!(!all.is_empty(), "no upgrade fixtures");
    all
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[test]
fn data_written_by_earlier_builds_opens_and_keeps_working() {
    for fixture in fixtures() {
        let name = fixture.display().to_string();
        let device = Peer::new();
        copy_dir(&fixture.join("peer"), device.path());
        // Everything that was written is there.
        let ideas = device.titles(&["idea", "list"]);
        assert!(
            ideas.iter().any(|t| t == "Streuobstwiese am Bach"),
            "{name}: {ideas:?}"
        );
        let projects = device.titles(&["project", "list"]);
        assert!(
            projects.iter().any(|t| t == "Obstbäume pflanzen"),
            "{name}: {projects:?}"
        );
        let events = device.titles(&["event", "list"]);
        assert!(
            events.iter().any(|t| t == "Pflanztag"),
            "{name}: {events:?}"
        );
        let idea = device.json(&["idea", "list"])["items"][0]["id"]
            .as_str()
            .expect("id")
            .to_string();
        assert!(
            device
                .ok(&["idea", "show", &idea])
                .contains("Ich bringe Leitern mit."),
            "{name}: the comment"
        );
        // It takes new changes.
        device.create(&[
            "idea",
            "add",
            "--title",
            "Nach dem Update",
            "--category",
            "energy",
        ]);
        // The relay's store opens in this build's relay, and the device syncs with it.
        let mut relay = RelayProc::start("");
        relay.restart_with(|dir| copy_dir(&fixture.join("relay"), &dir.join("data")));
        assert!(
            relay.get("/healthz").starts_with("ok allmende-relay"),
            "{name}"
        );
        // The fixture's relay address is gone: the community moves to the new one.
        let community = device.json(&["community", "list"])[0]["id"]
            .as_str()
            .expect("community")
            .to_string();
        let out = device.ok(&["sync", "--relay", &relay.url(), "--community", &community]);
        assert!(!out.contains(" 0 Dokumente"), "{name}: {out}");
        // A new device of the same community finds everything there: the upgraded relay
        // serves what the earlier build stored, and what was written since.
        let token = device
            .ok(&["invite", "--name", "Hannes", "--relay", &relay.url()])
            .trim()
            .to_string();
        device.ok(&["sync", "--relay", &relay.url()]);
        let newcomer = Peer::new();
        newcomer.ok(&["join", &token]);
        let theirs = newcomer.titles(&["idea", "list"]);
        assert!(
            theirs.iter().any(|t| t == "Streuobstwiese am Bach")
                && theirs.iter().any(|t| t == "Nach dem Update"),
            "{name}: {theirs:?}"
        );
    }
}
