//! The town-hall view: requests with their status, "waiting since N days", and history.

use std::collections::BTreeMap;

use allmende_core::lang::label;
use allmende_core::model::{DocKind, Request};
use allmende_core::time::millis_to_date;
use yew::prelude::*;

use super::list_screen::ListScreen;
use super::load::use_app;
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(TownHall)]
pub fn town_hall(props: &Props) -> Html {
    html! { <ListScreen community={props.community.clone()} kind={DocKind::Request} title="nav.townhall" /> }
}

#[derive(Properties, PartialEq)]
pub struct RequestProps {
    pub request: Request,
    pub names: BTreeMap<String, String>,
    pub waiting: Option<i64>,
}

/// One request: contact, promised date, waiting days and the dated history.
#[function_component(RequestView)]
pub fn request_view(props: &RequestProps) -> Html {
    let app = use_app();
    let lang = app.lang;
    let r = &props.request;
    let name = |m: &str| props.names.get(m).cloned().unwrap_or_else(|| m.to_string());
    html! {
        <>
            <p class="text">{ &r.text }</p>
            <dl class="facts">
                <dt>{ t(lang, "request.contact") }</dt><dd>{ r.contact() }</dd>
                <dt>{ t(lang, "request.promised") }</dt><dd>{ r.promised_by() }</dd>
            </dl>
            if let Some(days) = props.waiting {
                <p class="warning" role="status">{ format!("⏰ {} {days} {}", t(lang, "request.waiting"), t(lang, "request.days")) }</p>
            }
            <h2>{ t(lang, "request.history") }</h2>
            <ol class="timeline">{ for r.timeline().into_iter().map(|c| html! {
                <li>
                    <strong>{ label(c.status.as_str(), lang) }</strong>
                    <span class="muted">{ format!(" · {} · {}", millis_to_date(c.at), name(&c.by)) }</span>
                    if !c.message.is_empty() { <p>{ &c.message }</p> }
                    if !c.reason.is_empty() { <p>{ &c.reason }</p> }
                </li>
            }) }</ol>
        </>
    }
}
