//! The directory of organisations, filterable by the categories.

use allmende_core::model::DocKind;
use allmende_core::query::{ListFilter, ListPage, Query};
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};

use super::item_card::ItemCard;
use super::load::{status, use_app, use_me, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Directory)]
pub fn directory(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let category = use_state(String::new);
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Organisation),
        category: (!category.is_empty()).then(|| (*category).clone()),
        limit: Some(300),
        ..ListFilter::default()
    })));
    let me = use_me();
    let add = {
        let community = props.community.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddOrganisation {
                community: community.clone(),
                name: v.text("name"),
                description: v.text("description"),
                categories: v.list("categories"),
                contact: v.text("contact"),
                website: v.text("website"),
            })
        })
    };
    let chip = |key: String, text: String| {
        let category = category.clone();
        let pressed = *category == key;
        html! {
            <button class={classes!("chip", pressed.then_some("active"))} aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_| category.set(key.clone()))}>{ text }</button>
        }
    };
    html! {
        <>
            <h1>{ t(lang, "nav.directory") }</h1>
            <div class="chips" role="group" aria-label={t(lang, "filter.category")}>
                { chip(String::new(), t(lang, "filter.all").to_string()) }
                { for app.categories.iter().filter(|c| !c.archived).map(|c| chip(c.key.clone(), c.label(lang).to_string())) }
            </div>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "empty.organisations") }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards" aria-label={t(lang, "nav.directory")}>{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
            if me.is_some() {
                <CommandForm name="add-organisation" title={t(lang, "org.new")} submit={t(lang, "org.add")} reset=true folded=true build={add}
                    fields={vec![
                        Field::new("name", t(lang, "community.name"), Input::Text).required(),
                        Field::new("description", t(lang, "idea.text"), Input::Area),
                        Field::new("categories", t(lang, "org.categories"), Input::Multi(choices::categories(lang, &app.categories))),
                        Field::new("contact", t(lang, "request.contact"), Input::Text),
                        Field::new("website", t(lang, "org.website"), Input::Text),
                    ]} />
            }
        </>
    }
}
