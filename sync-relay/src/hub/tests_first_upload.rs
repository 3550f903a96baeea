//! Finding 6 of the edge review: a stranger in the round in which a document is first
//! uploaded gets nothing of it and keeps nothing out.

use super::tests::{channel_conn, next_frame};
use super::*;
use automerge::sync::SyncDoc;
use automerge::transaction::Transactable;

/// Finding 6, second half: a stranger who asks for a known id while its creator uploads it
/// was judged by the rules from before the round (a document the relay does not have is
/// open to anyone's request) and got the round's answer unchecked, so it received the
/// first upload of a document it may not read. Now everyone who did not bring changes in
/// the round is judged by the rules after it.
#[tokio::test]
async fn a_stranger_asking_while_a_document_is_first_uploaded_gets_nothing_of_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(
        Store::open(dir.path()).expect("store"),
        Access::new(false),
        metrics.clone(),
        1 << 30,
        1 << 30,
    );
    let key = crate::access::tests::Key(ed25519_dalek::SigningKey::from_bytes(&[5; 32]));
    let (id, mut doc) = crate::access::tests::proven_idea(&key);
    let creator = format!(
        "device:{}:s1",
        allmende_core::governance::Signer::public_hex(&key)
    );
    let stranger = "device:ee:s2".to_string();
    let mut conns = Vec::new();
    for peer in [&stranger, &creator] {
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.as_str().into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        conns.push((tx, out));
    }
    // Both messages are sent before either connection runs: the document's actor takes them
    // in one round (it loads the document from disk first).
    let first = || {
        automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("first message")
    };
    conns[0]
        .0
        .unbounded_send(Ok(protocol::request(
            &stranger,
            RELAY_ID,
            &id,
            &first().encode(),
        )))
        .expect("send");
    let mut upload = first();
    upload.heads = doc.get_heads();
    upload.changes = doc
        .document()
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect::<Vec<_>>()
        .into();
    conns[1]
        .0
        .unbounded_send(Ok(protocol::sync(
            &creator,
            RELAY_ID,
            &id,
            &upload.encode(),
        )))
        .expect("send");
    let (kind, frame) = next_frame(&mut conns[0].1).await;
    assert!(
        !String::from_utf8_lossy(&frame).contains("Trinkbrunnen")
            && !matches!(protocol::decode(&frame), Ok(Inbound::Sync { .. })),
        "the stranger got the idea: {kind}"
    );
    assert_eq!(kind, "doc-unavailable");
    // The creator's upload was stored and acknowledged.
    let (kind, _) = next_frame(&mut conns[1].1).await;
    assert_eq!(kind, "sync");
}

