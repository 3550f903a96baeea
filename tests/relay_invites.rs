//! Invites expire and can be withdrawn (finding 10 of the edge review; a module of
//! `relay.rs`). An invite token used to open its community for good to whoever held it, until
//! someone thought of removing its key by hand.

use allmende_tests::{Peer, RelayProc};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn an_invite_past_its_days_opens_nothing_even_to_a_device_that_ignores_its_date() {
    let relay = RelayProc::start("");
    // Anna's device lives three weeks back: the invite she makes for 14 days ran out a week ago.
    let anna = Peer::new();
    let then = |args: &[&str]| {
        let out = anna.run_days_later(-21, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    then(&[
        "init",
        "--name",
        "Lindenau",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    let token = then(&[
        "invite",
        "--name",
        "Ben",
        "--days",
        "14",
        "--relay",
        &relay.url(),
    ]);
    then(&["sync", "--relay", &relay.url(), "--timeout", "30"]);
    let listed = then(&["--json", "invite", "--list"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("json");
    assert_eq!(listed[0]["display_name"], "Ben", "{listed}");

    // Ben's device says so in words.
    let ben = Peer::new();
    let (_, said) = ben.fails(&["join", token.trim(), "--timeout", "5"]);
    assert!(said.contains("expired"), "{said}");
    // A device whose clock is three weeks back (or that ignores the date) gets nowhere: the
    // relay refuses the key.
    let out = ben.run_days_later(-21, &["join", token.trim(), "--timeout", "5"]);
    assert!(
        !out.status.success(),
        "the relay let an expired invite in: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("does not let this invite in"),
        "refused by the relay: {}",
        text(&out)
    );
    assert!(
        ben.json(&["community", "list"])
            .as_array()
            .is_none_or(Vec::is_empty),
        "Ben holds no community"
    );
}

#[test]
fn a_withdrawn_invite_opens_nothing_and_the_person_is_gone() {
    let relay = RelayProc::start("");
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
    let token = anna.ok(&["invite", "--name", "Ben", "--relay", &relay.url()]);
    let kept = anna.ok(&["invite", "--name", "Carla", "--relay", &relay.url()]);
    anna.ok(&["sync", "--relay", &relay.url(), "--timeout", "30"]);
    let open = anna.json(&["invite", "--list"]);
    assert_eq!(open.as_array().map(Vec::len), Some(2), "{open}");
    assert_eq!(open[0]["expired"], false, "{open}");
    anna.ok(&["invite", "--withdraw", "Ben"]);
    anna.ok(&["sync", "--timeout", "30"]);
    let open = anna.json(&["invite", "--list"]);
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["display_name"], "Carla", "{open}");
    let members = anna.json(&["member", "list"]).to_string();
    assert!(!members.contains("Ben"), "{members}");

    let ben = Peer::new();
    let (_, said) = ben.fails(&["join", token.trim(), "--timeout", "5"]);
    assert!(
        said.contains("withdrawn") || said.contains("no longer a member"),
        "{said}"
    );
    // Carla's invite still works, and once used it is no longer open.
    let carla = Peer::new();
    carla.ok(&["join", kept.trim(), "--timeout", "30"]);
    anna.ok(&["sync", "--timeout", "30"]);
    assert_eq!(anna.json(&["invite", "--list"]), serde_json::json!([]));
    // Withdrawing again is refused in words.
    let (_, said) = anna.fails(&["invite", "--withdraw", "Carla"]);
    assert!(said.contains("no open invite"), "{said}");
}
