//! Relay benchmarks against the official JavaScript sync server, measured in the same run.
//!
//! Run: `cargo bench -p allmende-relay --bench relay` (add `-- --write` to update
//! BENCHMARKS.md). Needs node and tests/js/node_modules (`npm ci` in tests/js).
//!
//! (a) two clients with 1,000 offline edits each converge through the server: time, and bytes
//!     sent compared with the size of the changes themselves;
//! (b) 1,000 WebSocket clients on 100 documents; one client writes, 100 others on the same
//!     document receive: deliveries per second and p99 latency;
//! (c) server memory (RSS) per stored document and per connection.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use allmende_core::wire::{auth_message, device_peer_id};
use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use ed25519_dalek::{Signer, SigningKey};
use futures::future::BoxFuture;
use futures::{FutureExt, SinkExt, StreamExt};
use samod::{BackoffConfig, DialError, Dialer, DocumentId, PeerId, Repo, Transport, Url};
use tokio_tungstenite::tungstenite::Message;

#[path = "relay/light.rs"]
mod light;

struct Server {
    name: &'static str,
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// CPU time the server process has used so far (user + system).
    fn cpu(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // The fields after the command name (which is in parentheses).
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let field = |i: usize| -> u64 {
            rest.split_whitespace()
                .nth(i)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
        let ticks = field(11) + field(12);
        let hz: u64 = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100);
        Duration::from_secs_f64(ticks as f64 / hz.max(1) as f64)
    }

    /// Messages in and out so far, from /metrics (our relay only).
    fn messages(&self) -> Option<(u64, u64)> {
        use std::io::{Read, Write};
        let addr = self.url.strip_prefix("ws://")?;
        let mut s = std::net::TcpStream::connect(addr).ok()?;
        write!(s, "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        let value = |name: &str| -> Option<u64> {
            text.lines()
                .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        };
        Some((
            value("allmende_relay_messages_in_total")?,
            value("allmende_relay_messages_out_total")?,
        ))
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn first_line(child: &mut Child) -> String {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    // A profiler around the relay may print first.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("line") == 0 || line.starts_with("listening on") {
            return line;
        }
    }
}

fn start_ours() -> Server {
    start_relay("allmende-relay", None)
}

/// Our relay with two worker threads instead of the default one.
fn start_ours_two_workers() -> Server {
    start_relay("allmende-relay, 2 workers", Some(2))
}

fn start_relay(name: &'static str, workers: Option<usize>) -> Server {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("relay.toml");
    std::fs::write(
        &config,
        "allow_foreign_documents = true\nmax_messages_per_second = 100000\n",
    )
    .expect("config");
    // BENCH_RELAY_WRAP runs the relay under a tool (e.g. `heaptrack`) for profiling.
    let mut cmd = match std::env::var("BENCH_RELAY_WRAP") {
        Ok(tool) => {
            let mut c = Command::new(tool);
            c.arg(env!("CARGO_BIN_EXE_allmende-relay"));
            c
        }
        Err(_) => Command::new(env!("CARGO_BIN_EXE_allmende-relay")),
    };
    if let Some(n) = workers {
        cmd.env("ALLMENDE_RELAY_WORKERS", n.to_string());
    }
    let mut child = cmd
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir.path().join("data"))
        .env("ALLMENDE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("relay");
    let line = first_line(&mut child);
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect("addr")
        .to_string();
    Server {
        name,
        child,
        url: format!("ws://{addr}"),
        _dir: dir,
    }
}

fn start_js() -> Server {
    let dir = tempfile::tempdir().expect("tmp");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let js = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/js");
    assert!(
        js.join("node_modules/@automerge/automerge-repo-sync-server")
            .exists(),
        "run `npm ci` in tests/js first"
    );
    let mut child = Command::new("node")
        .current_dir(&js)
        .args(["interop.mjs", "server", &port.to_string()])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node");
    {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        while let Some(Ok(line)) = lines.next() {
            if line.starts_with("listening") {
                break;
            }
        }
    }
    Server {
        name: "JS sync server 0.2.8",
        child,
        url: format!("ws://127.0.0.1:{port}"),
        _dir: dir,
    }
}

