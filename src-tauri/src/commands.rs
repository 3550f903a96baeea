//! The Tauri commands: a few lines each over the service.

// The service's error type is large (it carries storage errors); it is turned into the small
// `{code, message}` right away.
#![allow(clippy::result_large_err)]

use allmende_core::query::Query;
use allmende_core::requests::{InviteRequest, JoinRequest};
use allmende_core::{ApiError, Command, Lang};
use allmende_net::join::Joining;
use allmende_service::PeerError;
use tauri::{Emitter, Manager, State};

use crate::AppState;

/// The person's language, as the interface sends it with every call (German unless said).
fn lang_of(lang: Option<&str>) -> Lang {
    lang.and_then(|l| l.parse().ok()).unwrap_or(Lang::De)
}

fn api(e: &PeerError, lang: Lang) -> ApiError {
    e.to_api(lang)
}

fn with<T>(
    state: &State<'_, AppState>,
    lang: Lang,
    f: impl FnOnce(&mut allmende_service::Service) -> Result<T, PeerError>,
) -> Result<T, ApiError> {
    let mut svc = state.0.lock().map_err(|_| {
        api(
            &PeerError::Unavailable("a request failed while holding it".into()),
            lang,
        )
    })?;
    f(&mut svc).map_err(|e| api(&e, lang))
}

fn bad_json(e: &serde_json::Error, lang: Lang) -> ApiError {
    api(&PeerError::BadInput(e.to_string()), lang)
}

/// Applies a command (JSON as for `POST /api/command`).
#[tauri::command]
pub fn command(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    request: String,
    lang: Option<String>,
) -> Result<String, ApiError> {
    let lang = lang_of(lang.as_deref());
    let cmd: Command = serde_json::from_str(&request).map_err(|e| bad_json(&e, lang))?;
    let outcome = with(&state, lang, |svc| svc.execute(cmd))?;
    let _ = app.emit("changed", &outcome.id);
    serde_json::to_string(&outcome).map_err(|e| bad_json(&e, lang))
}

/// Answers a query (JSON as for `POST /api/query`).
#[tauri::command]
pub fn query(
    state: State<'_, AppState>,
    request: String,
    lang: Option<String>,
) -> Result<String, ApiError> {
    let lang = lang_of(lang.as_deref());
    let q: Query = serde_json::from_str(&request).map_err(|e| bad_json(&e, lang))?;
    let result = with(&state, lang, |svc| svc.query(q))?;
    serde_json::to_string(&result).map_err(|e| bad_json(&e, lang))
}

/// Device, communities, sync state (as `GET /api/session`).
#[tauri::command]
pub fn session(
    state: State<'_, AppState>,
    request: String,
    lang: Option<String>,
) -> Result<String, ApiError> {
    let _ = request;
    let value = with(&state, lang_of(lang.as_deref()), |svc| svc.session_view())?;
    Ok(value.to_string())
}

/// Smoke mode: the page reports what it shows; the app prints it and exits.
#[tauri::command]
pub fn smoke_report(app: tauri::AppHandle, text: String) {
    println!("SMOKE {text}");
    app.exit(0);
}

/// In smoke mode, asks the window for its heading once the UI had time to render.
pub fn arm_smoke(app: tauri::AppHandle) {
    std::thread::spawn(move || {
        // Every 0.1 s for 90 s: the time to the first report is the time to the home screen.
        for _ in 0..900 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.eval(
                    "(() => { const h = document.querySelector('main h1'); if (h && h.textContent) { window.__TAURI__.core.invoke('smoke_report', { text: h.textContent }); } })()",
                );
            }
        }
        println!("SMOKE timeout");
        app.exit(2);
    });
}

/// Creates an invite (admins): the token and its QR code as SVG.
#[tauri::command]
pub fn invite(
    state: State<'_, AppState>,
    request: String,
    lang: Option<String>,
) -> Result<String, ApiError> {
    let lang = lang_of(lang.as_deref());
    let req: InviteRequest = serde_json::from_str(&request).map_err(|e| bad_json(&e, lang))?;
    let value = with(&state, lang, |svc| {
        svc.invite_view(req.community.as_deref(), &req.name, &req.role, req.days)
    })?;
    Ok(value.to_string())
}

/// Joins a community with an invite token (pasted or scanned): reaches the invite's relay on
/// a blocking thread beside the app's service, so the window stays responsive.
#[tauri::command]
pub async fn join(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    joining: State<'_, Joining>,
    request: String,
    lang: Option<String>,
) -> Result<String, ApiError> {
    let lang = lang_of(lang.as_deref());
    let req: JoinRequest = serde_json::from_str(&request).map_err(|e| bad_json(&e, lang))?;
    let dir = with(&state, lang, |svc| Ok(svc.data_dir()))?;
    let joining = joining.inner().clone();
    let value = tauri::async_runtime::spawn_blocking(move || {
        joining.join(&dir, &req.token, std::time::Duration::from_secs(20))
    })
    .await
    .map_err(|e| api(&PeerError::Unavailable(e.to_string()), lang))?
    .map_err(|e| api(&e, lang))?;
    let _ = app.emit("changed", "");
    Ok(value.to_string())
}

/// How far a join has come, for the window to show while it waits for [`join`]:
/// `{joining, done, total, bytes_received}`.
#[tauri::command]
pub fn join_progress(joining: State<'_, Joining>) -> String {
    joining.view().to_string()
}
