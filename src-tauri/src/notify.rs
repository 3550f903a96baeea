//! Desktop notifications for town-hall answers on requests this device's member wrote or
//! follows (through Tauri's notification plugin). Only answers newer than the app's start
//! (or the last one shown) are announced, once each.

use allmende_core::query::Notification;
use allmende_service::Service;
use tauri_plugin_notification::NotificationExt;

/// The answers newer than `since`, oldest first.
#[must_use]
pub fn fresh(list: &[Notification], since: i64) -> Vec<&Notification> {
    let mut out: Vec<&Notification> = list.iter().filter(|n| n.at > since).collect();
    out.sort_by_key(|n| n.at);
    out
}

/// What a desktop notification says.
#[must_use]
pub fn text(n: &Notification) -> (String, String) {
    let status = allmende_core::lang::label(&n.status, allmende_core::Lang::De);
    let mut body = format!("{}: {status}", n.by);
    if !n.message.is_empty() {
        body.push_str(" – ");
        body.push_str(&n.message);
    }
    (format!("Antwort vom Rathaus: {}", n.title), body)
}

/// Shows new answers for every community on this device; returns the newest time shown.
pub fn announce(app: &tauri::AppHandle, svc: &mut Service, since: i64) -> i64 {
    let mut newest = since;
    let communities = svc.communities().unwrap_or_default();
    for c in communities.iter().filter(|c| c.me.is_some()) {
        let Ok(list) = svc.notifications(&c.id) else {
            continue;
        };
        for n in fresh(&list, since) {
            let (title, body) = text(n);
            // No notification service (a bare X server in tests) is not an error worth more.
            let _ = app.notification().builder().title(title).body(body).show();
            newest = newest.max(n.at);
        }
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(at: i64, title: &str) -> Notification {
        Notification {
            at,
            request: "r".into(),
            title: title.into(),
            status: "approved".into(),
            message: "Genehmigt.".into(),
            by: "Frau Keller".into(),
            promised_by: String::new(),
        }
    }

    #[test]
    fn only_answers_after_the_last_shown_oldest_first() {
        let list = [n(30, "c"), n(10, "a"), n(20, "b")];
        let shown: Vec<&str> = fresh(&list, 15).iter().map(|n| n.title.as_str()).collect();
        assert_eq!(shown, ["b", "c"]);
        let (title, body) = text(&list[0]);
        assert_eq!(title, "Antwort vom Rathaus: c");
        assert!(body.starts_with("Frau Keller: "), "{body}");
        assert!(body.ends_with("– Genehmigt."));
    }
}
