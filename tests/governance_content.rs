//! Ordinary content a modified client writes in someone else's name: comments, support,
//! registrations, authorship and copied headers, left out and flagged on every honest peer.

use super::*;

/// Finding 4: authorship of ordinary content was taken from plain fields. Mallory's client
/// writes a comment as Anna, rewrites Ben's comment, adds supporters who never supported and
/// names herself the idea's author; no honest peer shows any of it, and each is flagged.
#[test]
fn content_written_as_someone_else_is_left_out_and_flagged_on_every_honest_peer() {
    let relay = RelayProc::start("");
    let (anna, others, community) = community_with_members(&relay, &["Ben", "Mallory"]);
    let (ben, mallory) = (&others[0], &others[1]);
    let anna_id = member_id(&anna, &community);
    let mallory_id = member_id(mallory, &community);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Blühstreifen",
        "--category",
        "nature",
    ]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    ben.ok(&[
        "idea",
        "comment",
        &idea,
        "--text",
        "Gute Idee, ich helfe mit.",
    ]);
    ben.ok(&["idea", "support", &idea]);
    ben.ok(&["sync"]);
    mallory.ok(&["sync"]);
    let ben_comment = {
        let shown = mallory.json(&["idea", "show", &idea]);
        let comments = shown["item"]["idea"]["comments"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(comments.len(), 1, "{shown}");
        comments.keys().next().cloned().unwrap_or_default()
    };
    let (aid, mid, bc) = (anna_id.clone(), mallory_id.clone(), ben_comment.clone());
    tamper(mallory, &idea, |d, svc| {
        let now = Value::from(svc.now());
        put_plain(
            d,
            "comments",
            "forged",
            &[
                ("id", Value::from("forged")),
                ("author", Value::from(aid.as_str())),
                ("text", Value::from("Ich ziehe die Idee zurück.")),
                ("created_at", now.clone()),
                ("edited_at", Value::from(0)),
                ("device", Value::from(svc.device().public_hex())),
            ],
        );
        let (_, comments) = d.get(&ROOT, "comments").expect("read").expect("comments");
        let (_, theirs) = d.get(&comments, bc.as_str()).expect("read").expect("Ben's");
        d.put(&theirs, "text", "Schlechte Idee.").expect("rewrite");
        let (_, supporters) = d.get(&ROOT, "supporters").expect("read").expect("map");
        for ghost in ["g1", "g2", "g3", "g4", "g5"] {
            d.put(&supporters, ghost, svc.now()).expect("support");
        }
        d.put(&ROOT, "author", mid.as_str()).expect("author");
        d.put(&ROOT, "title", "Parkplatz statt Blühstreifen")
            .expect("title");
    });
    mallory.ok(&["sync"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    for honest in [&anna, ben] {
        let shown = honest.json(&["idea", "show", &idea]);
        let x = &shown["item"]["idea"];
        assert_eq!(
            x["author"],
            anna_id.as_str(),
            "the idea stays Anna's: {shown}"
        );
        assert_eq!(
            shown["summary"]["supporters"], 1,
            "only Ben supports it: {shown}"
        );
        assert_eq!(
            x["title"], "Blühstreifen",
            "the title Anna wrote stands: {shown}"
        );
        let comments = x["comments"].as_object().cloned().unwrap_or_default();
        assert!(
            comments.values().all(|c| c["author"] != anna_id.as_str()),
            "no comment is shown as Anna's: {shown}"
        );
        assert!(
            comments.values().all(|c| c["text"] != "Schlechte Idee."),
            "Ben's comment is not shown rewritten: {shown}"
        );
        let flagged = flags(honest);
        for entry in [
            "comment:forged",
            &format!("comment:{ben_comment}"),
            "support:g1",
            "header",
            "field:title",
        ] {
            assert!(
                flagged.iter().any(|f| f["entry"] == entry),
                "{entry} is flagged: {flagged:#?}"
            );
        }
    }
    assert_eq!(flags(&anna), flags(ben), "both honest peers flag the same");
}

/// From an adversarial review: a document carrying a copy of another item's signed header was
/// indexed under that item's id, so its text showed in lists under the other item's author.
#[test]
fn a_copied_header_neither_passes_nor_takes_another_items_place() {
    let relay = RelayProc::start("");
    let (anna, others, community) = community_with_members(&relay, &["Ben", "Mallory"]);
    let (ben, mallory) = (&others[0], &others[1]);
    let real = anna.create(&[
        "idea",
        "add",
        "--title",
        "Blühstreifen",
        "--category",
        "nature",
    ]);
    anna.ok(&["sync"]);
    mallory.ok(&["sync"]);
    let copy = mallory.create(&[
        "idea",
        "add",
        "--title",
        "Parkplatz statt Wiese",
        "--category",
        "nature",
    ]);
    let real_id = real.clone();
    tamper(mallory, &real, |_, _| {});
    let header = {
        let mut svc = Service::open(mallory.path()).expect("open");
        let bytes = svc.doc_bytes(&real_id).expect("real");
        let d = docs::load(&bytes, &svc.device().actor()).expect("load");
        let h: allmende_core::model::Header =
            autosurgeon::hydrate_prop(&d, &ROOT, "header").expect("header");
        h
    };
    tamper(mallory, &copy, |d, _| {
        autosurgeon::reconcile_prop(d, ROOT, "header", &header).expect("header");
    });
    mallory.ok(&["sync"]);
    ben.ok(&["sync"]);
    let shown = ben.json(&["idea", "show", &real]);
    assert_eq!(shown["summary"]["title"], "Blühstreifen", "{shown}");
    let listed = ben.titles(&["idea", "list"]);
    assert!(listed.contains(&"Blühstreifen".to_string()), "{listed:?}");
    let out = ben.run(&["--json", "idea", "show", &copy]);
    if out.status.success() {
        let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(
            theirs["summary"]["author"], "",
            "the copy is by nobody: {theirs}"
        );
    }
    let _ = community;
}

/// Issue 12: the rules of a change read fields a modified client can write. Mallory's client
/// writes registrations for people who never registered (filling the event), one in Ben's
/// name, a support in Ben's name, names Ben the author of Anna's idea and herself the author
/// of Ben's: Ben could neither register ("full", "already registered"), nor support ("only
/// once", "one's own idea"), nor edit his own idea.
#[test]
fn forged_marks_neither_fill_an_event_nor_keep_a_member_from_supporting() {
    let relay = RelayProc::start("");
    let (anna, others, community) = community_with_members(&relay, &["Ben", "Mallory"]);
    let (ben, mallory) = (&others[0], &others[1]);
    let ben_id = member_id(ben, &community);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Obstwiese",
        "--category",
        "nature",
    ]);
    let event = anna.create(&[
        "event",
        "add",
        "--title",
        "Pflanzaktion",
        "--start",
        "2030-03-07T10:00:00+01:00",
        "--end",
        "2030-03-07T13:00:00+01:00",
        "--place",
        "Mühlbach",
        "--category",
        "nature",
        "--capacity",
        "2",
    ]);
    anna.ok(&["sync"]);
    mallory.ok(&["sync"]);
    let bid = ben_id.clone();
    tamper(mallory, &event, |d, svc| {
        for who in ["ghost-1", "ghost-2", bid.as_str()] {
            put_plain(
                d,
                "registrations",
                who,
                &[
                    ("member", Value::from(who)),
                    ("at", Value::from(svc.now())),
                    ("device", Value::from(svc.device().public_hex())),
                ],
            );
        }
    });
    let bid = ben_id.clone();
    tamper(mallory, &idea, |d, svc| {
        let (_, supporters) = d.get(&ROOT, "supporters").expect("read").expect("map");
        d.put(&supporters, bid.as_str(), svc.now())
            .expect("support");
        d.put(&ROOT, "author", bid.as_str()).expect("author");
    });
    // Ben's own idea, its author field rewritten to Mallory.
    ben.ok(&["sync"]);
    let own = ben.create(&[
        "idea",
        "add",
        "--title",
        "Bienenhotel",
        "--category",
        "nature",
    ]);
    ben.ok(&["sync"]);
    mallory.ok(&["sync"]);
    let mid = member_id(mallory, &community);
    tamper(mallory, &own, |d, _| {
        d.put(&ROOT, "author", mid.as_str()).expect("author");
    });
    mallory.ok(&["sync"]);
    ben.ok(&["sync"]);
    ben.ok(&["idea", "edit", &own, "--title", "Bienenhotel am Schulhof"]);
    ben.ok(&["event", "register", &event]);
    ben.ok(&["idea", "support", &idea]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    let shown = anna.json(&["event", "show", &event]);
    assert_eq!(
        shown["summary"]["extra"]["registrations"], 1,
        "only Ben counts: {shown}"
    );
    let shown = anna.json(&["idea", "show", &idea]);
    assert_eq!(
        shown["summary"]["supporters"], 1,
        "Ben's own support: {shown}"
    );
}
