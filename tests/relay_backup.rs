//! `allmende-relay backup` while it runs and `allmende-relay restore` into its data directory
//! (a module of `relay.rs`).

use std::process::Command;

use allmende_tests::{relay_bin, Peer, RelayProc};

fn relay_cmd(args: &[&str], data: &std::path::Path) -> std::process::Output {
    Command::new(relay_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("allmende-relay")
}

fn count(p: &Peer) -> usize {
    p.json(&["idea", "list", "--limit", "100"])["items"]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn a_relay_backup_taken_while_it_runs_restores_and_devices_bring_back_the_rest() {
    let mut relay = RelayProc::start("");
    let anna = Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Bachtal",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    anna.ok(&["dev", "write-ideas", "--count", "5"]);
    anna.ok(&["sync", "--relay", &relay.url()]);
    let file = anna.path().join("relay-backup.db");
    let data = relay.dir.path().join("data");
    let out = relay_cmd(&["backup", file.to_str().expect("path")], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("documents"));
    // The data directory named after the command works too, as people type it.
    let again = anna.path().join("relay-backup-2.db");
    let after = Command::new(relay_bin())
        .args(["backup", again.to_str().expect("path"), "--data"])
        .arg(&data)
        .output()
        .expect("allmende-relay");
    assert!(
        after.status.success(),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    // A second backup to the same file is refused; a directory without a store too.
    assert!(!relay_cmd(&["backup", file.to_str().expect("path")], &data)
        .status
        .success());
    // After the backup: more ideas, synced twice (the kept position moves past the backup).
    anna.ok(&["dev", "write-ideas", "--count", "3"]);
    anna.ok(&["sync"]);
    anna.ok(&["sync"]);
    let junk = anna.path().join("junk.db");
    std::fs::write(&junk, b"not a relay store").expect("junk");
    relay.restart_with(|dir| {
        let data = dir.join("data");
        // Without --replace a store in place is refused; a junk file changes nothing.
        assert!(
            !relay_cmd(&["restore", file.to_str().expect("path")], &data)
                .status
                .success()
        );
        let junk_out = relay_cmd(
            &["restore", junk.to_str().expect("path"), "--replace"],
            &data,
        );
        assert!(!junk_out.status.success());
        let out = relay_cmd(
            &["restore", file.to_str().expect("path"), "--replace"],
            &data,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    // The restored relay lacks the last three ideas; Anna's next sync brings them back.
    anna.ok(&["sync"]);
    let token = anna.ok(&["invite", "--name", "Ben"]);
    anna.ok(&["sync"]);
    let ben = Peer::new();
    ben.ok(&["join", token.trim(), "--timeout", "60"]);
    assert_eq!(count(&anna), 8);
    assert_eq!(count(&ben), 8, "what the restored relay had lost came back");
}
