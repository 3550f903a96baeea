//! Storage benchmarks: open a community to the first ideas page, create an idea durably,
//! full-text search, and peak memory of each, with baselines measured in the same run.
//!
//! Run: `cargo bench -p allmende-service --bench store` (add `-- --write` to update
//! BENCHMARKS.md). Each scenario runs in a child process so its peak RSS is its own.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use allmende_core::model::{CommunityKind, DocKind, PostKind, Term};
use allmende_core::query::ListFilter;
use allmende_core::Command;
use allmende_service::Service;

const WORDS: [&str; 12] = [
    "Bäume", "Solar", "Fahrrad", "Schule", "Wasser", "Garten", "Strom", "Bus", "Dach", "Wiese",
    "Repair", "Klima",
];
const CATS: [&str; 8] = [
    "education",
    "energy",
    "buildings",
    "health",
    "mobility",
    "politics",
    "consumption",
    "nature",
];

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn text(n: usize) -> String {
    format!(
        "{} und {} für alle: Vorschlag {n} aus der Nachbarschaft.",
        WORDS[n % WORDS.len()],
        WORDS[(n / 7) % WORDS.len()]
    )
}

/// Fills a data directory with `n` items of mixed kinds through the service.
fn populate(dir: &Path, n: usize) -> String {
    let mut svc = Service::open(dir).expect("open");
    let c = svc
        .execute(Command::CreateCommunity {
            name: "Benchstadt".into(),
            kind: CommunityKind::Town,
            description: String::new(),
            admin_name: "Bench".into(),
        })
        .expect("community")
        .id;
    for i in 0..n {
        let title = format!("{} {i}", WORDS[i % WORDS.len()]);
        let category = CATS[i % CATS.len()].to_string();
        let cmd = match i % 20 {
            0..=11 => Command::AddIdea {
                community: c.clone(),
                title,
                text: text(i),
                category,
            },
            12..=14 => Command::AddPost {
                community: c.clone(),
                kind: PostKind::Tip,
                title,
                text: text(i),
                category,
                offered_by: String::new(),
            },
            15 | 16 => Command::AddEvent {
                community: c.clone(),
                title,
                description: text(i),
                start: "2030-05-01T18:00:00+02:00".into(),
                end: "2030-05-01T20:00:00+02:00".into(),
                time_zone: None,
                place: "Rathaus".into(),
                online_link: String::new(),
                category,
                organiser: String::new(),
                capacity: 0,
            },
            17 | 18 => Command::AddOrganisation {
                community: c.clone(),
                name: title,
                description: text(i),
                categories: vec![category],
                contact: String::new(),
                website: String::new(),
            },
            _ => Command::AddOpportunity {
                community: c.clone(),
                title,
                description: text(i),
                term: Term::Long,
                commitment: String::new(),
                category,
                contact: String::new(),
                organisation: None,
                date: None,
            },
        };
        svc.execute(cmd).expect("item");
    }
    c
}

fn first_page(dir: &Path) -> usize {
    let svc = Service::open(dir).expect("open");
    let community = svc
        .current_community()
        .expect("current")
        .expect("community");
    let page = svc
        .list(&ListFilter {
            community: Some(community),
            kind: Some(DocKind::Idea),
            limit: Some(50),
            ..Default::default()
        })
        .expect("list");
    page.items.len()
}

/// Baseline: a plain SQLite table of the same rows, opened and paged the same way.
fn baseline_dir(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("baseline.db");
    let conn = rusqlite::Connection::open(&path).expect("baseline");
    conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (id TEXT PRIMARY KEY, kind TEXT, title TEXT, body TEXT, created INTEGER); CREATE INDEX t_k ON t(kind, created DESC);").expect("schema");
    let tx = conn.unchecked_transaction().expect("tx");
    for i in 0..n {
        tx.execute(
            "INSERT INTO t VALUES (?1, 'idea', ?2, ?3, ?4)",
            rusqlite::params![
                format!("id{i}"),
                format!("{} {i}", WORDS[i % WORDS.len()]),
                text(i),
                i as i64
            ],
        )
        .expect("row");
    }
    tx.commit().expect("commit");
    path
}

fn baseline_page(path: &Path) -> usize {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare("SELECT id, title, body FROM t WHERE kind = 'idea' ORDER BY created DESC LIMIT 50")
        .expect("prep");
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .expect("q")
        .count();
    rows
}

