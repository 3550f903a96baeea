//! Live updates: a WebSocket that says "changed" whenever stored documents change.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::context::socket_principal;
use super::AppState;

/// `GET /api/events`: for the host and for guests with a valid token, like the API.
pub(super) async fn socket(State(state): State<AppState>, mut parts: Parts) -> Response {
    if let Err(e) = socket_principal(&state, &parts).await {
        return super::context::error(&e, super::context::lang(&parts));
    }
    match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade.on_upgrade(move |ws| forward(ws, state)),
        Err(rejection) => rejection.into_response(),
    }
}

async fn forward(mut ws: WebSocket, state: AppState) {
    let mut rx = state.changes.subscribe();
    loop {
        tokio::select! {
            changed = rx.recv() => {
                let id = match changed {
                    Ok(id) => id,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => String::new(),
                    Err(_) => break,
                };
                let text = serde_json::json!({ "type": "changed", "id": id }).to_string();
                if ws.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = ws.recv() => {
                if !matches!(incoming, Some(Ok(_))) {
                    break;
                }
            }
        }
    }
}

/// Watches the store for changes made by anyone (the CLI, a sync in another process) and
/// announces them. Reads the document versions a few times a second; cheap (one indexed
/// query) and independent of who wrote.
pub(super) async fn watch_store(state: AppState) {
    let mut known: HashMap<String, i64> = HashMap::new();
    let mut first = true;
    loop {
        let svc = state.svc.clone();
        let versions = tokio::task::spawn_blocking(move || {
            svc.lock().ok().and_then(|s| s.store().docs(None).ok())
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
        for d in versions {
            let changed = known.insert(d.id.clone(), d.version) != Some(d.version);
            if changed && !first {
                let _ = state.changes.send(d.id);
            }
        }
        first = false;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
