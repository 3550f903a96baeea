//! A real relay process for system tests, and communities whose members joined through it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

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
