//! # allmende-serve: `allmende serve`
//!
//! The same service API over HTTP for browsers, plus the web UI's files.
//!
//! - `POST /api/command` with a [`allmende_core::Command`] as JSON → `Outcome`
//! - `POST /api/query` with a [`allmende_core::query::Query`] as JSON → the view
//! - `GET /api/session` → device, current community, communities, sync status
//! - `GET /api/export.ics?community=ID` → the calendar as iCalendar
//! - `POST /api/calendar-link` `{community?, renew?}` → the community's calendar as a
//!   subscription, `{http, webcal}`; `GET /calendar/SECRET.ics` answers calendar apps
//!   without a session (see `calendar.rs`)
//! - `POST /api/invite` `{name, role}` (this machine only) → a new member's invite and its QR
//! - `POST /api/join` `{token}` (this machine only) → joins through the invite's relay:
//!   `{community, name, code_of_conduct}`; meanwhile `GET /api/join/progress` (this machine
//!   only) → `{joining, done, total, bytes_received}`
//! - `POST /api/enroll` `{code, name}` → a guest session (see `guest.rs`): browsers on other
//!   machines join a class with a class code and act only as that member
//! - `POST /api/class-code` `{community?, days?, uses?}` (this machine only) → a class code and
//!   its join link as QR code; `GET /api/class-codes?community=` lists them,
//!   `POST /api/class-code/revoke` `{code}` withdraws one; `/api/enroll` takes ten tries a
//!   minute per address
//! - `GET /api/events` (WebSocket) → `{"type":"changed"}` whenever stored documents change,
//!   whoever changed them (this server, the CLI, a sync), so open screens update without reload
//! - everything else: the UI's static files (`index.html` for unknown paths; the wasm bundle,
//!   scripts and styles gzipped for browsers that take it)
//!
//! Errors are `{code, message}` with HTTP 400 (refused input), 404, 409 (damaged data) or 500;
//! the message is in the language of `?lang=` or `Accept-Language` (German by default).

#![cfg_attr(not(test), deny(clippy::unwrap_used))]
// A handler's early answer is an axum `Response` (128 bytes) sent back at once: boxing it in
// `Result<_, Response>` would buy nothing.
#![allow(clippy::result_large_err)]

mod api;
mod calendar;
mod context;
pub mod edge;
mod events;
mod guest;
mod static_files;
mod throttle;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::broadcast;

use allmende_net::p2p::node::lan_ip;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    svc: Arc<Mutex<Service>>,
    changes: broadcast::Sender<String>,
    ui: Option<PathBuf>,
    /// Treat browsers on this machine as guests too.
    guests_only: bool,
    /// Which `Host` values name this server (see [`edge`]).
    edge: Arc<edge::Edge>,
    /// Tries to join with a class code, per address.
    enrolments: Arc<throttle::Throttle>,
    /// The UI's large files, gzipped once.
    gzipped: Arc<static_files::Gzipped>,
    /// How far a join from this machine has come.
    joining: allmende_net::join::Joining,
}

/// Tries to join with a class code one address may make per minute.
const ENROLMENTS_PER_MINUTE: u32 = 10;

/// The UI folder: `ALLMENDE_UI` or `ui/dist` next to the working directory or the binary.
#[must_use]
pub fn find_ui() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("ALLMENDE_UI") {
        return Some(PathBuf::from(dir));
    }
    let mut candidates = vec![PathBuf::from("ui/dist")];
    if let Ok(exe) = std::env::current_exe() {
        for up in exe.ancestors().skip(1).take(4) {
            candidates.push(up.join("ui/dist"));
        }
    }
    candidates
        .into_iter()
        .find(|p| p.join("index.html").exists())
}

/// The router, for a service, answering to the names in `edge`.
pub fn router(
    svc: Service,
    ui: Option<PathBuf>,
    guests_only: bool,
    edge: edge::Edge,
) -> (Router, AppState) {
    let (changes, _) = broadcast::channel(64);
    let state = AppState {
        svc: Arc::new(Mutex::new(svc)),
        changes,
        ui,
        guests_only,
        edge: Arc::new(edge),
        enrolments: Arc::new(throttle::Throttle::new(
            ENROLMENTS_PER_MINUTE,
            std::time::Duration::from_secs(60),
        )),
        gzipped: Arc::default(),
        joining: allmende_net::join::Joining::default(),
    };
    let router = Router::new()
        .route("/api/command", post(api::command))
        .route("/api/query", post(api::query))
        .route("/api/session", get(api::session))
        .route("/api/export.ics", get(api::export_ics))
        .route("/api/calendar-link", post(calendar::link))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/api/invite", post(api::invite))
        .route("/api/join", post(api::join))
        .route("/api/join/progress", get(api::join_progress))
        .route("/api/enroll", post(guest::enroll))
        .route("/api/class-code", post(guest::class_code))
        .route("/api/class-codes", get(guest::class_codes))
        .route("/api/class-code/revoke", post(guest::revoke_class_code))
        .route("/api/events", get(events::socket))
        .fallback(get(static_files::static_file))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::guard,
        ))
        .with_state(state.clone());
    (router, state)
}

/// Serves until Ctrl-C. Prints `listening on http://ADDR` first (for scripts and tests).
/// Browsers must address it by its own addresses or one of `names`.
///
/// # Errors
/// The address cannot be bound, storage errors.
pub async fn serve(
    svc: Service,
    listen: SocketAddr,
    ui: Option<PathBuf>,
    guests_only: bool,
    names: &[String],
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| PeerError::Network(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener.local_addr()?;
    let edge = edge::Edge::for_listener(addr, lan_ip(), names);
    let (router, state) = router(svc, ui, guests_only, edge);
    println!("listening on http://{addr}");
    if addr.ip().is_unspecified() {
        // Reachable from phones on the same network: show the address as a QR code.
        if let Some(ip) = lan_ip() {
            let url = format!("http://{ip}:{}", addr.port());
            println!("Im WLAN / on the local network: {url}");
            if let Ok(code) = allmende_service::qr::terminal(&url) {
                println!("{code}");
            }
        }
    }
    tokio::spawn(events::watch_store(state));
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
