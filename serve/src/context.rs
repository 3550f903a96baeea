//! What every request of `allmende serve` needs: its language, who it acts as (the host on
//! this machine, or a guest with a session token), the service on a blocking thread, and the
//! answer to an error (status and `{code, message}` in the request's language).

use std::collections::HashMap;
use std::net::SocketAddr;

use allmende_core::Lang;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::AppState;
use allmende_service::{Service, Viewer};
use allmende_store::error::PeerError;

pub(super) fn lang(headers: &HeaderMap, params: &HashMap<String, String>) -> Lang {
    if let Some(l) = params.get("lang").and_then(|l| l.parse().ok()) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::De, Lang::from_locale)
}

fn status_of(e: &PeerError) -> StatusCode {
    match e {
        PeerError::Unauthorised(_) | PeerError::GuestRemoved => StatusCode::UNAUTHORIZED,
        PeerError::HostOnly(_) => StatusCode::FORBIDDEN,
        PeerError::Network(_) => StatusCode::BAD_GATEWAY,
        PeerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        PeerError::ClassCode(allmende_service::ClassCodeFault::TooManyAttempts) => {
            StatusCode::TOO_MANY_REQUESTS
        }
        PeerError::Domain(d) if d.code() == "not_found" => StatusCode::NOT_FOUND,
        PeerError::Domain(d) if d.code() == "forbidden" => StatusCode::FORBIDDEN,
        e if e.is_input_error() => StatusCode::BAD_REQUEST,
        e if e.is_corruption() => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub(super) fn error(e: &PeerError, lang: Lang) -> Response {
    (status_of(e), Json(e.to_api(lang))).into_response()
}

/// Runs `f` on the service on a blocking thread.
pub(super) async fn with_service<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Service) -> Result<T, PeerError> + Send + 'static,
) -> Result<T, PeerError> {
    let svc = state.svc.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = svc
            .lock()
            .map_err(|_| PeerError::Unavailable("a request failed while holding it".into()))?;
        f(&mut guard)
    })
    .await
    .map_err(|e| PeerError::Unavailable(e.to_string()))?
}

/// Who a request acts as.
pub(super) enum Principal {
    Host,
    Guest(String),
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// A guest's token from `?token=` (a browser's WebSocket cannot send headers).
fn query_token(parts: &Parts) -> Option<String> {
    // Tokens are hex: nothing to percent-decode.
    parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_string)
            .filter(|t| !t.is_empty())
    })
}

/// The principal of a live-update socket: the host, or a guest whose `?token=` is valid.
pub(super) async fn socket_principal(state: &AppState, parts: &Parts) -> Result<(), PeerError> {
    let token = match bearer(&parts.headers).or_else(|| query_token(parts)) {
        Some(t) => t,
        None => return principal(state, parts).map(|_| ()),
    };
    with_service(state, move |svc| svc.guest(&token).map(|_| ())).await
}

/// The principal of a request, or a refusal for strangers.
pub(super) fn principal(state: &AppState, parts: &Parts) -> Result<Principal, PeerError> {
    if let Some(token) = bearer(&parts.headers) {
        return Ok(Principal::Guest(token));
    }
    // Fail closed: a request whose peer address is unknown is not the host.
    let local = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    if local && !state.guests_only {
        Ok(Principal::Host)
    } else {
        Err(PeerError::Unauthorised(
            "join with a class code first".into(),
        ))
    }
}

/// Runs `f` as the request's principal.
pub(super) async fn as_principal<T: Send + 'static>(
    state: &AppState,
    who: Principal,
    f: impl FnOnce(&mut Service) -> Result<T, PeerError> + Send + 'static,
) -> Result<T, PeerError> {
    with_service(state, move |svc| match who {
        Principal::Host => f(svc),
        Principal::Guest(token) => {
            let guest: Viewer = svc.guest(&token)?;
            svc.as_guest(guest, f)
        }
    })
    .await
}

/// Refuses everyone but the host (this machine) with `why`.
///
/// # Errors
/// The refusal, as the answer to send.
pub(super) fn host_only(
    state: &AppState,
    parts: &Parts,
    lang: Lang,
    why: &str,
) -> Result<(), Response> {
    match principal(state, parts) {
        Ok(Principal::Host) => Ok(()),
        // A guest is in, but this is not for guests; anyone else has not joined.
        Ok(Principal::Guest(_)) => Err(error(&PeerError::HostOnly(why.into()), lang)),
        Err(e) => Err(error(&e, lang)),
    }
}

/// A request body of type `T` (named `what` in the refusal).
///
/// # Errors
/// A body that is not one, as the answer to send.
pub(super) fn body_of<T: DeserializeOwned>(
    body: &[u8],
    what: &str,
    lang: Lang,
) -> Result<T, Response> {
    serde_json::from_slice(body)
        .map_err(|e| error(&PeerError::BadInput(format!("not {what}: {e}")), lang))
}

/// The answer to a call that changed stored data: open screens are told, then the value (or
/// the error) goes back.
pub(super) fn changed<T: Serialize>(
    state: &AppState,
    result: Result<T, PeerError>,
    lang: Lang,
) -> Response {
    match result {
        Ok(v) => {
            let _ = state.changes.send(String::new());
            Json(v).into_response()
        }
        Err(e) => error(&e, lang),
    }
}
