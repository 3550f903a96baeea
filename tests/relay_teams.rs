//! A team-only project's team is judged by its community's current roster at the relay (a
//! module of `relay.rs`).

use std::time::Duration;

use allmende_service::Service;
use allmende_tests::{Peer, RelayProc};

/// Found while testing relay scopes: a team-only project that reached the relay before its
/// community was judged against nobody's roster and shut to its own team for good (the sync
/// waited out its timeout with "refused or timed out"), until the project itself changed.
#[test]
fn a_team_project_that_arrives_before_its_community_is_open_to_its_team() {
    let relay = RelayProc::start("");
    let anna = Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Grünhausen",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    let project = anna.create(&[
        "project",
        "add",
        "--title",
        "Nur fürs Team",
        "--category",
        "energy",
        "--team-only",
    ]);
    // The project alone first, as a window of a large sync may bring it.
    {
        let mut svc = Service::open(anna.path()).expect("open");
        let key = svc.device().clone();
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(allmende_net::sync::push_as(
            &mut svc,
            &relay.url(),
            &project,
            &key,
            Duration::from_secs(10),
        ))
        .expect("the project is stored");
    }
    let report = anna.json(&["sync", "--relay", &relay.url(), "--timeout", "10"]);
    assert_eq!(report["not_synced"], serde_json::json!([]), "{report}");
    assert!(
        anna.run(&["sync", "--fetch", &project, "--timeout", "5"])
            .status
            .success(),
        "the project's lead reads it from the relay"
    );
}

/// From the second review of the team fix (issue 12): Ben, a lead Anna put on her team-only
/// project, adds Cara; then Anna takes Ben off the team. Devices keep Cara on it (they read
/// from the document's history that Ben was a lead when he added her); the relay judged the
/// team again without that history (only leads on the team now count) and shut the project
/// to Cara, refusing her copy and her changes.
#[test]
fn a_member_added_by_a_lead_who_left_the_team_keeps_the_project_on_the_relay() {
    let relay = RelayProc::start("");
    let (anna, members, _) = allmende_tests::community_with_members(&relay, &["Ben", "Cara"]);
    let (ben, cara) = (&members[0], &members[1]);
    let project = anna.create(&[
        "project",
        "add",
        "--title",
        "Nur fürs Team",
        "--category",
        "energy",
        "--team-only",
    ]);
    anna.ok(&["project", "team-add", &project, "Ben", "--lead"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    ben.ok(&["project", "team-add", &project, "Cara"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    anna.ok(&["project", "team-remove", &project, "Ben"]);
    anna.ok(&["sync"]);
    let shown = anna.ok(&["project", "show", &project]);
    let team = shown
        .lines()
        .find(|l| l.starts_with("Team:"))
        .unwrap_or_default();
    assert!(
        team.contains("Cara") && !team.contains("Ben"),
        "Anna's device keeps Cara on the team, without Ben: {shown}"
    );

    let report = cara.json(&["sync"]);
    assert!(
        !report["not_synced"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == project.as_str())),
        "the relay gives Cara the project: {report}"
    );
    cara.ok(&["project", "step-add", &project, "--title", "Von Cara"]);
    let report = cara.json(&["sync"]);
    assert_eq!(report["not_synced"], serde_json::json!([]), "{report}");
    anna.ok(&["sync"]);
    assert!(
        anna.ok(&["project", "show", &project]).contains("Von Cara"),
        "Cara's step reached Anna through the relay"
    );
    // The community document changes (an idea in its catalogue): the relay judges its
    // team-only projects again by the roster, and Cara stays on the team there.
    anna.ok(&["idea", "add", "--title", "Neu", "--category", "energy"]);
    anna.ok(&["sync"]);
    cara.ok(&["project", "step-add", &project, "--title", "Noch einmal"]);
    let report = cara.json(&["sync"]);
    assert_eq!(report["not_synced"], serde_json::json!([]), "{report}");
}
