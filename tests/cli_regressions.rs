//! Bugs people met using the CLI (issue 16), each kept as a test.

use super::cli::town;
use allmende_tests::Peer;

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
