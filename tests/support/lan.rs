//! Two network namespaces joined by a veth pair (a small LAN), for local-discovery tests and
//! the discovery benchmark. Needs root and `ip`.

use std::process::{Child, Command, Stdio};

use crate::{bin, Peer};

fn ip(args: &[&str]) {
    let ok = Command::new("ip")
        .args(args)
        .status()
        .expect("ip")
        .success();
    assert!(ok, "ip {args:?}");
}

/// Two namespaces joined by a veth pair; removed on drop.
pub struct Lan {
    ns: [String; 2],
    veth: [String; 2],
}

impl Lan {
    /// Makes the namespaces and the link.
    ///
    /// # Panics
    /// When `ip` fails (not root, no netns support).
    #[must_use]
    pub fn create() -> Lan {
        // One pair per Lan: tests in one process run side by side.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tag = (std::process::id() % 10_000) * 100 + n % 100;
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

    /// Cuts (`false`) or restores the link.
    pub fn link(&self, up: bool) {
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

    /// `allmende peer listen` for `p` in namespace `i`, with extra arguments.
    ///
    /// # Panics
    /// When it cannot start.
    #[must_use]
    pub fn listen(&self, i: usize, p: &Peer, extra: &[&str]) -> Child {
        Command::new("ip")
            .args(["netns", "exec", &self.ns[i]])
            .arg(bin())
            .arg("--data")
            .arg(p.path())
            .args(["peer", "listen"])
            .args(extra)
            .env("ALLMENDE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("listener")
    }

    /// Runs `allmende` for `p` inside namespace `i` and waits for it.
    ///
    /// # Panics
    /// When it cannot run.
    #[must_use]
    pub fn run(&self, i: usize, p: &Peer, args: &[&str]) -> std::process::Output {
        Command::new("ip")
            .args(["netns", "exec", &self.ns[i]])
            .arg(bin())
            .arg("--data")
            .arg(p.path())
            .args(args)
            .output()
            .expect("allmende in a namespace")
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for ns in &self.ns {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}
