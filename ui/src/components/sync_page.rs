//! Sync details: this device, and per community and relay when it last synced and what waits.

use allmende_core::time::millis_to_rfc3339;
use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;

#[function_component(SyncPage)]
pub fn sync_page() -> Html {
    let app = use_app();
    let lang = app.lang;
    let info = use_state(|| None::<serde_json::Value>);
    {
        let info = info.clone();
        use_effect_with((app.tick, lang), move |(_, lang)| {
            let lang = lang.as_str().to_string();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(s) = crate::api::session(&lang).await {
                    info.set(Some(s));
                }
            });
            || ()
        });
    }
    let Some(s) = (*info).clone() else {
        return html! { <p class="muted">{ t(lang, "loading") }</p> };
    };
    let names: std::collections::HashMap<String, String> = s["communities"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| {
                    (
                        c["id"].as_str().unwrap_or_default().to_string(),
                        c["name"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = s["sync"].as_array().cloned().unwrap_or_default();
    html! {
        <>
            <h1>{ t(lang, "nav.sync") }</h1>
            <p>{ t(lang, if app.guest == crate::state::Guest::Joined { "sync.guest_long" } else { "sync.local_long" }) }</p>
            <dl class="facts">
                <dt>{ t(lang, "sync.device") }</dt><dd><code>{ s["device"].as_str().unwrap_or_default().get(..16).unwrap_or_default() }{ "…" }</code></dd>
            </dl>
            if rows.is_empty() {
                <p class="muted">{ t(lang, "sync.never") }</p>
            } else {
                <table class="table">
                    <caption class="sr-only">{ t(lang, "nav.sync") }</caption>
                    <thead><tr>
                        <th scope="col">{ t(lang, "nav.communities") }</th>
                        <th scope="col">{ t(lang, "sync.relay") }</th>
                        <th scope="col">{ t(lang, "sync.last") }</th>
                        <th scope="col">{ t(lang, "sync.waiting") }</th>
                    </tr></thead>
                    <tbody>{ for rows.iter().map(|r| {
                        let community = r["community"].as_str().unwrap_or_default();
                        html! { <tr>
                            <td>{ names.get(community).cloned().unwrap_or_else(|| community.to_string()) }</td>
                            <td>{ r["relay"].as_str().unwrap_or_default() }</td>
                            <td>{ r["last_synced"].as_i64().map(millis_to_rfc3339).unwrap_or_default() }</td>
                            <td>{ r["waiting"].as_u64().unwrap_or(0) }</td>
                        </tr> }
                    }) }</tbody>
                </table>
            }
            if let Some(peers) = s["peers"].as_array().filter(|p| !p.is_empty()) {
                <h2>{ t(lang, "sync.peers") }</h2>
                <table class="table">
                    <thead><tr>
                        <th scope="col">{ t(lang, "sync.peer_device") }</th>
                        <th scope="col">{ t(lang, "sync.how_found") }</th>
                        <th scope="col">{ t(lang, "sync.last") }</th>
                        <th scope="col">{ t(lang, "sync.waiting") }</th>
                    </tr></thead>
                    <tbody>{ for peers.iter().map(|p| html! { <tr>
                        <td><code>{ p["device"].as_str().unwrap_or_default().get(..12).unwrap_or_default() }</code></td>
                        <td>{ p["how"].as_str().unwrap_or_default() }</td>
                        <td>{ p["last_synced"].as_i64().map(millis_to_rfc3339).unwrap_or_default() }</td>
                        <td>{ p["waiting"].as_u64().unwrap_or(0) }</td>
                    </tr> }) }</tbody>
                </table>
            }
            <p class="muted">{ t(lang, "sync.how") }</p>
        </>
    }
}
