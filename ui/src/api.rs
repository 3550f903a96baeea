//! The one interface to the service, with two implementations: Tauri's IPC in the desktop app
//! (`window.__TAURI__`), HTTP to `allmende serve` in a browser.

use allmende_core::query::{Outcome, Query};
use allmende_core::{ApiError, Command};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

fn fail(message: impl Into<String>) -> ApiError {
    ApiError {
        code: "network".into(),
        message: message.into(),
    }
}

fn js_text(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "?".into())
}

/// The Tauri global, when running in the desktop app.
fn tauri() -> Option<JsValue> {
    js_sys::Reflect::get(&window(), &"__TAURI__".into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Calls a command of the desktop app with the request and the person's language (errors
/// come back in it).
async fn tauri_invoke(name: &str, body: &str, lang: &str) -> Result<String, ApiError> {
    let t = tauri().ok_or_else(|| fail("no Tauri"))?;
    let core = js_sys::Reflect::get(&t, &"core".into()).map_err(|e| fail(js_text(&e)))?;
    let invoke: js_sys::Function = js_sys::Reflect::get(&core, &"invoke".into())
        .map_err(|e| fail(js_text(&e)))?
        .dyn_into()
        .map_err(|_| fail("invoke is not a function"))?;
    let args = js_sys::Object::new();
    js_sys::Reflect::set(&args, &"request".into(), &body.into()).map_err(|e| fail(js_text(&e)))?;
    js_sys::Reflect::set(&args, &"lang".into(), &lang.into()).map_err(|e| fail(js_text(&e)))?;
    let promise: js_sys::Promise = invoke
        .call2(&core, &name.into(), &args)
        .map_err(|e| fail(js_text(&e)))?
        .dyn_into()
        .map_err(|_| fail("invoke returned no promise"))?;
    match JsFuture::from(promise).await {
        Ok(v) => Ok(v.as_string().unwrap_or_default()),
        Err(e) => Err(serde_json::from_str(&js_text(&e)).unwrap_or_else(|_| fail(js_text(&e)))),
    }
}

async fn http(
    method: &str,
    path: &str,
    body: Option<&str>,
    lang: &str,
) -> Result<String, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    let url = format!(
        "{path}{}lang={lang}",
        if path.contains('?') { "&" } else { "?" }
    );
    let request =
        web_sys::Request::new_with_str_and_init(&url, &init).map_err(|e| fail(js_text(&e)))?;
    request
        .headers()
        .set("content-type", "application/json")
        .map_err(|e| fail(js_text(&e)))?;
    // `allmende serve` lets in only changes that carry this header (a page elsewhere cannot).
    request
        .headers()
        .set("x-allmende-request", "1")
        .map_err(|e| fail(js_text(&e)))?;
    if let Some(token) = guest_token() {
        request
            .headers()
            .set("authorization", &format!("Bearer {token}"))
            .map_err(|e| fail(js_text(&e)))?;
    }
    let response: web_sys::Response = JsFuture::from(window().fetch_with_request(&request))
        .await
        .map_err(|e| fail(js_text(&e)))?
        .dyn_into()
        .map_err(|_| fail("no response"))?;
    let text = JsFuture::from(response.text().map_err(|e| fail(js_text(&e)))?)
        .await
        .map_err(|e| fail(js_text(&e)))?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(serde_json::from_str(&text).unwrap_or_else(|_| fail(text)))
    }
}

async fn call(kind: &str, body: &str, lang: &str) -> Result<String, ApiError> {
    if tauri().is_some() {
        tauri_invoke(kind, body, lang).await
    } else {
        http("POST", &format!("/api/{kind}"), Some(body), lang).await
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(|e| fail(e.to_string()))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| fail(format!("unexpected answer: {e}")))
}

/// Applies a command.
pub async fn command(cmd: &Command, lang: &str) -> Result<Outcome, ApiError> {
    from_json(&call("command", &to_json(cmd)?, lang).await?)
}

/// Runs a query and reads the answer as `T`.
pub async fn query<T: DeserializeOwned>(q: &Query, lang: &str) -> Result<T, ApiError> {
    from_json(&call("query", &to_json(q)?, lang).await?)
}

/// Device, communities and sync state.
pub async fn session(lang: &str) -> Result<serde_json::Value, ApiError> {
    if tauri().is_some() {
        return from_json(&tauri_invoke("session", "{}", lang).await?);
    }
    from_json(&http("GET", "/api/session", None, lang).await?)
}

/// Creates an invite for a new member of `community` with `role` (admins), holding for
/// `days` (default 14): the token and its QR code as SVG.
pub async fn invite(
    community: &str,
    name: &str,
    role: &str,
    days: Option<u32>,
    lang: &str,
) -> Result<serde_json::Value, ApiError> {
    let body = to_json(&allmende_core::requests::InviteRequest {
        name: name.to_string(),
        role: role.to_string(),
        community: Some(community.to_string()),
        days,
    })?;
    let text = if tauri().is_some() {
        tauri_invoke("invite", &body, lang).await?
    } else {
        http("POST", "/api/invite", Some(&body), lang).await?
    };
    from_json(&text)
}