/// From an adversarial review of the round check: a stranger who sends changes of its own
/// in the round of a document's first upload counted as a writer, got the round's answer
/// (the document) and had its changes stored in it; where the relay refused it, the whole
/// round went, so sending in every round kept the creator's upload out. Now the stranger is
/// refused and the document is built again from the creator's messages alone.
#[tokio::test]
async fn a_stranger_writing_in_the_round_of_a_first_upload_gets_nothing_and_keeps_nothing_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let metrics = Arc::new(Metrics::default());
    let store = Store::open(dir.path()).expect("store");
    let hub = Hub::new(
        store.clone(),
        Access::new(false),
        metrics.clone(),
        1 << 30,
        1 << 30,
    );
    let key = crate::access::tests::Key(ed25519_dalek::SigningKey::from_bytes(&[6; 32]));
    let (id, mut doc) = crate::access::tests::proven_idea(&key);
    let creator = format!(
        "device:{}:s1",
        allmende_core::governance::Signer::public_hex(&key)
    );
    let stranger = "device:ef:s2".to_string();
    let mut conns = Vec::new();
    for peer in [&stranger, &creator] {
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.as_str().into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        conns.push((tx, out));
    }
    let message = |changes: Vec<Vec<u8>>| {
        let mut m = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("first message");
        m.changes = changes.into();
        m.encode()
    };
    let mut own = automerge::Automerge::new();
    own.transact(|t| t.put(automerge::ROOT, "graffiti", "Mallory war hier"))
        .expect("edit");
    let graffiti = own
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    conns[0]
        .0
        .unbounded_send(Ok(protocol::sync(
            &stranger,
            RELAY_ID,
            &id,
            &message(vec![graffiti]),
        )))
        .expect("send");
    let upload: Vec<Vec<u8>> = doc
        .document()
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    conns[1]
        .0
        .unbounded_send(Ok(protocol::sync(
            &creator,
            RELAY_ID,
            &id,
            &message(upload),
        )))
        .expect("send");
    let (kind, frame) = next_frame(&mut conns[0].1).await;
    assert!(
        !String::from_utf8_lossy(&frame).contains("Trinkbrunnen"),
        "the stranger got the idea"
    );
    assert_eq!(kind, "doc-unavailable");
    // The creator's upload is stored, without the stranger's change: a reader gets it.
    let (kind, _) = next_frame(&mut conns[1].1).await;
    assert_eq!(kind, "sync");
    let stored = store.document_bytes(&id).expect("stored");
    let copy = automerge::Automerge::load(&stored).expect("load");
    use automerge::ReadDoc;
    assert!(
        copy.get(automerge::ROOT, "title").expect("read").is_some(),
        "the idea is stored"
    );
    assert!(
        copy.get(automerge::ROOT, "graffiti")
            .expect("read")
            .is_none(),
        "the stranger's change is not"
    );
}

/// From a review of the quota across documents: the document built again from the
/// creator's messages kept the changes that wait for a dependency, held for nobody (the
/// round had let go of what it held), so once the dependency came they were stored and
/// charged to nobody. What waits in the rebuilt document is dropped now (the creator's
/// client sends it again).
#[tokio::test]
async fn changes_waiting_in_a_rebuilt_first_upload_are_never_stored_for_free() {
    use automerge::ReadDoc;
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(dir.path()).expect("store");
    let key = crate::access::tests::Key(ed25519_dalek::SigningKey::from_bytes(&[7; 32]));
    let (id, mut doc) = crate::access::tests::proven_idea(&key);
    let hex = allmende_core::governance::Signer::public_hex(&key);
    let creator = format!("device:{hex}:s1");
    // The creator is a member of the community the idea names; the stranger is not.
    let access = Access::new(false);
    access.know_for_test("C1", &[(hex.as_str(), "m1")], &[]);
    let hub = Hub::new(
        store.clone(),
        access,
        Arc::new(Metrics::default()),
        1 << 30,
        1 << 30,
    );
    let stranger = "device:ef:s2".to_string();
    let mut conns = Vec::new();
    for peer in [&stranger, &creator] {
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.as_str().into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        conns.push((tx, out));
    }
    let message = |changes: Vec<Vec<u8>>| {
        let mut m = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("first message");
        m.changes = changes.into();
        m.encode()
    };
    let upload: Vec<Vec<u8>> = doc
        .document()
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let mut later = doc.fork();
    later.put(automerge::ROOT, "first", "x").expect("edit");
    later.commit();
    let missing = later
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    later
        .put(
            automerge::ROOT,
            "later",
            super::tests::noise(9, 20_000).as_str(),
        )
        .expect("edit");
    later.commit();
    let waits = later
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    let mut own = automerge::Automerge::new();
    own.transact(|t| t.put(automerge::ROOT, "graffiti", "Mallory war hier"))
        .expect("edit");
    let graffiti = own
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    conns[0]
        .0
        .unbounded_send(Ok(protocol::sync(
            &stranger,
            RELAY_ID,
            &id,
            &message(vec![graffiti]),
        )))
        .expect("send");
    let mut first = upload;
    first.push(waits.clone());
    conns[1]
        .0
        .unbounded_send(Ok(protocol::sync(&creator, RELAY_ID, &id, &message(first))))
        .expect("send");
    assert_eq!(next_frame(&mut conns[0].1).await.0, "doc-unavailable");
    assert_eq!(next_frame(&mut conns[1].1).await.0, "sync");
    // The dependency comes.
    conns[1]
        .0
        .unbounded_send(Ok(protocol::sync(
            &creator,
            RELAY_ID,
            &id,
            &message(vec![missing]),
        )))
        .expect("send");
    assert_eq!(next_frame(&mut conns[1].1).await.0, "sync");
    let stored =
        automerge::Automerge::load(&store.document_bytes(&id).expect("stored")).expect("load");
    let kept = stored
        .get(automerge::ROOT, "later")
        .expect("read")
        .is_some();
    let device = creator
        .rsplit_once(':')
        .map(|(d, _)| d.to_string())
        .expect("device");
    let charged = store
        .usage()
        .expect("usage")
        .get(&device)
        .copied()
        .unwrap_or(0);
    assert!(
        !kept || charged >= u64::try_from(waits.len()).expect("len"),
        "stored uncharged: {charged} bytes charged to {device}"
    );
}

