//! The moderators' queue: reported items, hide and restore with a reason.

use allmende_core::query::{ListFilter, ListPage, Query};
use allmende_core::Command;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{run, status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Moderation)]
pub fn moderation(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        reported: Some(true),
        limit: Some(200),
        ..ListFilter::default()
    })));
    let reason = use_node_ref();
    let act = |id: String, hide: bool| {
        let (app, reason) = (app.clone(), reason.clone());
        Callback::from(move |_| {
            let why = reason
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let cmd = if hide {
                Command::Hide {
                    item: id.clone(),
                    comment: None,
                    reason: why,
                }
            } else {
                Command::Restore {
                    item: id.clone(),
                    comment: None,
                    reason: why,
                }
            };
            run(&app, cmd, |_| {});
        })
    };
    let approve = |member: String| {
        let app = app.clone();
        let community = props.community.clone();
        Callback::from(move |_| {
            run(
                &app,
                Command::ApproveMember {
                    community: community.clone(),
                    member: member.clone(),
                },
                |_| {},
            );
        })
    };
    html! {
        <>
            <h1>{ t(lang, "nav.moderation") }</h1>
            <label class="stack">{ t(lang, "moderation.reason") }<input ref={reason.clone()} name="moderation-reason" /></label>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "moderation.empty") }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards">{ for page.items.iter().map(|i| html! {
                            <>
                                <ItemCard item={i.clone()} />
                                <li class="actions">
                                    if i.held {
                                        <span class="status">{ t(lang, "moderation.held") }</span>
                                    } else {
                                        <span class="status">{ crate::i18n::count(lang, i.reports, "moderation.reports") }</span>
                                    }
                                    if !i.held && i.reports > 0 {
                                        <super::reports::Reports id={i.id.clone()} reason={reason.clone()} />
                                    }
                                    if i.held {
                                        <button class="primary" onclick={approve(i.author.clone())}>{ t(lang, "moderation.approve") }</button>
                                    } else if i.hidden {
                                        <button onclick={act(i.id.clone(), false)}>{ t(lang, "moderation.restore") }</button>
                                    } else {
                                        <button onclick={act(i.id.clone(), true)}>{ t(lang, "moderation.hide") }</button>
                                    }
                                </li>
                            </>
                        }) }</ul>
                    },
                    _ => html! {},
                }
            }
            <super::oversight::AuditLog community={props.community.clone()} />
            <super::oversight::FlagList community={props.community.clone()} />
        </>
    }
}
