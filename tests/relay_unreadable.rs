//! Issue 13: messages Automerge cannot read safely, sent to the relay by a member (a module
//! of `relay.rs`). A bloom filter without bits makes Automerge divide by zero for every
//! change of the document when it answers (and one with billions of probes allocate
//! gigabytes per change); a change of about 60 bytes can claim 2^40 operations, which
//! Automerge walks one by one. Each is refused before Automerge reads it: the connection is
//! closed, counted, and the document serves on.

use std::time::Duration;

use allmende_sync_wire::protocol;
use allmende_tests::raw::{carrying, run_of_operations, with_bloom, RawClient};
use allmende_tests::{community_with_members, RelayProc};

use super::siege::closed;

#[test]
fn messages_automerge_cannot_read_safely_close_only_their_connection() {
    let relay = RelayProc::start("");
    let (anna, members, community) = community_with_members(&relay, &["Ben", "Cara"]);
    let (ben, cara) = (&members[0], &members[1]);
    let seed = cara.device_seed();
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
        // From the second review: Automerge 0.12 panics answering a `need` that names one
        // change twice (the document's task ended, and was loaded again from disk at the next
        // message, its followers' sync states lost).
        let doc = cara.stored_doc(&community);
        let small = doc
            .get_changes_meta(&[])
            .into_iter()
            // The one with the fewest operations (not an empty one, a signature).
            .filter(|m| m.max_op >= m.start_op)
            .min_by_key(|m| m.max_op - m.start_op)
            .expect("changes")
            .hash;
        let mut asking = {
            use automerge::sync::SyncDoc as _;
            automerge::Automerge::new()
                .generate_sync_message(&mut automerge::sync::State::new())
                .expect("a message")
        };
        // As a client without the newer flags sends it (a whole document is not sent
        // then), with no bloom filter.
        asking.need = vec![small, small];
        asking.have = Vec::new();
        asking.flags = None;
        asking.version = automerge::sync::MessageVersion::V1;
        let mut c = RawClient::open(&relay, local, seed, "hostile3")
            .await
            .expect("Cara's client logs in a third time");
        let frame = protocol::sync(&c.peer, &c.relay, &community, &asking.encode());
        c.send(frame).await.expect("sent");
        assert!(
            closed(&mut c, Duration::from_secs(30)).await,
            "the connection asking for a change twice is closed"
        );
    });
    assert!(relay.metric("allmende_relay_refused_operations_total") >= 3);
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

/// The other way: a relay operator's modified server answers a device's sync with a change
/// claiming 2^40 operations. Before, the device's repository walked them for good and the
/// sync never ended (the command hung, holding the store); now the frame is refused, the
/// sync ends with the documents not in step, and nothing here changes.
#[test]
fn a_relay_sending_what_automerge_cannot_read_ends_the_sync_and_changes_nothing() {
    let anna = allmende_tests::Peer::new();
    anna.create(&[
        "init",
        "--name",
        "Grünhausen",
        "--kind",
        "village",
        "--admin-name",
        "Anna",
    ]);
    anna.create(&[
        "idea",
        "add",
        "--title",
        "Bleibt da",
        "--category",
        "energy",
    ]);
    let before = anna.doc_heads();
    let relay =
        allmende_tests::hostile_relay::HostileRelay::start(carrying(vec![run_of_operations(
            1 << 40,
        )]));
    let mut child = std::process::Command::new(allmende_tests::bin())
        .arg("--data")
        .arg(anna.path())
        .args(["--json", "sync", "--relay", &relay.url(), "--timeout", "5"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sync");
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the sync with the hostile relay never ended");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a report");
        assert_ne!(report["not_synced"], serde_json::json!([]), "{said}");
    }
    assert_eq!(anna.doc_heads(), before, "nothing here changed: {said}");
    assert!(anna
        .titles(&["idea", "list"])
        .iter()
        .any(|t| t == "Bleibt da"));
}

/// From the second review: a change's columns can claim a million operations in about 60
/// bytes, and every device holding the document holds each. The relay charged the 60 bytes;
/// it charges 16 bytes per operation where that is more, so a member's quota bounds the
/// operations they store too.
#[test]
fn operations_count_against_the_quota() {
    let relay = RelayProc::start("max_bytes_per_key = 4000000\n");
    let (_anna, members, community) = community_with_members(&relay, &["Cara"]);
    let cara = &members[0];
    let seed = cara.device_seed();
    let doc = cara.stored_doc(&community);
    let before = relay.metric("allmende_relay_refused_quota_total");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut c = RawClient::open(&relay, "127.0.0.1".parse().expect("address"), seed, "ops")
            .await
            .expect("Cara's client logs in");
        // 300,000 operations on top of the community as Cara has it: 4.8 MB as charged.
        let chunk = allmende_tests::raw::run_of_operations_on(300_000, doc.get_heads(), 1, 7);
        assert!(chunk.len() < 200, "{} bytes", chunk.len());
        let frame = protocol::sync(&c.peer, &c.relay, &community, &carrying(vec![chunk]));
        c.send(frame).await.expect("sent");
        assert!(
            closed(&mut c, Duration::from_secs(30)).await,
            "the connection past the quota is closed"
        );
    });
    assert!(relay.metric("allmende_relay_refused_quota_total") > before);
}

/// From the third review: the relay took changes until a document held more operations than
/// a device takes in one message; a fresh device (sent the document whole) or one back from
/// offline (sent every change) could then never receive it. A document is held to a number
/// of operations now, like its bytes.
#[test]
fn a_document_is_held_to_its_limit_of_operations() {
    let relay = RelayProc::start("max_document_operations = 20000\n");
    let (_anna, members, community) = community_with_members(&relay, &["Cara"]);
    let cara = &members[0];
    let seed = cara.device_seed();
    let doc = cara.stored_doc(&community);
    let next = doc
        .get_changes_meta(&[])
        .iter()
        .map(|m| m.max_op)
        .max()
        .unwrap_or(0)
        + 1;
    let before = relay.metric("allmende_relay_refused_operations_total");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let local = "127.0.0.1".parse().expect("address");
        let mut c = RawClient::open(&relay, local, seed, "ops1")
            .await
            .expect("Cara's client logs in");
        // 15,000 operations: within the limit, taken.
        let first = allmende_tests::raw::run_of_operations_on(15_000, doc.get_heads(), next, 7);
        let frame = protocol::sync(&c.peer, &c.relay, &community, &carrying(vec![first]));
        c.send(frame).await.expect("sent");
        assert!(
            c.next(Duration::from_secs(10)).await.is_some(),
            "the relay answers the first"
        );
        // 15,000 more, by another actor: past the limit, refused.
        let mut c = RawClient::open(&relay, local, seed, "ops2")
            .await
            .expect("Cara's client logs in again");
        let second = allmende_tests::raw::run_of_operations_on(15_000, doc.get_heads(), next, 8);
        let frame = protocol::sync(&c.peer, &c.relay, &community, &carrying(vec![second]));
        c.send(frame).await.expect("sent");
        assert!(
            closed(&mut c, Duration::from_secs(30)).await,
            "the connection taking the document past its limit is closed"
        );
    });
    assert_eq!(
        relay.metric("allmende_relay_refused_operations_total"),
        before + 1,
        "only the second was refused"
    );
}
