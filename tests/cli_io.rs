//! The `allmende` CLI at its edges: bad input refused with exit code 2 and nothing written,
//! an unreachable relay as a network fault, search, the demo, export and import.

use super::cli::town;
use allmende_tests::Peer;

#[test]
fn bad_input_is_refused_with_code_2_and_nothing_written() {
    let (p, _) = town();
    let before = std::fs::read(p.db()).expect("db");
    let idea = p.create(&["idea", "add", "--title", "Eins", "--category", "energy"]);
    let snapshot = p.json(&["idea", "list"]);
    let long = "x".repeat(300);
    let cases: Vec<Vec<&str>> = vec![
        vec!["idea", "add", "--title", "  ", "--category", "energy"],
        vec!["idea", "add", "--title", "Gut", "--category", "space"],
        vec!["idea", "add", "--title", &long, "--category", "energy"],
        vec!["idea", "show", "doesnotexist"],
        vec!["idea", "support", "7xYzNotAnId"],
        vec!["idea", "edit", &idea, "--status", "famous"],
        vec![
            "event",
            "add",
            "--title",
            "T",
            "--start",
            "morgen",
            "--end",
            "2030-01-01T10:00:00+01:00",
            "--place",
            "x",
            "--category",
            "energy",
        ],
        vec![
            "event",
            "add",
            "--title",
            "T",
            "--start",
            "2030-01-02T10:00:00+01:00",
            "--end",
            "2030-01-01T10:00:00+01:00",
            "--place",
            "x",
            "--category",
            "energy",
        ],
        vec![
            "project",
            "add",
            "--title",
            "P",
            "--category",
            "energy",
            "--stage",
            "flying",
        ],
        vec!["init", "--name", "X", "--kind", "metropolis"],
        vec!["import", "/nonexistent/file.json"],
    ];
    for args in &cases {
        let (code, err) = p.fails(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.trim().is_empty(), "{args:?} needs a message");
    }
    assert_eq!(p.json(&["idea", "list"]), snapshot, "nothing was written");
    assert!(!before.is_empty());
    let (_, err) = p.fails(&[
        "--json",
        "idea",
        "add",
        "--title",
        "",
        "--category",
        "energy",
    ]);
    let api: serde_json::Value = serde_json::from_str(err.trim()).expect("json error");
    assert_eq!(api["code"], "empty_field");
    let out = p.run(&[
        "--lang",
        "de",
        "idea",
        "add",
        "--title",
        "x",
        "--category",
        "weltall",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unbekannte Kategorie"));
}

#[test]
fn search_finds_german_words_however_spelled() {
    let (p, _) = town();
    p.create(&[
        "idea",
        "add",
        "--title",
        "Mehr Bäume für die Straße",
        "--category",
        "nature",
    ]);
    p.create(&[
        "post",
        "add",
        "--kind",
        "tip",
        "--title",
        "Lüften",
        "--text",
        "Grünflächen gießen",
        "--category",
        "nature",
    ]);
    for q in ["Bäume", "baeume", "BAUME", "bäum", "strasse", "STRASSE"] {
        let hits = p.json(&["search", q]);
        assert_eq!(hits.as_array().map(Vec::len), Some(1), "{q}");
        assert_eq!(hits[0]["title"], "Mehr Bäume für die Straße", "{q}");
    }
    assert_eq!(
        p.json(&["search", "gruenflaechen"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        p.json(&["search", "giessen"]).as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        p.json(&["search", "\"*) OR"]).as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(p.titles(&["idea", "list", "--search", "baeume"]).len(), 1);
}

#[test]
fn demo_covers_every_category_and_is_created_once() {
    let p = Peer::new();
    let text = p.ok(&["demo"]);
    assert!(text.contains("Grünhausen"), "{text}");
    p.ok(&["demo"]);
    assert_eq!(
        p.json(&["community", "list"]).as_array().map(Vec::len),
        Some(1)
    );
    let ideas = p.json(&["idea", "list"]);
    let mut cats: Vec<String> = ideas["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["category"].as_str().unwrap_or_default().to_string())
        .collect();
    cats.sort();
    cats.dedup();
    assert_eq!(cats.len(), 8, "{cats:?}");
    let projects = p.json(&["project", "list"]);
    let stages: std::collections::BTreeSet<_> = projects["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["status"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(stages.len() >= 2, "{stages:?}");
    assert_eq!(
        p.json(&["request", "list", "--overdue"])["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    for kind in ["org", "event", "opportunity", "post"] {
        assert!(!p.titles(&[kind, "list"]).is_empty(), "{kind}");
    }
}

#[test]
fn export_and_import_round_trip_idempotently() {
    let a = Peer::new();
    a.ok(&["demo"]);
    let file = a.path().join("export.json");
    a.ok(&[
        "export",
        "--format",
        "json",
        "--out",
        file.to_str().expect("path"),
    ]);
    let b = Peer::new();
    let first = b.json(&["import", file.to_str().expect("path")]);
    assert!(first["created"].as_u64().unwrap_or(0) > 30, "{first}");
    let again = b.json(&["import", file.to_str().expect("path")]);
    assert_eq!(again["created"], 0);
    assert_eq!(again["merged"], 0);
    let community = first["community"].as_str().expect("community");
    let la = a.titles(&["idea", "list"]);
    let lb = b.titles(&["--community", community, "idea", "list"]);
    assert_eq!(la, lb);
    // A damaged or foreign file is refused and changes nothing.
    let text = std::fs::read_to_string(&file).expect("export");
    let broken = a.path().join("broken.json");
    std::fs::write(&broken, &text[..text.len() / 2]).expect("write");
    let (code, _) = b.fails(&["import", broken.to_str().expect("path")]);
    assert_eq!(code, 2);
    let foreign = a.path().join("foreign.json");
    std::fs::write(
        &foreign,
        text.replacen("allmende-export", "something-else", 1),
    )
    .expect("write");
    let (code, err) = b.fails(&["import", foreign.to_str().expect("path")]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(b.titles(&["--community", community, "idea", "list"]), lb);
}

#[test]
fn a_relay_that_cannot_be_reached_is_a_network_fault_not_refused_input() {
    let p = Peer::new();
    p.ok(&["init", "--name", "Hofheim", "--kind", "town"]);
    // Nothing listens on this port: the relay cannot be reached.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let relay = format!("ws://127.0.0.1:{port}");
    let (code, err) = p.fails(&["sync", "--relay", &relay, "--timeout", "2"]);
    assert_eq!(
        code, 4,
        "exit code 4 (network), not 2 (refused input): {err}"
    );
    assert!(err.contains("network"), "{err}");
    // A malformed relay address is the person's input.
    let (code, err) = p.fails(&["sync", "--relay", "not a url", "--timeout", "2"]);
    assert_eq!(code, 2, "{err}");
}
