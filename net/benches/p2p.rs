//! Peer to peer over iroh against the relay over WebSocket, in one run on 127.0.0.1: two
//! devices with N offline edits each (default 1,000; `BENCH_EDITS=N`) converge
//! (a) directly: one device listens, the other links once by ticket;
//! (b) through an in-process `allmende-relay` over iroh (its ticket as the relay URL), and
//! (c) over WebSocket, the baseline: A syncs, B syncs, A syncs.
//! Both start from copies of the same two data directories.
//!
//! Run: `cargo bench -p allmende-net --bench p2p` (add `-- --write` to update BENCHMARKS.md).

use std::path::Path;
use std::time::{Duration, Instant};

use allmende_core::model::{CommunityKind, Role};
use allmende_core::Command;
use allmende_net::p2p::node::{self, NodeOptions};
use allmende_service::Service;

/// Comments on all the bench's ideas, as the device at `dir` has them.
fn comments(dir: &Path, ideas: &[String]) -> usize {
    let mut svc = Service::open(dir).expect("open");
    ideas
        .iter()
        .map(|idea| {
            svc.show(idea)
                .ok()
                .and_then(|d| d.item.comments().map(std::collections::BTreeMap::len))
                .unwrap_or(0)
        })
        .sum()
}

/// Edits are comments spread over this many ideas (a document per idea, as in real use).
const IDEAS: usize = 20;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

/// Two devices of one community, each with `n` offline comments on the shared ideas.
fn prepare(root: &Path, n: usize) -> Vec<String> {
    let (a_dir, b_dir) = (root.join("a"), root.join("b"));
    let mut a = Service::open(&a_dir).expect("a");
    let mut b = Service::open(&b_dir).expect("b");
    let c = a
        .execute(Command::CreateCommunity {
            name: "Bench".into(),
            kind: CommunityKind::Village,
            description: String::new(),
            admin_name: "Anna".into(),
        })
        .expect("community")
        .id;
    let ben = a
        .execute(Command::AddMember {
            community: c.clone(),
            display_name: "Ben".into(),
            role: Role::Member,
        })
        .expect("ben")
        .id;
    a.execute(Command::AddDevice {
        community: c.clone(),
        member: ben.clone(),
        device: b.device().public_hex(),
        until: None,
    })
    .expect("device");
    let ideas: Vec<String> = (0..IDEAS)
        .map(|i| {
            a.execute(Command::AddIdea {
                community: c.clone(),
                title: format!("Idee {i}"),
                text: String::new(),
                category: "energy".into(),
            })
            .expect("idea")
            .id
        })
        .collect();
    let docs: Vec<(String, Vec<u8>)> = a
        .store()
        .docs(None)
        .expect("docs")
        .into_iter()
        .map(|d| (d.id.clone(), a.doc_bytes(&d.id).expect("bytes")))
        .collect();
    b.receive_many(&docs).expect("fork");
    b.adopt_identity(&c, &ben).expect("identity");
    for (svc, who) in [(&mut a, "A"), (&mut b, "B")] {
        for i in 0..n {
            svc.execute(Command::AddComment {
                item: ideas[i % IDEAS].clone(),
                text: format!("{who} {i}"),
            })
            .expect("comment");
        }
    }
    ideas
}

/// A, B, A sync through an in-process relay: over WebSocket, or over iroh by its ticket
/// (`prefix` names the copies of the data directories to use).
fn via_relay(
    rt: &tokio::runtime::Runtime,
    root: &Path,
    idea: &[String],
    n: usize,
    prefix: &str,
) -> Duration {
    let data = tempfile::tempdir().expect("relay data");
    let over_iroh = prefix == "iroh-relay";
    let relay = rt
        .block_on(allmende_relay::start(allmende_relay::Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            iroh: over_iroh.then(|| "127.0.0.1:0".parse().expect("addr")),
            data: data.path().to_path_buf(),
            max_messages_per_second: 100_000,
            ..allmende_relay::Config::default()
        }))
        .expect("relay");
    let url = match &relay.ticket {
        Some(t) if over_iroh => t.text(),
        _ => format!("ws://{}", relay.addr),
    };
    let (a_dir, b_dir) = (
        root.join(format!("{prefix}-a")),
        root.join(format!("{prefix}-b")),
    );
    let t = Instant::now();
    let timeout = Duration::from_secs(60);
    for dir in [&a_dir, &b_dir, &a_dir] {
        let mut svc = Service::open(dir).expect("open");
        rt.block_on(allmende_net::sync::sync_once(&mut svc, &url, timeout))
            .expect("sync");
    }
    let took = t.elapsed();
    assert_eq!(comments(&a_dir, idea), 2 * n, "relay: A has everything");
    assert_eq!(comments(&b_dir, idea), 2 * n, "relay: B has everything");
    rt.block_on(relay.shutdown());
    took
}

