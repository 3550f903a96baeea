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
    // Peers seen in the last ten minutes (linked by ticket or connected to this device).
    let now = info.as_ref().and_then(|s| s["now"].as_i64()).unwrap_or(0);
    let nearby = info
        .as_ref()
        .and_then(|s| s["peers"].as_array())
        .map_or(0, |p| {
            p.iter()
                .filter(|x| x["last_seen"].as_i64().is_some_and(|t| now - t < 600_000))
                .count()
        });
    // A guest's browser (a pupil's phone) keeps nothing: the serving device does.
    let mut text = if app.guest == crate::state::Guest::Joined {
        t(lang, "sync.guest").to_string()
    } else if waiting > 0 {
        crate::i18n::count(lang, waiting, "sync.waiting")
    } else if synced {
        t(lang, "sync.synced").to_string()
    } else {
        t(lang, "sync.local").to_string()
    };
    if nearby > 0 && app.guest != crate::state::Guest::Joined {
        text.push_str(&format!(" · {nearby} {}", t(lang, "sync.nearby")));
    }
    html! { <span class="sync" role="status" aria-live="polite">{ "● " }{ text }</span> }
}
