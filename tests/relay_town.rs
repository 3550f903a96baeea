//! Sync at a town's size through a real relay (issue 15), with real processes: a generated
//! town (`allmende dev write-town`: ideas, events, posts, organisations and projects, a fifth
//! as many members, twice as many comments) is uploaded, joined by a new device with an
//! invite, synced with nothing new, synced after 100 documents changed on the other side, and
//! watched while one change comes in. After each step both stores hold the same documents
//! with the same heads. The test runs 600 items (120 members, 1,200 comments: the size at
//! which the first sync used to fail) on the debug build, to keep the test suite quick;
//! `scripts/scale-sync.sh town` runs the 10,000 on release builds (BENCHMARKS.md).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use allmende_tests::{Peer, RelayProc};

const ITEMS: u32 = 600;

fn heads(p: &Peer) -> HashMap<String, String> {
    allmende_service::Service::open(p.path())
        .expect("open")
        .local_heads()
        .expect("heads")
}

fn in_step(anna: &Peer, ben: &Peer, when: &str) {
    let (a, b) = (heads(anna), heads(ben));
    let differ: Vec<&String> = a.keys().filter(|id| b.get(*id) != a.get(*id)).collect();
    assert!(
        differ.is_empty() && a.len() == b.len(),
        "{when}: {} of {} documents differ ({} against {} held), e.g. {:?}",
        differ.len(),
        a.len(),
        a.len(),
        b.len(),
        differ.first()
    );
}

#[test]
fn a_generated_town_uploads_joins_and_stays_in_step() {
    let relay = RelayProc::start("");
    let anna = Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Großstadt",
        "--kind",
        "town",
        "--admin-name",
        "Anna",
    ]);
    anna.ok(&["dev", "write-town", "--items", &ITEMS.to_string()]);
    let held = heads(&anna).len();
    // The items, the community and every member's profile.
    assert!(held > ITEMS as usize, "{held} documents");

    let up = anna.json(&["sync", "--relay", &relay.url(), "--timeout", "120"]);
    assert_eq!(up["not_synced"], serde_json::json!([]), "{up}");
    let token = anna.ok(&["invite", "--name", "Ben"]).trim().to_string();
    anna.ok(&["sync", "--timeout", "120"]);

    let ben = Peer::new();
    ben.ok(&["join", &token, "--timeout", "120"]);
    anna.ok(&["sync", "--timeout", "120"]);
    ben.ok(&["sync", "--timeout", "120"]);
    in_step(&anna, &ben, "after the join");

    // Nothing new: nothing is offered, nothing arrives.
    let quiet = ben.json(&["sync", "--timeout", "120"]);
    assert_eq!(
        (quiet["offered"].as_u64(), quiet["received"].as_u64()),
        (Some(0), Some(0)),
        "{quiet}"
    );

    // 100 documents change on Anna's side: Ben receives exactly those.
    let ideas = anna.json(&["idea", "list", "--limit", "100"]);
    let ids: Vec<String> = ideas["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), 100);
    for id in &ids {
        anna.ok(&["comment", id, "--text", "Nachgetragen"]);
    }
    anna.ok(&["sync", "--timeout", "120"]);
    let moved = ben.json(&["sync", "--timeout", "120"]);
    assert_eq!(moved["received"].as_u64(), Some(100), "{moved}");
    in_step(&anna, &ben, "after 100 changed");

    // A watching device carries one change in.
    let (mut watch, _lines) = ben.watch(&["--timeout", "120"]);
    let late = anna.create(&[
        "idea",
        "add",
        "--title",
        "Zuletzt eingereicht",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync", "--timeout", "120"]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !heads(&ben).contains_key(&late) {
        assert!(
            Instant::now() < deadline,
            "the watching device never got it"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = watch.kill();
    let _ = watch.wait();
    ben.ok(&["sync", "--timeout", "120"]);
    in_step(&anna, &ben, "after the watch");
}
