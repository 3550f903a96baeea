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
pub mod lan;
pub mod raw;

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

/// The `allmende-relay` binary under test (next to `allmende`).
///
/// # Panics
/// When it has not been built.
#[must_use]
pub fn relay_bin() -> PathBuf {
    let bin = bin().with_file_name("allmende-relay");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --bins` first",
        bin.display()
    );
    bin
}

/// A real relay process on 127.0.0.1 with its own data directory.
pub struct RelayProc {
    pub dir: tempfile::TempDir,
    pub addr: String,
    child: std::process::Child,
    config: Option<PathBuf>,
}

impl RelayProc {
    /// Starts a relay on a free port, optionally with extra TOML configuration.
    ///
    /// # Panics
    /// When it does not start.
    #[must_use]
    pub fn start(extra_config: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = if extra_config.is_empty() {
            None
        } else {
            let path = dir.path().join("relay.toml");
            std::fs::write(&path, extra_config).expect("config");
            Some(path)
        };
        let (child, addr) = Self::spawn(dir.path(), config.as_deref(), "127.0.0.1:0");
        RelayProc {
            dir,
            addr,
            child,
            config,
        }
    }

    /// Starts a relay inside network namespace `ns`, listening on `ip` (a free port).
    ///
    /// # Panics
    /// When it does not start.
    #[must_use]
    pub fn start_in(ns: &str, ip: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (child, addr) = Self::spawn_with(Some(ns), dir.path(), None, &format!("{ip}:0"));
        RelayProc {
            dir,
            addr,
            child,
            config: None,
        }
    }

    fn spawn(data: &Path, config: Option<&Path>, listen: &str) -> (std::process::Child, String) {
        Self::spawn_with(None, data, config, listen)
    }

    fn spawn_with(
        ns: Option<&str>,
        data: &Path,
        config: Option<&Path>,
        listen: &str,
    ) -> (std::process::Child, String) {
        use std::io::BufRead;
        let mut cmd = match ns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(relay_bin());
                c
            }
            None => Command::new(relay_bin()),
        };
        cmd.args(["--listen", listen, "--data"])
            .arg(data.join("data"));
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("relay");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .expect("address line")
            .to_string();
        (child, addr)
    }

    /// `ws://ADDR`
    #[must_use]
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The relay process's peak resident memory so far (`VmHWM`), in bytes.
    ///
    /// # Panics
    /// When the process is gone.
    #[must_use]
    pub fn peak_rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the relay's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    }

    /// SIGKILL, then start again on the same address and data.
    ///
    /// # Panics
    /// When it does not come back.
    pub fn kill9_and_restart(&mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
        let (child, addr) =
            Self::spawn(self.dir.path(), self.config.as_deref(), &self.addr.clone());
        self.child = child;
        self.addr = addr;
    }

    /// Stops the relay (kill -9), lets `f` work on its data directory, and starts it again
    /// on the same address (a backup taken or restored while it is down).
    ///
    /// # Panics
    /// When it does not come back.
    pub fn restart_with(&mut self, f: impl FnOnce(&Path)) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
        f(self.dir.path());
        let (child, addr) =
            Self::spawn(self.dir.path(), self.config.as_deref(), &self.addr.clone());
        self.child = child;
        self.addr = addr;
    }

    /// GETs a path over plain HTTP and returns the body.
    ///
    /// # Panics
    /// When the relay does not answer.
    #[must_use]
    pub fn get(&self, path: &str) -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string()
    }

    /// The query of a fresh login of `key` for `session` (a challenge of this relay, signed
    /// for its address): good for one connection.
    ///
    /// # Panics
    /// When the relay gives no challenge.
    #[must_use]
    pub fn login_query(&self, key: &ed25519_dalek::SigningKey, session: &str) -> String {
        use ed25519_dalek::Signer;
        let nonce = self
            .get(allmende_core::wire::CHALLENGE_PATH)
            .trim()
            .to_string();
        assert!(!nonce.is_empty(), "the relay gave no challenge");
        let sig =
            key.sign(allmende_core::wire::auth_message(&self.addr, &nonce, session).as_bytes());
        format!(
            "device={}&session={session}&relay={}&nonce={nonce}&sig={}",
            hex::encode(key.verifying_key().to_bytes()),
            self.addr,
            hex::encode(sig.to_bytes())
        )
    }

    /// One metric's value from `/metrics`.
    ///
    /// # Panics
    /// When the metric is missing.
    #[must_use]
    pub fn metric(&self, name: &str) -> u64 {
        let text = self.get("/metrics");
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("metric {name} missing in:\n{text}"))
    }
}

