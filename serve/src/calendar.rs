//! A community's calendar as a subscription for calendar apps: `POST /api/calendar-link`
//! gives the secret link (`webcal://` and `http://`), `GET /calendar/SECRET.ics` answers
//! it without a session (the secret is the key; it reads the events and nothing else).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::context::{
    as_principal, body_of, community_or_current, error, lang, with_service, Caller,
};
use super::AppState;

#[derive(Deserialize)]
struct LinkRequest {
    #[serde(default)]
    community: Option<String>,
    /// A new secret (the old link then leads nowhere); the host only.
    #[serde(default)]
    renew: bool,
}

/// The name browsers reach this server at (already checked against the allow-list).
fn host_of(parts: &Parts) -> String {
    parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string()
}

/// `POST /api/calendar-link` `{community?, renew?}` → `{http, webcal}`.
pub(super) async fn link(
    State(state): State<AppState>,
    caller: Caller,
    parts: Parts,
    body: Bytes,
) -> Response {
    let lang = caller.lang;
    let request: LinkRequest = match body_of(&body, "a calendar link request", lang) {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    if request.renew {
        if let Err(answer) = caller.host_only("only the host makes a new calendar link") {
            return answer;
        }
    }
    let host = host_of(&parts);
    let result = as_principal(&state, caller.who, move |svc| {
        let community = community_or_current(svc, request.community)?;
        svc.calendar_secret(&community, request.renew)
    })
    .await;
    match result {
        Ok(secret) => Json(serde_json::json!({
            "http": format!("http://{host}/calendar/{secret}.ics"),
            "webcal": format!("webcal://{host}/calendar/{secret}.ics"),
        }))
        .into_response(),
        Err(e) => error(&e, lang),
    }
}

/// `GET /calendar/SECRET.ics`: the calendar, for calendar apps.
pub(super) async fn feed(
    State(state): State<AppState>,
    parts: Parts,
    Path(file): Path<String>,
) -> Response {
    let lang = lang(&parts);
    let secret = file.trim_end_matches(".ics").to_string();
    let host = host_of(&parts);
    let result = with_service(&state, move |svc| {
        svc.calendar_feed(&secret, &|community, event| {
            format!("http://{host}/#/{community}/item/{event}")
        })
    })
    .await;
    match result {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            text,
        )
            .into_response(),
        Err(e) => error(&e, lang),
    }
}
