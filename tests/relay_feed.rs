//! A sync costs what changed, not what the community holds: the relay's change feed and the
//! heads last in step say which documents are out of step (a module of `relay.rs`).

use allmende_tests::{Peer, RelayProc};
use serde_json::Value;

fn synced(p: &Peer) -> Value {
    p.json(&["sync", "--timeout", "60"])
}

fn bytes(report: &Value) -> u64 {
    report["bytes_sent"].as_u64().unwrap_or(0) + report["bytes_received"].as_u64().unwrap_or(0)
}

fn offered(report: &Value) -> u64 {
    report["offered"].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn a_sync_offers_only_what_changed_on_either_side() {
    let relay = RelayProc::start("");
    let admin = Peer::new();
    admin.create(&[
        "init",
        "--name",
        "Feldheim",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    admin.ok(&["dev", "write-ideas", "--count", "150"]);
    let upload = admin.json(&["sync", "--relay", &relay.url(), "--timeout", "60"]);
    assert!(offered(&upload) >= 151, "{upload}");
    let token = admin.ok(&["invite", "--name", "Ben"]);
    synced(&admin);
    let ben = Peer::new();
    ben.ok(&["join", token.trim(), "--timeout", "60"]);
    synced(&admin);
    assert_eq!(
        ben.doc_heads(),
        admin.doc_heads(),
        "the join brought everything"
    );
    let upload_bytes = bytes(&upload);

    // Nothing new on either side: nothing is offered, no sync connection is opened.
    let quiet = synced(&admin);
    assert_eq!(offered(&quiet), 0, "{quiet}");
    assert_eq!(bytes(&quiet), 0, "a nothing-new sync moved bytes: {quiet}");
    assert!(quiet["documents"].as_u64().unwrap_or(0) >= 151, "{quiet}");

    // Ben comments on five ideas: his sync offers those, Anna's sync receives those.
    let ideas: Vec<String> = ben.json(&["idea", "list", "--limit", "5"])["items"]
        .as_array()
        .expect("ideas")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ideas.len(), 5);
    for id in &ideas {
        ben.ok(&["idea", "comment", id, "--text", "Gute Idee"]);
    }
    let out = synced(&ben);
    assert!((5..10).contains(&offered(&out)), "{out}");
    let back = synced(&admin);
    assert!((5..10).contains(&offered(&back)), "{back}");
    assert_eq!(back["received"], 5, "{back}");
    assert!(
        bytes(&back) * 20 < upload_bytes,
        "five changed ideas cost {} bytes, the first upload {upload_bytes}",
        bytes(&back)
    );
    assert_eq!(ben.doc_heads(), admin.doc_heads());
    assert_eq!(
        admin.json(&["idea", "show", &ideas[0]])["summary"]["comments"],
        1
    );
    assert!(relay.metric("allmende_relay_feed_requests_total") >= 5);
}

#[test]
fn a_device_joining_a_second_community_on_the_same_relay_gets_its_items() {
    let relay = RelayProc::start("");
    let anna = Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Nordhof",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    anna.ok(&["dev", "write-ideas", "--count", "5"]);
    anna.ok(&["sync", "--relay", &relay.url()]);
    let otto = Peer::new();
    otto.create(&[
        "init",
        "--name",
        "Südhof",
        "--kind",
        "village",
        "--admin-name",
        "Otto",
    ]);
    otto.ok(&["dev", "write-ideas", "--count", "7"]);
    otto.ok(&["sync", "--relay", &relay.url()]);
    let token = otto.ok(&["invite", "--name", "Anna"]);
    otto.ok(&["sync"]);
    // Anna has synced with this relay before: her feed position is past Südhof's items.
    anna.ok(&["sync"]);
    anna.ok(&["join", token.trim(), "--timeout", "60"]);
    otto.ok(&["sync"]);
    let theirs = otto.doc_heads();
    let mine = anna.doc_heads();
    for (id, heads) in &theirs {
        assert_eq!(mine.get(id), Some(heads), "{id} did not arrive or differs");
    }
}

/// With the relay gone, a watching device's new change stays waiting: only what the relay
/// acknowledged counts as in step (the sync badge and `sync --status` read this).
#[test]
fn a_change_made_while_the_relay_is_gone_stays_waiting() {
    let relay = RelayProc::start("");
    let anna = Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Waldrand",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    anna.ok(&["sync", "--relay", &relay.url()]);
    let (mut watch, lines) = anna.watch(&["--timeout", "1"]);
    drop(relay);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Ohne Relais",
        "--category",
        "energy",
    ]);
    // The watch takes the change in (and would have called it synced before).
    let sent = lines
        .map_while(Result::ok)
        .find(|l| l.starts_with("sent ") && l.contains(&idea));
    assert!(sent.is_some(), "the watch never took the local change in");
    // Both the idea and the community document (its catalogue lists the idea) wait, also
    // after the watch has given up finding the idea on the relay (one second) a few times.
    for _ in 0..25 {
        let status = anna.json(&["sync", "--status"]);
        assert!(
            status[0]["waiting"].as_u64().unwrap_or(0) >= 2,
            "a change the relay never had is counted as synced: {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = watch.kill();
    let _ = watch.wait();
}

fn copy_files(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// A relay restored from an older backup keeps its epoch but has not reached the positions
/// devices kept: they must upload what it lost, not take their copies as in step.
#[test]
fn a_relay_restored_from_an_older_backup_gets_back_what_it_lost() {
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
    let backup = tempfile::tempdir().expect("tempdir");
    relay.restart_with(|dir| copy_files(&dir.join("data"), backup.path()));
    anna.ok(&["dev", "write-ideas", "--count", "3"]);
    anna.ok(&["sync"]);
    // And once more with nothing new: her kept position moves past what the backup holds.
    anna.ok(&["sync"]);
    relay.restart_with(|dir| {
        let dir = dir.join("data");
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::remove_file(path).expect("remove");
            }
        }
        copy_files(backup.path(), &dir);
    });
    // The restored relay lacks the last three ideas; Anna's next sync brings them back.
    anna.ok(&["sync"]);
    let token = anna.ok(&["invite", "--name", "Ben"]);
    anna.ok(&["sync"]);
    let ben = Peer::new();
    ben.ok(&["join", token.trim(), "--timeout", "60"]);
    let count = |p: &Peer| {
        p.json(&["idea", "list", "--limit", "100"])["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(count(&anna), 8);
    assert_eq!(
        count(&ben),
        8,
        "the ideas the restored relay had lost came back"
    );
}

/// A device removed and let in again (a phone found again) gets what changed while it was
/// out: its documents did not count as in step while its community kept it out.
#[test]
fn a_device_let_in_again_gets_what_changed_while_it_was_out() {
    let relay = RelayProc::start("");
    let (anna, members, community) = allmende_tests::community_with_members(&relay, &["Ben"]);
    let ben = &members[0];
    let idea = anna.create(&["idea", "add", "--title", "Vorher", "--category", "energy"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    let ben_id = ben.json(&["community", "list"])[0]["me"]
        .as_str()
        .expect("me")
        .to_string();
    let device = ben.json(&["member", "devices", &ben_id])[0]
        .as_str()
        .expect("device")
        .to_string();
    anna.ok(&["member", "remove-device", &ben_id, &device]);
    anna.ok(&[
        "idea",
        "comment",
        &idea,
        "--text",
        "Während Ben draußen ist",
    ]);
    anna.ok(&["sync"]);
    let _ = ben.run(&["sync", "--timeout", "3"]);
    {
        let mut svc = allmende_service::Service::open(anna.path()).expect("open");
        svc.execute(allmende_core::Command::AddDevice {
            community: community.clone(),
            member: ben_id.clone(),
            device: device.clone(),
            until: None,
        })
        .expect("let the device in again");
    }
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    assert_eq!(
        ben.json(&["idea", "show", &idea])["summary"]["comments"],
        1,
        "the comment made while Ben's device was out reached it"
    );
}

/// The feed lists a device only documents of the communities it names (a roster elsewhere
/// may list its key without its word). From a review of that change: a device naming more
/// communities than the relay answers for (256) heard nothing of those past the limit, and
/// their changes stopped without a word. Then it hears of all it may read.
#[test]
fn the_feed_lists_the_named_communities_documents_and_all_past_its_limit() {
    let relay = RelayProc::start("");
    let (anna, _, village) = allmende_tests::community_with_members(&relay, &[]);
    let idea = anna.create(&["idea", "add", "--title", "Bank", "--category", "energy"]);
    anna.ok(&["sync"]);
    let seed = [61_u8; 32];
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    anna.add_own_device(&village, &hex::encode(key.verifying_key().to_bytes()));
    let feed = |communities: &[String]| {
        relay.get(&format!(
            "/changes?{}&communities={}",
            relay.login_query(&key, "f1"),
            communities.join(",")
        ))
    };
    let others: Vec<String> = (0..256).map(|i| format!("Andere{i:03}")).collect();
    // Naming its own community among others: its idea is listed.
    assert!(feed(std::slice::from_ref(&village)).contains(&idea));
    assert!(
        !feed(&others[..3]).contains(&idea),
        "listed for other communities"
    );
    // Named last of 257: still listed.
    let mut many = others.clone();
    many.push(village.clone());
    assert!(
        feed(&many).contains(&idea),
        "past the limit, nothing was listed"
    );
}
