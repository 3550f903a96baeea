//! `allmende serve`: the service API over HTTP and the live-update socket, with a real server
//! process and a real CLI writing next to it.

use allmende_tests::{Peer, ServeProc};
use futures::StreamExt;
use serde_json::json;

fn demo() -> (Peer, String) {
    let p = Peer::new();
    p.ok(&["demo"]);
    let id = p.json(&["community", "list"])[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    (p, id)
}

#[test]
fn commands_and_queries_over_http() {
    let (p, community) = demo();
    let s = ServeProc::start(&p);
    let (code, overview) = s.post(
        "/api/query",
        &json!({"type": "overview", "community": community}),
    );
    assert_eq!(code, 200);
    assert_eq!(overview["community"]["name"], "Grünhausen");
    let (code, created) = s.post(
        "/api/command",
        &json!({"type": "add_idea", "community": community, "title": "Aus dem Browser", "text": "", "category": "mobility"}),
    );
    assert_eq!(code, 200, "{created}");
    let (_, page) = s.post(
        "/api/query",
        &json!({"type": "list", "community": community, "kind": "idea", "category": "mobility"}),
    );
    assert!(page["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|i| i["id"] == created["id"]));
    assert!(p
        .titles(&["idea", "list", "--limit", "100"])
        .contains(&"Aus dem Browser".to_string()));
    // Refused input: 400 with a code and a message in the asked language.
    let (code, err) = s.post(
        "/api/command?lang=en",
        &json!({"type": "add_idea", "community": community, "title": " ", "category": "energy"}),
    );
    assert_eq!(code, 400);
    assert_eq!(err["code"], "empty_field");
    assert!(err["message"]
        .as_str()
        .unwrap_or_default()
        .contains("must not be empty"));
    let (code, err) = s.post(
        "/api/command",
        &json!({"type": "add_idea", "community": community, "title": "x", "category": "weltall"}),
    );
    assert_eq!(code, 400);
    assert!(err["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Unbekannte Kategorie"));
    let (code, err) = s.post("/api/command", &json!({"type": "no_such_thing"}));
    assert_eq!(code, 400, "{err}");
    let (code, _) = s.post("/api/query", &json!({"type": "show", "id": "doesnotexist"}));
    assert_eq!(code, 404);
    let (code, ics) = s.request("GET", &format!("/api/export.ics?community={community}"), "");
    assert_eq!(code, 200);
    assert!(ics.contains("BEGIN:VCALENDAR") && ics.contains("Pflanzaktion"));
    let (code, invite) = s.post("/api/invite", &json!({"name": "Ben"}));
    assert_eq!(code, 200, "{invite}");
    assert!(invite["token"]
        .as_str()
        .unwrap_or_default()
        .starts_with("allmende-invite:"));
    assert!(invite["qr_svg"]
        .as_str()
        .unwrap_or_default()
        .contains("<svg"));
    let (code, session) = s.request("GET", "/api/session", "");
    assert_eq!(code, 200);
    assert!(session.contains("Grünhausen"));
}

#[test]
fn a_change_made_through_the_cli_is_announced_live() {
    let (p, _) = demo();
    let s = ServeProc::start(&p);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/events", s.addr))
            .await
            .expect("socket");
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        let idea = p.create(&[
            "idea",
            "add",
            "--title",
            "Live von der Kommandozeile",
            "--category",
            "energy",
        ]);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .expect("an event in time")
                .expect("open")
                .expect("ok");
            let text = msg.into_text().expect("text");
            let event: serde_json::Value = serde_json::from_str(&text).expect("json");
            assert_eq!(event["type"], "changed");
            if event["id"] == idea.as_str() {
                break;
            }
        }
    });
}
