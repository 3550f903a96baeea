//! Fresh ids from the operating system's random source.

use allmende_core::{DocId, IdSource};
use rand::RngCore;

/// Random document ids (16 bytes, automerge-repo style) and short entry ids (8 bytes).
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn doc_id(&mut self) -> DocId {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        DocId::from_bytes(bytes)
    }

    fn short_id(&mut self) -> String {
        let mut bytes = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut bytes);
        bs58_short(&bytes)
    }
}

fn bs58_short(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut n = u64::from_be_bytes(bytes.try_into().unwrap_or([0; 8]));
    let mut out = Vec::new();
    while n > 0 {
        out.push(ALPHABET[usize::try_from(n % 58).unwrap_or(0)]);
        n /= 58;
    }
    if out.is_empty() {
        out.push(b'1');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
