//! Village workshop templates (built in, exported to a file, imported into another
//! community, applied to a project) and showcases: a class's project published into its
//! town, and a project fair across villages.

use allmende_tests::Peer;
use serde_json::Value;

fn init(p: &Peer, name: &str, kind: &str) -> String {
    p.create(&[
        "init",
        "--name",
        name,
        "--kind",
        kind,
        "--admin-name",
        "Lea",
    ])
}

fn steps(project: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(i64, String, String)> = project["item"]["project"]["steps"]
        .as_object()
        .map(|m| {
            m.values()
                .map(|s| {
                    (
                        s["position"].as_i64().unwrap_or(0),
                        s["title"].as_str().unwrap_or("").to_string(),
                        s["stage"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.into_iter().map(|(_, t, s)| (t, s)).collect()
}

#[test]
fn templates_travel_between_communities_and_shape_projects() {
    let p = Peer::new();
    let village = init(&p, "Kleinroda", "village");
    let template = p.create(&["template", "add", "--builtin", "village"]);
    let file = p.path().join("dorfwerkstatt.json");
    p.ok(&[
        "template",
        "export",
        &template,
        "--out",
        file.to_str().expect("path"),
    ]);

    // Another village imports the file and applies it to a project.
    let q = Peer::new();
    init(&q, "Großroda", "village");
    let imported = q.create(&["template", "add", "--file", file.to_str().expect("path")]);
    let listed = q.json(&["template", "list"]);
    assert_eq!(
        listed["items"][0]["title"],
        "Dorfwerkstatt: von der Idee zur Projektbörse"
    );
    let project = q.create(&[
        "project",
        "add",
        "--title",
        "Dorfladen",
        "--category",
        "consumption",
    ]);
    q.ok(&["template", "apply", &imported, "--project", &project]);
    let shown = q.json(&["project", "show", &project]);
    let s = steps(&shown);
    assert_eq!(s.len(), 6, "{s:?}");
    assert_eq!(
        s[0],
        (
            "Ideenwerkstatt: Ideen sammeln und auswählen".to_string(),
            "idea_workshop".to_string()
        )
    );
    assert_eq!(s[2].1, "planning");
    assert_eq!(s[5].0, "Projektbörse: Fortschritt zeigen");
    assert_eq!(
        shown["item"]["project"]["milestones"]
            .as_object()
            .map(|m| m.len()),
        Some(3)
    );
    let tasks = shown["item"]["project"]["tasks"]
        .as_object()
        .map_or(0, |m| m.len());
    assert_eq!(tasks, 14);

    // A damaged or foreign file is refused with nothing written.
    let bad = q.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"format\":\"allmende-template\",\"version\":1,\"name\":\"\",\"steps\":[]}",
    )
    .expect("write");
    let (code, msg) = q.fails(&["template", "add", "--file", bad.to_str().expect("path")]);
    assert_eq!(code, 2, "{msg}");
    std::fs::write(&bad, "PK\u{3}\u{4}zip").expect("write");
    assert_eq!(
        q.fails(&["template", "add", "--file", bad.to_str().expect("path")])
            .0,
        2
    );
    assert_eq!(q.json(&["template", "list"])["total"], 1);
    let _ = village;
}

#[test]
fn a_class_publishes_its_project_into_its_town_without_names() {
    let teacher = Peer::new();
    let town = init(&teacher, "Grünstadt", "town");
    let class = init(&teacher, "Klasse 7b", "school");
    teacher.ok(&["community", "use", &class]);
    let pupil = teacher.create(&["member", "add", "--name", "Sonnenblume"]);
    let project = teacher.create(&[
        "project",
        "add",
        "--title",
        "Müll-Detektive",
        "--summary",
        "Wir zählen Müll auf dem Schulhof.",
        "--category",
        "consumption",
    ]);
    teacher.ok(&["project", "team-add", &project, &pupil]);
    teacher.ok(&["project", "milestone-add", &project, "--title", "Zähltag"]);
    teacher.ok(&["project", "edit", &project, "--stage", "done"]);
    teacher.ok(&["project", "publish", &project, "--to", &town]);
    teacher.ok(&["community", "use", &town]);
    let fair = teacher.json(&["project", "fair"]);
    assert_eq!(fair["total"], 1, "{fair}");
    let showcase = fair["items"][0].clone();
    assert_eq!(showcase["title"], "Müll-Detektive");
    assert_eq!(showcase["status"], "done");
    assert_eq!(showcase["extra"]["origin_community"], "Klasse 7b");
    let id = showcase["id"].as_str().expect("id").to_string();
    let shown = teacher.json(&["project", "show", &id]);
    assert!(
        !shown.to_string().contains("Sonnenblume"),
        "no pupil's name leaves the class: {shown}"
    );
    assert_eq!(
        shown["item"]["project"]["milestones"]
            .as_object()
            .map(|m| m.len()),
        Some(1)
    );
    // Town members comment on it like on any project.
    teacher.ok(&["comment", &id, "--text", "Toll gemacht, 7b!"]);

    // Publishing again updates the same showcase.
    teacher.ok(&["community", "use", &class]);
    teacher.ok(&[
        "project",
        "edit",
        &project,
        "--summary",
        "Wir haben 412 Stück Müll gezählt.",
    ]);
    teacher.ok(&["project", "publish", &project, "--to", &town]);
    teacher.ok(&["community", "use", &town]);
    let fair = teacher.json(&["project", "fair"]);
    assert_eq!(fair["total"], 1);
    assert!(
        fair["items"][0]["excerpt"]
            .as_str()
            .unwrap_or("")
            .contains("412"),
        "{fair}"
    );
    // Not into the same community, and only by a lead.
    assert_eq!(
        teacher.fails(&["project", "publish", &id, "--to", &town]).0,
        2
    );
}

/// The dashboard's figures match the data they count.
#[test]
fn dashboard_figures_match_the_data() {
    let p = Peer::new();
    p.ok(&["demo"]);
    let d = p.json(&["dashboard"]);
    let count = |kind: &str| p.json(&[kind, "list", "--limit", "1000"])["total"].clone();
    assert_eq!(d["totals"]["idea"], count("idea"), "{d}");
    assert_eq!(d["totals"]["event"], count("event"));
    assert_eq!(d["totals"]["organisation"], count("org"));
    let projects = p.json(&["project", "list", "--limit", "1000"])["total"]
        .as_u64()
        .unwrap_or(0)
        + p.json(&["project", "list", "--finished", "--limit", "1000"])["total"]
            .as_u64()
            .unwrap_or(0);
    assert_eq!(d["totals"]["project"].as_u64(), Some(projects));
    let members = p.json(&["member", "list"]).as_array().map_or(0, Vec::len) as u64;
    assert_eq!(d["totals"]["member"].as_u64(), Some(members));
    let by_stage: u64 = d["projects_by_stage"]
        .as_object()
        .map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
    assert_eq!(by_stage, projects);
    // The last month of every series is the total.
    for (kind, series) in d["series"].as_object().expect("series") {
        assert_eq!(
            series.as_array().and_then(|s| s.last()).cloned(),
            Some(d["totals"][kind].clone()),
            "{kind}"
        );
    }
    let csv = p.ok(&["dashboard", "--csv"]);
    assert!(
        csv.starts_with("month,member,idea,project,organisation,event,opportunity\n"),
        "{csv}"
    );
    let digest = p.ok(&["digest"]);
    assert!(digest.starts_with("# Join in at Grünhausen"), "{digest}");
    assert!(digest.contains("## Help wanted"));
    let german = p.ok(&["--lang", "de", "digest"]);
    assert!(german.starts_with("# Mach mit in Grünhausen"), "{german}");
}
