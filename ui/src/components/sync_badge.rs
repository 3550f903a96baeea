//! The sync indicator shown everywhere: saved locally, changes waiting, last sync.

use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;

#[function_component(SyncBadge)]
pub fn sync_badge() -> Html {
    let app = use_app();
    let info = use_state(|| None::<serde_json::Value>);
    {
        let info = info.clone();
        let lang = app.lang;
        use_effect_with(app.tick, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(s) = crate::api::session(lang.as_str()).await {
                    info.set(Some(s));
                }
            });
            || ()
        });
    }
    let lang = app.lang;
    let waiting: u64 = info
        .as_ref()
        .and_then(|s| s["sync"].as_array())
        .map(|rows| rows.iter().filter_map(|r| r["waiting"].as_u64()).sum())
        .unwrap_or(0);
    let synced = info
        .as_ref()
        .and_then(|s| s["sync"].as_array())
        .is_some_and(|r| !r.is_empty());
    let text = if waiting > 0 {
        format!("{waiting} {}", t(lang, "sync.waiting"))
    } else if synced {
        t(lang, "sync.synced").to_string()
    } else {
        t(lang, "sync.local").to_string()
    };
    html! { <span class="sync" role="status" aria-live="polite">{ "● " }{ text }</span> }
}
