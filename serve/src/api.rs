//! The JSON endpoints and static files.

use std::collections::HashMap;

use allmende_core::query::Query;
use allmende_core::requests::{InviteRequest, JoinRequest};
use allmende_core::Command;
use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::context::{
    as_principal, body_of, changed, error, host_only, lang, principal, with_service,
};
use super::AppState;
use allmende_store::error::PeerError;

pub(super) async fn command(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let lang = lang(&parts.headers, &params);
    let who = match principal(&state, &parts) {
        Ok(w) => w,
        Err(e) => return error(&e, lang),
    };
    let command: Command = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => return error(&PeerError::BadInput(format!("not a command: {e}")), lang),
    };
    let result = as_principal(&state, who, move |svc| svc.execute(command)).await;
    match result {
        Ok(outcome) => {
            let _ = state.changes.send(outcome.id.clone());
            Json(outcome).into_response()
        }
        Err(e) => error(&e, lang),
    }
}

pub(super) async fn query(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let lang = lang(&parts.headers, &params);
    let who = match principal(&state, &parts) {
        Ok(w) => w,
        Err(e) => return error(&e, lang),
    };
    let query: Query = match serde_json::from_slice(&body) {
        Ok(q) => q,
        Err(e) => return error(&PeerError::BadInput(format!("not a query: {e}")), lang),
    };
    match as_principal(&state, who, move |svc| svc.query(query)).await {
        Ok(result) => Json(result).into_response(),
        Err(e) => error(&e, lang),
    }
}

pub(super) async fn session(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
) -> Response {
    let lang = lang(&parts.headers, &params);
    let who = match principal(&state, &parts) {
        Ok(w) => w,
        Err(e) => return error(&e, lang),
    };
    let result = as_principal(&state, who, |svc| svc.session_view()).await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => error(&e, lang),
    }
}

/// Creates an invite (admins) and returns the token with its QR code as SVG.
pub(super) async fn invite(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let lang = lang(&parts.headers, &params);
    let request: InviteRequest =
        match host_only(&state, &parts, lang, "only the host creates invites")
            .and_then(|()| body_of(&body, "an invite request", lang))
        {
            Ok(r) => r,
            Err(answer) => return answer,
        };
    let result = with_service(&state, move |svc| {
        svc.invite_view(
            request.community.as_deref(),
            &request.name,
            &request.role,
            request.days,
        )
    })
    .await;
    changed(&state, result, lang)
}

/// Joins a community with an invite token (this machine only): reaches the invite's relay
/// beside the running service and answers with the community and its code of conduct.
pub(super) async fn join(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let lang = lang(&parts.headers, &params);
    let token = match host_only(&state, &parts, lang, "only this machine joins communities")
        .and_then(|()| body_of::<JoinRequest>(&body, "a join request", lang))
    {
        Ok(r) => r.token,
        Err(answer) => return answer,
    };
    let result = async {
        let dir = with_service(&state, |svc| Ok(svc.data_dir())).await?;
        let joining = state.joining.clone();
        tokio::task::spawn_blocking(move || {
            joining.join(&dir, &token, std::time::Duration::from_secs(20))
        })
        .await
        .map_err(|e| PeerError::Unavailable(e.to_string()))?
    }
    .await;
    changed(&state, result, lang)
}

/// How far a join from this machine has come (`GET /api/join/progress`), for the app to show
/// while it waits for `/api/join`.
pub(super) async fn join_progress(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
) -> Response {
    let lang = lang(&parts.headers, &params);
    if let Err(answer) = host_only(&state, &parts, lang, "only this machine joins communities") {
        return answer;
    }
    Json(state.joining.view()).into_response()
}

pub(super) async fn export_ics(
    State(state): State<AppState>,
    parts: Parts,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
) -> Response {
    let lang = lang(&parts.headers, &params);
    let who = match principal(&state, &parts) {
        Ok(w) => w,
        Err(e) => return error(&e, lang),
    };
    let community = params.get("community").cloned();
    let result = as_principal(&state, who, move |svc| {
        let c = match community {
            Some(c) => c,
            None => svc
                .current_community()?
                .ok_or_else(|| PeerError::BadInput("no community".into()))?,
        };
        if svc.viewer_community().is_some_and(|v| v != c) {
            return Err(PeerError::HostOnly("another community".into()));
        }
        svc.export_ics(&c)
    })
    .await;
    match result {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"allmende.ics\"",
                ),
            ],
            text,
        )
            .into_response(),
        Err(e) => error(&e, lang),
    }
}
