//! What every request of `allmende serve` needs: its language, who it acts as (the host on
//! this machine, or a guest with a session token), the service on a blocking thread, and the
//! answer to an error (status and `{code, message}` in the request's language).

use std::net::SocketAddr;

use allmende_core::Lang;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::AppState;
use allmende_service::{Service, Viewer};
use allmende_store::error::PeerError;

/// The language a request asks for: `?lang=`, else `Accept-Language`, else German.
pub(super) fn lang(parts: &Parts) -> Lang {
    let asked = parts
        .uri
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(|l| l.parse().ok());
    asked.unwrap_or_else(|| {
        parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::De, Lang::from_locale)
    })
}

/// A request from someone who may use the API, with its language and whom it acts as: the
/// host on this machine, or a guest with a session token. Anyone else is refused, in the
/// language they asked for, before the handler runs.
pub(super) struct Caller {
    pub lang: Lang,
    pub who: Principal,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang(parts);
        principal(state, parts)
            .map(|who| Caller { lang, who })
            .map_err(|e| error(&e, lang))
    }
}

impl Caller {
    /// Refuses a guest with `why`: this is for the host (this machine) alone.
    ///
    /// # Errors
    /// The refusal, as the answer to send.
    pub(super) fn host_only(&self, why: &str) -> Result<(), Response> {
        match self.who {
            Principal::Host => Ok(()),
            Principal::Guest(_) => Err(error(&PeerError::HostOnly(why.into()), self.lang)),
        }
    }

    /// The value as JSON, or the error in the caller's language.
    pub(super) fn answer<T: Serialize>(&self, result: Result<T, PeerError>) -> Response {
        match result {
            Ok(v) => Json(v).into_response(),
            Err(e) => error(&e, self.lang),
        }
    }
}

/// The community a request names, or the one open on this device.
///
/// # Errors
/// No community named and none open, or storage errors.
pub(super) fn community_or_current(
    svc: &mut Service,
    named: Option<String>,
) -> Result<String, PeerError> {
    match named {
        Some(c) => Ok(c),
        None => svc
            .current_community()?
            .ok_or_else(|| PeerError::BadInput("no community".into())),
    }
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
#[derive(Clone)]
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
