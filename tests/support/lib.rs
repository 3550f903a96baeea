//! Helpers for system tests: run the real `allmende` binary on a temporary data directory.
//!
//! The binaries under test (`allmende`, `allmende-relay`) are built by the harness the first
//! time a test asks for one (`cargo build` of their crates into this test's target directory,
//! which does nothing when they are up to date), so a test never runs a stale binary.
//! `ALLMENDE_BIN` names another `allmende` binary instead (the relay is then taken from
//! beside it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub mod clean_root;
pub mod hostile_relay;
pub mod lan;
pub mod raw;
pub mod raw_p2p;
mod relay;
mod serve;
pub use relay::{community_with_members, community_with_members_at, relay_bin, RelayProc};
pub use serve::ServeProc;

/// The workspace root.
#[must_use]
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The `allmende` binary under test, built first if it is not up to date.
///
/// # Panics
/// When it cannot be built.
#[must_use]
pub fn bin() -> PathBuf {
    if let Ok(p) = std::env::var("ALLMENDE_BIN") {
        return PathBuf::from(p);
    }
    built().join("allmende")
}

/// Builds the binaries once per test process, into the target directory and profile this
/// test executable was built in; returns that profile directory.
fn built() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable");
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("target/<profile>")
                .to_path_buf();
            let target_dir = profile_dir.parent().expect("target directory");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = Command::new(cargo);
            // What cargo sets for this test process (its package, its library path) would
            // look like a changed environment to the build and rebuild everything once more.
            for (key, _) in std::env::vars_os() {
                let key = key.to_string_lossy().into_owned();
                if key.starts_with("CARGO_PKG_")
                    || key.starts_with("CARGO_MANIFEST_")
                    || key == "CARGO_CRATE_NAME"
                    || key == "CARGO_PRIMARY_PACKAGE"
                    || key == "LD_LIBRARY_PATH"
                {
                    build.env_remove(key);
                }
            }
            build
                .arg("build")
                .arg("--quiet")
                .arg("--manifest-path")
                .arg(root().join("Cargo.toml"))
                .args(["--workspace", "--bins"])
                .arg("--target-dir")
                .arg(target_dir);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            let status = build.status().expect("cargo build");
            assert!(status.success(), "building the binaries under test failed");
            profile_dir
        })
        .clone()
}

/// One peer: a data directory and the binary.
pub struct Peer {
    pub dir: tempfile::TempDir,
}

impl Default for Peer {
    fn default() -> Self {
        Self::new()
    }
}

impl Peer {
    /// This peer's member id in its (first) community.
    ///
    /// # Panics
    /// When it is in none.
    #[must_use]
    pub fn member_id(&self) -> String {
        self.json(&["community", "list"])[0]["me"]
            .as_str()
            .expect("a member id")
            .to_string()
    }

    /// Adds `device` (a key in hex) to this peer's own member in `community`, as a member
    /// adds their own phone or laptop (a modified client, its self-made key), and syncs.
    ///
    /// # Panics
    /// When the service refuses it or the sync fails.
    pub fn add_own_device(&self, community: &str, device: &str) {
        allmende_service::Service::open(self.path())
            .expect("open")
            .execute(allmende_core::Command::AddDevice {
                community: community.to_string(),
                member: self.member_id(),
                device: device.to_string(),
                until: None,
            })
            .expect("a member adds a device of their own");
        self.ok(&["sync"]);
    }

