//! Answers from the town hall on my requests (and those I follow), newest first. Those
//! newer than my last visit are marked as new; the visit is remembered on this device.

use allmende_core::lang::label;
use allmende_core::query::{Notification, Query};
use yew::prelude::*;

use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

fn seen_key(community: &str) -> String {
    format!("allmende.notifications.seen.{community}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

#[function_component(Notifications)]
pub fn notifications(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<Vec<Notification>>(Some(Query::Notifications {
        community: props.community.clone(),
    }));
    let seen: i64 = storage()
        .and_then(|s| s.get_item(&seen_key(&props.community)).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let Loaded::Ready(list) = loaded else {
        return html! {};
    };
    if list.is_empty() {
        return html! {};
    }
    let newest = list.first().map_or(0, |n| n.at);
    let unread = list.iter().filter(|n| n.at > seen).count();
    let mark = {
        let key = seen_key(&props.community);
        let app = app.clone();
        Callback::from(move |_| {
            if let Some(s) = storage() {
                let _ = s.set_item(&key, &newest.to_string());
            }
            app.dispatch(Action::Changed);
        })
    };
    html! {
        <section aria-labelledby="notifications-title">
            <h2 id="notifications-title">
                { t(lang, "notifications") }
                if unread > 0 { <span class="badge">{ format!("{unread} {}", t(lang, "notifications.new")) }</span> }
            </h2>
            <ul class="plain notifications">{ for list.iter().take(8).map(|n| {
                let open = {
                    let (app, id) = (app.clone(), n.request.clone());
                    Callback::from(move |_| app.dispatch(Action::Go(Route::Item(id.clone()))))
                };
                html! {
                    <li class={classes!((n.at > seen).then_some("unread"))}>
                        <button class="link" onclick={open}>{ &n.title }</button>
                        { format!(": {} · {} · {}", label(&n.status, lang), n.by, crate::i18n_dates::day(lang, n.at)) }
                        if !n.message.is_empty() { <p>{ &n.message }</p> }
                    </li>
                }
            }) }</ul>
            if unread > 0 { <button onclick={mark}>{ t(lang, "notifications.mark") }</button> }
        </section>
    }
}