struct WsDialer {
    url: Url,
    key: SigningKey,
    session: String,
    sent: Arc<AtomicU64>,
}

impl Dialer for WsDialer {
    type Error = Infallible;
    fn url(&self) -> Url {
        self.url.clone()
    }
    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Infallible>>> {
        let (url, key, session) = (self.url.clone(), self.key.clone(), self.session.clone());
        let sent = self.sent.clone();
        async move {
            let url = signed(&url, &key, &session).await;
            let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
                .await
                .map_err(DialError::transient)?;
            let (sink, stream) = ws.split();
            let inbound = stream.filter_map(|m| async move {
                match m {
                    Ok(Message::Binary(b)) => Some(Ok(b.to_vec())),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                }
            });
            let outbound = sink.with(move |b: Vec<u8>| {
                sent.fetch_add(b.len() as u64, Ordering::Relaxed);
                futures::future::ready(Ok::<_, tokio_tungstenite::tungstenite::Error>(
                    Message::Binary(b.into()),
                ))
            });
            Ok(Transport::new(Box::pin(inbound), Box::pin(outbound)))
        }
        .boxed()
    }
}

/// `url` with a fresh login our relay asks for (a challenge of it, signed for its address);
/// the JS server hands out no challenges and gets the URL as it is.
async fn signed(url: &Url, key: &SigningKey, session: &str) -> Url {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = url.host_str().expect("host");
    let relay = allmende_core::wire::relay_authority(host, url.port());
    let mut stream = tokio::net::TcpStream::connect((host, url.port().unwrap_or(80)))
        .await
        .expect("connect");
    let head = format!(
        "GET {} HTTP/1.1\r\nHost: {relay}\r\nConnection: close\r\n\r\n",
        allmende_core::wire::CHALLENGE_PATH
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (status, body) = answer.split_once("\r\n\r\n").unwrap_or_default();
    let nonce = body.trim();
    let mut url = url.clone();
    if status.starts_with("HTTP/1.1 200") && nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        let sig = key.sign(auth_message(&relay, nonce, session).as_bytes());
        url.query_pairs_mut()
            .append_pair("device", &hex::encode(key.verifying_key().to_bytes()))
            .append_pair("session", session)
            .append_pair("relay", &relay)
            .append_pair("nonce", nonce)
            .append_pair("sig", &hex::encode(sig.to_bytes()));
    }
    url
}

/// A light follower of `id` (see `light.rs`).
async fn follower(
    url: &str,
    n: u64,
    id: &DocumentId,
    arrivals: Option<light::Arrivals>,
) -> tokio::task::JoinHandle<()> {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&n.to_be_bytes());
    let key = SigningKey::from_bytes(&seed);
    let session = format!("f{n}");
    let peer = device_peer_id(&hex::encode(key.verifying_key().to_bytes()), &session);
    let url = signed(&Url::parse(url).expect("url"), &key, &session).await;
    light::follow(url.to_string(), peer, id.to_string(), arrivals).await
}

/// A client repository connected to `url`; returns it with its sent-bytes counter.
async fn client(url: &str, n: u64) -> (Repo, Arc<AtomicU64>) {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&n.to_be_bytes());
    let key = SigningKey::from_bytes(&seed);
    let session = format!("b{n}");
    let repo = Repo::build_tokio()
        .with_peer_id(PeerId::from(device_peer_id(
            &hex::encode(key.verifying_key().to_bytes()),
            &session,
        )))
        .load()
        .await;
    let sent = Arc::new(AtomicU64::new(0));
    let dialer = WsDialer {
        url: Url::parse(url).expect("url"),
        key,
        session,
        sent: sent.clone(),
    };
    let handle = repo
        .dial(BackoffConfig::default(), Arc::new(dialer))
        .expect("dial");
    tokio::time::timeout(Duration::from_secs(30), handle.established())
        .await
        .expect("connect in time")
        .expect("connect");
    (repo, sent)
}

