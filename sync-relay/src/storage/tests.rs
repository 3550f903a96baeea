use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ChangeHash, ReadDoc, ROOT};
use proptest::prelude::*;

use super::*;

#[tokio::test]
async fn appends_compacts_and_reads_back() {
    let dir = tempfile::tempdir().expect("test");
    let store = Store::open(dir.path()).expect("test");
    let one = store
        .append("docA", b"one".to_vec(), "", Vec::new())
        .await
        .expect("test");
    let two = store
        .append("docA", b"two".to_vec(), "", Vec::new())
        .await
        .expect("test");
    assert_ne!(one, two);
    assert!(store
        .append("docB", b"x".to_vec(), "", Vec::new())
        .await
        .is_some());
    let a = store.document("docA").expect("test");
    assert_eq!(a.keys.len(), 2);
    assert_eq!(a.bytes.len(), 6);
    assert_eq!(store.document_count().expect("test"), 2);
    let snap = store
        .compact("docA", b"all".to_vec(), a.keys, "", Vec::new())
        .await
        .expect("test");
    assert_eq!(
        store.document("docA").expect("test"),
        Stored {
            bytes: b"all".to_vec(),
            keys: vec![snap]
        }
    );
    store.close();
    assert!(store
        .append("docA", b"late".to_vec(), "", Vec::new())
        .await
        .is_none());
    let again = Store::open(dir.path()).expect("test");
    assert_eq!(again.document_bytes("docB").expect("test"), b"x".to_vec());
    assert_eq!(again.documents().expect("test").len(), 2);
}

#[tokio::test]
async fn two_chunks_never_share_a_key_and_the_same_chunk_is_stored_once() {
    let dir = tempfile::tempdir().expect("test");
    let store = Store::open(dir.path()).expect("test");
    let a = store
        .append("d", b"anna".to_vec(), "", Vec::new())
        .await
        .expect("test");
    let b = store
        .append("d", b"ben".to_vec(), "", Vec::new())
        .await
        .expect("test");
    let again = store
        .append("d", b"anna".to_vec(), "", Vec::new())
        .await
        .expect("test");
    assert_eq!(a, again);
    assert_ne!(a, b);
    let stored = store.document("d").expect("test");
    assert_eq!(stored.keys.len(), 2);
    assert_eq!(stored.bytes.len(), b"annaben".len());
}

#[tokio::test]
async fn a_compaction_deletes_only_the_chunks_it_names() {
    let dir = tempfile::tempdir().expect("test");
    let store = Store::open(dir.path()).expect("test");
    let old = store
        .append("d", b"old".to_vec(), "", Vec::new())
        .await
        .expect("test");
    // Written after the snapshot was made from `old`.
    let new = store
        .append("d", b"new".to_vec(), "", Vec::new())
        .await
        .expect("test");
    let snap = store
        .compact("d", b"snapshot".to_vec(), vec![old.clone()], "", Vec::new())
        .await
        .expect("test");
    let keys: BTreeSet<String> = store
        .document("d")
        .expect("test")
        .keys
        .into_iter()
        .collect();
    assert_eq!(keys, BTreeSet::from([new, snap]));
    assert!(!keys.contains(&old));
    // Another document's chunk of the same name is not touched either.
    assert!(store
        .append("e", b"old".to_vec(), "", Vec::new())
        .await
        .is_some());
    let _ = store
        .compact("d", b"again".to_vec(), vec![old], "", Vec::new())
        .await;
    assert_eq!(store.document("e").expect("test").keys.len(), 1);
}

