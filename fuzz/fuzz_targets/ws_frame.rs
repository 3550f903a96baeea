//! Bytes a stranger sends on the relay's WebSocket after the handshake, handed to the
//! deframer in the pieces the first byte chooses (as a socket would): frames or one error,
//! never a panic, never a message over the limit, and the buffer never empty or beyond
//! what the frame still needs.
#![no_main]

use allmende_sync_wire::frame::{Deframer, Frame, GROW_STEP};
use libfuzzer_sys::fuzz_target;

const MAX: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, mut rest)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let mut d = Deframer::new(MAX);
    while !rest.is_empty() {
        let buf = d.buffer();
        assert!(!buf.is_empty(), "the deframer always has room");
        assert!(
            buf.len() <= GROW_STEP.max(14),
            "room grows with what arrived"
        );
        let n = buf.len().min(chunk).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        match d.advance(n) {
            Ok(Some(Frame::Message(m))) => assert!(m.len() <= MAX),
            Ok(Some(Frame::Ping(p))) => assert!(p.len() <= 125),
            Ok(_) => {}
            Err(_) => return,
        }
    }
});
