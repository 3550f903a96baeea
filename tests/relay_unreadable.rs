//! Issue 13: messages Automerge cannot read safely, sent to the relay by a member (a module
//! of `relay.rs`). A bloom filter without bits makes Automerge divide by zero for every
//! change of the document when it answers (and one with billions of probes allocate
//! gigabytes per change); a change of about 60 bytes can claim 2^40 operations, which
//! Automerge walks one by one. Each is refused before Automerge reads it: the connection is
//! closed, counted, and the document serves on.

use std::time::Duration;

use allmende_service::Service;
use allmende_sync_wire::protocol;
use allmende_tests::raw::{carrying, run_of_operations, with_bloom, RawClient};
use allmende_tests::{community_with_members, RelayProc};

/// Whether the relay closes `client` (or tells it of an error) within `wait`.
async fn closed(client: &mut RawClient, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        match client.next(left).await {
            None => return tokio::time::Instant::now() < deadline,
            Some(frame) if frame.windows(5).any(|w| w == b"error") => return true,
            Some(_) => {}
        }
    }
}

#[test]
fn messages_automerge_cannot_read_safely_close_only_their_connection() {
    let relay = RelayProc::start("");
    let (anna, members, community) = community_with_members(&relay, &["Ben", "Cara"]);
    let (ben, cara) = (&members[0], &members[1]);
    let seed = Service::open(cara.path())
        .expect("Cara's store")
        .device()
        .secret_bytes();
    let local = "127.0.0.1".parse().expect("address");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut c = RawClient::open(&relay, local, seed, "hostile1")
            .await
            .expect("Cara's client logs in");
        let frame = protocol::sync(&c.peer, &c.relay, &community, &with_bloom(&[1, 0, 7]));
        c.send(frame).await.expect("sent");
        assert!(
            closed(&mut c, Duration::from_secs(30)).await,
            "the bloom filter's connection is closed"
        );
        let mut c = RawClient::open(&relay, local, seed, "hostile2")
            .await
            .expect("Cara's client logs in again");
        let frame = protocol::sync(
            &c.peer,
            &c.relay,
            &community,
            &carrying(vec![run_of_operations(1 << 40)]),
        );
        c.send(frame).await.expect("sent");
        assert!(
            closed(&mut c, Duration::from_secs(30)).await,
            "the connection of the change claiming 2^40 operations is closed"
        );
    });
    assert!(relay.metric("allmende_relay_refused_operations_total") >= 2);
    // The community document serves on.
    anna.ok(&["idea", "add", "--title", "Danach", "--category", "energy"]);
    let report = anna.json(&["sync", "--timeout", "20"]);
    assert_eq!(report["not_synced"], serde_json::json!([]), "{report}");
    ben.ok(&["sync", "--timeout", "20"]);
    assert!(ben
        .titles(&["idea", "list", "--limit", "100"])
        .iter()
        .any(|t| t == "Danach"));
}
