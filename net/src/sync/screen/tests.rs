//! The checks of a frame from the other side.

use super::*;
use allmende_sync_wire::protocol;
use automerge::sync::SyncDoc as _;
use automerge::transaction::Transactable as _;

/// A sync message carrying `changes` (whole chunks).
fn carrying(changes: Vec<Vec<u8>>) -> Vec<u8> {
    let mut m = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("a first message");
    m.changes = changes.into();
    protocol::sync("device:ab:p2p", "device:cd:p2p", "4Tz9wc", &m.encode())
}

/// A change of `actor` numbered `seq`, with `extra` bytes after its operations (where
/// Automerge writes a change's author).
fn authored(actor: &automerge::ActorId, seq: u64, text: &str, extra: Vec<u8>) -> Vec<u8> {
    use automerge::legacy::{Key, ObjectId, Op, OpType};
    automerge::Change::from(automerge::ExpandedChange {
        operations: vec![Op {
            action: OpType::Put(text.into()),
            obj: ObjectId::Root,
            key: Key::Map("note".into()),
            pred: Vec::new().into(),
            insert: false,
        }],
        actor_id: actor.clone(),
        hash: None,
        seq,
        start_op: std::num::NonZeroU64::new(seq).expect("from 1"),
        time: 0,
        message: None,
        deps: Vec::new(),
        extra_bytes: extra,
        author: None,
    })
    .raw_bytes()
    .to_vec()
}

#[test]
fn an_honest_message_passes() {
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "title", "Solardach").expect("put");
    doc.commit();
    doc.put(automerge::ROOT, "title", "Solardach Schule")
        .expect("put");
    doc.commit();
    let changes = doc
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    assert_eq!(check(&carrying(changes)), Ok(()));
    // And what carries no changes.
    assert_eq!(check(&protocol::join("device:ab:p2p")), Ok(()));
}

/// Automerge unpacks a bundle into changes without the checks above; the sync protocol
/// never sends one.
#[test]
fn a_bundle_is_refused() {
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "title", "Solardach").expect("put");
    doc.commit();
    let heads = doc.get_heads();
    let bundle = doc.document().bundle(heads).expect("a bundle");
    assert_eq!(
        check(&carrying(vec![bundle.bytes().to_vec()])),
        Err(Refused::Bundle)
    );
}

/// Automerge asserts that a change naming its author is its actor's first: such a change
/// numbered 2 would panic the repository.
#[test]
fn an_authored_change_past_its_first_is_refused() {
    let mut doc =
        automerge::Automerge::new().with_author(Some(automerge::Author::from(vec![7u8; 16])));
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "note", "eins").expect("put");
    tx.commit();
    let first = doc.get_changes(&[]).remove(0);
    let footer = first.extra_bytes().to_vec();
    assert!(first.author().is_some(), "Automerge wrote the author");
    let actor = first.actor_id().clone();
    let frame = carrying(vec![
        first.raw_bytes().to_vec(),
        authored(&actor, 2, "zwei", footer),
    ]);
    assert_eq!(check(&frame), Err(Refused::AuthoredPastOne(2)));
}

#[test]
fn a_compression_bomb_is_refused_before_it_inflates() {
    use std::io::Write as _;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(MAX_INFLATED >> 20) + 1 {
        e.write_all(&zeros).expect("deflate");
    }
    let deflated = e.finish().expect("deflate");
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut n = deflated.len();
    while n >= 0x80 {
        chunk.push(u8::try_from(n & 0x7f).expect("byte") | 0x80);
        n >>= 7;
    }
    chunk.push(u8::try_from(n).expect("byte"));
    chunk.extend_from_slice(&deflated);
    assert!(matches!(
        check(&carrying(vec![chunk])),
        Err(Refused::Inflate(_))
    ));
}

#[test]
fn a_sync_message_that_does_not_decode_is_refused() {
    let frame = protocol::sync(
        "device:ab:p2p",
        "device:cd:p2p",
        "4Tz9wc",
        b"\x42\x99kaputt",
    );
    assert_eq!(check(&frame), Err(Refused::Message));
    assert!(matches!(check(b"\xff\x00"), Err(Refused::Protocol(_))));
}

/// A CBOR map of short text keys and values (each under 24 bytes).
fn map_of(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = vec![0xa0 | u8::try_from(pairs.len()).expect("few")];
    for text in pairs.iter().flat_map(|(k, v)| [*k, *v]) {
        out.push(0x60 | u8::try_from(text.len()).expect("short"));
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// Messages Automerge does not read are samod's to judge, also where this decoder would
/// refuse them (an ephemeral message without the fields the relay reads, a newer type); a
/// sync message that does not decode here is refused.
#[test]
fn only_what_automerge_reads_must_decode_here() {
    let ephemeral = map_of(&[("type", "ephemeral"), ("documentId", "4Tz9wc")]);
    assert_eq!(check(&ephemeral), Ok(()));
    assert_eq!(check(&map_of(&[("type", "something-newer")])), Ok(()));
    let sync = map_of(&[("type", "sync"), ("documentId", "4Tz9wc")]);
    assert!(matches!(check(&sync), Err(Refused::Protocol(_))));
}
