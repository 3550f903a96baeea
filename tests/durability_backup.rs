//! Backups made while the app writes, restored into a fresh directory with nothing lost, and
//! a restored device that keeps syncing with what it wrote after the backup (a module of
//! `durability.rs`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use allmende_tests::{bin, Peer, RelayProc};

fn idea_count(p: &Peer) -> usize {
    p.json(&["idea", "list", "--limit", "200"])["items"]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn a_backup_taken_while_writing_restores_everything_acknowledged_before_it() {
    let a = Peer::new();
    a.create(&["init", "--name", "Sicherdorf", "--kind", "village"]);
    let mut writer = Command::new(bin())
        .arg("--data")
        .arg(a.path())
        .args(["dev", "write-ideas", "--count", "150"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("writer");
    let mut lines = BufReader::new(writer.stdout.take().expect("stdout")).lines();
    for _ in 0..40 {
        lines.next().expect("an acknowledged write").expect("line");
    }
    // 40 writes are acknowledged; the backup runs while the writer goes on.
    let file = a.path().join("sicherung.allmende");
    let report = a.json(&["backup", file.to_str().expect("path")]);
    for line in lines {
        line.expect("line");
    }
    assert!(writer.wait().expect("writer").success());
    let backed_up = report["documents"].as_u64().expect("documents");
    assert!(backed_up > 40, "{report}");

    let b = Peer::new();
    b.ok(&["restore-backup", file.to_str().expect("path")]);
    b.ok(&["check"]);
    let n = idea_count(&b);
    assert!((40..=150).contains(&n), "{n} ideas restored");
    assert_eq!(
        u64::try_from(n).unwrap_or(0) + 2,
        backed_up,
        "ideas, the community and a profile"
    );
    assert_eq!(idea_count(&a), 150);
    // The restored device is the same member's device.
    let me = |p: &Peer| p.json(&["community", "list"])[0]["me"].clone();
    assert_eq!(me(&a), me(&b));
}

#[test]
fn a_restore_refuses_a_bad_file_or_a_full_directory_and_changes_nothing() {
    let a = Peer::new();
    a.create(&["init", "--name", "Sicherdorf", "--kind", "village"]);
    let file = a.path().join("sicherung.allmende");
    a.ok(&["backup", file.to_str().expect("path")]);
    // A second backup never overwrites the first.
    let (code, _) = a.fails(&["backup", file.to_str().expect("path")]);
    assert_eq!(code, 2);
    // Not a database: refused, and the empty directory stays empty.
    let junk = a.path().join("junk.allmende");
    std::fs::write(&junk, vec![7u8; 5000]).expect("junk");
    let empty = tempfile::tempdir().expect("dir");
    let out = Command::new(bin())
        .arg("--data")
        .arg(empty.path())
        .args(["restore-backup", junk.to_str().expect("path")])
        .output()
        .expect("restore");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!empty.path().join("allmende.db").exists());
    assert_eq!(std::fs::read_dir(empty.path()).expect("dir").count(), 0);
    // A directory in use is refused without --replace, and kept beside with it.
    let b = Peer::new();
    b.create(&["init", "--name", "Anderswo", "--kind", "town"]);
    let (code, _) = b.fails(&["restore-backup", file.to_str().expect("path")]);
    assert_eq!(code, 2);
    assert!(b.ok(&["community", "list"]).contains("Anderswo"));
    let out = b.json(&["restore-backup", file.to_str().expect("path"), "--replace"]);
    let previous = out["previous"].as_str().expect("previous kept");
    assert!(std::path::Path::new(previous).exists());
    assert!(b.ok(&["community", "list"]).contains("Sicherdorf"));
}

/// The changes a device made after its backup are on the relay when the device is restored:
/// the restored device writes under a new actor id, so its new changes and those merge.
#[test]
fn a_restored_device_syncs_with_what_it_wrote_after_the_backup() {
    let relay = RelayProc::start("");
    let a = Peer::new();
    a.create(&["init", "--name", "Sicherdorf", "--kind", "village"]);
    a.ok(&["sync", "--relay", &relay.url()]);
    let file = a.path().join("sicherung.allmende");
    a.ok(&["backup", file.to_str().expect("path")]);
    a.ok(&[
        "idea",
        "add",
        "--title",
        "Nach der Sicherung",
        "--category",
        "energy",
    ]);
    a.ok(&["sync"]);
    // The laptop is lost; the backup is restored on a new one, which writes before it syncs.
    let b = Peer::new();
    b.ok(&["restore-backup", file.to_str().expect("path")]);
    b.ok(&[
        "idea",
        "add",
        "--title",
        "Nach der Wiederherstellung",
        "--category",
        "energy",
    ]);
    let report = b.json(&["sync", "--timeout", "20"]);
    assert_eq!(report["not_synced"], serde_json::json!([]), "{report}");
    let titles = b.titles(&["idea", "list"]);
    assert!(
        titles.contains(&"Nach der Sicherung".to_string()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Nach der Wiederherstellung".to_string()),
        "{titles:?}"
    );
    // And a device that stayed in step gets the restored device's new idea.
    a.ok(&["sync"]);
    assert!(a
        .titles(&["idea", "list"])
        .contains(&"Nach der Wiederherstellung".to_string()));
}

/// From a review: a sync takes in only the communities a device belongs to, and the relay's
/// feed lists a device only the communities it names. A device restored from a backup made
/// before it joined a community names it nowhere and holds no identity there: that
/// community never came back. It does now: its log holds an entry this device signed
/// (joining, a device takes its invite key off itself), which no stranger's roster can fake.
#[test]
fn a_restored_device_gets_back_a_community_it_joined_after_the_backup() {
    let relay = RelayProc::start("");
    let a = Peer::new();
    a.create(&["init", "--name", "Sicherdorf", "--kind", "village"]);
    a.ok(&["sync", "--relay", &relay.url()]);
    let file = a.path().join("sicherung.allmende");
    a.ok(&["backup", file.to_str().expect("path")]);
    // After the backup, the laptop joins Carl's town and writes an idea there.
    let (carl, _, town) = allmende_tests::community_with_members(&relay, &[]);
    let token = carl.ok(&["invite", "--name", "Anna"]).trim().to_string();
    carl.ok(&["sync"]);
    a.ok(&["join", &token]);
    a.ok(&[
        "idea",
        "add",
        "--community",
        &town,
        "--title",
        "Im neuen Ort",
        "--category",
        "energy",
    ]);
    // Enough ideas for several windows of documents: the town's document may come after
    // some of its items (a restored device does not know it as a community yet).
    a.ok(&["--community", &town, "dev", "write-ideas", "--count", "700"]);
    a.ok(&["sync"]);
    let b = Peer::new();
    b.ok(&["restore-backup", file.to_str().expect("path")]);
    b.ok(&["sync", "--timeout", "30"]);
    let titles = b.titles(&["idea", "list", "--community", &town, "--limit", "1000"]);
    assert!(titles.contains(&"Im neuen Ort".to_string()), "{titles:?}");
    let all = b.json(&["idea", "list", "--community", &town, "--limit", "1000"]);
    assert_eq!(
        all["items"].as_array().map(Vec::len),
        Some(701),
        "every idea of the town came back in one sync"
    );
}
