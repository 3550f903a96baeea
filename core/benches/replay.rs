//! Replaying a large community's governance log after one change: incremental (the history
//! read so far and the checked signatures kept, as a long-running app, `serve` or the relay
//! keeps them) against a full replay (everything read and checked afresh) in the same run.
//!
//! `cargo bench -p allmende-core --bench replay` (release). `BENCH_MEMBERS` and
//! `BENCH_ENTRIES` change the size (defaults 2,000 and 10,000; each member joins with four
//! entries, the rest are moderation decisions). `BENCH_ONLY_INCREMENTAL=1` skips the full
//! replays (for a profiler).

use std::time::{Duration, Instant};

use allmende_core::governance::{replay_document, seal, Act, Body, Checked, LogHistory, Signer};
use allmende_core::model::{CommunityKind, DocKind, Header, Role, SCHEMA_VERSION};
use allmende_core::DocId;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use ed25519_dalek::{Signer as _, SigningKey};

struct Key(SigningKey);

impl Signer for Key {
    fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }
    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Writer {
    doc: AutoCommit,
    key: Key,
    id: String,
    heads: Vec<String>,
    at: i64,
}

impl Writer {
    fn act(&mut self, act: Act) {
        self.at += 1;
        let body = Body {
            v: 1,
            at: self.at,
            device: self.key.public_hex(),
            member: "admin".into(),
            seen: self.heads.clone(),
            act,
        };
        let (entry_id, entry) = seal(&self.id, &body, &self.key);
        let log = self.doc.get(&ROOT, "log").expect("log").expect("log").1;
        autosurgeon::reconcile_prop(&mut self.doc, &log, entry_id.as_str(), &entry).expect("entry");
        self.heads = vec![entry_id];
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let members = env("BENCH_MEMBERS", 2_000);
    let entries = env("BENCH_ENTRIES", 10_000);
    let key = Key(SigningKey::from_bytes(&[7; 32]));
    let id = DocId::derive(&key.public_hex(), "bench").to_string();
    let mut doc =
        AutoCommit::new().with_actor(ActorId::from(key.0.verifying_key().to_bytes().to_vec()));
    let header = Header {
        schema: SCHEMA_VERSION,
        kind: DocKind::Community,
        id: id.clone(),
        community: id.clone(),
        created_at: 0,
        created_by: "admin".into(),
        device: key.public_hex(),
        nonce: "bench".into(),
        sig: String::new(),
    };
    autosurgeon::reconcile_prop(&mut doc, ROOT, "header", &header).expect("header");
    doc.put_object(&ROOT, "log", ObjType::Map).expect("log");
    let mut w = Writer {
        doc,
        key,
        id: id.clone(),
        heads: Vec::new(),
        at: 0,
    };
    w.act(Act::Genesis {
        nonce: "bench".into(),
        name: "Großstadt".into(),
        kind: CommunityKind::Town,
        description: String::new(),
        member: "admin".into(),
        profile: "p".into(),
    });
    let mut n = 1;
    for m in 0..members {
        if n + 4 > entries {
            break;
        }
        let member = format!("m{m}");
        w.act(Act::AddMember {
            member: member.clone(),
            role: Role::Member,
            profile: format!("p{m}"),
        });
        // Joining as the app does it: the invite key, then the member's own device, then
        // the invite key retired (a role change, so the concurrency rules are exercised).
        let device = |tag: u32| format!("{:056x}{:08x}", tag, m);
        w.act(Act::AddDevice {
            member: member.clone(),
            device: device(1),
            until: None,
        });
        w.act(Act::AddDevice {
            member: member.clone(),
            device: device(2),
            until: None,
        });
        w.act(Act::RemoveDevice {
            member,
            device: device(1),
        });
        n += 4;
        if n % 500 == 0 {
            w.doc.commit();
        }
    }
    let mut k = 0;
    while n < entries {
        k += 1;
        w.act(Act::Moderate {
            key: format!("item{k}"),
            hidden: k % 2 == 0,
            reason: "Test".into(),
        });
        n += 1;
        if n % 500 == 0 {
            w.doc.commit();
        }
    }
    w.doc.commit();
    println!("community of {members} members, {n} log entries");

    let rounds = 7;
    let mut full = Vec::new();
    let mut incremental = Vec::new();
    let mut history = LogHistory::default();
    let mut checked = Checked::new();
    let _ = replay_document(&id, w.doc.document(), &mut history, &mut checked);
    for r in 0..rounds {
        w.act(Act::Moderate {
            key: format!("new{r}"),
            hidden: true,
            reason: "Neu".into(),
        });
        w.doc.commit();
        let doc = w.doc.document();
        let t = Instant::now();
        let warm = replay_document(&id, doc, &mut history, &mut checked);
        incremental.push(t.elapsed());
        if std::env::var_os("BENCH_ONLY_INCREMENTAL").is_some() {
            continue;
        }
        let t = Instant::now();
        let cold = replay_document(&id, doc, &mut LogHistory::default(), &mut Checked::new());
        full.push(t.elapsed());
        assert_eq!(warm, cold, "incremental and full replay agree");
    }
    let i = median(incremental);
    if full.is_empty() {
        println!(
            "replay after one new entry: {:.1} ms incremental (no baseline measured)",
            i.as_secs_f64() * 1e3
        );
        return;
    }
    let f = median(full);
    println!(
        "| replay after one new entry, {members} members, {n} entries (median of {rounds}) | {:.1} ms | {:.1} ms (full replay: history read and every signature checked) | {:.2}× |",
        i.as_secs_f64() * 1e3,
        f.as_secs_f64() * 1e3,
        i.as_secs_f64() / f.as_secs_f64()
    );
}
