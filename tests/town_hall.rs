//! The town-hall path end to end with real peers and a relay: a citizen's request, answers
//! by staff with promised dates, the inbox filters, overdue counters, notifications for the
//! author, figures per department and the moderation audit log.

use allmende_tests::{community_with_members, Peer, RelayProc};
use serde_json::Value;

/// The date `days` from now (`YYYY-MM-DD`).
fn in_days(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    allmende_core::time::millis_to_date(
        i64::try_from(now).expect("ms") + days * allmende_core::time::DAY_MS,
    )
}

fn me(p: &Peer) -> String {
    p.json(&["community", "list"])[0]["me"]
        .as_str()
        .expect("member id")
        .to_string()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_request_goes_through_the_town_hall_and_its_author_hears_back() {
    let relay = RelayProc::start("");
    let (anna, others, _community) = community_with_members(&relay, &["Ben", "Keller"]);
    let (ben, keller) = (&others[0], &others[1]);
    anna.ok(&["member", "role", &me(keller), "municipal_staff"]);
    anna.ok(&["sync"]);
    let idea = ben.create(&[
        "idea",
        "add",
        "--title",
        "Trinkbrunnen am Markt",
        "--category",
        "health",
    ]);
    let request = ben.create(&[
        "request",
        "add",
        "--target",
        &idea,
        "--title",
        "Brunnen genehmigen",
        "--department",
        "Tiefbauamt",
    ]);
    let other = ben.create(&[
        "request",
        "add",
        "--target",
        &idea,
        "--title",
        "Wasseranschluss",
        "--department",
        "Stadtwerke",
    ]);
    ben.ok(&["sync"]);
    keller.ok(&["sync"]);

    // A citizen cannot answer; staff can, with a promise for a day to come (one gone by
    // is refused); the checks below look at the request 400 days later.
    let (code, _) = ben.fails(&["request", "answer", &request, "--status", "approved"]);
    assert_eq!(code, 2);
    let (code, _) = keller.fails(&[
        "request",
        "answer",
        &request,
        "--status",
        "received",
        "--promised-by",
        "2020-01-15",
    ]);
    assert_eq!(code, 2, "a promise for a day gone by");
    let promised = in_days(5);
    keller.ok(&[
        "request",
        "answer",
        &request,
        "--status",
        "received",
        "--message",
        "Wir prüfen das.",
        "--contact",
        "Frau Keller",
        "--promised-by",
        &promised,
    ]);
    assert!(ids(&keller.json(&["request", "list", "--overdue"])).is_empty());
    let inbox = keller.json_days_later(400, &["request", "list", "--overdue"]);
    assert_eq!(ids(&inbox), std::slice::from_ref(&request), "{inbox}");
    let tiefbau = keller.json(&["request", "list", "--department", "Tiefbauamt"]);
    assert_eq!(ids(&tiefbau), std::slice::from_ref(&request));
    let stadtwerke = keller.json(&[
        "request",
        "list",
        "--department",
        "Stadtwerke",
        "--status",
        "submitted",
    ]);
    assert_eq!(ids(&stadtwerke), std::slice::from_ref(&other));
    keller.ok(&["sync"]);
    ben.ok(&["sync"]);

    let heard = ben.json(&["request", "notifications"]);
    assert_eq!(heard.as_array().map(Vec::len), Some(1), "{heard}");
    assert_eq!(heard[0]["status"], "received");
    assert_eq!(heard[0]["message"], "Wir prüfen das.");
    let shown = ben.json_days_later(400, &["request", "show", &request]);
    assert!(shown["waiting_days"].as_i64().unwrap_or(0) > 300, "{shown}");

    let figures = ben.json_days_later(400, &["request", "figures"]);
    let tief = figures
        .as_array()
        .and_then(|a| a.iter().find(|f| f["department"] == "Tiefbauamt"))
        .cloned()
        .expect("Tiefbauamt");
    assert_eq!(
        (
            tief["requests"].as_u64(),
            tief["overdue"].as_u64(),
            tief["answered"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(tief["promises_missed"], 1);

    // The next answer ends the wait; the author hears of it too.
    keller.ok(&[
        "request",
        "answer",
        &request,
        "--status",
        "approved",
        "--message",
        "Genehmigt.",
    ]);
    keller.ok(&["sync"]);
    ben.ok(&["sync"]);
    assert_eq!(
        ids(&ben.json_days_later(400, &["request", "list", "--overdue"])),
        Vec::<String>::new()
    );
    let heard = ben.json(&["request", "notifications"]);
    assert_eq!(heard[0]["status"], "approved", "{heard}");
    assert_eq!(heard[0]["by"], "Keller");
    anna.ok(&["sync"]);
    let figures = anna.json(&["request", "figures"]);
    assert!(figures.to_string().contains("Tiefbauamt"));
}

#[test]
fn moderation_is_audited_and_reports_reach_the_queue() {
    let relay = RelayProc::start("");
    let (anna, others, _community) = community_with_members(&relay, &["Ben"]);
    let ben = &others[0];
    let idea = ben.create(&[
        "idea",
        "add",
        "--title",
        "Werbung für Autohaus",
        "--category",
        "mobility",
    ]);
    ben.ok(&["report", &idea, "--reason", "Werbung"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    anna.ok(&["hide", &idea, "--reason", "Werbung ist nicht erlaubt"]);
    anna.ok(&["restore", &idea, "--reason", "Nach Rücksprache geändert"]);
    let log = anna.json(&["audit"]);
    assert_eq!(log.as_array().map(Vec::len), Some(2), "{log}");
    assert_eq!(log[0]["hidden"], false);
    assert_eq!(log[1]["reason"], "Werbung ist nicht erlaubt");
    assert_eq!(log[1]["by"], me(&anna));
}

/// A community that holds new members' first posts: the code of conduct is shown on joining,
/// a new member's idea and comment wait for a moderator, and approval releases them.
#[test]
fn new_members_first_posts_wait_for_approval() {
    let relay = RelayProc::start("");
    let (anna, others, _community) = community_with_members(&relay, &["Ben"]);
    let ben = &others[0];
    anna.ok(&[
        "community",
        "edit",
        "--code-of-conduct",
        "Respektvoll bleiben, keine Werbung.",
        "--hold-first-posts",
        "true",
    ]);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Radweg zur Schule",
        "--category",
        "mobility",
    ]);
    let token = anna.ok(&["invite", "--name", "Dana"]).trim().to_string();
    anna.ok(&["sync"]);
    let dana = Peer::new();
    let joined = dana.ok(&["join", &token]);
    assert!(
        joined.contains("Respektvoll bleiben, keine Werbung."),
        "{joined}"
    );
    let held = dana.create(&[
        "idea",
        "add",
        "--title",
        "Tauschregal im Rathaus",
        "--category",
        "consumption",
    ]);
    dana.ok(&["comment", &idea, "--text", "Super Idee, bin dabei"]);
    dana.ok(&["sync"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);

    // Others do not see it yet; the author does; moderators find it in their queue.
    assert!(!ben
        .titles(&["idea", "list"])
        .contains(&"Tauschregal im Rathaus".to_string()));
    let (code, _) = ben.fails(&["idea", "show", &held]);
    assert_eq!(code, 2);
    let comment = ben.json(&["idea", "show", &idea]);
    assert_eq!(
        comment["hidden_comments"].as_array().map(Vec::len),
        Some(1),
        "{comment}"
    );
    assert!(
        !comment.to_string().contains("Super Idee"),
        "held text does not leave the service"
    );
    assert!(dana
        .titles(&["idea", "list"])
        .contains(&"Tauschregal im Rathaus".to_string()));
    assert_eq!(
        anna.json(&["idea", "show", &held])["summary"]["hidden"],
        true
    );

    let dana_id = dana.json(&["community", "list"])[0]["me"]
        .as_str()
        .expect("id")
        .to_string();
    let (code, _) = ben.fails(&["member", "approve", &dana_id]);
    assert_eq!(code, 2, "approving needs a moderator");
    anna.ok(&["member", "approve", &dana_id]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    assert!(ben
        .titles(&["idea", "list"])
        .contains(&"Tauschregal im Rathaus".to_string()));
    let shown = ben.json(&["idea", "show", &idea]);
    assert!(
        shown.to_string().contains("Super Idee, bin dabei"),
        "{shown}"
    );
}
