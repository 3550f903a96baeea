//! Projects: running and finished.

use allmende_core::model::DocKind;
use allmende_core::query::{ListFilter, ListPage, Query};
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Projects)]
pub fn projects(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let running = use_state(|| true);
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Project),
        running: Some(*running),
        limit: Some(200),
        ..ListFilter::default()
    })));
    let tab = |value: bool, key: &'static str| {
        let running = running.clone();
        let selected = *running == value;
        html! {
            <button role="tab" aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("active"))}
                onclick={Callback::from(move |_| running.set(value))}>{ t(lang, key) }</button>
        }
    };
    html! {
        <>
            <h1>{ t(lang, "nav.projects") }</h1>
            <div role="tablist" class="tabs">{ tab(true, "projects.running") }{ tab(false, "projects.finished") }</div>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "empty") }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards">{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
        </>
    }
}
