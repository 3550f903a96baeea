//! Issue 13: a hostile member on the local network. Cara's modified client links with Ben's
//! listening device (her key is a member's, so the listener lets her in) and sends what the
//! app never would: a change Automerge panics on, a compression bomb, a frame of a gigabyte.
//! Each costs her only her own link; Ben's device goes on serving Anna.

use std::time::Duration;

use allmende_sync_wire::protocol;
use allmende_tests::raw::{bomb, carrying, numbered_change, run_of_operations, with_bloom};
use allmende_tests::raw_p2p::RawPeer;
use allmende_tests::{community_with_members, Peer, RelayProc};

use super::{wait_for, Listener};

/// Anna, Ben and Cara in one community (the relay is gone afterwards); Cara's device key and
/// the community document as her device holds it.
fn village() -> (Peer, Peer, Peer, String) {
    let relay = RelayProc::start("");
    let (anna, mut others, community) = community_with_members(&relay, &["Ben", "Cara"]);
    let cara = others.pop().expect("Cara");
    let ben = others.pop().expect("Ben");
    // Ben's device learns that Cara joined after him.
    ben.ok(&["sync"]);
    (anna, ben, cara, community)
}

/// Cara's device key and her copy of `community`.
fn cara_holds(cara: &Peer, community: &str) -> ([u8; 32], automerge::Automerge) {
    (cara.device_seed(), cara.stored_doc(community))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Anna adds an idea and links with Ben's listener; Ben's device takes it in.
fn anna_reaches_ben(anna: &Peer, ben: &Peer, listener: &Listener, title: &str) {
    anna.ok(&["idea", "add", "--title", title, "--category", "energy"]);
    let out = anna.ok(&["peer", "connect", &listener.ticket]);
    assert!(out.contains("Synced with"), "{out}");
    assert!(wait_for(ben, title), "Ben's listener took Anna's idea in");
}

/// Automerge 0.12 panics on a change whose number skips one of its actor's. samod 0.16 runs
/// every document of a repository in one task: before, the panic ended it, and Ben's
/// listener took in and served nothing from anyone until it was restarted (Anna's link got
/// no answer). Now the listener starts its repository again over the store, without the
/// device that sent the change (from the review: else one member could keep it starting
/// again, each time cutting everyone's links).
#[test]
fn a_change_automerge_panics_on_does_not_stop_the_listener() {
    let (anna, ben, cara, community) = village();
    let listener = Listener::start(&ben);
    let (seed, doc) = cara_holds(&cara, &community);
    let last = doc
        .get_changes_meta(&[])
        .into_iter()
        .max_by_key(|m| m.max_op)
        .expect("changes");
    let seq = doc
        .get_changes_meta(&[])
        .iter()
        .filter(|m| m.actor == last.actor)
        .map(|m| m.seq)
        .max()
        .expect("the actor's changes");
    let skipping = numbered_change(&last.actor, seq + 2, last.max_op + 1, doc.get_heads());
    runtime().block_on(async {
        let mut raw = RawPeer::open(&listener.ticket, seed)
            .await
            .expect("Cara's client links");
        let frame = protocol::sync(&raw.peer, &raw.other, &community, &carrying(vec![skipping]));
        raw.send(&frame).await.expect("sent");
        assert!(
            raw.closed_within(Duration::from_secs(30)).await,
            "the link that broke the repository is closed"
        );
        // Her device sent the message that broke it: shut out while the listener runs
        // (else one member could keep it starting again, and everyone's links with it).
        assert!(
            RawPeer::open(&listener.ticket, seed).await.is_none(),
            "Cara's device is shut out"
        );
    });
    anna_reaches_ben(&anna, &ben, &listener, "Nach dem Angriff");
}

/// A compression bomb and a frame announcing a gigabyte. Before, samod's framing took
/// frames of up to 8 GiB (it waited for the gigabyte, holding the link) and Automerge
/// inflated the bomb's 256 MiB in Ben's listener. Now each link is closed at once, and the
/// listener's memory does not grow by the bomb.
#[test]
fn a_bomb_or_a_gigabyte_frame_closes_only_the_senders_link() {
    let (anna, ben, cara, community) = village();
    let listener = Listener::start(&ben);
    let (seed, _) = cara_holds(&cara, &community);
    let baseline = listener.peak_rss_bytes();
    runtime().block_on(async {
        let mut raw = RawPeer::open(&listener.ticket, seed)
            .await
            .expect("Cara's client links");
        let frame = protocol::sync(&raw.peer, &raw.other, &community, &bomb(256));
        raw.send(&frame).await.expect("sent");
        assert!(
            raw.closed_within(Duration::from_secs(30)).await,
            "the bomb's link is closed"
        );
        let mut raw = RawPeer::open(&listener.ticket, seed)
            .await
            .expect("Cara's client links again");
        raw.send_bytes(&(1u32 << 30).to_be_bytes())
            .await
            .expect("sent");
        raw.send_bytes(&[0u8; 4096]).await.expect("sent");
        assert!(
            raw.closed_within(Duration::from_secs(30)).await,
            "the link announcing a gigabyte is closed"
        );
    });
    let peak = listener.peak_rss_bytes();
    assert!(
        peak < baseline + (96 << 20),
        "the listener's peak memory grew from {} MiB to {} MiB",
        baseline >> 20,
        peak >> 20
    );
    anna_reaches_ben(&anna, &ben, &listener, "Trotz der Bombe");
}

/// From the review of the fixes above: a bloom filter without bits (Automerge divides by zero
/// for every change it holds when it answers) and a change of about 60 bytes whose columns
/// claim 2^40 operations (Automerge walks every one; before, Ben's listener was stuck in it
/// for good, serving nobody). Each is refused before Automerge reads it.
#[test]
fn a_bloom_filter_or_a_change_automerge_cannot_read_closes_only_the_senders_link() {
    let (anna, ben, cara, community) = village();
    let listener = Listener::start(&ben);
    let (seed, _) = cara_holds(&cara, &community);
    runtime().block_on(async {
        let mut raw = RawPeer::open(&listener.ticket, seed)
            .await
            .expect("Cara's client links");
        let frame = protocol::sync(&raw.peer, &raw.other, &community, &with_bloom(&[1, 0, 7]));
        raw.send(&frame).await.expect("sent");
        assert!(
            raw.closed_within(Duration::from_secs(30)).await,
            "the bloom filter's link is closed"
        );
        let mut raw = RawPeer::open(&listener.ticket, seed)
            .await
            .expect("Cara's client links again");
        let frame = protocol::sync(
            &raw.peer,
            &raw.other,
            &community,
            &carrying(vec![run_of_operations(1 << 40)]),
        );
        raw.send(&frame).await.expect("sent");
        assert!(
            raw.closed_within(Duration::from_secs(30)).await,
            "the link of the change claiming 2^40 operations is closed"
        );
    });
    anna_reaches_ben(&anna, &ben, &listener, "Trotz allem");
}
