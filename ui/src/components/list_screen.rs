//! A titled list of items of one kind, optionally split by status (used by volunteering and
//! news).

use allmende_core::model::DocKind;
use allmende_core::query::{ListFilter, ListPage, Query};
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
    pub kind: DocKind,
    pub title: &'static str,
    /// (status value, label key) tabs; empty for no tabs.
    #[prop_or_default]
    pub tabs: Vec<(&'static str, &'static str)>,
}

#[function_component(ListScreen)]
pub fn list_screen(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let tab = use_state(|| props.tabs.first().map(|(s, _)| (*s).to_string()));
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(props.kind),
        status: (*tab).clone(),
        limit: Some(200),
        ..ListFilter::default()
    })));
    html! {
        <>
            <h1>{ t(lang, props.title) }</h1>
            if !props.tabs.is_empty() {
                <div role="tablist" class="tabs">
                    { for props.tabs.iter().map(|(value, key)| {
                        let selected = tab.as_deref() == Some(*value);
                        let tab = tab.clone();
                        let v = (*value).to_string();
                        html! { <button role="tab" aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("active"))}
                            onclick={Callback::from(move |_| tab.set(Some(v.clone())))}>{ t(lang, key) }</button> }
                    }) }
                </div>
            }
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, empty_key(props.kind)) }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards">{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
        </>
    }
}

/// What an empty list of `kind` says to do next.
fn empty_key(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Opportunity => "empty.opportunities",
        DocKind::Post => "empty.posts",
        DocKind::Event => "empty.events",
        DocKind::Organisation => "empty.organisations",
        DocKind::Idea => "empty.ideas",
        DocKind::Project => "empty.projects",
        _ => "empty",
    }
}
