//! The `allmende` CLI end to end: every entity created, edited and listed; bad input refused
//! with exit code 2 and nothing written; search, exports and imports.

use allmende_tests::Peer;

fn town() -> (Peer, String) {
    let p = Peer::new();
    let id = p.create(&[
        "init",
        "--name",
        "Testdorf",
        "--kind",
        "village",
        "--admin-name",
        "Maria",
    ]);
    (p, id)
}

#[test]
fn community_members_and_profiles() {
    let (p, id) = town();
    let list = p.json(&["community", "list"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["kind"], "village");
    assert_eq!(list[0]["my_role"], "admin");
    p.ok(&[
        "community",
        "edit",
        "--description",
        "Ein Dorf",
        "--code-of-conduct",
        "Freundlich bleiben",
    ]);
    p.ok(&[
        "community",
        "add-category",
        "water",
        "--de",
        "Wasser",
        "--en",
        "Water",
    ]);
    let cats = p.json(&["community", "categories"]);
    assert_eq!(cats.as_array().map(Vec::len), Some(9));
    p.ok(&["community", "edit-category", "water", "--archived", "true"]);
    let jonas = p.create(&["member", "add", "--name", "Jonas", "--role", "moderator"]);
    p.ok(&[
        "member",
        "profile",
        "--member",
        "Jonas",
        "--about",
        "Elektriker",
        "--interests",
        "energy,mobility",
        "--contact",
        "jonas@example.org",
        "--contact-visibility",
        "members",
    ]);
    // Only Jonas's own devices keep a contact that nobody else sees: an admin can neither set
    // one for him nor hide his (it would be kept nowhere and lost).
    for args in [
        &[
            "--contact",
            "jonas@example.org",
            "--contact-visibility",
            "nobody",
        ][..],
        &["--contact-visibility", "nobody"][..],
    ] {
        let mut cmd = vec!["member", "profile", "--member", "Jonas"];
        cmd.extend_from_slice(args);
        let (_, refused) = p.fails(&cmd);
        assert!(refused.contains("nobody else sees"), "{refused}");
    }
    let members = p.json(&["member", "list"]);
    let j = members
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == jonas.as_str())
        .expect("jonas");
    assert_eq!(j["role"], "moderator");
    assert_eq!(j["interests"], serde_json::json!(["energy", "mobility"]));
    // Contact details as their visibility allows: Jonas shows them to members.
    let profile = j["profile"].as_str().expect("profile").to_string();
    let shown = p.json(&["idea", "show", &profile]);
    assert_eq!(
        shown["item"]["profile"]["contact"], "jonas@example.org",
        "{shown}"
    );
    assert_eq!(shown["item"]["profile"]["about"], "Elektriker");
    p.ok(&["member", "role", &jonas, "member"]);
    let overview = p.json(&["community", "show"]);
    assert_eq!(overview["community"]["description"], "Ein Dorf");
    assert_eq!(
        overview["settings"]["code_of_conduct"],
        "Freundlich bleiben"
    );
    p.ok(&["member", "remove", &jonas]);
    assert_eq!(
        p.json(&["member", "list"]).as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn ideas_support_comments_and_status() {
    let (p, _) = town();
    let idea = p.create(&[
        "idea",
        "add",
        "--title",
        "Bäume pflanzen",
        "--text",
        "Am Bach",
        "--category",
        "nature",
    ]);
    let (code, err) = p.fails(&["idea", "support", &idea]);
    assert_eq!(code, 2, "one's own idea: {err}");
    p.ok(&["idea", "comment", &idea, "--text", "Gute Idee!"]);
    p.ok(&[
        "idea",
        "edit",
        &idea[..8],
        "--title",
        "Obstbäume pflanzen",
        "--status",
        "team_forming",
    ]);
    let shown = p.json(&["idea", "show", &idea]);
    assert_eq!(shown["summary"]["title"], "Obstbäume pflanzen");
    assert_eq!(shown["summary"]["status"], "team_forming");
    assert_eq!(shown["summary"]["supporters"], 0);
    assert_eq!(
        shown["item"]["idea"]["comments"]
            .as_object()
            .map(|c| c.len()),
        Some(1)
    );
    assert_eq!(
        p.titles(&["idea", "list", "--category", "nature"]),
        vec!["Obstbäume pflanzen"]
    );
    assert!(p
        .titles(&["idea", "list", "--category", "energy"])
        .is_empty());
    assert_eq!(
        p.titles(&["idea", "list", "--status", "team_forming"])
            .len(),
        1
    );
    let human = p.ok(&["idea", "show", &idea]);
    assert!(human.contains("Gute Idee!"), "{human}");
}

#[test]
fn project_workspace_from_an_idea() {
    let (p, _) = town();
    let jonas = p.create(&["member", "add", "--name", "Jonas"]);
    let idea = p.create(&[
        "idea",
        "add",
        "--title",
        "Solardach",
        "--category",
        "energy",
    ]);
    let project = p.create(&[
        "project",
        "add",
        "--title",
        "Solardach Schule",
        "--from-idea",
        &idea,
        "--stage",
        "planning",
    ]);
    assert_eq!(
        p.json(&["idea", "show", &idea])["summary"]["status"],
        "became_project"
    );
    p.ok(&["project", "team-add", &project, "Jonas"]);
    // A prefix of the member id works as everywhere else.
    let lena = p.create(&["member", "add", "--name", "Lena"]);
    p.ok(&["project", "team-add", &project, &lena[..6]]);
    let team = p.json(&["project", "show", &project])["item"]["project"]["team"].clone();
    assert!(team.get(&lena).is_some(), "{team}");
    let step = p.create(&["project", "step-add", &project, "--title", "Finanzierung"]);
    let task = p.create(&[
        "project",
        "task-add",
        &project,
        "--title",
        "Angebote einholen",
        "--step",
        &step,
        "--assignee",
        &jonas,
        "--due",
        "2030-05-01",
    ]);
    p.create(&["project", "task-add", &project, "--title", "Gerüst"]);
    p.ok(&["project", "task-done", &project, &task]);
    p.ok(&[
        "project",
        "notes",
        &project,
        "--set",
        "Dach trägt 25 kg/m².\nAngebot: 38.000 €",
    ]);
    let notes = p.ok(&["project", "notes", &project]);
    assert_eq!(notes, "Dach trägt 25 kg/m².\nAngebot: 38.000 €");
    p.ok(&[
        "project",
        "notes",
        &project,
        "--set",
        "Dach trägt 30 kg/m².\nAngebot: 38.000 €\nNeu",
    ]);
    let m = p.create(&[
        "project",
        "milestone-add",
        &project,
        "--title",
        "Am Netz",
        "--due",
        "2030-06-01",
    ]);
    p.ok(&[
        "project",
        "milestone-edit",
        &project,
        &m,
        "--reached",
        "true",
    ]);
    let n = p.create(&[
        "project",
        "need-add",
        &project,
        "--kind",
        "volunteers",
        "--description",
        "Zwei Helfer",
    ]);
    p.ok(&["project", "need-edit", &project, &n, "--met", "true"]);
    p.ok(&["project", "edit", &project, "--stage", "implementation"]);
    let shown = p.json(&["project", "show", &project]);
    let x = &shown["item"]["project"];
    assert_eq!(x["stage"], "implementation");
    assert_eq!(x["notes"], "Dach trägt 30 kg/m².\nAngebot: 38.000 €\nNeu");
    assert_eq!(x["tasks"].as_object().map(|t| t.len()), Some(2));
    assert_eq!(x["milestones"][&m]["reached"], true);
    assert_eq!(x["needs"][&n]["met"], true);
    assert_eq!(shown["summary"]["progress"], 50);
    p.ok(&["project", "edit", &project, "--progress", "80"]);
    assert_eq!(
        p.json(&["project", "show", &project])["summary"]["progress"],
        80
    );
    assert_eq!(
        p.titles(&["project", "list", "--running"]),
        vec!["Solardach Schule"]
    );
    p.ok(&["project", "edit", &project, "--stage", "done"]);
    assert!(p.titles(&["project", "list", "--running"]).is_empty());
    assert_eq!(
        p.titles(&["project", "list", "--finished"]),
        vec!["Solardach Schule"]
    );
}

#[test]
fn municipal_path_with_history_and_overdue() {
    let (p, _) = town();
    let keller = p.create(&[
        "member",
        "add",
        "--name",
        "Frau Keller",
        "--role",
        "municipal_staff",
    ]);
    assert!(!keller.is_empty());
    let idea = p.create(&[
        "idea",
        "add",
        "--title",
        "Trinkbrunnen",
        "--category",
        "health",
    ]);
    let req = p.create(&[
        "request",
        "add",
        "--target",
        &idea,
        "--title",
        "Brunnen genehmigen",
        "--department",
        "Tiefbauamt",
    ]);
    let (code, err) = p.fails(&["request", "answer", &req, "--status", "declined"]);
    assert_eq!(code, 2);
    assert!(err.contains("reason"), "{err}");
    let (code, err) = p.fails(&[
        "request",
        "answer",
        &req,
        "--status",
        "received",
        "--promised-by",
        "2020-01-10",
    ]);
    assert_eq!(code, 2, "a promise for a day gone by: {err}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    let promised = allmende_core::time::millis_to_date(
        i64::try_from(now).expect("ms") + 5 * allmende_core::time::DAY_MS,
    );
    p.ok(&[
        "request",
        "answer",
        &req,
        "--status",
        "received",
        "--message",
        "Wir prüfen.",
        "--contact",
        "Frau Keller",
        "--promised-by",
        &promised,
    ]);
    let shown = p.json_days_later(400, &["request", "show", &req]);
    assert_eq!(shown["summary"]["status"], "received");
    assert!(
        shown["waiting_days"].as_i64().is_some_and(|d| d > 365),
        "{shown}"
    );
    assert_eq!(
        shown["item"]["request"]["history"]
            .as_object()
            .map(|h| h.len()),
        Some(2)
    );
    let overdue = p.json_days_later(400, &["request", "list", "--overdue"]);
    assert_eq!(overdue["items"].as_array().map(Vec::len), Some(1));
    let idea_view = p.json(&["idea", "show", &idea]);
    assert_eq!(idea_view["requests"][0]["id"], req.as_str());
    p.ok(&[
        "request",
        "answer",
        &req,
        "--status",
        "approved",
        "--message",
        "Genehmigt",
    ]);
    assert_eq!(
        p.json_days_later(400, &["request", "list", "--overdue"])["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    p.ok(&["request", "follow", &req]);
    assert_eq!(
        p.titles(&["request", "list", "--status", "approved"]),
        vec!["Brunnen genehmigen"]
    );
}

#[test]
fn events_directory_volunteering_posts_and_moderation() {
    let (p, _) = town();
    let ev = p.create(&[
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
        "--organiser",
        "BUND",
    ]);
    p.ok(&["event", "register", &ev]);
    p.ok(&[
        "event",
        "edit",
        &ev,
        "--title",
        "Große Pflanzaktion",
        "--capacity",
        "20",
    ]);
    assert_eq!(
        p.titles(&[
            "event",
            "list",
            "--from",
            "2030-03-01",
            "--to",
            "2030-03-31"
        ]),
        vec!["Große Pflanzaktion"]
    );
    assert!(p
        .titles(&["event", "list", "--from", "2030-04-01"])
        .is_empty());
    let ics = p.ok(&["export", "--format", "ics"]);
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART:20300307T090000Z"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Große Pflanzaktion"));
    let org = p.create(&[
        "org",
        "add",
        "--name",
        "Energiegenossenschaft",
        "--categories",
        "energy,buildings",
        "--website",
        "https://eg.example",
    ]);
    p.ok(&[
        "org",
        "edit",
        &org,
        "--description",
        "Bürger finanzieren Solaranlagen",
    ]);
    p.create(&[
        "org",
        "project-add",
        &org,
        "--title",
        "Solarpark",
        "--finished",
    ]);
    p.create(&["org", "project-add", &org, "--title", "Schuldach"]);
    assert_eq!(
        p.titles(&["org", "list", "--category", "buildings"]),
        vec!["Energiegenossenschaft"]
    );
    assert!(p
        .titles(&["org", "list", "--category", "mobility"])
        .is_empty());
    assert_eq!(
        p.titles(&["org", "list", "--running"]),
        vec!["Energiegenossenschaft"]
    );
    let (code, _) = p.fails(&[
        "org",
        "add",
        "--name",
        "X",
        "--categories",
        "energy",
        "--website",
        "ftp://x",
    ]);
    assert_eq!(code, 2);
    let opp = p.create(&[
        "opportunity",
        "add",
        "--title",
        "Helfen beim Pflanzen",
        "--term",
        "short",
        "--category",
        "nature",
        "--date",
        "2030-03-07",
        "--commitment",
        "3 Stunden",
    ]);
    p.create(&[
        "opportunity",
        "add",
        "--title",
        "Repair-Café",
        "--term",
        "long",
        "--category",
        "consumption",
        "--commitment",
        "monatlich",
    ]);
    p.ok(&["opportunity", "signup", &opp, "--note", "mit Spaten"]);
    p.ok(&["opportunity", "edit", &opp, "--open", "false"]);
    assert_eq!(
        p.titles(&["opportunity", "list", "--status", "long"]),
        vec!["Repair-Café"]
    );
    let post = p.create(&[
        "post",
        "add",
        "--kind",
        "tip",
        "--title",
        "Stoßlüften",
        "--text",
        "Fünf Minuten",
        "--category",
        "buildings",
    ]);
    p.create(&[
        "post",
        "add",
        "--kind",
        "offer",
        "--title",
        "Zuschuss",
        "--category",
        "energy",
        "--offered-by",
        "Stadtwerke",
    ]);
    p.ok(&[
        "post",
        "edit",
        &post,
        "--text",
        "Drei Mal am Tag fünf Minuten",
    ]);
    assert_eq!(
        p.titles(&["post", "list", "--status", "offer"]),
        vec!["Zuschuss"]
    );
    let c = p.create(&["comment", &post, "--text", "Danke!"]);
    p.create(&["report", &post, "--comment", &c, "--reason", "Spam"]);
    p.ok(&["hide", &post, "--reason", "Werbung"]);
    let listed = p.json(&["post", "list"]);
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["hidden"] == true),
        "admins see hidden posts marked"
    );
    p.ok(&["restore", &post, "--reason", "Versehen"]);
    let md = p.ok(&["export", "--format", "md"]);
    assert!(
        md.contains("# Testdorf") && md.contains("Stoßlüften"),
        "{md}"
    );
}

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
fn a_neighbours_idea_is_supported_once_and_the_support_withdrawn() {
    let p = Peer::new();
    p.ok(&["demo"]);
    let ideas = p.json(&["idea", "list", "--limit", "100"]);
    let idea = ideas["items"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|i| i["title"] == "Trinkbrunnen in der Innenstadt")
                .cloned()
        })
        .expect("the demo idea");
    let id = idea["id"].as_str().expect("id");
    p.ok(&["idea", "support", id]);
    let (code, err) = p.fails(&["idea", "support", id]);
    assert_eq!(code, 2, "a second support: {err}");
    assert_eq!(p.json(&["idea", "show", id])["summary"]["supporters"], 1);
    p.ok(&["idea", "support", id, "--withdraw"]);
    assert_eq!(p.json(&["idea", "show", id])["summary"]["supporters"], 0);
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

