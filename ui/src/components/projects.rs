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
    // 0: running, 1: finished, 2: the project fair (showcases from elsewhere).
    let tab_state = use_state(|| 0_u8);
    let fair = *tab_state == 2;
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Project),
        running: (!fair).then_some(*tab_state == 0),
        showcase: Some(fair),
        limit: Some(200),
        ..ListFilter::default()
    })));
    let tab = |value: u8, key: &'static str| {
        let tab_state = tab_state.clone();
        let selected = *tab_state == value;
        html! {
            <button role="tab" aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("active"))}
                onclick={Callback::from(move |_| tab_state.set(value))}>{ t(lang, key) }</button>
        }
    };
    html! {
        <>
            <h1>{ t(lang, "nav.projects") }</h1>
            <div role="tablist" class="tabs">{ tab(0, "projects.running") }{ tab(1, "projects.finished") }{ tab(2, "projects.fair") }</div>
            if fair {
                <p class="muted">{ t(lang, "projects.fair.hint") }</p>
            }
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "empty.projects") }</p> },
                    (None, Loaded::Ready(page)) if fair => html! { <super::fair::Fair items={page.items.clone()} /> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards">{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
        </>
    }
}
