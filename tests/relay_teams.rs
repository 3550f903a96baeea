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
