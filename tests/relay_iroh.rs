//! The relay accepts devices over iroh too (issue 4): a real relay process with `iroh` on,
//! devices that reach it only by its ticket, and the same store, access rules and limits as
//! over WebSocket.

use allmende_core::wire::RELAY_ALPN;
use allmende_tests::{Peer, RelayProc};

fn titles(p: &Peer) -> Vec<String> {
    p.titles(&["idea", "list", "--limit", "100"])
}

#[test]
fn devices_join_and_sync_through_the_relay_over_iroh() {
    let relay = RelayProc::start("iroh = \"127.0.0.1:0\"\n");
    let ticket = relay.get("/ticket").trim().to_string();
    assert!(ticket.starts_with("allmende-peer:"), "{ticket}");

    let anna = Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Funkloch",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Dorfladen",
        "--category",
        "consumption",
    ]);
    anna.ok(&["sync", "--relay", &ticket]);
    // The invite carries the ticket as its relay: Ben joins over iroh as well.
    let token = anna.ok(&["invite", "--name", "Ben"]).trim().to_string();
    anna.ok(&["sync"]);
    let ben = Peer::new();
    ben.ok(&["join", &token]);
    assert!(titles(&ben).contains(&"Dorfladen".to_string()));
    ben.create(&[
        "idea",
        "add",
        "--title",
        "Mitfahrbank",
        "--category",
        "mobility",
    ]);
    ben.ok(&["sync"]);
    // What arrived over iroh is in the relay's one store: Anna fetches it over WebSocket.
    anna.ok(&["sync", "--relay", &relay.url()]);
    assert!(titles(&anna).contains(&"Mitfahrbank".to_string()));
    assert!(relay.metric("allmende_relay_documents_stored") >= 4);

    // A stranger's device reaches the relay but not the community.
    let stranger = Peer::new();
    stranger.create(&[
        "init",
        "--name",
        "Anderswo",
        "--kind",
        "village",
        "--admin-name",
        "Eve",
    ]);
    let community = anna.json(&["community", "list"])[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let before = relay.metric("allmende_relay_rejected_requests_total");
    let (code, _) = stranger.fails(&["sync", "--relay", &ticket, "--fetch", &community]);
    assert_ne!(code, 0, "a stranger cannot fetch the community over iroh");
    assert!(relay.metric("allmende_relay_rejected_requests_total") > before);
}

#[test]
fn bad_streams_over_iroh_are_closed_and_counted_while_others_sync() {
    let relay = RelayProc::start("iroh = \"127.0.0.1:0\"\nmax_message_bytes = 4096\n");
    let ticket = relay.get("/ticket").trim().to_string();
    let parsed = allmende_core::ticket::Ticket::parse(&ticket).expect("ticket");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let rejected = relay.metric("allmende_relay_rejected_connections_total");
    let bad_input = relay.metric("allmende_relay_closed_bad_input_total");
    rt.block_on(async {
        let key = iroh::PublicKey::from_bytes(&parsed.key().expect("key")).expect("key");
        let addr = iroh::EndpointAddr::from_parts(
            key,
            parsed.addrs.iter().map(|a| iroh::TransportAddr::Ip(*a)),
        );
        let endpoint = iroh::Endpoint::builder(iroh::endpoint::presets::Minimal)
            .relay_mode(iroh::RelayMode::Disabled)
            .bind()
            .await
            .expect("endpoint");
        // A session name with characters the protocol does not allow: refused.
        let conn = endpoint
            .connect(addr.clone(), RELAY_ALPN)
            .await
            .expect("connect");
        let (mut send, mut recv) = conn.open_bi().await.expect("stream");
        send.write_all(b"not a session!\n").await.expect("write");
        let mut buf = [0u8; 16];
        assert!(
            recv.read(&mut buf).await.is_err()
                || conn.closed().await.to_string().contains("session"),
            "the relay closes a stream with a bad session name"
        );
        // A valid session, then a frame that announces more than the limit: closed.
        let conn = endpoint.connect(addr, RELAY_ALPN).await.expect("connect");
        let (mut send, mut recv) = conn.open_bi().await.expect("stream");
        send.write_all(b"probe-1\n").await.expect("write");
        send.write_all(&(1_000_000u32).to_be_bytes())
            .await
            .expect("write");
        send.write_all(&[0xa1; 64]).await.expect("write");
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while let Ok(Some(n)) = recv.read(&mut buf).await {
                rest.extend_from_slice(&buf[..n]);
            }
        })
        .await;
        endpoint.close().await;
    });
    assert!(relay.metric("allmende_relay_rejected_connections_total") > rejected);
    assert!(relay.metric("allmende_relay_closed_bad_input_total") > bad_input);
    // Others are unaffected.
    let p = Peer::new();
    p.create(&[
        "init",
        "--name",
        "Weiter",
        "--kind",
        "village",
        "--admin-name",
        "Ida",
    ]);
    p.ok(&["sync", "--relay", &ticket]);
    assert!(relay.metric("allmende_relay_documents_stored") >= 1);
}
