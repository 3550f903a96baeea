//! Sneakernet bundles through the real binary: round trip, repeated import, damaged and
//! foreign files refused with no change.

use allmende_tests::{put_plain, tamper, Peer};
use serde_json::Value;

#[test]
fn a_bundle_carries_a_community_and_importing_twice_changes_nothing() {
    let a = Peer::new();
    a.ok(&["demo"]);
    a.create(&[
        "idea",
        "add",
        "--title",
        "Per USB-Stick",
        "--category",
        "energy",
    ]);
    let file = a.path().join("gruenhausen.allmende");
    a.ok(&["bundle", "export", file.to_str().expect("path")]);
    let b = Peer::new();
    let first = b.json(&["bundle", "import", file.to_str().expect("path")]);
    assert!(first["created"].as_u64().unwrap_or(0) > 30, "{first}");
    let community = first["community"].as_str().expect("community").to_string();
    let again = b.json(&["bundle", "import", file.to_str().expect("path")]);
    assert_eq!(
        (again["created"].as_u64(), again["merged"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    let mut la = a.titles(&["idea", "list", "--limit", "100"]);
    let mut lb = b.titles(&["--community", &community, "idea", "list", "--limit", "100"]);
    la.sort();
    lb.sort();
    assert_eq!(la, lb);
    // Later edits travel in a second bundle and merge into what is there.
    let idea = a.json(&["idea", "list"])["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    a.ok(&["idea", "comment", &idea, "--text", "Nachgereicht per Stick"]);
    a.create(&[
        "idea",
        "add",
        "--title",
        "Zweiter Stick",
        "--category",
        "energy",
    ]);
    let second = a.path().join("zweiter.allmende");
    a.ok(&["bundle", "export", second.to_str().expect("path")]);
    let merged = b.json(&["bundle", "import", second.to_str().expect("path")]);
    assert!(merged["merged"].as_u64().unwrap_or(0) >= 2, "{merged}");
    assert_eq!(merged["created"], 1, "{merged}");
    let shown = b.json(&["--community", &community, "idea", "show", &idea]);
    assert_eq!(shown["summary"]["comments"], 1);
}

#[test]
fn damaged_and_foreign_bundles_are_refused_and_change_nothing() {
    let a = Peer::new();
    a.ok(&["demo"]);
    let file = a.path().join("b.allmende");
    a.ok(&["bundle", "export", file.to_str().expect("path")]);
    let good = std::fs::read(&file).expect("bundle");
    let b = Peer::new();
    b.create(&["init", "--name", "Eigenes Dorf", "--kind", "village"]);
    let before = b.json(&["community", "list"]);
    let mut damaged = good.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0xff;
    let truncated = good[..good.len() - 100].to_vec();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("damaged", damaged),
        ("truncated", truncated),
        (
            "foreign",
            b"PK\x03\x04 this is a zip file, not a bundle".to_vec(),
        ),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in cases {
        let path = a.path().join(format!("{what}.allmende"));
        std::fs::write(&path, bytes).expect("write");
        let (code, err) = b.fails(&["bundle", "import", path.to_str().expect("path")]);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains("bundle"), "{what}: {err}");
    }
    assert_eq!(
        b.json(&["community", "list"]),
        before,
        "nothing was written"
    );
}

/// Finding 11 of the edge review: a bundle from anyone was merged whole, so what a stranger
/// wrote went into the community with the importing member's next sync.
#[test]
fn a_bundle_bringing_content_no_member_signed_is_refused_whole() {
    let anna = Peer::new();
    anna.ok(&[
        "init",
        "--name",
        "Lindenau",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Bänke am Teich",
        "--category",
        "energy",
    ]);
    let anna_id = anna.json(&["community", "list"])[0]["me"]
        .as_str()
        .expect("Anna's member id")
        .to_string();
    let file = anna.path().join("lindenau.allmende");
    anna.ok(&["bundle", "export", file.to_str().expect("path")]);
    // Sam is no member: his device takes a copy to read, and his client writes into it, as
    // Anna, with his own device.
    let sam = Peer::new();
    let community = sam.json(&["bundle", "import", file.to_str().expect("path")])["community"]
        .as_str()
        .expect("community")
        .to_string();
    tamper(&sam, &idea, |d, svc| {
        put_plain(
            d,
            "comments",
            "forged",
            &[
                ("id", Value::from("forged")),
                ("author", Value::from(anna_id.as_str())),
                (
                    "text",
                    Value::from("Die Bänke sind bestellt, spendet hier."),
                ),
                ("created_at", Value::from(svc.now())),
                ("edited_at", Value::from(0)),
                ("device", Value::from(svc.device().public_hex())),
            ],
        );
    });
    let forged = sam.path().join("forged.allmende");
    sam.ok(&[
        "--community",
        &community,
        "bundle",
        "export",
        forged.to_str().expect("path"),
    ]);
    let heads = anna.doc_heads();
    let (code, said) = anna.fails(&["bundle", "import", forged.to_str().expect("path")]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("no member's device signed"), "{said}");
    assert_eq!(anna.doc_heads(), heads, "nothing of the file was imported");
    // A JSON export of Sam's copy is refused the same way.
    let json = sam.path().join("forged.json");
    sam.ok(&[
        "--community",
        &community,
        "export",
        "--format",
        "json",
        "--out",
        json.to_str().expect("path"),
    ]);
    let (code, said) = anna.fails(&["import", json.to_str().expect("path")]);
    assert_eq!(code, 2, "{said}");
    assert_eq!(
        anna.doc_heads(),
        heads,
        "nothing of the export was imported"
    );
    // Anna's own bundle, brought back, still merges to nothing new.
    let again = anna.json(&["bundle", "import", file.to_str().expect("path")]);
    assert_eq!(again["created"], 0, "{again}");
}

/// Issue 13, from the review of the relay's checks: a bundle is a stranger's file, and
/// Automerge walks every operation a document's columns claim. A document carrying a change
/// of about 60 bytes that claims 2^40 operations kept `bundle import` busy for good; it is
/// refused at once now, and nothing is written.
#[test]
fn a_bundle_whose_document_claims_billions_of_operations_is_refused() {
    let a = Peer::new();
    a.ok(&["demo"]);
    let file = a.path().join("b.allmende");
    a.ok(&["bundle", "export", file.to_str().expect("path")]);
    let mut bundle = allmende_core::bundle::Bundle::decode(&std::fs::read(&file).expect("bundle"))
        .expect("a bundle");
    bundle.docs[1]
        .1
        .extend_from_slice(&allmende_tests::raw::run_of_operations(1 << 40));
    let forged = a.path().join("forged.allmende");
    std::fs::write(&forged, bundle.encode().expect("encode")).expect("write");
    let b = Peer::new();
    let (code, err) = b.fails(&["bundle", "import", forged.to_str().expect("path")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("operations"), "{err}");
    assert_eq!(
        b.json(&["community", "list"]),
        serde_json::json!([]),
        "nothing was written"
    );
}
