//! The `allmende` CLI end to end: every entity created, edited and listed. Refusals, search,
//! exports and imports are in `cli_io`, bugs found in use in `cli_regressions`.

use allmende_tests::Peer;

pub(crate) fn town() -> (Peer, String) {
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
