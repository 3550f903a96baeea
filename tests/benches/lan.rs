//! Time from start to a LAN peer's edit arriving, found by local discovery (mDNS), against
//! the same with the link made by ticket (no discovery) in the same run. Two network
//! namespaces joined by a veth pair; needs root and `ip`.
//!
//! `cargo bench -p allmende-tests --bench lan -- --write` (`BENCH_ROUNDS=N`, default 5)
//! rewrites the lan table in BENCHMARKS.md.

use std::process::Child;
use std::time::{Duration, Instant};

use allmende_tests::lan::Lan;
use allmende_tests::{community_with_members, Peer, RelayProc};

fn has(p: &Peer, title: &str) -> bool {
    p.titles(&["idea", "list", "--limit", "1000"])
        .iter()
        .any(|t| t == title)
}

fn until(what: &str, check: impl Fn() -> bool) {
    let t = Instant::now();
    while !check() {
        assert!(t.elapsed() < Duration::from_secs(60), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stop(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
}

fn ticket(p: &Peer) -> String {
    let out = p.run(&["peer", "ticket"]);
    // The first line; a QR code follows.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Both devices start listening with discovery; until Ben has Anna's offline edit.
fn by_discovery(lan: &Lan, anna: &Peer, ben: &Peer, title: &str) -> Duration {
    let t = Instant::now();
    let a = lan.listen(0, anna, &[]);
    let b = lan.listen(1, ben, &[]);
    until("found by discovery", || has(ben, title));
    let took = t.elapsed();
    stop(a);
    stop(b);
    took
}

/// Anna starts listening without discovery; Ben links once by her ticket.
fn by_ticket(lan: &Lan, anna: &Peer, ben: &Peer, title: &str) -> Duration {
    let before = ticket(anna);
    let t = Instant::now();
    let a = lan.listen(0, anna, &["--no-discovery"]);
    until("a fresh ticket", || {
        let now = ticket(anna);
        !now.is_empty() && now != before
    });
    let out = lan.run(1, ben, &["peer", "connect", &ticket(anna)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    until("linked by ticket", || has(ben, title));
    let took = t.elapsed();
    stop(a);
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let write = std::env::args().any(|a| a == "--write");
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let (anna, others) = {
        let relay = RelayProc::start("");
        let (anna, others, _) = community_with_members(&relay, &["Ben"]);
        (anna, others)
    };
    let ben = &others[0];
    let lan = Lan::create();
    let (mut found, mut linked) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for discovery in [true, false] {
            let title = format!("Runde {round} {discovery}");
            anna.ok(&["idea", "add", "--title", &title, "--category", "energy"]);
            if discovery {
                found.push(by_discovery(&lan, &anna, ben, &title));
            } else {
                linked.push(by_ticket(&lan, &anna, ben, &title));
            }
        }
        eprintln!(
            "round {round}: discovery {:?}, ticket {:?}",
            found[round], linked[round]
        );
    }
    let range = |v: &[Duration]| {
        format!(
            "{} – {}",
            secs(*v.iter().min().expect("rounds")),
            secs(*v.iter().max().expect("rounds"))
        )
    };
    let (f, l) = (median(found.clone()), median(linked.clone()));
    let table = format!(
        "Median of {rounds} rounds, from starting the listeners (an edit made offline on one \
         device) to the other device holding it.\n\n\
         | path | start → edit arrived (median) | range | ratio |\n|---|---|---|---|\n\
         | found by local discovery (mDNS), both listening | {} | {} | {:.2}× |\n\
         | baseline: linked once by ticket, no discovery | {} | {} | 1.00× |\n",
        secs(f),
        range(&found),
        f.as_secs_f64() / l.as_secs_f64(),
        secs(l),
        range(&linked),
    );
    print!("{table}");
    if write {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let (begin, end) = ("<!-- lan:begin -->", "<!-- lan:end -->");
        let new = match (old.find(begin), old.find(end)) {
            (Some(b), Some(e)) => format!("{}{begin}\n{table}{}", &old[..b], &old[e..]),
            _ => format!("{old}\n{begin}\n{table}{end}\n"),
        };
        std::fs::write(&path, new).expect("write BENCHMARKS.md");
    }
}
