//! The ideas board: filters by category and status, search, and a form for a new idea.

use allmende_core::lang::label;
use allmende_core::model::{DocKind, IdeaStatus};
use allmende_core::query::{ListFilter, ListPage, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{answer_view, run_here, status, use_app, use_query, Answer, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Ideas)]
pub fn ideas(props: &Props) -> Html {
    let app = use_app();
    let answer: Answer = use_state(|| None);
    let lang = app.lang;
    let category = use_state(String::new);
    let state_filter = use_state(String::new);
    let search = use_state(String::new);
    let filter = ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Idea),
        category: (!category.is_empty()).then(|| (*category).clone()),
        status: (!state_filter.is_empty()).then(|| (*state_filter).clone()),
        text: (!search.trim().is_empty()).then(|| (*search).clone()),
        limit: Some(1000),
        ..ListFilter::default()
    };
    let loaded = use_query::<ListPage>(Some(Query::List(filter)));
    let on_category = {
        let category = category.clone();
        Callback::from(move |e: Event| {
            category.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_status = {
        let s = state_filter.clone();
        Callback::from(move |e: Event| {
            s.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            search.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    // The form for a new idea.
    let title = use_node_ref();
    let text = use_node_ref();
    let new_category = use_node_ref();
    let submit = {
        let answer = answer.clone();
        let (app, title, text, new_category, community) = (
            app.clone(),
            title.clone(),
            text.clone(),
            new_category.clone(),
            props.community.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(ti), Some(tx), Some(ca)) = (
                title.cast::<HtmlInputElement>(),
                text.cast::<HtmlTextAreaElement>(),
                new_category.cast::<HtmlSelectElement>(),
            ) else {
                return;
            };
            let cmd = Command::AddIdea {
                community: community.clone(),
                title: ti.value(),
                text: tx.value(),
                category: ca.value(),
            };
            run_here(&app, cmd, &answer, move |_| {
                ti.set_value("");
                tx.set_value("");
            });
        })
    };
    let categories = app
        .categories
        .iter()
        .filter(|c| !c.archived)
        .cloned()
        .collect::<Vec<_>>();
    html! {
        <>
            <h1>{ t(lang, "nav.ideas") }</h1>
            <form class="filters" role="search" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label>{ t(lang, "filter.category") }
                    <select onchange={on_category} aria-label={t(lang, "filter.category")}>
                        <option value="" selected={category.is_empty()}>{ t(lang, "filter.all") }</option>
                        { for categories.iter().map(|c| html! { <option value={c.key.clone()} selected={*category == c.key}>{ c.label(lang) }</option> }) }
                    </select>
                </label>
                <label>{ t(lang, "filter.status") }
                    <select onchange={on_status} aria-label={t(lang, "filter.status")}>
                        <option value="" selected={state_filter.is_empty()}>{ t(lang, "filter.all") }</option>
                        { for IdeaStatus::ALL.iter().map(|s| html! { <option value={s.as_str()} selected={*state_filter == s.as_str()}>{ label(s.as_str(), lang) }</option> }) }
                    </select>
                </label>
                <label>{ t(lang, "search") }
                    <input type="search" placeholder={t(lang, "search.placeholder")} oninput={on_search} value={(*search).clone()} />
                </label>
            </form>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "empty.ideas") }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards" aria-label={t(lang, "nav.ideas")}>{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
            <section class="panel">
                <h2>{ t(lang, "idea.new") }</h2>
                <form class="stack" onsubmit={submit}>
                    <label>{ t(lang, "idea.title") }<input ref={title} name="title" required=true maxlength="200" /></label>
                    <label>{ t(lang, "idea.text") }<textarea ref={text} name="text" rows="4" /></label>
                    <label>{ t(lang, "filter.category") }
                        <select ref={new_category} name="category">
                            { for categories.iter().map(|c| html! { <option value={c.key.clone()}>{ c.label(lang) }</option> }) }
                        </select>
                    </label>
                    <button type="submit" class="primary">{ t(lang, "idea.submit") }</button>
                    { answer_view(&answer) }
                </form>
            </section>
        </>
    }
}
