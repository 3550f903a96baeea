//! Counting the values of columns, and the bloom filter's numbers.

use super::*;
use automerge::transaction::Transactable as _;

const LIMIT: u64 = 1 << 20;
const LIMITS: Limits = Limits {
    per_change: LIMIT,
    per_message: 4 * LIMIT,
};
const INFLATE: usize = 1 << 24;

fn uleb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = u8::try_from(n & 0x7f).expect("seven bits");
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb(mut n: i64, out: &mut Vec<u8>) {
    loop {
        let byte = u8::try_from(n & 0x7f).expect("seven bits");
        n >>= 7;
        let done = (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A change chunk whose one column (an unsigned one) says "0, `run` times".
fn run_of(run: i64) -> Vec<u8> {
    let mut body = vec![0]; // no dependencies
    body.push(16);
    body.extend_from_slice(&[7; 16]); // the actor
    body.extend_from_slice(&[1, 1, 0, 0, 0]); // seq, start op, time, message, other actors
    let mut column = Vec::new();
    sleb(run, &mut column);
    uleb(0, &mut column);
    body.push(1);
    uleb((1 << 4) | 2, &mut body);
    uleb(column.len() as u64, &mut body);
    body.extend_from_slice(&column);
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1];
    uleb(body.len() as u64, &mut chunk);
    chunk.extend_from_slice(&body);
    chunk
}

#[test]
fn a_run_of_a_value_counts_as_so_many() {
    assert_eq!(
        operations([run_of(1_000).as_slice()], LIMITS, INFLATE),
        Ok(1_000)
    );
    assert_eq!(
        operations([run_of(1 << 62).as_slice()], LIMITS, INFLATE),
        Err(Refused::TooManyOperations { limit: 1 << 20 })
    );
}

#[test]
fn changes_and_documents_automerge_writes_count_their_operations() {
    let mut doc = automerge::AutoCommit::new();
    let list = doc
        .put_object(automerge::ROOT, "list", automerge::ObjType::List)
        .expect("list");
    for i in 0..500 {
        doc.insert(&list, i, "Eintrag").expect("insert");
    }
    doc.commit();
    doc.put(automerge::ROOT, "title", "Solardach").expect("put");
    doc.commit();
    let changes: Vec<Vec<u8>> = doc
        .get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let n = operations(changes.iter().map(Vec::as_slice), LIMITS, INFLATE).expect("honest");
    assert!((502..=510).contains(&n), "{n}");
    let saved = doc.save();
    let n = operations([saved.as_slice()], LIMITS, INFLATE).expect("a whole document");
    assert!((502..=510).contains(&n), "{n}");
    let plain = doc.save_nocompress();
    assert_eq!(
        operations([plain.as_slice()], LIMITS, INFLATE),
        Ok(n),
        "compressed or not"
    );
    let small = Limits {
        per_change: 100,
        per_message: 100,
    };
    assert!(operations([saved.as_slice()], small, INFLATE).is_err());
}

#[test]
fn a_bloom_filter_automerge_writes_passes_and_one_it_cannot_use_is_refused() {
    use automerge::sync::SyncDoc as _;
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "title", "Solardach").expect("put");
    doc.commit();
    let mut state = automerge::sync::State::new();
    let m = doc
        .sync()
        .generate_sync_message(&mut state)
        .expect("a message");
    for have in &m.have {
        assert_eq!(bloom(&have.bloom.to_bytes()), Ok(()));
    }
    assert_eq!(bloom(&[]), Ok(()));
    assert!(bloom(&[1, 0, 7]).is_err(), "no bits");
    assert!(
        bloom(&[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0]).is_err(),
        "4 billion probes"
    );
    assert_eq!(bloom(&[1, 10, 7, 0, 0]), Ok(()));
}

/// A change chunk of `run` operations "put null at key k of the root", in a few bytes.
fn ops_run(run: i64) -> Vec<u8> {
    let mut body = vec![0];
    body.push(16);
    body.extend_from_slice(&[7; 16]);
    body.extend_from_slice(&[1, 1, 0, 0, 0]);
    let mut cols: Vec<(u64, Vec<u8>)> = Vec::new();
    // key string: a run of "k"
    let mut c = Vec::new();
    sleb(run, &mut c);
    c.extend_from_slice(&[1, b'k']);
    cols.push(((1 << 4) | 5, c));
    // insert: a run of false
    let mut c = Vec::new();
    uleb(u64::try_from(run).expect("positive"), &mut c);
    cols.push(((3 << 4) | 4, c));
    // action: a run of 1 (put)
    let mut c = Vec::new();
    sleb(run, &mut c);
    uleb(1, &mut c);
    cols.push(((4 << 4) | 2, c));
    // value metadata: a run of 0 (null)
    let mut c = Vec::new();
    sleb(run, &mut c);
    uleb(0, &mut c);
    cols.push(((5 << 4) | 6, c));
    // pred group: a run of 0
    let mut c = Vec::new();
    sleb(run, &mut c);
    uleb(0, &mut c);
    cols.push(((7 << 4), c));
    cols.sort_by_key(|(spec, _)| *spec);
    uleb(cols.len() as u64, &mut body);
    for (spec, data) in &cols {
        uleb(*spec, &mut body);
        uleb(data.len() as u64, &mut body);
    }
    for (_, data) in &cols {
        body.extend_from_slice(data);
    }
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1];
    uleb(body.len() as u64, &mut chunk);
    chunk.extend_from_slice(&body);
    chunk
}

