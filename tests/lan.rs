//! Two devices in separate network namespaces (ip netns + a veth pair, made here) find each
//! other by local discovery and converge, and keep converging after the link is cut and
//! restored with edits made on both sides meanwhile. Needs root and `ip`; run by
//! scripts/test.sh with `--ignored`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use allmende_tests::{bin, community_with_members, Peer, RelayProc};

fn ip(args: &[&str]) {
    let ok = Command::new("ip")
        .args(args)
        .status()
        .expect("ip")
        .success();
    assert!(ok, "ip {args:?}");
}

/// Two namespaces joined by a veth pair; removed on drop.
struct Lan {
    ns: [String; 2],
    veth: [String; 2],
}

impl Lan {
    fn new() -> Lan {
        let tag = std::process::id() % 100_000;
        let lan = Lan {
            ns: [format!("alm-a-{tag}"), format!("alm-b-{tag}")],
            veth: [format!("alma{tag}"), format!("almb{tag}")],
        };
        ip(&["netns", "add", &lan.ns[0]]);
        ip(&["netns", "add", &lan.ns[1]]);
        ip(&[
            "link",
            "add",
            &lan.veth[0],
            "type",
            "veth",
            "peer",
            "name",
            &lan.veth[1],
        ]);
        for i in 0..2 {
            ip(&["link", "set", &lan.veth[i], "netns", &lan.ns[i]]);
            let addr = format!("10.199.{}.{}/24", tag % 250, i + 1);
            ip(&["-n", &lan.ns[i], "addr", "add", &addr, "dev", &lan.veth[i]]);
            ip(&["-n", &lan.ns[i], "link", "set", &lan.veth[i], "up"]);
            ip(&["-n", &lan.ns[i], "link", "set", "lo", "up"]);
            // Like a router on a real LAN: multicast (mDNS) needs a route.
            ip(&[
                "-n",
                &lan.ns[i],
                "route",
                "add",
                "default",
                "dev",
                &lan.veth[i],
            ]);
        }
        lan
    }

    fn link(&self, up: bool) {
        ip(&[
            "-n",
            &self.ns[0],
            "link",
            "set",
            &self.veth[0],
            if up { "up" } else { "down" },
        ]);
        if up {
            // Taking the link down dropped its routes.
            let _ = Command::new("ip")
                .args([
                    "-n",
                    &self.ns[0],
                    "route",
                    "add",
                    "default",
                    "dev",
                    &self.veth[0],
                ])
                .status();
        }
    }

    fn listen(&self, i: usize, p: &Peer) -> Child {
        Command::new("ip")
            .args(["netns", "exec", &self.ns[i]])
            .arg(bin())
            .arg("--data")
            .arg(p.path())
            .args(["peer", "listen"])
            .env("ALLMENDE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("listener")
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for ns in &self.ns {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn has(p: &Peer, title: &str) -> bool {
    p.titles(&["idea", "list", "--limit", "1000"])
        .iter()
        .any(|t| t == title)
}

fn wait_until(what: &str, secs: u64, check: impl Fn() -> bool) -> Duration {
    let t = Instant::now();
    while !check() {
        assert!(t.elapsed() < Duration::from_secs(secs), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
    t.elapsed()
}

#[test]
#[ignore = "needs root and ip netns; run by scripts/test.sh"]
fn peers_in_two_namespaces_find_each_other_and_converge_across_a_cut() {
    let (anna, others) = {
        let relay = RelayProc::start("");
        let (anna, others, _) = community_with_members(&relay, &["Ben"]);
        (anna, others)
    };
    let ben = &others[0];
    let lan = Lan::new();
    let mut a = lan.listen(0, &anna);
    let mut b = lan.listen(1, ben);
    anna.ok(&[
        "idea",
        "add",
        "--title",
        "Im Dorfgemeinschaftshaus",
        "--category",
        "energy",
    ]);
    let found = wait_until("Ben gets Anna's idea over the LAN", 60, || {
        has(ben, "Im Dorfgemeinschaftshaus")
    });
    eprintln!("discovered and converged after {found:?}");
    let peers = ben.json(&["peer", "list"]);
    assert!(
        peers.to_string().contains("\"lan\"") || peers.to_string().contains("incoming"),
        "{peers}"
    );

    // The link is cut; both sides keep working.
    lan.link(false);
    anna.ok(&[
        "idea",
        "add",
        "--title",
        "Anna ohne Netz",
        "--category",
        "energy",
    ]);
    ben.ok(&[
        "idea",
        "add",
        "--title",
        "Ben ohne Netz",
        "--category",
        "mobility",
    ]);
    std::thread::sleep(Duration::from_secs(2));
    assert!(!has(ben, "Anna ohne Netz"), "nothing crosses a cut link");
    lan.link(true);
    wait_until("both edits cross once the link is back", 90, || {
        has(ben, "Anna ohne Netz") && has(&anna, "Ben ohne Netz")
    });
    let _ = a.kill();
    let _ = b.kill();
    let _ = a.wait();
    let _ = b.wait();
}
