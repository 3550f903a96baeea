//! Joining a community on this device with an invite someone passed on: paste the text, or
//! take a photo of (or pick a picture with) its QR code. The community's code of conduct is
//! shown once joined.

use allmende_core::query::{Overview, Query};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;
use crate::scan::ScanError;
use crate::state::{Action, Route};

#[function_component(JoinInvite)]
pub fn join_invite() -> Html {
    let app = use_app();
    let lang = app.lang;
    let token = use_node_ref();
    let busy = use_state(|| false);
    let note = use_state(|| None::<(bool, String)>);
    let joined = use_state(|| None::<(String, String, String)>);
    let scan = {
        let (token, note) = (token.clone(), note.clone());
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
            else {
                return;
            };
            let (token, note) = (token.clone(), note.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::scan::qr_text(&file).await {
                    Ok(text) => {
                        if let Some(area) = token.cast::<HtmlTextAreaElement>() {
                            area.set_value(&text);
                        }
                        note.set(Some((true, t(lang, "joininv.scanned").to_string())));
                    }
                    Err(ScanError::NotAPicture) => {
                        note.set(Some((false, t(lang, "joininv.not_picture").to_string())));
                    }
                    Err(ScanError::NoCode) => {
                        note.set(Some((false, t(lang, "joininv.no_code").to_string())));
                    }
                }
            });
        })
    };
    let submit = {
        let (token, busy, note, joined) =
            (token.clone(), busy.clone(), note.clone(), joined.clone());
        let app = app.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = token
                .cast::<HtmlTextAreaElement>()
                .map(|a| a.value())
                .unwrap_or_default();
            let (busy, note, joined, app) =
                (busy.clone(), note.clone(), joined.clone(), app.clone());
            busy.set(true);
            note.set(Some((true, t(lang, "joininv.busy").to_string())));
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::join(text.trim(), lang.as_str()).await {
                    Ok(v) => {
                        let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                        joined.set(Some((
                            field("community"),
                            field("name"),
                            field("code_of_conduct"),
                        )));
                        note.set(None);
                        app.dispatch(Action::Changed);
                    }
                    Err(e) => note.set(Some((false, e.message))),
                }
                busy.set(false);
            });
        })
    };
    if let Some((id, name, rules)) = (*joined).clone() {
        let open = {
            let app = app.clone();
            Callback::from(move |_| {
                let (app, id) = (app.clone(), id.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(o) = crate::api::query::<Overview>(
                        &Query::Overview {
                            community: id.clone(),
                        },
                        app.lang.as_str(),
                    )
                    .await
                    {
                        app.dispatch(Action::SetCommunity(id, o.categories, o.community.name));
                        app.dispatch(Action::Go(Route::Home));
                    }
                });
            })
        };
        return html! {
            <section class="panel" aria-live="polite">
                <h2>{ format!("{} {name}", t(lang, "joininv.welcome")) }</h2>
                if !rules.is_empty() {
                    <h3>{ t(lang, "join.rules") }</h3>
                    <p class="text rules">{ rules }</p>
                }
                <button class="primary" onclick={open}>{ t(lang, "joininv.open") }</button>
            </section>
        };
    }
    html! {
        <section class="panel">
            <h2>{ t(lang, "joininv.title") }</h2>
            <p class="muted">{ t(lang, "joininv.explain") }</p>
            <form class="stack" onsubmit={submit}>
                <label>{ t(lang, "joininv.token") }
                    <textarea ref={token} name="invite-token" rows="3" required=true placeholder="allmende-invite:…" />
                </label>
                <label class="file">{ t(lang, "joininv.scan") }
                    <input type="file" name="invite-qr" accept="image/*" capture="environment" onchange={scan} />
                </label>
                <button type="submit" class="primary" disabled={*busy}>{ t(lang, "joininv.join") }</button>
            </form>
            if let Some((ok, text)) = (*note).clone() {
                <p class={if ok { "status" } else { "error" }} role={if ok { "status" } else { "alert" }}>{ text }</p>
            }
        </section>
    }
}
