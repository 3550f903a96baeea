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

/// Finding: a page on another origin made `serve` create an idea with a `text/plain` POST,
/// and a request with a foreign `Host` (DNS rebinding) got an admin invite.
#[test]
fn a_web_page_elsewhere_cannot_drive_serve() {
    let (p, community) = demo();
    let s = ServeProc::start(&p);
    let before = p.titles(&["idea", "list", "--limit", "1000"]).len();
    let idea = json!({"type": "add_idea", "community": community, "title": "Von evil.example", "text": "", "category": "energy"}).to_string();
    let host = format!("Host: {}\r\n", s.addr);
    // A form-like POST from another origin (what a page may send without a preflight).
    let (code, body) = s.request_raw(
        "POST",
        "/api/command",
        &format!("{host}Origin: http://evil.example\r\nContent-Type: text/plain\r\n"),
        &idea,
    );
    assert_eq!(code, 403, "{body}");
    // The same with the JSON type and the app's header but the wrong origin.
    let (code, _) = s.request_raw(
        "POST",
        "/api/command",
        &format!("{host}Origin: http://evil.example\r\nContent-Type: application/json\r\nX-Allmende-Request: 1\r\n"),
        &idea,
    );
    assert_eq!(code, 403);
    // Same origin, but without the header only the app sends.
    let (code, _) = s.request_raw(
        "POST",
        "/api/command",
        &format!(
            "{host}Origin: http://{}\r\nContent-Type: application/json\r\n",
            s.addr
        ),
        &idea,
    );
    assert_eq!(code, 403);
    // DNS rebinding: the page's own name now points at 127.0.0.1.
    let port = s.addr.rsplit(':').next().expect("port");
    let (code, body) = s.request_raw(
        "POST",
        "/api/invite",
        &format!("Host: evil.example:{port}\r\nContent-Type: application/json\r\nX-Allmende-Request: 1\r\n"),
        &json!({"name": "Mallory", "role": "admin"}).to_string(),
    );
    assert_eq!(code, 403, "{body}");
    assert!(!body.contains("token"), "{body}");
    let (code, _) = s.request_raw(
        "GET",
        "/api/session",
        &format!("Host: evil.example:{port}\r\n"),
        "",
    );
    assert_eq!(code, 403);
    assert_eq!(
        p.titles(&["idea", "list", "--limit", "1000"]).len(),
        before,
        "nothing was created"
    );
    // The app itself still works.
    let (code, created) = s.post("/api/command", &serde_json::from_str(&idea).expect("json"));
    assert_eq!(code, 200, "{created}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_only_for_the_host_and_guests_with_a_valid_token() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let (p, _) = demo();
    let s = ServeProc::start(&p);
    let mut foreign = format!("ws://{}/api/events", s.addr)
        .into_client_request()
        .expect("request");
    foreign
        .headers_mut()
        .insert("origin", "http://evil.example".parse().expect("origin"));
    assert!(
        tokio_tungstenite::connect_async(foreign).await.is_err(),
        "a page elsewhere cannot listen"
    );
    let bad = format!("ws://{}/api/events?token=00ff", s.addr);
    assert!(
        tokio_tungstenite::connect_async(bad).await.is_err(),
        "an unknown guest token cannot listen"
    );
    let mut own = format!("ws://{}/api/events", s.addr)
        .into_client_request()
        .expect("request");
    own.headers_mut().insert(
        "origin",
        format!("http://{}", s.addr).parse().expect("origin"),
    );
    assert!(tokio_tungstenite::connect_async(own).await.is_ok());
}

/// The app asks for an invite into the community the person has open, which need not be the
/// device's current one (issue 16, bug 1: it went to the current one).
#[test]
fn an_invite_goes_to_the_community_that_is_open() {
    let (p, demo_id) = demo();
    p.ok(&[
        "init",
        "--name",
        "Schulklasse 7b",
        "--kind",
        "school",
        "--admin-name",
        "Frau Yildiz",
    ]);
    let s = ServeProc::start(&p);
    let (code, invite) = s.post(
        "/api/invite",
        &json!({"name": "Jonas", "role": "moderator", "community": demo_id}),
    );
    assert_eq!(code, 200, "{invite}");
    let member = invite["member"].as_str().expect("member").to_string();
    let members = p.json(&["--community", &demo_id, "member", "list"]);
    let jonas = members
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == member.as_str())
        .unwrap_or_else(|| panic!("Jonas is a member of the open community: {members}"));
    assert_eq!(jonas["role"], "moderator", "with the role the invite names");
}

#[test]
fn a_body_that_does_not_fit_is_refused_not_read_as_defaults() {
    let (p, _community) = demo();
    let server = ServeProc::start(&p);
    // A class code "for seven days" written as a word: refused, not made for the default week.
    let (status, body) = server.post("/api/class-code", &json!({"days": "seven"}));
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "bad_input", "{body}");
    // A join without a token, an invite with a misspelt field.
    let (status, body) = server.post("/api/join", &json!({"tokn": "allmende-invite:x"}));
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.post("/api/invite", &json!({"nmae": "Ben"}));
    assert_eq!(status, 400, "{body}");
    // A class code to withdraw, misspelt or not text: refused with what is wrong.
    for wrong in [json!({"cod": "ABCD-EFGH"}), json!({"code": 7})] {
        let (status, body) = server.post("/api/class-code/revoke", &wrong);
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["code"], "bad_input", "{body}");
    }
    // A refusal speaks the language asked for.
    let (status, body) = server.post("/api/invite?lang=en", &json!({"nmae": "Ben"}));
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("not an invite request")),
        "{body}"
    );
    // No class code was made and no member registered on the way.
    let (status, codes) = server.request(
        "GET",
        &format!("/api/class-codes?community={_community}"),
        "",
    );
    assert_eq!(status, 200, "{codes}");
    let codes: serde_json::Value = serde_json::from_str(&codes).expect("json");
    assert_eq!(codes.as_array().map(Vec::len), Some(0), "{codes}");
    assert!(!p.ok(&["member", "list"]).contains("Ben"));
}

