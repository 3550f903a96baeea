//! What the checks of a sync message (`inflate::inflated_size`, `runs::operations`) cost
//! next to what Automerge does with the same bytes, measured in one run: whole documents
//! (what a joining device receives) against `Automerge::load`, and a message of small
//! changes (an ordinary sync) against `receive_sync_message`.
//!
//! `cargo bench -p allmende-sync-wire --bench checks` (release). Prints the medians and
//! their ratios.

use std::time::{Duration, Instant};

use automerge::sync::SyncDoc as _;
use automerge::transaction::Transactable as _;
use automerge::{AutoCommit, ObjType, ROOT};

const ROUNDS: usize = 15;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    median(
        (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// A document shaped like a project with a long history: a map per comment, a text edited
/// in many changes.
fn project(comments: usize) -> AutoCommit {
    let mut doc = AutoCommit::new();
    let list = doc
        .put_object(ROOT, "comments", ObjType::Map)
        .expect("comments");
    let notes = doc.put_object(ROOT, "notes", ObjType::Text).expect("notes");
    for i in 0..comments {
        let c = doc
            .put_object(&list, format!("c{i}"), ObjType::Map)
            .expect("comment");
        doc.put(&c, "author", "m-anna").expect("author");
        doc.put(&c, "text", "Wir könnten die Dachfläche der Schule nutzen.")
            .expect("text");
        doc.put(&c, "at", i64::try_from(i).expect("small"))
            .expect("at");
        doc.splice_text(&notes, 0, 0, "Notiz ").expect("notes");
        doc.commit();
    }
    doc
}

fn main() {
    let limits = allmende_sync_wire::runs::LIMITS;
    let inflate = 64 << 20;
    println!("| case | checks | Automerge | ratio |");
    println!("|---|---|---|---|");
    for comments in [200, 2_000] {
        let mut doc = project(comments);
        let saved = doc.save();
        let checks = time(|| {
            allmende_sync_wire::inflate::inflated_size([saved.as_slice()], inflate).expect("size");
            allmende_sync_wire::runs::operations([saved.as_slice()], limits, inflate)
                .expect("operations");
        });
        let load = time(|| {
            automerge::Automerge::load(&saved).expect("load");
        });
        println!(
            "| whole document, {comments} comments ({} KB) | {:.2} ms | {:.2} ms | {:.3}× |",
            saved.len() / 1024,
            checks.as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e3,
            checks.as_secs_f64() / load.as_secs_f64()
        );
        // The last 100 changes, as a sync message to a peer that has the rest.
        let all = doc.get_changes(&[]);
        let tail: Vec<Vec<u8>> = all[all.len() - 100..]
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        let base = doc
            .document()
            .get_changes(&[])
            .iter()
            .take(all.len() - 100)
            .map(|c| c.raw_bytes().to_vec())
            .collect::<Vec<_>>();
        let mut behind = automerge::Automerge::new();
        behind
            .apply_changes(
                base.iter()
                    .map(|b| automerge::Change::try_from(b.as_slice()).expect("change")),
            )
            .expect("apply");
        let mut message = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("a message");
        message.changes = tail.clone().into();
        let encoded = message.encode();
        let checks = time(|| {
            let m = automerge::sync::Message::decode(&encoded).expect("decode");
            allmende_sync_wire::inflate::inflated_size(m.changes.iter(), inflate).expect("size");
            allmende_sync_wire::runs::operations(m.changes.iter(), limits, inflate)
                .expect("operations");
        });
        let apply = time(|| {
            let mut d = behind.clone();
            let m = automerge::sync::Message::decode(&encoded).expect("decode");
            d.receive_sync_message(&mut automerge::sync::State::new(), m)
                .expect("receive");
        });
        let clone = time(|| {
            let _ = behind.clone();
        });
        let apply = apply.saturating_sub(clone);
        println!(
            "| 100 changes on a document of {comments} comments | {:.3} ms | {:.3} ms | {:.3}× |",
            checks.as_secs_f64() * 1e3,
            apply.as_secs_f64() * 1e3,
            checks.as_secs_f64() / apply.as_secs_f64()
        );
    }
}
