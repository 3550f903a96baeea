use std::io::Write;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};

use super::*;

fn chunk(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend([0, 0, 0, 0, kind]);
    let mut n = data.len();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(data);
    out
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("test");
    e.finish().expect("test")
}

/// Real documents, changes and bundles as Automerge writes them pass, and are counted.
#[test]
fn honest_chunks_pass() {
    let mut doc = AutoCommit::new();
    let text = "Bäume pflanzen am Bach. ".repeat(400);
    doc.put(ROOT, "text", text.as_str()).expect("test");
    let saved = doc.save();
    let change = doc
        .get_last_local_change()
        .expect("test")
        .raw_bytes()
        .to_vec();
    let incremental = doc.save_incremental();
    let size = inflated_size(
        [saved.clone(), change, incremental]
            .iter()
            .map(Vec::as_slice),
        1 << 20,
    )
    .expect("honest");
    assert!(size >= text.len(), "{size}");
    assert!(
        inflated_size([saved.clone()].iter().map(Vec::as_slice), 100).is_err(),
        "a small limit refuses"
    );
    let both = [saved.clone(), saved].concat();
    assert!(
        inflated_size([both].iter().map(Vec::as_slice), 1 << 20).is_ok(),
        "concatenated chunks"
    );
}

/// Finding: a compressed change chunk of zeros (about 1 MB) inflated to gigabytes on load.
#[test]
fn a_compression_bomb_is_refused_without_inflating_it() {
    let zeros = vec![0u8; 64 << 20];
    let bomb = chunk(2, &deflate(&zeros));
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    assert_eq!(
        inflated_size([bomb].iter().map(Vec::as_slice), 16 << 20),
        Err(Refused::TooLarge { limit: 16 << 20 })
    );
    // A document chunk whose one column is a deflated bomb.
    let mut body = vec![0u8, 0u8]; // no actors, no heads
    body.push(1); // one change column
    body.push(0x08 | 0x10); // deflated
    let column = deflate(&zeros);
    let mut n = column.len();
    while n >= 0x80 {
        body.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    body.push(n as u8);
    body.push(0); // no op columns
    body.extend_from_slice(&column);
    assert!(matches!(
        inflated_size([chunk(0, &body)].iter().map(Vec::as_slice), 16 << 20),
        Err(Refused::TooLarge { .. })
    ));
}

#[test]
fn bytes_that_are_not_chunks_are_refused() {
    assert!(matches!(
        inflated_size([b"hello".to_vec()].iter().map(Vec::as_slice), 1 << 20),
        Err(Refused::Malformed(_))
    ));
    let mut truncated = chunk(1, b"abcdef");
    truncated.truncate(truncated.len() - 2);
    assert!(matches!(
        inflated_size([truncated].iter().map(Vec::as_slice), 1 << 20),
        Err(Refused::Malformed(_))
    ));
    assert!(matches!(
        inflated_size(
            [chunk(2, b"\xff\xff\xff")].iter().map(Vec::as_slice),
            1 << 20
        ),
        Err(Refused::Malformed(_))
    ));
    assert_eq!(
        inflated_size([Vec::new()].iter().map(Vec::as_slice), 10),
        Ok(0)
    );
}

#[test]
fn chunks_are_found_inside_entries_as_automerge_reads_them() {
    let a = chunk(1, b"eins");
    let b = chunk(2, b"zwei");
    let mut both = a.clone();
    both.extend_from_slice(&b);
    let found = chunks([both.as_slice(), &[][..], a.as_slice()]).expect("chunks");
    let kinds: Vec<u8> = found.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, [1, 2, 1]);
    assert_eq!(found[0].1, a.as_slice());
    assert_eq!(found[1].1, b.as_slice());
    assert!(chunks([&b"no chunk"[..]]).is_err());
}
