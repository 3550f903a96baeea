//! The relay as a service (issue 17): the shipped example configuration runs a relay that
//! devices sync through, and the shipped systemd unit passes `systemd-analyze verify`.

use std::process::Command;

use allmende_tests::{community_with_members, relay_bin, root, RelayProc};

#[test]
fn the_example_configuration_runs_a_relay_devices_sync_through() {
    let example = std::fs::read_to_string(root().join("sync-relay/relay.example.toml"))
        .expect("relay.example.toml");
    // The test's own address and data directory win over the example's (flags come last).
    let relay = RelayProc::start(&example);
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Vom Dienst",
        "--category",
        "energy",
    ]);
    anna.ok(&["sync"]);
    members[0].ok(&["sync"]);
    assert!(members[0]
        .titles(&["idea", "list"])
        .iter()
        .any(|t| t == "Vom Dienst"));
    assert!(relay.get("/healthz").starts_with("ok allmende-relay"));
}

#[test]
fn the_systemd_unit_verifies() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no systemd-analyze on this machine");
        return;
    }
    let unit =
        std::fs::read_to_string(root().join("sync-relay/allmende-relay.service")).expect("unit");
    for needed in [
        "DynamicUser=yes",
        "StateDirectory=allmende-relay",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
    ] {
        assert!(unit.contains(needed), "the unit sets {needed}");
    }
    // Verified against the binary built here (the unit names where a package puts it).
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("allmende-relay.service");
    let local = unit.replace(
        "/usr/bin/allmende-relay",
        &relay_bin().display().to_string(),
    );
    std::fs::write(&path, local).expect("write");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !said.contains(".service:"),
        "systemd-analyze verify: {said}"
    );
}