/// Joins a community with an invite token (this device): the community, its name and its
/// code of conduct.
pub async fn join(token: &str, lang: &str) -> Result<serde_json::Value, ApiError> {
    let body = to_json(&allmende_core::requests::JoinRequest {
        token: token.to_string(),
    })?;
    let text = if tauri().is_some() {
        tauri_invoke("join", &body, lang).await?
    } else {
        http("POST", "/api/join", Some(&body), lang).await?
    };
    from_json(&text)
}

/// How far a join from this device has come: `(done, total)` while one runs, `None` when
/// none does (or the answer did not come).
pub async fn join_progress(lang: &str) -> Option<(usize, usize)> {
    let text = if tauri().is_some() {
        tauri_invoke("join_progress", "", lang).await.ok()?
    } else {
        http("GET", "/api/join/progress", None, lang).await.ok()?
    };
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    if v["joining"].as_bool() != Some(true) {
        return None;
    }
    let n = |k: &str| v[k].as_u64().and_then(|x| usize::try_from(x).ok());
    Some((n("done")?, n("total")?))
}

/// Waits `ms` milliseconds without holding the page.
pub async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

const GUEST_KEY: &str = "allmende.guest";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The guest session token this browser holds after joining a class (browsers only).
#[must_use]
pub fn guest_token() -> Option<String> {
    storage()
        .and_then(|s| s.get_item(GUEST_KEY).ok().flatten())
        .filter(|t| !t.is_empty())
}

/// Forgets the guest session (after the device was removed, or to join another class).
pub fn forget_guest() {
    if let Some(s) = storage() {
        let _ = s.remove_item(GUEST_KEY);
    }
}

/// Joins a class with its code and a nickname; keeps the session token in this browser.
pub async fn enroll(code: &str, name: &str, lang: &str) -> Result<serde_json::Value, ApiError> {
    let body = to_json(&allmende_core::requests::EnrollRequest {
        code: code.to_string(),
        name: name.to_string(),
    })?;
    let v: serde_json::Value = from_json(&http("POST", "/api/enroll", Some(&body), lang).await?)?;
    if let (Some(s), Some(token)) = (storage(), v["token"].as_str()) {
        let _ = s.set_item(GUEST_KEY, token);
    }
    Ok(v)
}

/// Whether class codes can be made here (a browser on the host running `allmende serve`).
#[must_use]
pub fn can_make_class_codes() -> bool {
    tauri().is_none() && guest_token().is_none()
}

/// A class code for `community`, valid for `days` days and `uses` devices, with its join
/// link as QR code.
pub async fn class_code(
    community: &str,
    days: u32,
    uses: u32,
    lang: &str,
) -> Result<serde_json::Value, ApiError> {
    let body = to_json(&allmende_core::requests::ClassCodeRequest {
        community: Some(community.to_string()),
        days: Some(days),
        uses: Some(uses),
    })?;
    from_json(&http("POST", "/api/class-code", Some(&body), lang).await?)
}

/// Whether the calendar can be subscribed to here (a browser of `allmende serve`: calendar
/// apps fetch the link from that server; the desktop app has none).
#[must_use]
pub fn can_subscribe_calendar() -> bool {
    tauri().is_none()
}

/// The secret link of `community`'s calendar for calendar apps (`{http, webcal}`); a new one
/// with `renew` (the old one then leads nowhere).
pub async fn calendar_link(
    community: &str,
    renew: bool,
    lang: &str,
) -> Result<serde_json::Value, ApiError> {
    let body = serde_json::json!({ "community": community, "renew": renew }).to_string();
    from_json(&http("POST", "/api/calendar-link", Some(&body), lang).await?)
}

/// The class codes of `community`, newest first.
pub async fn class_codes(community: &str, lang: &str) -> Result<serde_json::Value, ApiError> {
    let path = format!("/api/class-codes?community={community}");
    from_json(&http("GET", &path, None, lang).await?)
}

/// Withdraws a class code.
pub async fn revoke_class_code(code: &str, lang: &str) -> Result<serde_json::Value, ApiError> {
    let body = serde_json::json!({ "code": code }).to_string();
    from_json(&http("POST", "/api/class-code/revoke", Some(&body), lang).await?)
}

/// Calls `on_change` whenever documents change (a WebSocket to `/api/events` in a browser,
/// the `changed` event in the desktop app). Reconnects when the socket closes.
pub fn listen_changes(on_change: yew::Callback<()>) {
    if let Some(t) = tauri() {
        let listen = js_sys::Reflect::get(&t, &"event".into())
            .and_then(|e| js_sys::Reflect::get(&e, &"listen".into()))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(listen) = listen {
            let cb =
                wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |_| on_change.emit(()));
            let _ = listen.call2(&JsValue::NULL, &"changed".into(), cb.as_ref());
            cb.forget();
        }
        return;
    }
    let location = window().location();
    let proto = if location.protocol().unwrap_or_default() == "https:" {
        "wss"
    } else {
        "ws"
    };
    let token = guest_token()
        .map(|t| format!("?token={t}"))
        .unwrap_or_default();
    let url = format!(
        "{proto}://{}/api/events{token}",
        location.host().unwrap_or_default()
    );
    let Ok(ws) = web_sys::WebSocket::new(&url) else {
        return;
    };
    let emit = on_change.clone();
    let onmessage =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
            emit.emit(())
        });
    ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let onclose = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |_| {
        let again = on_change.clone();
        let retry =
            wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || listen_changes(again.clone()));
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.as_ref().unchecked_ref(),
            2000,
        );
        retry.forget();
    });
    ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
    onclose.forget();
}
