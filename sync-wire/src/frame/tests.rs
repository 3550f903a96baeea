use super::*;
use proptest::prelude::*;

/// A masked client frame.
fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
    match payload.len() {
        n if n < 126 => out.push(0x80 | u8::try_from(n).expect("short")),
        n if n <= 0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&u16::try_from(n).expect("medium").to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

/// Feeds `bytes` in pieces of at most `chunk`, as a socket would hand them over.
fn feed(d: &mut Deframer, bytes: &[u8], chunk: usize) -> Vec<Result<Frame, FrameError>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let buf = d.buffer();
        assert!(!buf.is_empty(), "the deframer always has room");
        let n = buf.len().min(chunk.max(1)).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        match d.advance(n) {
            Ok(None) => {}
            Ok(Some(f)) => out.push(Ok(f)),
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

#[test]
fn a_message_in_fragments_with_a_ping_between_comes_back_whole() {
    let mut bytes = frame(false, 0x2, b"Baeu");
    bytes.extend(frame(true, 0x9, b"hi"));
    bytes.extend(frame(true, 0x0, b"me"));
    let mut d = Deframer::new(1024);
    let got = feed(&mut d, &bytes, 3);
    assert_eq!(
        got,
        vec![
            Ok(Frame::Fragment),
            Ok(Frame::Ping(b"hi".to_vec())),
            Ok(Frame::Message(b"Baeume".to_vec()))
        ]
    );
}

#[test]
fn an_announced_length_over_the_limit_is_refused_before_its_payload() {
    let mut d = Deframer::new(1000);
    let head = &frame(true, 0x2, &vec![0; 70_000])[..14];
    assert_eq!(feed(&mut d, head, 64), vec![Err(FrameError::TooLong(1000))]);
    // A length far beyond memory claims no memory: the buffer grows with what arrives.
    let mut d = Deframer::new(usize::MAX);
    let mut head = vec![0x82, 0x80 | 127];
    head.extend_from_slice(&(u64::MAX >> 1).to_be_bytes());
    head.extend_from_slice(&[1, 2, 3, 4]);
    assert!(feed(&mut d, &head, 64).is_empty());
    assert_eq!(d.buffer().len(), GROW_STEP);
}

#[test]
fn what_the_protocol_does_not_speak_ends_the_connection() {
    let unmasked = [0x82, 0x01, 0xff];
    assert!(matches!(
        feed(&mut Deframer::new(64), &unmasked, 8)[..],
        [Err(FrameError::Protocol(_))]
    ));
    assert_eq!(
        feed(&mut Deframer::new(64), &frame(true, 0x1, b"x"), 8),
        vec![Err(FrameError::Text)]
    );
    assert_eq!(
        feed(&mut Deframer::new(64), &frame(true, 0x8, b""), 8),
        vec![Err(FrameError::Closed)]
    );
    assert!(matches!(
        feed(&mut Deframer::new(64), &frame(true, 0x0, b"x"), 8)[..],
        [Err(FrameError::Protocol(_))]
    ));
    assert!(matches!(
        feed(&mut Deframer::new(64), &frame(false, 0x9, b"x"), 8)[..],
        [Err(FrameError::Protocol(_))]
    ));
}

proptest! {
    #[test]
    fn any_message_in_any_fragments_and_pieces_comes_back(
        message in proptest::collection::vec(any::<u8>(), 0..3000),
        cuts in proptest::collection::vec(0usize..3000, 0..4),
        chunk in 1usize..200,
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(message.len())).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut bounds = vec![0];
        bounds.extend(cuts.iter().copied().filter(|c| *c > 0 && *c < message.len()));
        bounds.push(message.len());
        let parts: Vec<&[u8]> = bounds.windows(2).map(|w| &message[w[0]..w[1]]).collect();
        let mut bytes = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let opcode = if i == 0 { 0x2 } else { 0x0 };
            bytes.extend(frame(i + 1 == parts.len(), opcode, part));
        }
        let mut d = Deframer::new(4096);
        let got = feed(&mut d, &bytes, chunk);
        prop_assert_eq!(got.last(), Some(&Ok(Frame::Message(message.clone()))));
        prop_assert_eq!(got.len(), parts.len());
    }

    #[test]
    fn any_bytes_give_frames_or_one_error_and_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        chunk in 1usize..64,
    ) {
        let got = feed(&mut Deframer::new(1024), &bytes, chunk);
        let errors = got.iter().filter(|r| r.is_err()).count();
        prop_assert!(errors <= 1);
        if errors == 1 {
            prop_assert!(got.last().is_some_and(Result::is_err));
        }
    }
}
