//! Frames a hostile client sends (malformed, oversize, unauthenticated) close its own
//! connection with a clear error while others go on syncing.

use ed25519_dalek::SigningKey;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use super::*;

fn signed_url(relay: &RelayProc, key: &SigningKey) -> String {
    format!("{}/?{}", relay.url(), relay.login_query(key, "t1"))
}

/// Sends one frame and reports whether the relay closed the connection (after at most
/// an `error` message naming the reason).
async fn closed_after(url: &str, frame: Message) -> bool {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    ws.send(frame).await.expect("send");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(Message::Binary(b)))) if is_error_message(&b) => {}
            _ => return false,
        }
    }
}

/// Whether a frame is the protocol's `{type: "error", message}`.
fn is_error_message(frame: &[u8]) -> bool {
    let text = String::from_utf8_lossy(frame);
    text.contains("type") && text.contains("error") && text.contains("message")
}

#[test]
fn malformed_oversize_and_unauthenticated_connections_are_refused_while_others_sync() {
    let relay = RelayProc::start("max_message_bytes = 65536\n");
    let (anna, members, _) = community_with_members(&relay, &["Ben"]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let key = SigningKey::from_bytes(&[9; 32]);
    let bad_before = relay.metric("allmende_relay_closed_bad_input_total");
    rt.block_on(async {
        assert!(
            closed_after(
                &signed_url(&relay, &key),
                Message::Binary(vec![0x82, 0x01, 0x02].into())
            )
            .await,
            "not a CBOR map"
        );
        assert!(
            closed_after(&signed_url(&relay, &key), Message::Text("hello".into())).await,
            "text frame"
        );
        assert!(
            closed_after(
                &signed_url(&relay, &key),
                Message::Binary(vec![0xa1; 200_000].into())
            )
            .await,
            "oversize"
        );
        let unsigned = format!("{}/", relay.url());
        assert!(
            tokio_tungstenite::connect_async(unsigned.as_str())
                .await
                .is_err(),
            "no credentials"
        );
        let forged = signed_url(&relay, &key).replace("sig=", "sig=00");
        assert!(
            tokio_tungstenite::connect_async(forged.as_str())
                .await
                .is_err(),
            "bad signature"
        );
    });
    assert!(relay.metric("allmende_relay_closed_bad_input_total") >= bad_before + 2);
    assert!(relay.metric("allmende_relay_rejected_connections_total") >= 2);
    // Honest peers keep syncing.
    members[0].create(&[
        "idea",
        "add",
        "--title",
        "Trotzdem da",
        "--category",
        "health",
    ]);
    members[0].ok(&["sync"]);
    anna.ok(&["sync"]);
    assert!(idea_titles(&anna).contains("Trotzdem da"));
    let health = relay.get("/healthz");
    assert!(health.starts_with("ok allmende-relay "), "{health}");
}