fn child(args: &[&str]) -> String {
    let out = Process::new(std::env::current_exe().expect("exe"))
        .args(args)
        .output()
        .expect("child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Child process scenarios print "<microseconds> <peak KiB>".
fn run_child(mode: &str, dir: &str, extra: &str) {
    let dir = Path::new(dir);
    let rounds = 15;
    let mut times = Vec::new();
    match mode {
        "open" => {
            for _ in 0..rounds {
                let t = Instant::now();
                assert!(first_page(dir) > 0);
                times.push(t.elapsed());
            }
        }
        "open-baseline" => {
            for _ in 0..rounds {
                let t = Instant::now();
                assert!(baseline_page(&dir.join("baseline.db")) > 0);
                times.push(t.elapsed());
            }
        }
        "search" => {
            let svc = Service::open(dir).expect("open");
            let c = svc.current_community().expect("c").expect("c");
            for q in [
                "baeume",
                "Solar Dach",
                "FAHRRAD",
                "wiese",
                "klima schule",
                "strom",
            ]
            .iter()
            .cycle()
            .take(60)
            {
                let t = Instant::now();
                let hits = svc.search(Some(&c), q, Some(20)).expect("search");
                times.push(t.elapsed());
                assert!(!hits.is_empty(), "{q}");
            }
        }
        "search-baseline" => {
            let conn = rusqlite::Connection::open(dir.join("baseline.db")).expect("open");
            for q in ["Bäume", "Solar", "Fahrrad", "Wiese", "Klima", "Strom"]
                .iter()
                .cycle()
                .take(60)
            {
                let t = Instant::now();
                let mut stmt = conn.prepare_cached("SELECT id FROM t WHERE title LIKE ?1 OR body LIKE ?1 ORDER BY created DESC LIMIT 20").expect("prep");
                let n = stmt
                    .query_map([format!("%{q}%")], |r| r.get::<_, String>(0))
                    .expect("q")
                    .count();
                times.push(t.elapsed());
                assert!(n > 0);
            }
        }
        "create" => {
            let mut svc = Service::open(dir).expect("open");
            let c = svc.current_community().expect("c").expect("c");
            for i in 0..200 {
                let t = Instant::now();
                svc.execute(Command::AddIdea {
                    community: c.clone(),
                    title: format!("Neue Idee {i}"),
                    text: text(i),
                    category: "energy".into(),
                })
                .expect("create");
                times.push(t.elapsed());
            }
        }
        "create-baseline" => {
            let conn = rusqlite::Connection::open(dir.join("baseline.db")).expect("open");
            conn.execute_batch("PRAGMA synchronous=FULL").expect("sync");
            for i in 0..200 {
                let t = Instant::now();
                conn.execute(
                    "INSERT INTO t VALUES (?1, 'idea', ?2, ?3, ?4)",
                    rusqlite::params![
                        format!("new{extra}{i}"),
                        format!("Neue Idee {i}"),
                        text(i),
                        i as i64
                    ],
                )
                .expect("insert");
                times.push(t.elapsed());
            }
        }
        other => panic!("unknown mode {other}"),
    }
    println!("{} {}", median(times).as_micros(), peak_rss_kib());
}

fn measure(mode: &str, dir: &Path) -> (f64, u64) {
    let out = child(&["--child", mode, dir.to_str().expect("utf-8"), "x"]);
    let mut parts = out.split_whitespace();
    let us: f64 = parts.next().and_then(|v| v.parse().ok()).expect("time");
    let kib: u64 = parts.next().and_then(|v| v.parse().ok()).expect("rss");
    (us / 1000.0, kib)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        run_child(&args[pos + 1], &args[pos + 2], &args[pos + 3]);
        return;
    }
    let write = args.iter().any(|a| a == "--write");
    let mut rows = Vec::new();
    for n in [1_000usize, 10_000] {
        let tmp = tempfile::tempdir().expect("tmp");
        let t = Instant::now();
        populate(tmp.path(), n);
        eprintln!("populated {n} items in {:.1} s", t.elapsed().as_secs_f64());
        baseline_dir(tmp.path(), n * 12 / 20);
        let (open, open_rss) = measure("open", tmp.path());
        let (open_b, _) = measure("open-baseline", tmp.path());
        rows.push(format!("| open community, {n} items → first page of ideas | {open:.2} ms | {open_b:.3} ms (plain SQLite page) | {:.1}× | {:.1} MiB |", open / open_b, open_rss as f64 / 1024.0));
        if n == 10_000 {
            let (search, search_rss) = measure("search", tmp.path());
            let (search_b, _) = measure("search-baseline", tmp.path());
            rows.push(format!("| full-text search, {n} items (median of 60) | {search:.2} ms | {search_b:.2} ms (LIKE scan, newest 20) | {:.2}× | {:.1} MiB |", search / search_b, search_rss as f64 / 1024.0));
        }
        let (create, create_rss) = measure("create", tmp.path());
        let (create_b, _) = measure("create-baseline", tmp.path());
        rows.push(format!("| create an idea, durably written, {n} items (median of 200) | {create:.2} ms | {create_b:.2} ms (one fsynced SQLite insert) | {:.1}× | {:.1} MiB |", create / create_b, create_rss as f64 / 1024.0));
    }
    let table = format!(
        "| scenario | Allmende | baseline (same run) | ratio | peak RSS |\n|---|---|---|---|---|\n{}\n",
        rows.join("\n")
    );
    println!("{table}");
    if write {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let (begin, end) = ("<!-- store:begin -->", "<!-- store:end -->");
        let new = match (old.find(begin), old.find(end)) {
            (Some(b), Some(e)) => format!("{}{begin}\n{table}{}", &old[..b], &old[e..]),
            _ => format!("{old}\n{begin}\n{table}{end}\n"),
        };
        std::fs::write(&path, new).expect("write BENCHMARKS.md");
    }
}
