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

    /// Namespace `i`'s name.
    #[must_use]
    pub fn ns(&self, i: usize) -> &str {
        &self.ns[i]
    }

    /// Namespace `i`'s address on the link.
    #[must_use]
    pub fn addr(&self, i: usize) -> String {
        let tag: u32 = self.ns[i]
            .rsplit('-')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        format!("10.199.{}.{}", tag % 250, i + 1)
    }

    /// Makes the link slow and lossy both ways: `tc netem delay 150ms loss 5%` where the
    /// kernel has netem; else (this machine's kernel has no netem) 5 % of packets dropped at
    /// random by nftables and the rate held to 1 Mbit/s with `tc tbf`. Says which.
    ///
    /// # Panics
    /// When neither can be set up.
    pub fn impair(&self) -> &'static str {
        let netem = (0..2).all(|i| {
            Command::new("tc")
                .args(["-n", &self.ns[i], "qdisc", "add", "dev", &self.veth[i]])
                .args(["root", "netem", "delay", "150ms", "loss", "5%"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        if netem {
            return "netem: 150 ms delay and 5 % loss each way";
        }
        for i in 0..2 {
            let _ = Command::new("tc")
                .args([
                    "-n",
                    &self.ns[i],
                    "qdisc",
                    "del",
                    "dev",
                    &self.veth[i],
                    "root",
                ])
                .stderr(Stdio::null())
                .status();
            let ok = Command::new("tc")
                .args(["-n", &self.ns[i], "qdisc", "add", "dev", &self.veth[i]])
                .args([
                    "root", "tbf", "rate", "1mbit", "burst", "32kbit", "latency", "400ms",
                ])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "tc tbf in {}", self.ns[i]);
            let nft = |args: &[&str]| {
                Command::new("ip")
                    .args(["netns", "exec", &self.ns[i], "nft"])
                    .args(args)
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let chain = "{ type filter hook output priority 0; }";
            let drop_some = [
                "add",
                "rule",
                "inet",
                "impair",
                "out",
                "oifname",
                &self.veth[i],
                "numgen",
                "random",
                "mod",
                "100",
                "<",
                "5",
                "counter",
                "drop",
            ];
            let ok = nft(&["add", "table", "inet", "impair"])
                && nft(&["add", "chain", "inet", "impair", "out", chain])
                && nft(&drop_some);
            assert!(ok, "nft (apt install nftables) in {}", self.ns[i]);
        }
        "no netem in this kernel: nftables drops 5 % each way, tbf holds 1 Mbit/s"
    }

    /// Packets the nftables fallback of [`Lan::impair`] dropped so far (0 with netem).
    #[must_use]
    pub fn dropped(&self) -> u64 {
        (0..2)
            .filter_map(|i| {
                let out = Command::new("ip")
                    .args(["netns", "exec", &self.ns[i], "nft", "list", "chain", "inet"])
                    .args(["impair", "out"])
                    .stderr(Stdio::null())
                    .output()
                    .ok()?;
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let at = text.find("packets ")?;
                text[at + 8..]
                    .split_whitespace()
                    .next()?
                    .parse::<u64>()
                    .ok()
            })
            .sum()
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
