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

#[test]
#[ignore = "needs root, debootstrap, Debian's mirror and scripts/package.sh; run by scripts/test.sh"]
fn the_relay_package_installs_and_peers_sync_through_its_service() {
    let deb = package("allmende-relay");
    let sys = CleanRoot::new();
    sys.apt_install(&[&deb], &[]);

    // The unit as systemd would read it: its own (dynamic) user, a state directory, hardening.
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
    std::fs::write(
        &config,
        text.replace(
            "\nlisten = \"127.0.0.1:3030\"",
            &format!("\nlisten = \"127.0.0.1:{port}\""),
        ),
    )
    .expect("edit configuration");

    // What systemd does for the unit: a state directory owned by an unprivileged user of its
    // own, then the unit's command line as that user without new privileges.
    let uid = 61_873;
    sys.ok(&format!(
        "mkdir -p /var/lib/allmende-relay && chown {uid}:{uid} /var/lib/allmende-relay && chmod 700 /var/lib/allmende-relay"
    ));
    let mut relay = sys.spawn(&format!(
        "exec setpriv --reuid={uid} --regid={uid} --clear-groups --no-new-privs {exec}"
    ));
    let mut line = String::new();
    std::io::BufReader::new(relay.stdout.take().expect("stdout"))
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

    // The store is where the unit says, owned by the relay's user; a backup of it works.
    let owner = sys.ok("stat -c %u /var/lib/allmende-relay/relay.db");
    assert_eq!(owner.trim(), uid.to_string());
    sys.ok(&format!(
        "setpriv --reuid={uid} --regid={uid} --clear-groups {exec} backup /var/lib/allmende-relay/backup.db"
    ));
    let _ = relay.kill();
    let _ = relay.wait();
}
