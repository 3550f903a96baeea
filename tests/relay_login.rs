//! Logins to the relay cannot be replayed (finding 9 of the edge review; a module of
//! `relay.rs`). A device's signed login used to be `allmende-relay-auth/1:<ts>:<session>`: no
//! relay named, no challenge, good for ten minutes, in the URL. Any relay the device talked
//! to could log in as the device elsewhere with it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use allmende_tests::{community_with_members, RelayProc};

/// A hostile relay: it hands devices the real relay's challenges (so that what they sign
/// would be fresh there) and keeps the request heads they send. Returns its address and the
/// heads it kept.
fn hostile_relay(real: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (real, heads) = (real.to_string(), kept.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            if path.ends_with("/auth/challenge") {
                let nonce = get(&real, "/auth/challenge");
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{nonce}",
                    nonce.len()
                );
            } else {
                heads.lock().expect("heads").push(head);
                let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        }
    });
    (addr, kept)
}

fn get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string()
}

/// Opens a WebSocket to `relay` with the request target `target`, sending `host` as the
/// `Host` header; the status line the relay answered.
fn upgrade(relay: &str, target: &str, host: &str) -> String {
    let mut s = std::net::TcpStream::connect(relay).expect("connect");
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .expect("write");
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") && s.read(&mut byte).is_ok_and(|n| n == 1) {
        line.push(byte[0]);
    }
    String::from_utf8_lossy(&line).trim().to_string()
}

#[test]
fn a_login_a_device_gave_another_relay_does_not_open_the_real_one() {
    // A relay as it starts by default (no names configured).
    let relay = RelayProc::start("");
    let (anna, _members, _) = community_with_members(&relay, &["Ben"]);
    let (hostile, kept) = hostile_relay(&relay.addr);
    // Anna syncs with the hostile relay once (an operator of another community, say).
    let _ = anna.run(&[
        "sync",
        "--relay",
        &format!("ws://{hostile}"),
        "--timeout",
        "3",
    ]);
    let heads = kept.lock().expect("heads").clone();
    let targets: Vec<String> = heads
        .iter()
        .filter_map(|h| h.split(' ').nth(1).map(str::to_string))
        .filter(|t| t.contains("sig="))
        .collect();
    assert!(
        !targets.is_empty(),
        "Anna's device sent a signed login: {heads:?}"
    );
    for target in &targets {
        // Replayed as it came, and with the Host header the device had signed for.
        let to_relay = target.replacen("/changes", "/", 1);
        for host in [relay.addr.as_str(), hostile.as_str()] {
            let answer = upgrade(&relay.addr, &to_relay, host);
            assert!(
                answer.contains(" 401 "),
                "a login Anna gave another relay must not open this one (Host {host}): {answer}"
            );
        }
    }
    assert!(relay.metric("allmende_relay_refused_foreign_logins_total") >= 1);
    // Anna's own device still gets in.
    anna.ok(&["sync", "--relay", &relay.url(), "--timeout", "30"]);
}

#[test]
fn a_login_opens_one_connection_only() {
    let relay = RelayProc::start("");
    let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let target = format!("/?{}", relay.login_query(&key, "once"));
    let first = upgrade(&relay.addr, &target, &relay.addr);
    assert!(first.contains(" 101 "), "a fresh login opens: {first}");
    let again = upgrade(&relay.addr, &target, &relay.addr);
    assert!(again.contains(" 401 "), "the same login again: {again}");
    assert_eq!(
        relay.metric("allmende_relay_refused_replayed_logins_total"),
        1
    );
    // A login in the old form (a time, no challenge) is refused with a reason.
    let old = format!(
        "/?device={}&session=old&ts=1&sig={}",
        hex::encode(key.verifying_key().to_bytes()),
        "00".repeat(64)
    );
    assert!(upgrade(&relay.addr, &old, &relay.addr).contains(" 401 "));
    let reason = get(&relay.addr, &old.replacen("/?", "/changes?", 1));
    assert!(reason.contains("update Allmende"), "{reason}");
}
