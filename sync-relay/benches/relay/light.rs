//! A light follower for the crowd: one WebSocket, one Automerge document and one sync state,
//! speaking the automerge-repo protocol directly. A thousand samod repositories in the
//! benchmark process would spend more CPU than the server under test; this client does only
//! what any client must (apply what arrives, answer with its own sync message).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use allmende_relay::protocol::{self, Inbound};
use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ReadDoc, ROOT};
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// Arrival times per value of the document's `seq` field.
pub type Arrivals = Arc<Mutex<HashMap<i64, Vec<Instant>>>>;

fn seq_of(doc: &Automerge) -> i64 {
    doc.get(ROOT, "seq")
        .ok()
        .flatten()
        .and_then(|(v, _)| v.as_i64())
        .unwrap_or(0)
}

/// Connects as `peer` to `url` (already signed), follows `document` and records every new
/// `seq` it sees in `arrivals` (when given). Returns once the document has arrived; the
/// following goes on in a task until the connection ends.
pub async fn follow(
    url: String,
    peer: String,
    document: String,
    arrivals: Option<Arrivals>,
) -> tokio::task::JoinHandle<()> {
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("connect");
    let (mut sink, mut stream) = ws.split();
    sink.send(Message::Binary(protocol::join(&peer).into()))
        .await
        .expect("join");
    let server = loop {
        match stream.next().await {
            Some(Ok(Message::Binary(b))) => {
                if let Ok(Inbound::Peer { sender }) = protocol::decode(&b) {
                    break sender;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("no peer message: {other:?}"),
        }
    };
    let mut doc = Automerge::new();
    let mut state = sync::State::new();
    let (me, relay, doc_id) = (peer.clone(), server.clone(), document.clone());
    let ask = move |doc: &Automerge, state: &mut sync::State| {
        let m = doc.generate_sync_message(state).expect("first message");
        protocol::request(&peer, &server, &document, &m.encode())
    };
    sink.send(Message::Binary(ask(&doc, &mut state).into()))
        .await
        .expect("request");
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let mut ready = Some(ready_tx);
        let mut last = 0;
        while let Some(Ok(msg)) = stream.next().await {
            let Message::Binary(b) = msg else { continue };
            let data = match protocol::decode(&b) {
                Ok(Inbound::Sync { data, .. }) => data,
                Ok(_) | Err(_) if !doc.get_heads().is_empty() => continue,
                // Not there yet (the creator's upload is on its way): ask again.
                _ => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    state = sync::State::new();
                    let again = ask(&doc, &mut state);
                    if sink.send(Message::Binary(again.into())).await.is_err() {
                        return;
                    }
                    continue;
                }
            };
            let Ok(m) = sync::Message::decode(&data) else {
                continue;
            };
            if doc.receive_sync_message(&mut state, m).is_err() {
                continue;
            }
            let seq = seq_of(&doc);
            if seq > last {
                if let Some(a) = &arrivals {
                    let now = Instant::now();
                    let mut a = a.lock().expect("lock");
                    for s in (last + 1)..=seq {
                        a.entry(s).or_default().push(now);
                    }
                }
                last = seq;
            }
            if !doc.get_heads().is_empty() {
                if let Some(r) = ready.take() {
                    let _ = r.send(());
                }
            }
            if let Some(reply) = doc.generate_sync_message(&mut state) {
                let frame = protocol::sync(&me, &relay, &doc_id, &reply.encode());
                if sink.send(Message::Binary(frame.into())).await.is_err() {
                    return;
                }
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(60), ready_rx)
        .await
        .expect("document arrived in time")
        .expect("follower alive");
    task
}