/// From a second review: in the round of a first upload, a stranger sent the creator's
/// changes first; the creator, sending them too, paid only for what was new by then, and the
/// refused stranger's charge was taken back, so the document was stored for free. Who pays
/// for a rebuilt first upload is worked out from the kept writers' messages now.
#[tokio::test]
async fn a_strangers_copy_in_the_round_of_a_first_upload_makes_nothing_free() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(dir.path()).expect("store");
    let key = crate::access::tests::Key(ed25519_dalek::SigningKey::from_bytes(&[8; 32]));
    let (id, mut doc) = crate::access::tests::proven_idea(&key);
    let hex = allmende_core::governance::Signer::public_hex(&key);
    let creator = format!("device:{hex}:s1");
    let access = Access::new(false);
    access.know_for_test("C1", &[(hex.as_str(), "m1")], &[]);
    let hub = Hub::new(
        store.clone(),
        access,
        Arc::new(Metrics::default()),
        1 << 30,
        1 << 30,
    );
    let stranger = "device:ef:s2".to_string();
    let mut conns = Vec::new();
    for peer in [&stranger, &creator] {
        let (conn, tx, mut out) = channel_conn();
        hub.accept(conn, peer.as_str().into());
        tx.unbounded_send(Ok(protocol::join(peer))).expect("send");
        assert_eq!(next_frame(&mut out).await.0, "peer");
        conns.push((tx, out));
    }
    let message = |changes: Vec<Vec<u8>>| {
        let mut m = automerge::Automerge::new()
            .generate_sync_message(&mut automerge::sync::State::new())
            .expect("first message");
        m.changes = changes.into();
        m.encode()
    };
    let upload: Vec<Vec<u8>> = doc
        .document()
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    doc.put(automerge::ROOT, "note", "x").expect("edit");
    doc.commit();
    let more = doc
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    conns[0]
        .0
        .unbounded_send(Ok(protocol::sync(
            &stranger,
            RELAY_ID,
            &id,
            &message(upload.clone()),
        )))
        .expect("send");
    let mut all = upload;
    all.push(more);
    conns[1]
        .0
        .unbounded_send(Ok(protocol::sync(
            &creator,
            RELAY_ID,
            &id,
            &message(all.clone()),
        )))
        .expect("send");
    assert_eq!(next_frame(&mut conns[0].1).await.0, "doc-unavailable");
    assert_eq!(next_frame(&mut conns[1].1).await.0, "sync");
    let device = creator
        .rsplit_once(':')
        .map(|(d, _)| d.to_string())
        .expect("device");
    let charged = store.usage().expect("usage");
    let brought: u64 = all
        .iter()
        .map(|c| u64::try_from(c.len()).expect("len"))
        .sum();
    assert_eq!(charged.get(&device).copied(), Some(brought), "{charged:?}");
    assert_eq!(
        charged.get("device:ef").copied().unwrap_or(0),
        0,
        "{charged:?}"
    );
}