/// Issue 16, bug 3: a report stayed in the moderators' queue for good, also after its
/// content was restored or kept visible: nothing settled it.
#[test]
fn a_moderators_decision_settles_the_reports_made_before_it() {
    let (p, _) = town();
    let idea = p.create(&[
        "idea",
        "add",
        "--title",
        "Bänke am Teich",
        "--category",
        "energy",
    ]);
    let c = p.create(&["comment", &idea, "--text", "So ein Unsinn."]);
    p.create(&["report", &idea, "--comment", &c, "--reason", "Beleidigend"]);
    p.create(&["report", &idea, "--reason", "Doppelt eingereicht"]);
    let open = |p: &Peer| p.json(&["idea", "show", &idea])["summary"]["reports"].as_u64();
    assert_eq!(open(&p), Some(2));
    // Keeping the comment visible settles its report; the report of the idea stays open.
    p.ok(&[
        "restore",
        &idea,
        "--comment",
        &c,
        "--reason",
        "Geprüft: harmlos",
    ]);
    assert_eq!(open(&p), Some(1));
    // Hiding the idea settles the idea's report: nothing of it waits in the queue.
    p.ok(&["hide", &idea, "--reason", "Doppelt"]);
    assert_eq!(open(&p), Some(0));
    // A report made after the decision is open again.
    p.create(&[
        "report",
        &idea,
        "--comment",
        &c,
        "--reason",
        "Wieder beleidigend",
    ]);
    assert_eq!(open(&p), Some(1));
}

/// Issue 16, bug 10: a member removed from the community still appeared in the team of
/// every project they were on.
#[test]
fn a_removed_member_leaves_every_team() {
    let (p, _) = town();
    let project = p.create(&[
        "project",
        "add",
        "--title",
        "Dorfladen",
        "--category",
        "consumption",
    ]);
    let lena = p.create(&["member", "add", "--name", "Lena"]);
    p.ok(&["project", "team-add", &project, &lena]);
    let team = |p: &Peer| p.json(&["project", "show", &project])["item"]["project"]["team"].clone();
    assert!(team(&p).get(&lena).is_some(), "{}", team(&p));
    p.ok(&["member", "remove", &lena]);
    assert!(team(&p).get(&lena).is_none(), "{}", team(&p));
}
