//! Joining a community on this device with an invite someone passed on: paste the text, or
//! take a photo of (or pick a picture with) its QR code. The invite is read here first and
//! the person confirms what it opens (which community, through which relay, until when)
//! before anything is contacted; a damaged or expired invite is refused on the spot. The
//! community's code of conduct is shown once joined.

use allmende_core::faults::InviteFault;
use allmende_core::invite::Invite;
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
    // The invite read from the text, waiting for the person's word, with the text itself.
    let pending = use_state(|| None::<(Invite, String)>);
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
    let check = {
        let (token, note, pending) = (token.clone(), note.clone(), pending.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = token
                .cast::<HtmlTextAreaElement>()
                .map(|a| a.value())
                .unwrap_or_default();
            match read_invite(&text) {
                Ok(invite) => {
                    note.set(None);
                    pending.set(Some((invite, text.trim().to_string())));
                }
                Err(fault) => note.set(Some((false, fault.message(lang)))),
            }
        })
    };
    let cancel = {
        let (pending, note) = (pending.clone(), note.clone());
        Callback::from(move |_: MouseEvent| {
            pending.set(None);
            note.set(None);
        })
    };
    let submit = {
        let (busy, note, joined, pending) =
            (busy.clone(), note.clone(), joined.clone(), pending.clone());
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let Some((invite, text)) = (*pending).clone() else {
                return;
            };
            let (busy, note, joined, app, pending) = (
                busy.clone(),
                note.clone(),
                joined.clone(),
                app.clone(),
                pending.clone(),
            );
            busy.set(true);
            note.set(Some((true, t(lang, "joininv.busy").to_string())));
            // While the join runs: how much of the community has arrived, every half second.
            let running = std::rc::Rc::new(std::cell::Cell::new(true));
            {
                let (running, note, name) =
                    (running.clone(), note.clone(), invite.community_name.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    loop {
                        crate::api::pause(500).await;
                        if !running.get() {
                            return;
                        }
                        if let Some((done, total)) = crate::api::join_progress(lang.as_str()).await
                        {
                            if running.get() {
                                let text = crate::i18n::joining(lang, &name, done, total);
                                note.set(Some((true, text)));
                            }
                        }
                    }
                });
            }
            wasm_bindgen_futures::spawn_local(async move {
                let result = crate::api::join(text.trim(), lang.as_str()).await;
                running.set(false);
                match result {
                    Ok(v) => {
                        let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                        joined.set(Some((
                            field("community"),
                            field("name"),
                            field("code_of_conduct"),
                        )));
                        note.set(None);
                        pending.set(None);
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
    let status = (*note).clone().map(|(ok, text)| {
        html! {
            <p class={if ok { "status" } else { "error" }} role={if ok { "status" } else { "alert" }}>{ text }</p>
        }
    });
    // The question replaces the form on screen; the form stays (hidden) with its text, so
    // "Abbrechen" goes back to the invite as it was.
    let question = (*pending).clone().map(|(invite, _)| {
        let relay = invite.relay.clone().unwrap_or_default();
        let until = invite.until.map(|u| crate::i18n_dates::day(lang, u));
        html! {
            <section class="panel" aria-labelledby="join-confirm">
                <h2 id="join-confirm">{ t(lang, "joininv.confirm") }</h2>
                <dl class="facts">
                    <dt>{ t(lang, "joininv.community") }</dt>
                    <dd class="invite-community">{ invite.community_name.clone() }</dd>
                    <dt>{ t(lang, "joininv.relay") }</dt>
                    <dd class="invite-relay">{ relay }</dd>
                    if let Some(day) = until {
                        <dt>{ t(lang, "joininv.until") }</dt>
                        <dd>{ day }</dd>
                    }
                </dl>
                <p class="muted">{ t(lang, "joininv.relay_note") }</p>
                <div class="inline">
                    <button class="primary" onclick={submit} disabled={*busy}>{ t(lang, "joininv.join") }</button>
                    <button onclick={cancel} disabled={*busy}>{ t(lang, "joininv.cancel") }</button>
                </div>
                { status.clone() }
            </section>
        }
    });
    let asking = question.is_some();
    html! {
        <>
        { question.unwrap_or_default() }
        <section class="panel" hidden={asking}>
            <h2>{ t(lang, "joininv.title") }</h2>
            <p class="muted">{ t(lang, "joininv.explain") }</p>
            <form class="stack" onsubmit={check}>
                <label>{ t(lang, "joininv.token") }
                    <textarea ref={token} name="invite-token" rows="3" required=true placeholder="allmende-invite:…" />
                </label>
                <label class="file">{ t(lang, "joininv.scan") }
                    <input type="file" name="invite-qr" accept="image/*" capture="environment" onchange={scan} />
                </label>
                <button type="submit" class="primary">{ t(lang, "joininv.check") }</button>
            </form>
            if !asking {
                { status }
            }
        </section>
        </>
    }
}

/// Reads an invite on this device: damaged, foreign, relay-less or expired ones are refused
/// before anything is contacted.
fn read_invite(text: &str) -> Result<Invite, InviteFault> {
    let invite = Invite::parse(text)?;
    if invite.relay.as_deref().is_none_or(str::is_empty) {
        return Err(InviteFault::NoRelay);
    }
    #[allow(clippy::cast_possible_truncation)]
    let now = js_sys::Date::now() as i64;
    if let Some(until) = invite.until.filter(|u| *u < now) {
        return Err(InviteFault::Expired(allmende_core::time::millis_to_date(
            until,
        )));
    }
    Ok(invite)
}