impl Drop for RelayProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A community on peer `admin` with members who joined from their own peers through `relay`.
///
/// # Panics
/// When any step fails.
#[must_use]
pub fn community_with_members(relay: &RelayProc, names: &[&str]) -> (Peer, Vec<Peer>, String) {
    community_with_members_at(&relay.url(), names)
}

/// A community on peer `admin` with members who joined through the relay at `url` (one this
/// harness did not start, e.g. an installed package's).
///
/// # Panics
/// When any step fails.
#[must_use]
pub fn community_with_members_at(url: &str, names: &[&str]) -> (Peer, Vec<Peer>, String) {
    let admin = Peer::new();
    let id = admin.create(&[
        "init",
        "--name",
        "Relaydorf",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    admin.ok(&["sync", "--relay", url]);
    let mut members = Vec::new();
    for name in names {
        let token = admin.ok(&["invite", "--name", name]).trim().to_string();
        admin.ok(&["sync"]);
        let p = Peer::new();
        p.ok(&["join", &token]);
        members.push(p);
    }
    admin.ok(&["sync"]);
    (admin, members, id)
}

/// `allmende serve` on a peer's data directory, on a free port.
pub struct ServeProc {
    pub addr: String,
    child: std::process::Child,
}

impl ServeProc {
    /// Starts the server for `peer`.
    ///
    /// # Panics
    /// When it does not start.
    #[must_use]
    pub fn start(peer: &Peer) -> Self {
        Self::start_with(peer, &[])
    }

    /// `allmende serve` with extra arguments (e.g. `--guests-only`).
    ///
    /// # Panics
    /// When the server does not start.
    #[must_use]
    pub fn start_with(peer: &Peer, extra: &[&str]) -> Self {
        use std::io::BufRead;
        let mut child = Command::new(bin())
            .arg("--data")
            .arg(peer.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            // The built UI, for the browser tests (serve answers without it otherwise).
            .env("ALLMENDE_UI", root().join("ui/dist"))
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .expect("address")
            .to_string();
        ServeProc { addr, child }
    }

    /// Sends a request; returns the status code and body.
    ///
    /// # Panics
    /// When the server does not answer.
    #[must_use]
    pub fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        self.request_as(None, method, path, body)
    }

    /// Sends raw header lines (each ending in `\r\n`) and a body; returns the status code and
    /// body. For requests the app would never send (foreign hosts and origins).
    ///
    /// # Panics
    /// When the server does not answer.
    #[must_use]
    pub fn request_raw(
        &self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connect");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        let code = out
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (
            code,
            out.split_once("\r\n\r\n")
                .map(|x| x.1.to_string())
                .unwrap_or_default(),
        )
    }

    /// Sends a request as a guest with a session token (or as the host without one).
    ///
    /// # Panics
    /// When the server does not answer.
    #[must_use]
    pub fn request_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, String) {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let headers = format!(
            "Host: {}\r\n{auth}Content-Type: application/json\r\nX-Allmende-Request: 1\r\n",
            self.addr
        );
        self.request_raw(method, path, &headers, body)
    }

    /// POSTs JSON and parses the JSON answer.
    ///
    /// # Panics
    /// When the answer is not JSON.
    #[must_use]
    pub fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.post_as(None, path, body)
    }

    /// POSTs JSON as a guest (or the host) and parses the JSON answer.
    ///
    /// # Panics
    /// When the answer is not JSON.
    #[must_use]
    pub fn post_as(
        &self,
        token: Option<&str>,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let (code, text) = self.request_as(token, "POST", path, &body.to_string());
        (
            code,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")),
        )
    }
}

impl Drop for ServeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
