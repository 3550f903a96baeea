//! Who is asking: the host (this machine) or a guest with a session token.
//!
//! Requests from this machine act as the local device's members, as the desktop app does.
//! Any other browser is a guest: it joins a community with a class code and a name
//! (`POST /api/enroll`) and sends `Authorization: Bearer TOKEN` from then on. With
//! `--guests-only`, browsers on this machine are guests too.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query as UrlQuery, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Response;

use super::context::{body_of, changed, community_or_current, error, lang, with_service, Caller};
use super::AppState;
use allmende_core::requests::{ClassCodeRequest, EnrollRequest, RevokeClassCodeRequest};
use allmende_store::error::PeerError;

/// `POST /api/enroll` `{code, name}`: joins a class as a guest; returns the session token.
pub(super) async fn enroll(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let lang = lang(&parts);
    // Codes are short: one address gets a few failed tries a minute (fail closed without
    // one); a class joining from one address is not held up.
    let from = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if !from.is_some_and(|ip| state.enrolments.attempt(ip)) {
        return error(
            &PeerError::ClassCode(allmende_service::ClassCodeFault::TooManyAttempts),
            lang,
        );
    }
    let request: EnrollRequest = match body_of(&body, "an enrolment", lang) {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let result = with_service(&state, move |svc| svc.enroll(&request.code, &request.name)).await;
    if let (Ok(_), Some(ip)) = (&result, from) {
        state.enrolments.succeeded(ip);
    }
    changed(&state, result, lang)
}

/// `POST /api/class-code` `{community?, days?}` (host only): a class code and the join
/// link as a QR code.
pub(super) async fn class_code(
    State(state): State<AppState>,
    caller: Caller,
    parts: Parts,
    body: Bytes,
) -> Response {
    let request: ClassCodeRequest = match caller
        .host_only("only the host creates class codes")
        .and_then(|()| body_of(&body, "a class code request", caller.lang))
    {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let community = request.community;
    let days = request.days.unwrap_or(7);
    let uses = request.uses.unwrap_or(allmende_service::DEFAULT_CODE_USES);
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let result = with_service(&state, move |svc| {
        let c = community_or_current(svc, community)?;
        let code = svc.create_class_code(&c, days, uses)?;
        let url = format!("http://{host}/#code={}", code.code);
        let qr = allmende_service::qr::svg(&url)?;
        Ok(serde_json::json!({ "code": code, "url": url, "qr_svg": qr }))
    })
    .await;
    caller.answer(result)
}

/// `GET /api/class-codes?community=` (host only): the community's class codes.
pub(super) async fn class_codes(
    State(state): State<AppState>,
    caller: Caller,
    UrlQuery(params): UrlQuery<HashMap<String, String>>,
) -> Response {
    if let Err(answer) = caller.host_only("only the host manages class codes") {
        return answer;
    }
    let community = params.get("community").cloned();
    let result = with_service(&state, move |svc| {
        let c = community_or_current(svc, community)?;
        svc.class_codes(&c)
    })
    .await;
    caller.answer(result)
}

/// `POST /api/class-code/revoke` `{code}` (host only): nobody joins with it any more.
pub(super) async fn revoke_class_code(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Response {
    let request: RevokeClassCodeRequest = match caller
        .host_only("only the host manages class codes")
        .and_then(|()| body_of(&body, "a class code to withdraw", caller.lang))
    {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let result = with_service(&state, move |svc| svc.revoke_class_code(&request.code)).await;
    caller.answer(result)
}
