//! The real Tauri window under Xvfb: a smoke run, and a WebDriver session (tauri-driver with
//! Debian's WebKitWebDriver). Needs the built app (`cargo build` in src-tauri), xvfb-run,
//! tauri-driver and webkit2gtk-driver; scripts/test.sh provides them and runs this with
//! `--ignored`.

use std::path::PathBuf;
use std::process::Command;

use allmende_tests::Peer;

fn app() -> PathBuf {
    let app =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/target/debug/allmende-app");
    assert!(
        app.exists(),
        "build the app first: cargo build --manifest-path src-tauri/Cargo.toml"
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