fn direct(root: &Path, idea: &[String], n: usize) -> Duration {
    let (a_dir, b_dir) = (root.join("p2p-a"), root.join("p2p-b"));
    let (ticket_tx, ticket_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let listener_dir = b_dir.clone();
    let listener = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("rt");
        rt.block_on(async move {
            let mut b = Service::open(&listener_dir).expect("b");
            let opts = NodeOptions {
                bind: Some("127.0.0.1:0".parse().expect("addr")),
                relay: None,
            };
            let endpoint = node::start(b.device(), &opts).await.expect("endpoint");
            ticket_tx.send(node::ticket(&endpoint)).expect("ticket");
            allmende_net::p2p::listen::listen(
                &mut b,
                endpoint,
                Duration::from_secs(20),
                |_| {},
                async {
                    let _ = stop_rx.await;
                },
            )
            .await
            .expect("listen");
        });
    });
    let ticket = ticket_rx.recv().expect("ticket");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let t = Instant::now();
    let mut a = Service::open(&a_dir).expect("a");
    rt.block_on(allmende_net::p2p::connect::connect(
        &mut a,
        &ticket,
        &NodeOptions::default(),
        Duration::from_secs(60),
        &mut |_| {},
    ))
    .expect("connect");
    // B's listener writes what A brought into its store.
    while comments(&b_dir, idea) < 2 * n {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "p2p: no convergence: B has {} of {}",
            comments(&b_dir, idea),
            2 * n
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = t.elapsed();
    assert_eq!(comments(&a_dir, idea), 2 * n, "p2p: A has everything");
    let _ = stop_tx.send(());
    listener.join().expect("listener");
    took
}

fn main() {
    let write = std::env::args().any(|a| a == "--write");
    let n: usize = std::env::var("BENCH_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let root = tempfile::tempdir().expect("tmp");
    let t = Instant::now();
    let idea = prepare(root.path(), n);
    eprintln!(
        "prepared 2×{n} offline edits in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for side in ["a", "b"] {
        copy_dir(
            &root.path().join(side),
            &root.path().join(format!("relay-{side}")),
        );
        copy_dir(
            &root.path().join(side),
            &root.path().join(format!("p2p-{side}")),
        );
        copy_dir(
            &root.path().join(side),
            &root.path().join(format!("iroh-relay-{side}")),
        );
    }
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let relay = via_relay(&rt, root.path(), &idea, n, "relay");
    let iroh_relay = via_relay(&rt, root.path(), &idea, n, "iroh-relay");
    let p2p = direct(root.path(), &idea, n);
    let table = format!(
        "| path | converge 2×{n} offline edits | ratio to the relay |\n|---|---|---|\n| direct over iroh (QUIC on loopback, public relays off): one link by ticket | {:.2} s | {:.2}× |\n| through `allmende-relay` over iroh (its ticket as the relay): A, B, A sync | {:.2} s | {:.2}× |\n| through `allmende-relay` over WebSocket: A, B, A sync | {:.2} s | 1.00× |\n",
        p2p.as_secs_f64(),
        p2p.as_secs_f64() / relay.as_secs_f64(),
        iroh_relay.as_secs_f64(),
        iroh_relay.as_secs_f64() / relay.as_secs_f64(),
        relay.as_secs_f64()
    );
    println!("{table}");
    if write {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let (begin, end) = ("<!-- p2p:begin -->", "<!-- p2p:end -->");
        let new = match (old.find(begin), old.find(end)) {
            (Some(b), Some(e)) => format!("{}{begin}\n{table}{}", &old[..b], &old[e..]),
            _ => format!("{old}\n{begin}\n{table}{end}\n"),
        };
        std::fs::write(&path, new).expect("write BENCHMARKS.md");
    }
}
