//! Framing against a raw client on a real TCP connection.

use super::*;
use std::io::{Read, Write};

/// A server side `WsConn` and a blocking client socket.
async fn pair(max: usize) -> (WsConn, std::net::TcpStream) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = std::net::TcpStream::connect(addr).expect("connect");
    let (server, _) = listener.accept().await.expect("accept");
    (WsConn::new(server, max), client)
}

/// The next message, flushing answers to pings on the way (as the connection's owner does).
async fn next_message(ws: &mut WsConn) -> Result<Vec<u8>, WsError> {
    loop {
        if let Some(m) = ws.recv().await? {
            return Ok(m);
        }
        ws.flush().await?;
    }
}

/// A masked client frame.
fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n if n <= 0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
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

/// Reads one server frame: (opcode, payload).
fn read_frame(client: &mut std::net::TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 2];
    client.read_exact(&mut head).expect("head");
    assert_eq!(head[1] & 0x80, 0, "server frames are not masked");
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            client.read_exact(&mut b).expect("len");
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            client.read_exact(&mut b).expect("len");
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0u8; len];
    client.read_exact(&mut payload).expect("payload");
    (head[0] & 0x0f, payload)
}

#[test]
fn the_accept_key_of_rfc_6455() {
    assert_eq!(
        accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[tokio::test]
async fn messages_arrive_whole_in_pieces_and_fragments_and_pings_are_answered() {
    let (mut ws, mut client) = pair(1 << 20).await;
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut bytes = frame(true, 0x2, b"small");
    bytes.extend(frame(true, 0x9, b"are you there"));
    bytes.extend(frame(false, 0x2, b"frag"));
    bytes.extend(frame(true, 0xA, b"")); // an unasked pong between fragments
    bytes.extend(frame(true, 0x0, b"mented"));
    bytes.extend(frame(true, 0x2, &big));
    // Sent in small pieces, so every read ends somewhere inside a header or a payload.
    let writer = std::thread::spawn(move || {
        for chunk in bytes.chunks(7_001) {
            client.write_all(chunk).expect("write");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        client
    });
    assert_eq!(next_message(&mut ws).await.expect("first"), b"small");
    assert_eq!(next_message(&mut ws).await.expect("second"), b"fragmented");
    assert_eq!(next_message(&mut ws).await.expect("third"), big);
    let mut client = writer.join().expect("writer");
    assert_eq!(read_frame(&mut client), (0xA, b"are you there".to_vec()));
}

#[tokio::test]
async fn every_length_encoding_goes_out_in_one_batch() {
    let (mut ws, mut client) = pair(1 << 20).await;
    let sizes = [0usize, 125, 126, 65_535, 65_536, 300_000];
    for (i, n) in sizes.iter().enumerate() {
        ws.feed(vec![i as u8; *n]);
    }
    let reader = std::thread::spawn(move || {
        sizes
            .iter()
            .map(|_| read_frame(&mut client))
            .collect::<Vec<_>>()
    });
    ws.flush().await.expect("flush");
    let frames = reader.join().expect("reader");
    for (i, (n, (opcode, payload))) in sizes.iter().zip(frames).enumerate() {
        assert_eq!(opcode, 0x2);
        assert_eq!(payload, vec![i as u8; *n]);
    }
}

#[tokio::test]
async fn a_too_long_message_is_refused_from_its_header() {
    let (mut ws, mut client) = pair(1_000).await;
    // Only the header of a 1 GB frame: refused before anything is allocated for it.
    let mut head = vec![0x82, 0x80 | 127];
    head.extend_from_slice(&(1u64 << 30).to_be_bytes());
    head.extend_from_slice(&[1, 2, 3, 4]);
    client.write_all(&head).expect("write");
    assert!(matches!(
        next_message(&mut ws).await,
        Err(WsError::TooLong(1_000))
    ));
    // Fragments count together.
    let (mut ws, mut client) = pair(1_000).await;
    client
        .write_all(&[frame(false, 0x2, &[0xa1; 600]), frame(true, 0x0, &[0; 600])].concat())
        .expect("write");
    assert!(matches!(
        next_message(&mut ws).await,
        Err(WsError::TooLong(1_000))
    ));
}

#[tokio::test]
async fn text_unmasked_and_malformed_frames_are_refused() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (frame(true, 0x1, b"hello"), "text"),
        (vec![0x82, 0x03, 1, 2, 3], "unmasked"),
        (frame(true, 0x0, b"x"), "continuation without a message"),
        (
            [vec![0xC2], frame(true, 0x2, b"x")[1..].to_vec()].concat(),
            "reserved bit",
        ),
        (frame(false, 0x9, b"x"), "fragmented ping"),
        (frame(true, 0x3, b"x"), "unknown opcode"),
    ];
    for (bytes, what) in cases {
        let (mut ws, mut client) = pair(1 << 20).await;
        client.write_all(&bytes).expect("write");
        let got = next_message(&mut ws).await;
        assert!(
            matches!(got, Err(WsError::Text | WsError::Protocol(_))),
            "{what}: {got:?}"
        );
    }
}

#[tokio::test]
async fn a_close_ends_the_connection_and_is_answered() {
    let (mut ws, mut client) = pair(1 << 20).await;
    client
        .write_all(&frame(true, 0x8, &1000u16.to_be_bytes()))
        .expect("write");
    assert!(matches!(next_message(&mut ws).await, Err(WsError::Closed)));
    ws.close(false).await;
    assert_eq!(
        read_frame(&mut client),
        (0x8, 1000u16.to_be_bytes().to_vec())
    );
    // A peer that just goes away is a close too.
    let (mut ws, client) = pair(1 << 20).await;
    drop(client);
    assert!(matches!(next_message(&mut ws).await, Err(WsError::Closed)));
}
