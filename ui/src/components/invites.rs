//! Inviting someone (admins): their name, role and for how many days the invite holds; the
//! token and its QR code to pass on; the invites not used yet, each with its end of validity
//! and a way to withdraw it.

use allmende_core::query::{OpenInvite, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::confirm::ConfirmButton;
use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Invites)]
pub fn invites(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let (invitee, invite_role, days) = (use_node_ref(), use_node_ref(), use_node_ref());
    let invite = use_state(|| None::<serde_json::Value>);
    let open = use_query::<Vec<OpenInvite>>(Some(Query::Invites {
        community: props.community.clone(),
    }));
    let make_invite = {
        let (app, invitee, invite) = (app.clone(), invitee.clone(), invite.clone());
        let (invite_role, days) = (invite_role.clone(), days.clone());
        let community = props.community.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let who = invitee
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let role = invite_role
                .cast::<HtmlSelectElement>()
                .map_or_else(|| "member".to_string(), |s| s.value());
            let days = days
                .cast::<HtmlInputElement>()
                .and_then(|i| i.value().trim().parse().ok());
            let (app, invite, community) = (app.clone(), invite.clone(), community.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::invite(&community, &who, &role, days, app.lang.as_str()).await {
                    Ok(v) => {
                        invite.set(Some(v));
                        app.dispatch(Action::Changed);
                    }
                    Err(e) => app.dispatch(Action::Notice(false, e.message)),
                }
            });
        })
    };
    html! {
        <section class="panel">
            <h2>{ t(lang, "invite.title") }</h2>
            <form class="inline" onsubmit={make_invite}>
                <label>{ t(lang, "invite.name") }<input ref={invitee} name="invitee" required=true /></label>
                <label>{ t(lang, "members.role") }
                    <select ref={invite_role} name="invite-role">
                        { for super::choices::roles(lang).into_iter().map(|(v, l)| html! { <option value={v.clone()} selected={v == "member"}>{ l }</option> }) }
                    </select>
                </label>
                <label>{ t(lang, "invite.days") }
                    // Not bound to a value: a live update while someone types must not reset it
                    // (empty: 14 days).
                    <input ref={days} type="number" name="invite-days" min="1" max="90" placeholder="14" />
                </label>
                <button type="submit" class="primary">{ t(lang, "invite.create") }</button>
            </form>
            if let Some(v) = (*invite).clone() {
                <div class="invite">
                    <div class="qr" role="img" aria-label={t(lang, "invite.qr")}>
                        { Html::from_html_unchecked(AttrValue::from(v["qr_svg"].as_str().unwrap_or_default().to_string())) }
                    </div>
                    <label>{ t(lang, "invite.token") }<textarea readonly=true rows="3" value={v["token"].as_str().unwrap_or_default().to_string()} /></label>
                </div>
            }
            <h3>{ t(lang, "invite.open") }</h3>
            {
                match &open {
                    Loaded::Ready(list) if list.is_empty() => html! { <p class="muted">{ t(lang, "invite.none") }</p> },
                    Loaded::Ready(list) => html! {
                        <ul class="plain open-invites">{ for list.iter().map(|i| {
                            let day = crate::i18n_dates::day(lang, i.until);
                            let state = if i.expired {
                                format!("{} {day}", t(lang, "invite.expired"))
                            } else {
                                format!("{} {day}", t(lang, "invite.until"))
                            };
                            html! {
                                <li>
                                    <strong>{ &i.display_name }</strong>{ " · " }
                                    <span class="muted">{ allmende_core::lang::label(&i.role, lang) }{ " · " }{ state }</span>{ " " }
                                    <ConfirmButton label={t(lang, "invite.withdraw")}
                                        question={format!("{} {}?", t(lang, "invite.withdraw_q"), i.display_name)}
                                        command={Command::WithdrawInvite { community: props.community.clone(), member: i.member.clone() }} />
                                </li>
                            }
                        }) }</ul>
                    },
                    _ => html! {},
                }
            }
        </section>
    }
}