/// Automerge 0.12 walks every operation such a change claims: `Change::try_from` of one of
/// 2^40 operations (about 60 bytes) ran for as long as it was let (checked by hand). The
/// count refuses it; Automerge reads the small one as three operations.
#[test]
fn a_change_claiming_a_trillion_operations_is_refused_before_automerge_reads_it() {
    let small = ops_run(3);
    assert_eq!(
        automerge::Change::try_from(small.as_slice())
            .expect("a change")
            .len(),
        3
    );
    assert_eq!(operations([small.as_slice()], LIMITS, INFLATE), Ok(3));
    let bomb = ops_run(1 << 40);
    assert!(bomb.len() < 100, "{} bytes", bomb.len());
    assert_eq!(
        operations([bomb.as_slice()], LIMITS, INFLATE),
        Err(Refused::TooManyOperations { limit: 1 << 20 })
    );
}

/// A change may hold up to a million operations, a message (whole documents included) up to
/// the message limit: a whole document past a change's limit passes.
#[test]
fn a_document_may_hold_more_operations_than_a_change() {
    let limits = Limits {
        per_change: 100,
        per_message: 10_000,
    };
    let mut doc = automerge::AutoCommit::new();
    for i in 0..50 {
        doc.put(automerge::ROOT, format!("k{i}"), i).expect("put");
        doc.commit();
    }
    let saved = doc.save();
    assert!(operations([saved.as_slice()], limits, INFLATE).is_ok());
    assert_eq!(
        operations([ops_run(101).as_slice()], limits, INFLATE),
        Err(Refused::TooManyOperations { limit: 100 })
    );
    let many: Vec<Vec<u8>> = (0..101).map(|_| ops_run(100)).collect();
    assert_eq!(
        operations(many.iter().map(Vec::as_slice), limits, INFLATE),
        Err(Refused::TooManyOperations { limit: 10_000 })
    );
}

/// Automerge 0.12 panics answering a `need` that names one change twice (found by a
/// review); an honest sync names each once, and asks for a handful.
#[test]
fn a_need_naming_a_change_twice_or_too_many_bloom_filters_are_refused() {
    let a = [1u8; 32];
    let b = [2u8; 32];
    assert_eq!(asks([&a, &b], 1), Ok(()));
    assert!(asks([&a, &a], 1).is_err());
    assert!(asks([], MAX_HAVES + 1).is_err());
    let many: Vec<[u8; 32]> = (0..10_000_u64)
        .map(|i| {
            let mut h = [0u8; 32];
            h[..8].copy_from_slice(&i.to_le_bytes());
            h
        })
        .collect();
    assert_eq!(
        asks(many.iter(), 1),
        Ok(()),
        "thousands of heads may be asked for"
    );
}
