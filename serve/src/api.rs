//! The JSON endpoints and static files.

use std::collections::HashMap;

use allmende_core::query::Query;
use allmende_core::requests::{InviteRequest, JoinRequest};
use allmende_core::Command;
use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::context::{
    as_principal, body_of, changed, community_or_current, error, with_service, Caller,
};
use super::AppState;
use allmende_store::error::PeerError;

pub(super) async fn command(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let command: Command = match body_of(&body, "a command", caller.lang) {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let result = as_principal(&state, caller.who, move |svc| svc.execute(command)).await;
    match result {
        Ok(outcome) => {
            let _ = state.changes.send(outcome.id.clone());
            Json(outcome).into_response()
        }
        Err(e) => error(&e, caller.lang),
    }
}

pub(super) async fn query(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    let query: Query = match body_of(&body, "a query", caller.lang) {
        Ok(q) => q,
        Err(answer) => return answer,
    };
    let result = as_principal(&state, caller.who.clone(), move |svc| svc.query(query)).await;
    caller.answer(result)
}

pub(super) async fn session(State(state): State<AppState>, caller: Caller) -> Response {
    let result = as_principal(&state, caller.who.clone(), |svc| svc.session_view()).await;
    caller.answer(result)
}

/// Creates an invite (admins) and returns the token with its QR code as SVG.
pub(super) async fn invite(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    let request: InviteRequest = match caller
        .host_only("only the host creates invites")
        .and_then(|()| body_of(&body, "an invite request", caller.lang))
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
    changed(&state, result, caller.lang)
}

/// Joins a community with an invite token (this machine only): reaches the invite's relay
/// beside the running service and answers with the community and its code of conduct.
pub(super) async fn join(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    let token = match caller
        .host_only("only this machine joins communities")
        .and_then(|()| body_of::<JoinRequest>(&body, "a join request", caller.lang))
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
    changed(&state, result, caller.lang)
}

/// How far a join from this machine has come (`GET /api/join/progress`), for the app to show
/// while it waits for `/api/join`.
pub(super) async fn join_progress(State(state): State<AppState>, caller: Caller) -> Response {
    if let Err(answer) = caller.host_only("only this machine joins communities") {
        return answer;
    }
    Json(state.joining.view()).into_response()
}

pub(super) async fn export_ics(
    State(state): State<AppState>,
    caller: Caller,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
) -> Response {
    let community = params.get("community").cloned();
    let lang = caller.lang;
    let result = as_principal(&state, caller.who, move |svc| {
        let c = community_or_current(svc, community)?;
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