#[tokio::test]
async fn a_store_written_with_head_named_chunks_reads_as_before() {
    let dir = tempfile::tempdir().expect("test");
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "n", 1).expect("test");
    let first = doc.save();
    doc.put(ROOT, "n", 2).expect("test");
    let heads = doc.get_heads();
    let second = doc.save_incremental();
    {
        // As the relay wrote it before chunks were content-addressed.
        let conn = open_conn(dir.path()).expect("test");
        conn.execute_batch(
            "CREATE TABLE kv (key TEXT PRIMARY KEY, doc TEXT NOT NULL, data BLOB NOT NULL);
             CREATE INDEX kv_doc ON kv(doc);",
        )
        .expect("test");
        conn.execute(
            "INSERT INTO kv VALUES (?1, 'd', ?2)",
            params![format!("d/snapshot/{}", heads[0]), first],
        )
        .expect("test");
        conn.execute(
            "INSERT INTO kv VALUES (?1, 'd', ?2)",
            params![format!("d/incremental/{}", heads[0]), second],
        )
        .expect("test");
    }
    let store = Store::open(dir.path()).expect("test");
    let stored = store.document("d").expect("test");
    let loaded = Automerge::load(&stored.bytes).expect("test");
    assert_eq!(loaded.get_heads(), heads);
    let mut disk = OnDisk::loaded(&stored, 2);
    assert!(disk.save(&store, "d", &loaded, &heads, Vec::new()).await);
    let after = store.document("d").expect("test");
    assert_eq!(
        after.keys.len(),
        1,
        "the first compaction replaces the old keys"
    );
    assert_eq!(
        Automerge::load(&after.bytes).expect("test").get_heads(),
        heads
    );
}

/// One step of devices working against the relay's document.
#[derive(Debug, Clone)]
enum Step {
    /// Device `n` makes a change offline.
    Edit(usize),
    /// Device `n` sends the relay what it is missing; the relay stores and acknowledges it.
    Push(usize),
    /// Device `n` takes everything the relay has.
    Pull(usize),
    /// The relay is killed and starts again from its store.
    Restart,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize).prop_map(Step::Edit),
        3 => (0..3usize).prop_map(Step::Push),
        1 => (0..3usize).prop_map(Step::Pull),
        1 => Just(Step::Restart),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("test")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any interleaving of concurrent changes arriving, compactions (every few chunks) and
    /// restarts keeps every change the relay acknowledged.
    #[test]
    fn every_acknowledged_change_survives(
        steps in proptest::collection::vec(step(), 1..40),
        compact_after in 2..6usize,
    ) {
        runtime().block_on(async {
            let dir = tempfile::tempdir().expect("test");
            let mut store = Store::open(dir.path()).expect("test");
            let mut relay = Automerge::new();
            let mut disk = OnDisk { compact_after, ..OnDisk::default() };
            let mut devices: Vec<AutoCommit> = (0..3u64)
                .map(|n| AutoCommit::new().with_actor(automerge::ActorId::from(vec![n as u8 + 1; 16])))
                .collect();
            let mut acknowledged: BTreeSet<ChangeHash> = BTreeSet::new();
            let mut counter = 0u64;
            for s in steps {
                match s {
                    Step::Edit(n) => {
                        counter += 1;
                        devices[n].put(ROOT, format!("k{counter}"), counter).expect("test");
                    }
                    Step::Push(n) => {
                        let before = relay.get_heads();
                        let mut theirs = devices[n].document().clone();
                        relay.merge(&mut theirs).expect("test");
                        if relay.get_heads() != before
                            && disk.save(&store, "d", &relay, &before, Vec::new()).await
                        {
                            acknowledged.extend(relay.get_changes(&[]).iter().map(|c| c.hash()));
                        }
                    }
                    Step::Pull(n) => {
                        let mut ours = AutoCommit::load(&relay.save()).expect("test");
                        devices[n].merge(&mut ours).expect("test");
                    }
                    Step::Restart => {
                        store.close();
                        store = Store::open(dir.path()).expect("test");
                        let stored = store.document("d").expect("test");
                        relay = if stored.bytes.is_empty() { Automerge::new() } else { Automerge::load(&stored.bytes).expect("test") };
                        disk = OnDisk::loaded(&stored, compact_after);
                    }
                }
            }
            store.close();
            let reopened = Store::open(dir.path()).expect("test");
            let loaded = Automerge::load(&reopened.document("d").expect("test").bytes).expect("test");
            for hash in &acknowledged {
                prop_assert!(loaded.get_change_by_hash(hash).is_some(), "lost {hash}");
            }
            Ok(())
        })?;
    }
}