/// Finds a document another client just created: the server may not have it yet.
async fn find_retrying(repo: &Repo, id: &DocumentId) -> samod::DocHandle {
    for _ in 0..100 {
        if let Ok(Ok(Some(h))) =
            tokio::time::timeout(Duration::from_secs(10), repo.find(id.clone())).await
        {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("document {id} never became available");
}

async fn converge(server: &Server) -> (Duration, u64, u64) {
    let (a, sent_a) = client(&server.url, 1).await;
    let mut doc = Automerge::new();
    doc.transact(|tx| tx.put(ROOT, "title", "Konvergenz"))
        .expect("init");
    let ha = a.create(doc).await.expect("create");
    let id = ha.document_id().clone();
    let (b, sent_b) = client(&server.url, 2).await;
    let hb = find_retrying(&b, &id).await;
    a.stop().await;
    b.stop().await;
    // Offline edits: 1,000 changes on each side.
    let mut change_bytes = 0u64;
    let mut docs = Vec::new();
    for (h, who) in [(&ha, "a"), (&hb, "b")] {
        let mut d = h.with_document(|d| d.clone());
        let before = d.get_heads();
        for i in 0..1000 {
            d.transact(|tx| tx.put(ROOT, format!("{who}{i}"), format!("Änderung {i} von {who}")))
                .expect("edit");
        }
        change_bytes += d
            .get_changes(&before)
            .iter()
            .map(|c| c.raw_bytes().len() as u64)
            .sum::<u64>();
        docs.push(d);
    }
    let start = Instant::now();
    let (a, sent_a2) = client(&server.url, 3).await;
    let (b, sent_b2) = client(&server.url, 4).await;
    let mut handles = Vec::new();
    for (repo, d) in [(&a, &docs[0]), (&b, &docs[1])] {
        let h = repo.find(id.clone()).await.ok().flatten();
        let h = match h {
            Some(h) => h,
            None => panic!("{}: document lost", server.name),
        };
        let mut d = d.clone();
        h.with_document(|doc| doc.merge(&mut d)).expect("merge");
        handles.push(h);
    }
    loop {
        let ha = handles[0].with_document(|d| d.get_heads());
        let hb = handles[1].with_document(|d| d.get_heads());
        let count = handles[0].with_document(|d| d.length(ROOT));
        if ha == hb && count == 2001 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{}: no convergence",
            server.name
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = start.elapsed();
    let sent = sent_a.load(Ordering::Relaxed)
        + sent_b.load(Ordering::Relaxed)
        + sent_a2.load(Ordering::Relaxed)
        + sent_b2.load(Ordering::Relaxed);
    let setup = sent_a.load(Ordering::Relaxed) + sent_b.load(Ordering::Relaxed);
    a.stop().await;
    b.stop().await;
    (took, sent - setup, change_bytes)
}

struct FanOut {
    deliveries_per_s: f64,
    /// Deliveries per second of the server's own CPU time during the burst.
    deliveries_per_cpu_s: f64,
    p99: Duration,
    rss_idle: u64,
    rss_docs: u64,
    rss_clients: u64,
    /// Sync messages into and out of the server during the burst (our relay only).
    burst_messages: Option<(u64, u64)>,
}

async fn fan_out(
    server: &Server,
    clients: usize,
    docs: usize,
    readers: usize,
    changes: u64,
) -> FanOut {
    let rss_idle = server.rss_kib();
    let (creator, _) = client(&server.url, 10).await;
    let mut ids: Vec<DocumentId> = Vec::new();
    for k in 0..docs {
        let mut d = Automerge::new();
        d.transact(|tx| {
            tx.put(ROOT, "doc", k as i64)?;
            tx.put(ROOT, "seq", 0_i64)
        })
        .expect("init");
        ids.push(
            creator
                .create(d)
                .await
                .expect("create")
                .document_id()
                .clone(),
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    creator.stop().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_docs = server.rss_kib();
    // Readers of document 0, then the rest spread over the other documents, connecting in
    // parallel batches (as a crowd of phones would).
    let arrivals: light::Arrivals = Arc::default();
    let mut tasks = Vec::new();
    for batch in (0..clients).collect::<Vec<_>>().chunks(50) {
        let joined = futures::future::join_all(batch.iter().map(|&n| {
            let url = server.url.clone();
            let id = ids[if n < readers { 0 } else { 1 + n % (docs - 1) }].clone();
            let arrivals = (n < readers).then(|| arrivals.clone());
            async move { vec![follower(&url, 100 + n as u64, &id, arrivals).await] }
        }))
        .await;
        tasks.extend(joined.into_iter().flatten());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_clients = server.rss_kib();
    if std::env::var_os("BENCH_STOP_AFTER_CONNECT").is_some() {
        // For heap profiles of connected clients: they stay connected until the bench is
        // stopped from outside.
        eprintln!("{}: {clients} clients connected; holding", server.name);
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let (writer, _) = client(&server.url, 99).await;
    let wh = writer
        .find(ids[0].clone())
        .await
        .expect("ok")
        .expect("found");
    // Latency: paced writes, each timed from write to arrival at every follower.
    let mut sent_at = HashMap::new();
    for s in 1..=changes as i64 {
        sent_at.insert(s, Instant::now());
        wh.with_document(|d| d.transact(|tx| tx.put(ROOT, "seq", s)).map_err(|f| f.error))
            .expect("write");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_for(&arrivals, readers * changes as usize).await;
    let mut lat: Vec<Duration> = Vec::new();
    for (s, times) in arrivals.lock().expect("lock").iter() {
        if let Some(t0) = sent_at.get(s) {
            lat.extend(times.iter().map(|t| t.saturating_duration_since(*t0)));
        }
    }
    lat.sort();
    let p99 = lat
        .get(lat.len() * 99 / 100)
        .copied()
        .unwrap_or(Duration::MAX);
    // Throughput: a burst offered faster than a server can pass it on (one change every
    // millisecond to 100 followers); deliveries per second until every follower has all.
    let burst = BURST as i64;
    let messages_before = server.messages();
    let cpu_before = server.cpu();
    let start = Instant::now();
    for s in (changes as i64 + 1)..=(changes as i64 + burst) {
        wh.with_document(|d| d.transact(|tx| tx.put(ROOT, "seq", s)).map_err(|f| f.error))
            .expect("write");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let delivered = wait_for(&arrivals, readers * (changes + BURST) as usize).await
        - readers * changes as usize;
    let elapsed = start.elapsed();
    let cpu = server.cpu().saturating_sub(cpu_before);
    let burst_messages = match (messages_before, server.messages()) {
        (Some(before), Some(after)) => Some((after.0 - before.0, after.1 - before.1)),
        _ => None,
    };
    for t in tasks {
        t.abort();
    }
    writer.stop().await;
    FanOut {
        deliveries_per_s: delivered as f64 / elapsed.as_secs_f64(),
        deliveries_per_cpu_s: delivered as f64 / cpu.as_secs_f64().max(0.01),
        p99,
        rss_idle,
        rss_docs,
        rss_clients,
        burst_messages,
    }
}

/// Changes in the throughput burst.
const BURST: u64 = 500;

/// Waits until `want` deliveries arrived (or a minute passed); returns how many did.
async fn wait_for(arrivals: &Mutex<HashMap<i64, Vec<Instant>>>, want: usize) -> usize {
    let start = Instant::now();
    loop {
        let got: usize = arrivals.lock().expect("lock").values().map(Vec::len).sum();
        if got >= want || start.elapsed() > Duration::from_secs(60) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn main() {
    let write = std::env::args().any(|a| a == "--write");
    let clients: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let docs: usize = (clients / 10).max(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("rt");
    let mut rows = Vec::new();
    let mut results = Vec::new();
    for start in [
        start_ours as fn() -> Server,
        start_ours_two_workers,
        start_js,
    ] {
        let server = start();
        let (took, bytes, change_bytes) = rt.block_on(converge(&server));
        eprintln!(
            "{}: converged in {took:?}, {bytes} B sent for {change_bytes} B of changes",
            server.name
        );
        let f = rt.block_on(fan_out(&server, clients, docs, 100.min(clients / 2), 50));
        eprintln!(
            "{}: {:.0} deliveries/s, {:.0} per server CPU second, p99 {:?}",
            server.name, f.deliveries_per_s, f.deliveries_per_cpu_s, f.p99
        );
        results.push((server.name, took, bytes, change_bytes, f));
    }
    for (name, took, bytes, change_bytes, f) in &results {
        let per_doc = f.rss_docs.saturating_sub(f.rss_idle) as f64 / docs as f64;
        let per_conn = f.rss_clients.saturating_sub(f.rss_docs) as f64 / clients as f64;
        rows.push(format!(
            "| {name} | {:.2} s | {:.2}× ({bytes} B for {change_bytes} B) | {:.0} /s | {:.0} /s | {:.0} % | {:.1} ms | {per_doc:.1} KiB | {per_conn:.1} KiB |",
            took.as_secs_f64(),
            *bytes as f64 / *change_bytes as f64,
            f.deliveries_per_cpu_s,
            f.deliveries_per_s,
            // CPU time over wall-clock time: how busy the server was (100 % = one core).
            100.0 * f.deliveries_per_s / f.deliveries_per_cpu_s,
            f.p99.as_secs_f64() * 1000.0
        ));
    }
    let (ours, js) = (&results[0].4, &results[2].4);
    let conn = |f: &FanOut| f.rss_clients.saturating_sub(f.rss_docs) as f64 / clients as f64;
    let table = format!(
        "{clients} WebSocket clients on {docs} documents; {} of them follow one document. Latency: one client writes 50 changes to it, 20 ms apart. Throughput: then a burst of {BURST} changes, 1 ms apart, as deliveries per second of the server's own CPU time and per second of wall-clock time (clients and server share the machine's two cores).\n\n| server | (a) converge 2×1,000 offline edits | bytes sent / change size | (b) deliveries per server CPU second | (b) deliveries per wall-clock second | (b) server CPU during the burst | (b) p99 latency | (c) RSS per document | (c) RSS per connection |\n|---|---|---|---|---|---|---|---|---|\n{}\n\nRatios in this run (allmende-relay with its default of one worker thread): throughput {:.2}× the JS server's per server CPU second ({:.2}× per wall-clock second), memory per connection {:.2}× the JS server's.\n",
        100.min(clients / 2),
        rows.join("\n"),
        ours.deliveries_per_cpu_s / js.deliveries_per_cpu_s,
        ours.deliveries_per_s / js.deliveries_per_s,
        conn(ours) / conn(js).max(0.001)
    );
    let table = match ours.burst_messages {
        Some((_, out)) => format!(
            "{table}\nDuring the burst our relay sent {out} sync messages for {} deliveries ({:.1} changes per message).\n",
            100.min(clients / 2) * BURST as usize,
            (100.min(clients / 2) * BURST as usize) as f64 / out.max(1) as f64
        ),
        None => table,
    };
    println!("{table}");
    if write {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let (begin, end) = ("<!-- relay:begin -->", "<!-- relay:end -->");
        let new = match (old.find(begin), old.find(end)) {
            (Some(b), Some(e)) => format!("{}{begin}\n{table}{}", &old[..b], &old[e..]),
            _ => format!("{old}\n{begin}\n{table}{end}\n"),
        };
        std::fs::write(&path, new).expect("write");
    }
}
