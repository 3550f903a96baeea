//! Joining a class (or any community hosted by `allmende serve`) from a browser: the class
//! code from the board or the QR code, and a nickname. No e-mail address, no account. The
//! community's code of conduct is shown before starting.

use allmende_core::query::{Overview, Query};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;

/// The code from a join link (`…/#code=ABCD-EFGH`).
fn code_from_link() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .and_then(|h| h.strip_prefix("#code=").map(str::to_string))
        .unwrap_or_default()
}

#[function_component(Join)]
pub fn join() -> Html {
    let app = use_app();
    let lang = app.lang;
    let (code, name) = (use_node_ref(), use_node_ref());
    let error = use_state(|| None::<String>);
    let rules = use_state(|| None::<String>);
    let submit = {
        let (code, name, error, rules) = (code.clone(), name.clone(), error.clone(), rules.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let (c, n) = (value(&code), value(&name));
            let (error, rules) = (error.clone(), rules.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::enroll(&c, &n, lang.as_str()).await {
                    Ok(session) => {
                        let community = session["community"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        let text = crate::api::query::<Overview>(
                            &Query::Overview { community },
                            lang.as_str(),
                        )
                        .await
                        .map(|o| o.settings.code_of_conduct)
                        .unwrap_or_default();
                        rules.set(Some(text));
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let start = Callback::from(|_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash("");
            let _ = w.location().reload();
        }
    });
    if let Some(text) = (*rules).clone() {
        return html! {
            <section class="panel">
                <h1>{ t(lang, "join.welcome") }</h1>
                if !text.is_empty() {
                    <h2>{ t(lang, "join.rules") }</h2>
                    <p class="text rules">{ text }</p>
                }
                <button class="primary" onclick={start}>{ t(lang, "join.start") }</button>
            </section>
        };
    }
    html! {
        <section class="panel">
            <h1>{ t(lang, "join.title") }</h1>
            if app.guest == crate::state::Guest::Removed {
                <p class="notice" role="status">{ t(lang, "join.removed") }</p>
            }
            <p class="lead">{ t(lang, "join.explain") }</p>
            <form class="stack" onsubmit={submit}>
                <label>{ t(lang, "join.code") }<input ref={code} name="class-code" required=true autocomplete="off" value={code_from_link()} /></label>
                <label>{ t(lang, "join.name") }<input ref={name} name="nickname" required=true maxlength="120" autocomplete="nickname" /></label>
                <button type="submit" class="primary">{ t(lang, "join.submit") }</button>
            </form>
            if let Some(e) = (*error).clone() {
                <p class="error" role="alert">{ e }</p>
            }
        </section>
    }
}
