//! A request's dated status history, where the idea or project it is about is shown: who
//! answered, when, with what status, who is responsible, what was promised by when, and how
//! long it has been waiting since a promise passed.

use std::collections::BTreeMap;

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::model::Request;
use allmende_core::query::{ItemDetail, Query};
use allmende_core::Lang;
use yew::prelude::*;

use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

/// The dated history of `r`, oldest first.
pub fn timeline(r: &Request, names: &BTreeMap<String, String>, lang: Lang) -> Html {
    let name = |m: &str| names.get(m).cloned().unwrap_or_else(|| m.to_string());
    html! {
        <ol class="timeline">{ for r.timeline().into_iter().map(|c| html! {
            <li>
                <strong>{ label(c.status.as_str(), lang) }</strong>
                <span class="muted">{ format!(" · {} · {}", crate::i18n_dates::day(lang, c.at), name(&c.by)) }</span>
                if !c.message.is_empty() { <p>{ &c.message }</p> }
                if !c.reason.is_empty() { <p>{ &c.reason }</p> }
            </li>
        }) }</ol>
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

/// One request of an idea or project with its whole history.
#[function_component(RequestHistory)]
pub fn request_history(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ItemDetail>(Some(Query::Show {
        id: props.id.clone(),
    }));
    let Loaded::Ready(d) = loaded else {
        return html! {};
    };
    let Item::Request(r) = &d.item else {
        return html! {};
    };
    let open = {
        let (app, id) = (app.clone(), props.id.clone());
        Callback::from(move |_| app.dispatch(Action::Go(Route::Item(id.clone()))))
    };
    html! {
        <li class="card request-history">
            <button class="link card-title" onclick={open}>{ &d.summary.title }</button>
            <p class="card-meta">
                <span class="status">{ label(r.status().as_str(), lang) }</span>
                if !r.department.is_empty() { <span class="muted">{ &r.department }</span> }
            </p>
            <dl class="facts">
                <dt>{ t(lang, "request.contact") }</dt><dd>{ r.contact() }</dd>
                <dt>{ t(lang, "request.promised") }</dt><dd>{ crate::i18n_dates::date(lang, r.promised_by()) }</dd>
            </dl>
            if let Some(days) = d.waiting_days {
                <p class="warning" role="status">{ format!("⏰ {} {days} {}", t(lang, "request.waiting"), t(lang, "request.days")) }</p>
            }
            { timeline(r, &d.names, lang) }
        </li>
    }
}
