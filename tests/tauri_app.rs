//! The real Tauri window under Xvfb: a smoke run, and a WebDriver session (tauri-driver with
//! Debian's WebKitWebDriver). Needs the built app (`scripts/build-app.sh`), xvfb-run,
//! tauri-driver and webkit2gtk-driver; scripts/test.sh provides them and runs this with
//! `--ignored`.

use std::path::PathBuf;
use std::process::Command;

use allmende_tests::{community_with_members, Peer, RelayProc};

fn app() -> PathBuf {
    // Beside the `allmende` binary the tests run: the app is a member of the workspace.
    let app = allmende_tests::bin().with_file_name("allmende-app");
    assert!(
        app.exists(),
        "build the app first: bash scripts/build-app.sh"
    );
    app
}

#[test]
#[ignore = "needs the built Tauri app and Xvfb; run by scripts/test.sh"]
fn the_window_shows_the_demo_community() {
    let p = Peer::new();
    p.ok(&["demo"]);
    let out = Command::new("xvfb-run")
        .args(["-a", "--server-args=-screen 0 1280x800x24"])
        .arg(app())
        .env("ALLMENDE_DATA", p.path())
        .env("ALLMENDE_SMOKE", "1")
        .output()
        .expect("xvfb-run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("SMOKE Grünhausen"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the built Tauri app, Xvfb, tauri-driver and WebKitWebDriver; run by scripts/test.sh"]
fn webdriver_drives_the_window_and_a_command_round_trip_works() {
    let p = Peer::new();
    p.ok(&["demo"]);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("webdriver_smoke.py");
    let status = Command::new("xvfb-run")
        .args(["-a", "--server-args=-screen 0 1280x800x24", "python3"])
        .arg(script)
        .arg(app())
        .arg(p.path())
        .status()
        .expect("xvfb-run");
    assert!(
        status.success(),
        "the WebDriver checks failed (see output above)"
    );
    assert!(p
        .titles(&["idea", "list", "--limit", "100"])
        .contains(&"Idee aus dem Fenster".to_string()));
}

/// A town-hall answer made on another device reaches the running app through the relay (the
/// app's background sync) and pops up as a desktop notification through a real notification
/// daemon (dunst) on the session bus (tests/notify_check.sh).
#[test]
#[ignore = "needs the built Tauri app, Xvfb, dbus and dunst; run by scripts/test.sh"]
fn a_town_hall_answer_pops_up_on_the_desktop() {
    let relay = RelayProc::start("");
    let (anna, others, _community) = community_with_members(&relay, &["Ben", "Keller"]);
    let (ben, keller) = (&others[0], &others[1]);
    let keller_id = keller.json(&["community", "list"])[0]["me"]
        .as_str()
        .expect("member id")
        .to_string();
    anna.ok(&["member", "role", &keller_id, "municipal_staff"]);
    anna.ok(&["sync"]);
    let idea = ben.create(&[
        "idea",
        "add",
        "--title",
        "Trinkbrunnen am Markt",
        "--category",
        "health",
    ]);
    let request = ben.create(&[
        "request",
        "add",
        "--target",
        &idea,
        "--title",
        "Brunnen genehmigen",
        "--department",
        "Tiefbauamt",
    ]);
    ben.ok(&["sync"]);
    keller.ok(&["sync"]);
    let work = tempfile::tempdir().expect("tempdir");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("notify_check.sh");
    let mut child = Command::new("xvfb-run")
        .args([
            "-a",
            "--server-args=-screen 0 1280x800x24",
            "dbus-run-session",
            "--",
            "bash",
        ])
        .arg(script)
        .arg(app())
        .arg(ben.path())
        .arg(work.path())
        .spawn()
        .expect("xvfb-run");
    let ready = work.path().join("ready");
    for _ in 0..240 {
        if ready.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert!(
        ready.exists(),
        "the app and the notification daemon did not start"
    );
    // Answered while the app runs (announced are only answers newer than its start).
    std::thread::sleep(std::time::Duration::from_secs(2));
    keller.ok(&[
        "request",
        "answer",
        &request,
        "--status",
        "approved",
        "--message",
        "Genehmigt, Bau im Mai.",
        "--contact",
        "Frau Keller",
    ]);
    keller.ok(&["sync"]);
    std::fs::write(work.path().join("answered"), "").expect("answered");
    let status = child.wait().expect("notify check");
    assert!(
        status.success(),
        "no desktop notification (see output above)"
    );
    let log = std::fs::read_to_string(work.path().join("notify.log")).expect("log");
    assert!(
        log.contains("Antwort vom Rathaus: Brunnen genehmigen"),
        "{log}"
    );
    assert!(log.contains("Genehmigt, Bau im Mai."), "{log}");
}

/// A newcomer joins a community of 2,500 documents in the real window; while the join runs,
/// the window says how much of it has arrived, and the share only grows
/// (tests/webdriver_join.py).
#[test]
#[ignore = "needs the built Tauri app, Xvfb, tauri-driver and WebKitWebDriver; run by scripts/test.sh"]
fn a_newcomer_sees_how_far_the_join_has_come_in_the_window() {
    let relay = RelayProc::start("");
    let admin = Peer::new();
    admin.create(&[
        "init",
        "--name",
        "Hofheim",
        "--kind",
        "town",
        "--admin-name",
        "Paula",
    ]);
    admin.ok(&["dev", "write-ideas", "--count", "2500"]);
    admin.ok(&["sync", "--relay", &relay.url(), "--timeout", "120"]);
    let token = admin.ok(&["invite", "--name", "Jonas"]).trim().to_string();
    admin.ok(&["sync", "--timeout", "120"]);
    let newcomer = Peer::new();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("webdriver_join.py");
    let status = Command::new("xvfb-run")
        .args(["-a", "--server-args=-screen 0 1280x800x24", "python3"])
        .arg(script)
        .arg(app())
        .arg(newcomer.path())
        .arg(&token)
        .arg("2500")
        .status()
        .expect("xvfb-run");
    assert!(
        status.success(),
        "the join progress checks failed (see output above)"
    );
    let communities = newcomer.json(&["community", "list"]).to_string();
    assert!(communities.contains("Hofheim"), "{communities}");
}
