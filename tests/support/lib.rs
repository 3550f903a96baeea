//! Helpers for system tests: run the real `allmende` binary on a temporary data directory.
//!
//! The binary is found next to the test executable (`target/<profile>/allmende`) or through
//! `ALLMENDE_BIN`; `scripts/test.sh` builds it before the tests run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `allmende` binary under test.
///
/// # Panics
/// When it has not been built.
#[must_use]
pub fn bin() -> PathBuf {
    if let Ok(p) = std::env::var("ALLMENDE_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let bin = profile_dir.join("allmende");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --bins` first (scripts/test.sh does)",
        bin.display()
    );
    bin
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