    /// A peer on a fresh temporary data directory.
    ///
    /// # Panics
    /// When no temporary directory can be made.
    #[must_use]
    pub fn new() -> Self {
        Peer {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// This device's secret key (what a modified client on it would sign with).
    ///
    /// # Panics
    /// When the store cannot be opened (an `allmende` process holds it).
    #[must_use]
    pub fn device_seed(&self) -> [u8; 32] {
        allmende_service::Service::open(self.path())
            .expect("the store")
            .device()
            .secret_bytes()
    }

    /// Document `id` as this device stores it.
    ///
    /// # Panics
    /// When the store cannot be opened or does not hold it.
    #[must_use]
    pub fn stored_doc(&self, id: &str) -> automerge::Automerge {
        let bytes = allmende_service::Service::open(self.path())
            .expect("the store")
            .doc_bytes(id)
            .expect("the document");
        automerge::Automerge::load(&bytes).expect("loads")
    }

    /// The database file.
    #[must_use]
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("allmende.db")
    }

    /// Every stored document and its heads, read from the database.
    ///
    /// # Panics
    /// When the database cannot be read.
    #[must_use]
    pub fn doc_heads(&self) -> std::collections::BTreeMap<String, String> {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        let mut stmt = conn.prepare("SELECT id, heads FROM docs").expect("query");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// Runs `allmende --data DIR --lang en ARGS`.
    ///
    /// # Panics
    /// When the binary cannot be started.
    #[must_use]
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .arg("--data")
            .arg(self.dir.path())
            .args(["--lang", "en"])
            .args(args)
            .output()
            .expect("run allmende")
    }

    /// Starts `allmende sync --watch` with `args` on this peer's data and waits until it
    /// says it is connected; the lines it prints after that follow in the returned reader.
    ///
    /// # Panics
    /// When it cannot start or does not connect.
    pub fn watch(
        &self,
        args: &[&str],
    ) -> (
        std::process::Child,
        std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
    ) {
        use std::io::BufRead;
        let mut child = Command::new(bin())
            .arg("--data")
            .arg(self.dir.path())
            .args(["sync", "--watch"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("watch");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        assert_eq!(
            lines.next().and_then(Result::ok).as_deref(),
            Some("connected")
        );
        (child, lines)
    }

    /// Runs and expects success; returns standard output.
    ///
    /// # Panics
    /// When the command fails.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "allmende {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs with `--json` and parses the output.
    ///
    /// # Panics
    /// When the command fails or prints no JSON.
    #[must_use]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// [`Peer::run`] on a device whose clock runs `days` ahead (or behind, when negative).
    ///
    /// # Panics
    /// When the binary cannot be started.
    #[must_use]
    pub fn run_days_later(&self, days: i64, args: &[&str]) -> Output {
        Command::new(bin())
            .arg("--data")
            .arg(self.dir.path())
            .args(["--lang", "en"])
            .args(args)
            .env("ALLMENDE_CLOCK_OFFSET_DAYS", days.to_string())
            .output()
            .expect("run allmende")
    }

    /// [`Peer::json`] on a device whose clock runs `days` ahead (what time does: a promised
    /// date passing).
    ///
    /// # Panics
    /// When the command fails or prints no JSON.
    #[must_use]
    pub fn json_days_later(&self, days: i64, args: &[&str]) -> Value {
        let out = Command::new(bin())
            .arg("--data")
            .arg(self.dir.path())
            .args(["--lang", "en", "--json"])
            .args(args)
            .env("ALLMENDE_CLOCK_OFFSET_DAYS", days.to_string())
            .output()
            .expect("run allmende");
        assert!(
            out.status.success(),
            "allmende {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    }

    /// Runs a command that creates something and returns the new id.
    ///
    /// # Panics
    /// When the command fails.
    pub fn create(&self, args: &[&str]) -> String {
        self.json(args)["id"].as_str().expect("an id").to_string()
    }

    /// Runs and expects failure; returns the exit code and standard error.
    ///
    /// # Panics
    /// When the command succeeds.
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "allmende {args:?} should have failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Ids and titles of a list command's JSON output.
    ///
    /// # Panics
    /// When the command fails.
    #[must_use]
    pub fn titles(&self, args: &[&str]) -> Vec<String> {
        self.json(args)["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["title"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Changes one document of `peer`'s store with raw Automerge operations (as a modified
/// client would), then lets the peer take it in like any document received from sync.
///
/// # Panics
/// When the store cannot be opened or the document read.
pub fn tamper(
    peer: &Peer,
    doc: &str,
    change: impl FnOnce(&mut automerge::AutoCommit, &allmende_service::Service),
) {
    let mut svc = allmende_service::Service::open(peer.path()).expect("open mallory's store");
    let bytes = svc.doc_bytes(doc).expect("document");
    let mut d = allmende_service::docs::load(&bytes, &svc.device().actor()).expect("load");
    change(&mut d, &svc);
    d.commit();
    svc.receive_many(&[(doc.to_string(), d.save())])
        .expect("the store takes raw changes in");
}

/// Writes a map under `key` of the map at `path` in the document root, with plain fields, the
/// way a modified client would (no signature).
///
/// # Panics
/// When `path` is no map.
pub fn put_plain(d: &mut automerge::AutoCommit, path: &str, key: &str, fields: &[(&str, Value)]) {
    let (_, parent) = automerge::ReadDoc::get(d, &automerge::ROOT, path)
        .expect("read")
        .expect("the map");
    let obj =
        automerge::transaction::Transactable::put_object(d, &parent, key, automerge::ObjType::Map)
            .expect("map");
    for (name, value) in fields {
        match value {
            Value::String(s) => {
                automerge::transaction::Transactable::put(d, &obj, *name, s.as_str()).expect("text")
            }
            Value::Number(n) => {
                automerge::transaction::Transactable::put(d, &obj, *name, n.as_i64().unwrap_or(0))
                    .expect("number")
            }
            _ => {}
        }
    }
}
