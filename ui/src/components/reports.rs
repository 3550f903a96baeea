//! What was reported about one item and is not settled yet, for the moderators: each report
//! with its reason and who made it, and for a reported comment the comment itself, with
//! hiding that comment (not the whole item) or settling the report and keeping it visible.
//! A decision settles the reports made before it; hidden content is restored from the
//! moderation log.

use allmende_core::query::{ItemDetail, Query};
use allmende_core::Command;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::load::{run, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    /// The moderator's reason for the log (the field at the top of the queue).
    pub reason: NodeRef,
}

#[function_component(Reports)]
pub fn reports(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ItemDetail>(Some(Query::Show {
        id: props.id.clone(),
    }));
    let Loaded::Ready(d) = loaded else {
        return html! {};
    };
    let mut reports: Vec<_> = d
        .item
        .reports()
        .map(|r| r.values().cloned().collect())
        .unwrap_or_default();
    reports.sort_by_key(|r| (r.created_at, r.id.clone()));
    let name = |m: &str| d.names.get(m).cloned().unwrap_or_else(|| m.to_string());
    let act = |comment: Option<String>, hide: bool| {
        let (app, id, reason) = (app.clone(), props.id.clone(), props.reason.clone());
        Callback::from(move |_| {
            let why = reason
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let (item, comment) = (id.clone(), comment.clone());
            let cmd = if hide {
                Command::Hide {
                    item,
                    comment,
                    reason: why,
                }
            } else {
                Command::Restore {
                    item,
                    comment,
                    reason: why,
                }
            };
            run(&app, cmd, |_| {});
        })
    };
    html! {
        <ul class="plain reports">{ for reports.iter().map(|r| {
            let comment = d.item.comments().and_then(|c| c.get(&r.comment));
            html! {
                <li class="report">
                    <p><strong>{ t(lang, "moderation.reported_for") }</strong>{ format!(" „{}“ · {} · {}", r.reason, name(&r.reporter), crate::i18n_dates::day(lang, r.created_at)) }</p>
                    if let Some(c) = comment {
                        <blockquote class="reported-comment">
                            <p class="muted">{ format!("{} {}", t(lang, "moderation.comment_by"), name(&c.author)) }</p>
                            <p>{ &c.text }</p>
                        </blockquote>
                        if d.hidden_comments.contains(&c.id) {
                            <button onclick={act(Some(c.id.clone()), false)}>{ t(lang, "moderation.restore_comment") }</button>
                        } else {
                            <button onclick={act(Some(c.id.clone()), true)}>{ t(lang, "moderation.hide_comment") }</button>
                        }
                    }
                    <button onclick={act((!r.comment.is_empty()).then(|| r.comment.clone()), false)}>{ t(lang, "moderation.settle") }</button>
                </li>
            }
        }) }</ul>
    }
}