/// Issue 16, calendar subscriptions: a community's calendar has a secret link that calendar
/// apps fetch without a session (asked again every hour, each event's description ending in
/// its link in the app, its UID stable across edits); a new link ends the old one.
#[test]
fn a_calendar_can_be_subscribed_to_and_its_link_renewed() {
    let (p, community) = demo();
    let event = p.create(&[
        "event",
        "add",
        "--title",
        "Reparaturcafé",
        "--start",
        "2030-05-04T14:00:00+02:00",
        "--end",
        "2030-05-04T17:00:00+02:00",
        "--place",
        "Gemeindehaus",
        "--category",
        "consumption",
    ]);
    let server = ServeProc::start(&p);
    let (status, link) = server.post("/api/calendar-link", &json!({ "community": community }));
    assert_eq!(status, 200, "{link}");
    let http = link["http"].as_str().expect("http").to_string();
    assert!(link["webcal"]
        .as_str()
        .expect("webcal")
        .starts_with("webcal://"));
    let path = http
        .split_once(&server.addr)
        .expect("our address")
        .1
        .to_string();
    // A calendar app: no session, no app header.
    let fetch =
        |path: &str| server.request_raw("GET", path, &format!("Host: {}\r\n", server.addr), "");
    let (status, ics) = fetch(&path);
    assert_eq!(status, 200, "{ics}");
    assert!(
        ics.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Reparaturcafé"), "{ics}");
    assert!(ics.contains(&format!("UID:{event}@allmende")), "{ics}");
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains(&format!("/#/{community}/item/{event}")),
        "the event's link in the app: {unfolded}"
    );
    // The same link again; an edit keeps the UID.
    let (_, again) = server.post("/api/calendar-link", &json!({ "community": community }));
    assert_eq!(again["http"], link["http"]);
    p.ok(&["event", "edit", &event, "--title", "Reparaturcafé im Mai"]);
    let (_, edited) = fetch(&path);
    assert!(
        edited.contains("SUMMARY:Reparaturcafé im Mai")
            && edited.contains(&format!("UID:{event}@allmende"))
    );
    // A made-up secret reads nothing.
    assert_eq!(
        fetch("/calendar/00000000000000000000000000000000.ics").0,
        404
    );
    // A new link ends the old one.
    let (status, renewed) = server.post(
        "/api/calendar-link",
        &json!({ "community": community, "renew": true }),
    );
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(renewed["http"], link["http"]);
    assert_eq!(fetch(&path).0, 404, "the old link leads nowhere");
    let new_path = renewed["http"]
        .as_str()
        .expect("http")
        .split_once(&server.addr)
        .expect("our address")
        .1
        .to_string();
    assert_eq!(fetch(&new_path).0, 200);
}

/// Issue 15: while the app joins a community (`POST /api/join`), it asks how far the
/// community has come (`GET /api/join/progress`, what the join screen shows as "12 % von
/// Grünhausen empfangen"): the answers count the community's documents and only grow, and
/// once the join is done nothing runs.
#[test]
fn the_app_sees_how_far_a_join_has_come() {
    use allmende_tests::RelayProc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let relay = RelayProc::start("");
    let admin = Peer::new();
    admin.create(&[
        "init",
        "--name",
        "Grünhausen",
        "--kind",
        "town",
        "--admin-name",
        "Anna",
    ]);
    admin.ok(&["dev", "write-ideas", "--count", "600"]);
    admin.ok(&["sync", "--relay", &relay.url()]);
    let token = admin.ok(&["invite", "--name", "Ben"]).trim().to_string();
    admin.ok(&["sync"]);
    let newcomer = Peer::new();
    let server = ServeProc::start_with(&newcomer, &["--offline"]);
    let (code, idle) = server.request("GET", "/api/join/progress", "");
    assert_eq!((code, idle.as_str()), (200, r#"{"joining":false}"#));
    let finished = AtomicBool::new(false);
    let (seen, (code, joined)) = std::thread::scope(|s| {
        let poller = s.spawn(|| {
            let mut seen = Vec::new();
            while !finished.load(Ordering::SeqCst) {
                let (_, body) = server.request("GET", "/api/join/progress", "");
                let v: serde_json::Value = serde_json::from_str(&body).expect("json");
                if v["joining"] == true {
                    seen.push((
                        v["done"].as_u64().expect("done"),
                        v["total"].as_u64().expect("total"),
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            seen
        });
        let answer = server.post("/api/join", &json!({ "token": token }));
        finished.store(true, Ordering::SeqCst);
        (poller.join().expect("poller"), answer)
    });
    assert_eq!(code, 200, "{joined}");
    assert_eq!(joined["name"], "Grünhausen");
    assert!(!seen.is_empty(), "the join was watched while it ran");
    assert!(
        seen.windows(2).all(|w| w[1].0 >= w[0].0),
        "what has arrived only grows: {seen:?}"
    );
    assert!(
        seen.iter().any(|(done, total)| *done > 0 && *total >= 100),
        "the community's documents are counted as they arrive: {seen:?}"
    );
    let (_, after) = server.request("GET", "/api/join/progress", "");
    assert_eq!(after, r#"{"joining":false}"#, "nothing runs once joined");
    assert_eq!(
        newcomer.json(&["idea", "list", "--limit", "1000"])["total"],
        600
    );
}
