//! A clean Debian 12 system to install packages into: a minimal root made by debootstrap
//! (kept as a tarball under `target/clean-root/` so that a second run unpacks instead of
//! downloading), entered with chroot inside a private mount namespace that gives it `/proc`,
//! `/sys` and `/dev` and takes them away again when the command ends. Needs root, debootstrap
//! and Debian's mirror.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// One freshly unpacked root, removed on drop.
pub struct CleanRoot {
    dir: tempfile::TempDir,
}

impl CleanRoot {
    /// Unpacks a fresh minimal Debian 12 root (making the cached tarball first if needed).
    ///
    /// # Panics
    /// When debootstrap or tar fail.
    #[must_use]
    pub fn new() -> Self {
        let cache = tarball();
        let parent = crate::root().join("target/clean-root");
        let dir = tempfile::tempdir_in(&parent).expect("tempdir");
        run_ok(
            Command::new("tar")
                .arg("-C")
                .arg(dir.path())
                .arg("-xf")
                .arg(&cache),
        );
        // Name resolution for apt, as the host has it.
        std::fs::copy("/etc/resolv.conf", dir.path().join("etc/resolv.conf")).expect("resolv");
        CleanRoot { dir }
    }

    /// The root's directory on the host.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command that runs `script` with `/bin/sh` inside the root.
    fn command(&self, script: &str) -> Command {
        let root = self.dir.path().display().to_string();
        let enter = format!(
            "set -e; mount -t proc proc '{root}/proc'; mount -t sysfs sys '{root}/sys'; \
             mount --rbind /dev '{root}/dev'; exec chroot '{root}' /bin/sh -c \"$0\""
        );
        let mut cmd = Command::new("unshare");
        cmd.args([
            "--mount",
            "--propagation",
            "private",
            "--fork",
            "--kill-child",
        ])
        .args(["sh", "-c", &enter, script])
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("DEBIAN_FRONTEND", "noninteractive")
        .env("LANG", "C.UTF-8");
        cmd
    }

    /// Runs `script` inside the root and returns what it printed.
    ///
    /// # Panics
    /// When it cannot be started.
    #[must_use]
    pub fn sh(&self, script: &str) -> Output {
        self.command(script).output().expect("unshare")
    }

    /// Runs `script` inside the root and expects success; returns standard output.
    ///
    /// # Panics
    /// When it fails.
    pub fn ok(&self, script: &str) -> String {
        let out = self.sh(script);
        assert!(
            out.status.success(),
            "in the clean root: {script}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `script` inside the root in the background, standard output piped.
    ///
    /// # Panics
    /// When it cannot be started.
    #[must_use]
    pub fn spawn(&self, script: &str) -> Child {
        self.command(script)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("unshare")
    }

    /// Installs package files with apt, as a person would (`apt install ./file.deb`), which
    /// also fetches their dependencies from Debian; `extra` names more packages from Debian.
    ///
    /// # Panics
    /// When apt fails.
    pub fn apt_install(&self, debs: &[&Path], extra: &[&str]) {
        let mut names = Vec::new();
        for deb in debs {
            let name = deb.file_name().expect("file name").to_string_lossy();
            std::fs::copy(deb, self.path().join("tmp").join(&*name)).expect("copy package");
            names.push(format!("/tmp/{name}"));
        }
        names.extend(extra.iter().map(|s| (*s).to_string()));
        self.ok(&format!(
            "apt-get update -qq && apt-get install -y -qq --no-install-recommends {}",
            names.join(" ")
        ));
    }
}

impl Default for CleanRoot {
    fn default() -> Self {
        Self::new()
    }
}

/// The cached minimal root: `target/clean-root/bookworm-minbase.tar`.
fn tarball() -> PathBuf {
    let dir = crate::root().join("target/clean-root");
    std::fs::create_dir_all(&dir).expect("cache dir");
    let tar = dir.join("bookworm-minbase.tar");
    if tar.exists() {
        return tar;
    }
    let fresh = tempfile::tempdir_in(&dir).expect("tempdir");
    run_ok(
        Command::new("debootstrap")
            .args(["--variant=minbase", "bookworm"])
            .arg(fresh.path())
            .arg("http://deb.debian.org/debian"),
    );
    let partial = dir.join("bookworm-minbase.tar.partial");
    run_ok(
        Command::new("tar")
            .arg("-C")
            .arg(fresh.path())
            .arg("-cf")
            .arg(&partial)
            .arg("."),
    );
    std::fs::rename(&partial, &tar).expect("rename");
    tar
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().expect("start");
    assert!(
        out.status.success(),
        "{cmd:?}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
