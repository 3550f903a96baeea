//! The UI in real headless Chromium against `allmende serve` with the demo community
//! (tests/js/e2e.mjs). Needs the built UI (scripts/build-ui.sh), node, tests/js/node_modules
//! and Debian's chromium; scripts/test.sh provides them and runs this with `--ignored`.

use std::path::PathBuf;
use std::process::Command;

use allmende_tests::{bin, Peer, ServeProc};

#[test]
#[ignore = "needs the built UI, node and chromium; run by scripts/test.sh"]
fn walk_through_the_app_in_chromium() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    assert!(
        root.join("ui/dist/index.html").exists(),
        "build the UI first: bash scripts/build-ui.sh"
    );
    let p = Peer::new();
    p.ok(&["demo"]);
    std::env::set_var("ALLMENDE_UI", root.join("ui/dist"));
    let server = ServeProc::start(&p);
    let shots = root.join("tests/artifacts/screenshots");
    let status = Command::new("node")
        .current_dir(root.join("tests/js"))
        .arg("e2e.mjs")
        .arg(format!("http://{}/", server.addr))
        .arg(bin())
        .arg(p.path())
        .arg(&shots)
        .status()
        .expect("node");
    assert!(status.success(), "browser checks failed (see output above)");
    assert!(shots.join("home-360.png").exists());
}

/// A pupil's phone browser: joins a class with the class code and a nickname, sees the class
/// rules, adds an idea as themselves, and is sent back to the join screen once the teacher
/// removes the device (tests/js/guest.mjs).
#[test]
#[ignore = "needs the built UI, node and chromium; run by scripts/test.sh"]
fn a_pupil_joins_a_class_in_chromium() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let teacher = Peer::new();
    teacher.create(&[
        "init",
        "--name",
        "Klasse 7b",
        "--kind",
        "school",
        "--admin-name",
        "Frau Yildiz",
    ]);
    let code = teacher.json(&["class-code"])["code"]
        .as_str()
        .expect("code")
        .to_string();
    std::env::set_var("ALLMENDE_UI", root.join("ui/dist"));
    let server = ServeProc::start_with(&teacher, &["--guests-only"]);
    let shots = root.join("tests/artifacts/screenshots");
    let status = Command::new("node")
        .current_dir(root.join("tests/js"))
        .arg("guest.mjs")
        .arg(format!("http://{}/#code={code}", server.addr))
        .arg(bin())
        .arg(teacher.path())
        .arg(&shots)
        .status()
        .expect("node");
    assert!(status.success(), "guest checks failed (see output above)");
}
