//! One request as people see it: status, "waiting since N days", the dated history, and
//! the answer form for town-hall staff. The inbox of all requests is in `inbox.rs`.

use std::collections::BTreeMap;

use allmende_core::lang::label;
use allmende_core::model::{Request, RequestStatus};
use allmende_core::permission::{allows, Action as May};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::load::{run, use_app, use_me};
use crate::i18n::t;
use crate::state::Guest;

#[derive(Properties, PartialEq)]
pub struct RequestProps {
    pub id: String,
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
    let (status_ref, message, promised) = (use_node_ref(), use_node_ref(), use_node_ref());
    let contact_ref = use_node_ref();
    let me = use_me();
    let may_answer = me
        .as_ref()
        .is_some_and(|(_, role)| allows(*role, May::AnswerRequests))
        && app.guest == Guest::Host;
    let my_id = me.as_ref().map(|(m, _)| m.clone());
    let following = my_id
        .as_ref()
        .is_some_and(|m| *m == r.author || r.followers.contains_key(m));
    let follow = {
        let (app, id) = (app.clone(), props.id.clone());
        Callback::from(move |_| {
            run(
                &app,
                Command::FollowRequest {
                    request: id.clone(),
                },
                |_| {},
            )
        })
    };
    let answer = {
        let (app, id) = (app.clone(), props.id.clone());
        let (status_ref, message, promised) =
            (status_ref.clone(), message.clone(), promised.clone());
        let contact_ref = contact_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let status = status_ref
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse().ok())
                .unwrap_or(RequestStatus::Received);
            let text = message
                .cast::<HtmlTextAreaElement>()
                .map(|m| m.value())
                .unwrap_or_default();
            let date = promised
                .cast::<HtmlInputElement>()
                .map(|d| d.value())
                .filter(|d| !d.is_empty());
            let contact = contact_ref
                .cast::<HtmlInputElement>()
                .map(|c| c.value())
                .filter(|c| !c.trim().is_empty());
            // A decline's text is its reason (kept once, not also as the message).
            let (message, reason) = if status == RequestStatus::Declined {
                (String::new(), text)
            } else {
                (text, String::new())
            };
            run(
                &app,
                Command::AnswerRequest {
                    request: id.clone(),
                    status,
                    message,
                    reason,
                    contact,
                    promised_by: date,
                    department: None,
                },
                |_| {},
            );
        })
    };
    html! {
        <>
            <p class="text">{ &r.text }</p>
            <dl class="facts">
                <dt>{ t(lang, "request.contact") }</dt><dd>{ r.contact() }</dd>
                <dt>{ t(lang, "request.promised") }</dt><dd>{ crate::i18n_dates::date(lang, r.promised_by()) }</dd>
            </dl>
            if let Some(days) = props.waiting {
                <p class="warning" role="status">{ format!("⏰ {} {days} {}", t(lang, "request.waiting"), t(lang, "request.days")) }</p>
            }
            <h2>{ t(lang, "request.history") }</h2>
            { super::request_history::timeline(r, &props.names, lang) }
            if following {
                <p class="muted">{ t(lang, "request.following") }</p>
            } else if me.is_some() {
                <button onclick={follow}>{ t(lang, "request.follow") }</button>
            }
            if may_answer {
            <section class="panel">
                <h2>{ t(lang, "request.answer") }</h2>
                <form class="stack" onsubmit={answer}>
                    <label>{ t(lang, "filter.status") }
                        <select ref={status_ref} name="answer-status">
                            { for RequestStatus::ALL.iter().map(|s| html! { <option value={s.as_str()}>{ label(s.as_str(), lang) }</option> }) }
                        </select>
                    </label>
                    <label>{ t(lang, "request.message") }<textarea ref={message} name="answer-message" rows="3" /></label>
                    <label>{ t(lang, "request.contact") }<input ref={contact_ref} name="answer-contact" maxlength="500" /></label>
                    <label>{ t(lang, "request.promised") }<input ref={promised} name="answer-promised" type="date" /></label>
                    <button type="submit" class="primary">{ t(lang, "request.send") }</button>
                </form>
            </section>
            }
        </>
    }
}
