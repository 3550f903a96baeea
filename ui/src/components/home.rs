//! Home: what needs me, overdue requests, upcoming events, what is new.

use allmende_core::lang::label;
use allmende_core::query::{Overview, Query};
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Home)]
pub fn home(props: &Props) -> Html {
    let app = use_app();
    let loaded = use_query::<Overview>(Some(Query::Overview {
        community: props.community.clone(),
    }));
    if let Some(s) = status(&app, &loaded) {
        return s;
    }
    let Loaded::Ready(o) = loaded else {
        return html! {};
    };
    let lang = app.lang;
    let c = &o.community;
    let section = |key: &'static str, items: &[allmende_core::query::ItemSummary]| {
        if items.is_empty() {
            return html! {};
        }
        html! {
            <section>
                <h2>{ t(lang, key) }</h2>
                <ul class="cards">{ for items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
            </section>
        }
    };
    html! {
        <>
            <h1>{ &c.name }</h1>
            <p class="lead">{ &c.description }</p>
            <p class="muted">{ format!("{} · {}", crate::i18n::count(lang, c.members, "members"), label(&c.kind, lang)) }</p>
            if !o.my_open_tasks.is_empty() {
                <section>
                    <h2>{ t(lang, "needs_me") }</h2>
                    <ul class="plain">{ for o.my_open_tasks.iter().map(|task| html! {
                        <li>{ format!("☐ {} — {} {}", task.title, task.project_title, crate::i18n_dates::date(lang, &task.due)) }</li>
                    }) }</ul>
                </section>
            }
            <super::notifications::Notifications community={c.id.clone()} />
            { section("overdue", &o.overdue_requests) }
            { section("upcoming", &o.upcoming_events) }
            { section("latest", &o.latest) }
        </>
    }
}
