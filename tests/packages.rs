//! The packages as people and town IT install them. `scripts/package.sh` builds them into
//! `target/packages/`; each test installs one with apt into a clean Debian 12 root (see
//! `support/clean_root.rs`) and uses it there:
//! - the desktop app's `.deb`: its window, started as the desktop entry says, shows the demo
//!   community (the same smoke check as `tauri_app`, under Xvfb);
//! - the relay's `.deb`: started with its systemd unit's own command line as an unprivileged
//!   user (systemd cannot run in a chroot), two peers sync through it, and its backup command
//!   works on the state directory the unit names.
//!
//! Needs root, debootstrap and Debian's mirror; scripts/test.sh runs this with `--ignored`.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::Command;

use allmende_tests::clean_root::CleanRoot;
use allmende_tests::{bin, community_with_members_at, root};

/// The package file `name_VERSION_amd64.deb` made by scripts/package.sh.
fn package(name: &str) -> PathBuf {
    let version = env!("CARGO_PKG_VERSION");
    let path = root().join(format!("target/packages/{name}_{version}_amd64.deb"));
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/package.sh --debug` first",
        path.display()
    );
    path
}

/// The value of `key=` in a unit or desktop file.
fn entry<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in\n{text}"))
}

#[test]
#[ignore = "needs root, debootstrap, Debian's mirror and scripts/package.sh; run by scripts/test.sh"]
fn the_desktop_package_installs_and_its_window_shows_the_demo() {
    let deb = package("allmende");
    let sys = CleanRoot::new();
    sys.apt_install(&[&deb], &["xvfb", "xauth"]);

    // What the package says about itself, and the desktop entry people click.
    let status = sys.ok("dpkg-query -W -f '${Package} ${Version} ${Status}' allmende");
    assert_eq!(
        status,
        format!(
            "allmende {} install ok installed",
            env!("CARGO_PKG_VERSION")
        )
    );
    let desktop =
        std::fs::read_to_string(sys.path().join("usr/share/applications/Allmende.desktop"))
            .expect("the package installs a desktop entry");
    assert_eq!(entry(&desktop, "Name"), "Allmende");
    let exec = entry(&desktop, "Exec").to_string();
    let icon = entry(&desktop, "Icon");
    assert!(
        sys.path()
            .join(format!("usr/share/icons/hicolor/128x128/apps/{icon}.png"))
            .exists(),
        "the desktop entry's icon {icon} is installed"
    );

    // The demo community in a data directory inside the clean system, made by this build's CLI.
    let data = sys.path().join("root/allmende");
    let made = Command::new(bin())
        .arg("--data")
        .arg(&data)
        .arg("demo")
        .output()
        .expect("allmende demo");
    assert!(made.status.success(), "{made:?}");

    // Started as the desktop entry starts it, on a virtual screen.
    let started = std::time::Instant::now();
    let out = sys.sh(&format!(
        "ALLMENDE_DATA=/root/allmende ALLMENDE_SMOKE=1 ALLMENDE_NO_LAN=1 \
         xvfb-run -a --server-args='-screen 0 1280x800x24' {exec}"
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("SMOKE Grünhausen"),
        "the installed app's window shows the demo\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "installed app: from start to the demo's home screen {:.1} s (under Xvfb, polled every 0.1 s)",
        started.elapsed().as_secs_f64()
    );
}

/// A stand-in for systemctl in the clean root (systemd cannot run in a chroot): it records
/// every call, enables by Debian's default preset (the symlink systemd makes), answers
/// `is-enabled` from that symlink, and reports the unit as not running. With `/run/systemd/system` present, the maintainer scripts act as on a
/// system that runs systemd.
const SYSTEMCTL: &str = r#"#!/bin/sh
echo "$*" >> /var/log/systemctl.calls
wants=/etc/systemd/system/multi-user.target.wants
case " $* " in
  *--version*) echo "systemd 252 (252)" ;;
  *" preset "* | *" enable "*)
    mkdir -p "$wants"
    ln -sf /lib/systemd/system/allmende-relay.service "$wants/allmende-relay.service" ;;
  *" disable "*) rm -f "$wants/allmende-relay.service" ;;
  *is-enabled*)
    if [ -e "$wants/allmende-relay.service" ]; then
      echo enabled
    else
      echo disabled
      exit 1
    fi ;;
  *is-active*) exit 3 ;;
esac
exit 0
"#;

/// What the maintainer scripts asked of systemctl since the last call (then forgotten).
fn systemctl_calls(sys: &CleanRoot) -> String {
    let path = sys.path().join("var/log/systemctl.calls");
    let calls = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    calls
}

/// Whether the calls (re)started the relay (`try-restart` counts where it ran before).
fn started(calls: &str, running: bool) -> bool {
    calls.lines().any(|l| {
        let l = format!(" {l}");
        l.ends_with(" allmende-relay.service")
            && (l.contains(" start ")
                || l.contains(" restart ")
                || l.contains(" enable --now ")
                || (running && l.contains(" try-restart ")))
    })
}

/// Whether the calls stopped the relay.
fn stopped(calls: &str) -> bool {
    calls.lines().any(|l| {
        let l = format!(" {l}");
        l.ends_with(" allmende-relay.service")
            && (l.contains(" stop ") || l.contains(" disable --now "))
    })
}

/// Whether the unit is enabled (deb-systemd-helper's symlink) and whether it is masked.
fn enabled_and_masked(sys: &CleanRoot) -> (bool, bool) {
    let etc = sys.path().join("etc/systemd/system");
    (
        // The link points into the root, so it is looked at, not followed.
        etc.join("multi-user.target.wants/allmende-relay.service")
            .symlink_metadata()
            .is_ok(),
        std::fs::read_link(etc.join("allmende-relay.service"))
            .is_ok_and(|t| t == std::path::Path::new("/dev/null")),
    )
}

/// The relay started in the clean root; killed (by its own process id, which `unshare` does
/// not pass a signal to once setpriv changed the user) when dropped, also when a check fails.
struct InstalledRelay<'a> {
    sys: &'a CleanRoot,
    child: std::process::Child,
}

impl Drop for InstalledRelay<'_> {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.sys.path().join("tmp/relay.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs root, debootstrap, Debian's mirror and scripts/package.sh; run by scripts/test.sh"]
fn the_relay_package_installs_and_peers_sync_through_its_service() {
    let deb = package("allmende-relay");
    let sys = CleanRoot::new();
    // A system that runs systemd, as far as the maintainer scripts can tell.
    std::fs::create_dir_all(sys.path().join("run/systemd/system")).expect("run dir");
    // Where systemd puts it (maintainer scripts run with a PATH of their own).
    let stub = sys.path().join("usr/bin/systemctl");
    std::fs::write(&stub, SYSTEMCTL).expect("stub");
    sys.ok("chmod 755 /usr/bin/systemctl");

    // A first install enables the unit and starts it.
    sys.apt_install(&[&deb], &[]);
    let calls = systemctl_calls(&sys);
    assert!(calls.contains("daemon-reload"), "{calls}");
    assert!(
        started(&calls, false),
        "installing starts the relay:\n{calls}"
    );
    assert_eq!(enabled_and_masked(&sys), (true, false));

    // The unit as systemd reads it: no unknown keys or bad values (systemd-analyze on this
    // machine, against the installed files), its own (dynamic) user, a state directory,
    // hardening.
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--root={}", sys.path().display()))
        .arg(sys.path().join("lib/systemd/system/allmende-relay.service"))
        .output()
        .expect("systemd-analyze (package systemd)");
    let said = String::from_utf8_lossy(&verify.stderr);
    // The clean root has no systemd of its own, so targets are missing; anything about the
    // unit file itself is a fault.
    let faults: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("allmende-relay.service:") && !l.contains("sysinit.target"))
        .collect();
    assert!(faults.is_empty(), "systemd-analyze verify:\n{said}");
    let unit =
        std::fs::read_to_string(sys.path().join("lib/systemd/system/allmende-relay.service"))
            .expect("the package installs the systemd unit");
    for line in [
        "DynamicUser=yes",
        "StateDirectory=allmende-relay",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit has {line}");
    }
    let exec = entry(&unit, "ExecStart").to_string();
    let conffiles = sys.ok("cat /var/lib/dpkg/info/allmende-relay.conffiles");
    assert!(conffiles.contains("/etc/allmende-relay/relay.toml"));

    // What an operator does: pick the port in the installed configuration.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let config = sys.path().join("etc/allmende-relay/relay.toml");
    let text = std::fs::read_to_string(&config).expect("configuration");
    assert!(text.contains("\nlisten = \"127.0.0.1:3030\""), "{text}");
    let edited = text.replace(
        "\nlisten = \"127.0.0.1:3030\"",
        &format!("\nlisten = \"127.0.0.1:{port}\""),
    );
    std::fs::write(&config, &edited).expect("edit configuration");

    // An upgrade (the same package again) keeps the edit and restarts the relay.
    sys.ok("apt-get install -y -qq --reinstall /tmp/allmende-relay_*.deb");
    assert_eq!(std::fs::read_to_string(&config).expect("config"), edited);
    let calls = systemctl_calls(&sys);
    assert!(
        started(&calls, true),
        "an upgrade restarts the relay:\n{calls}"
    );

    // What systemd does for the unit: a state directory owned by an unprivileged user of its
    // own, then the unit's command line as that user without new privileges.
    let uid = 61_873;
    sys.ok(&format!(
        "mkdir -p /var/lib/allmende-relay && chown {uid}:{uid} /var/lib/allmende-relay && chmod 700 /var/lib/allmende-relay"
    ));
    let mut child = sys.spawn(&format!(
        "setpriv --reuid={uid} --regid={uid} --clear-groups --no-new-privs {exec} & echo $! > /tmp/relay.pid; wait"
    ));
    let stdout = child.stdout.take().expect("stdout");
    let relay = InstalledRelay { sys: &sys, child };
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    assert_eq!(line.trim(), format!("listening on 127.0.0.1:{port}"));

    let url = format!("ws://127.0.0.1:{port}");
    let (anna, members, _id) = community_with_members_at(&url, &["Ben"]);
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Bänke am Dorfplatz",
        "--category",
        "mobility",
    ]);
    anna.ok(&["sync"]);
    members[0].ok(&["sync"]);
    assert!(members[0]
        .titles(&["idea", "list"])
        .contains(&"Bänke am Dorfplatz".to_string()));

    // The store is where the unit says, owned by the relay's user; a backup of it holds the
    // community, its members and the idea.
    let owner = sys.ok("stat -c %u /var/lib/allmende-relay/relay.db");
    assert_eq!(owner.trim(), uid.to_string());
    let said = sys.ok(&format!(
        "setpriv --reuid={uid} --regid={uid} --clear-groups {exec} backup /var/lib/allmende-relay/backup.db"
    ));
    let documents: u64 = said
        .rsplit_once('(')
        .and_then(|(_, n)| n.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("backup said: {said}"));
    assert!(documents >= 4, "{said}");
    drop(relay);

    // Removing stops it and masks the unit (the enable state is kept); the configuration stays.
    sys.ok("apt-get remove -y -qq allmende-relay");
    let calls = systemctl_calls(&sys);
    assert!(stopped(&calls), "removing stops the relay:\n{calls}");
    assert_eq!(enabled_and_masked(&sys), (true, true));
    assert_eq!(std::fs::read_to_string(&config).expect("config"), edited);

    // Installing it again after a remove enables and starts it again.
    sys.ok("apt-get install -y -qq /tmp/allmende-relay_*.deb");
    let calls = systemctl_calls(&sys);
    assert!(
        started(&calls, false),
        "reinstalling after a remove starts the relay again:\n{calls}"
    );
    assert_eq!(enabled_and_masked(&sys), (true, false));
    assert_eq!(std::fs::read_to_string(&config).expect("config"), edited);

    // Purging forgets the enable state; the relay's data stays.
    sys.ok("apt-get purge -y -qq allmende-relay");
    assert_eq!(enabled_and_masked(&sys), (false, false));
    assert!(sys.path().join("var/lib/allmende-relay/relay.db").exists());
}
