//! The calendar: upcoming events as a list, a form for a new event, and the iCal export.

use allmende_core::model::DocKind;
use allmende_core::query::{ListFilter, ListPage, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{answer_view, run_here, status, use_app, use_query, Answer, Loaded};
use super::month::Month;
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

/// `2026-12-03T18:00` from a datetime-local field, as RFC 3339 in German winter/summer time.
fn with_offset(local: &str) -> String {
    let month: u32 = local.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let offset = if (4..=10).contains(&month) {
        "+02:00"
    } else {
        "+01:00"
    };
    format!("{}:00{offset}", local.get(..16).unwrap_or(local))
}

#[function_component(Calendar)]
pub fn calendar(props: &Props) -> Html {
    let app = use_app();
    let answer: Answer = use_state(|| None);
    let lang = app.lang;
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Event),
        limit: Some(300),
        ..ListFilter::default()
    })));
    let (title, start, end, place, category) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let submit = {
        let answer = answer.clone();
        let (app, title, start, end, place, category, community) = (
            app.clone(),
            title.clone(),
            start.clone(),
            end.clone(),
            place.clone(),
            category.clone(),
            props.community.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let cat = category
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let cmd = Command::AddEvent {
                community: community.clone(),
                title: value(&title),
                description: String::new(),
                start: with_offset(&value(&start)),
                end: with_offset(&value(&end)),
                time_zone: Some("Europe/Berlin".into()),
                place: value(&place),
                online_link: String::new(),
                category: cat,
                organiser: String::new(),
                capacity: 0,
            };
            let t = title.clone();
            run_here(&app, cmd, &answer, move |_| {
                if let Some(i) = t.cast::<HtmlInputElement>() {
                    i.set_value("");
                }
            });
        })
    };
    let ics = format!("/api/export.ics?community={}", props.community);
    let as_month = use_state(|| true);
    let view_tab = |month: bool, key: &'static str| {
        let as_month = as_month.clone();
        let selected = *as_month == month;
        html! { <button role="tab" aria-selected={selected.to_string()} class={classes!("tab", selected.then_some("active"))}
        onclick={Callback::from(move |_| as_month.set(month))}>{ t(lang, key) }</button> }
    };
    html! {
        <>
            <h1>{ t(lang, "nav.calendar") }</h1>
            <p><a class="button" href={ics} download="allmende.ics">{ t(lang, "event.ics") }</a></p>
            <div role="tablist" class="tabs">{ view_tab(true, "calendar.month") }{ view_tab(false, "calendar.list") }</div>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if *as_month => html! { <Month events={page.items.clone()} /> },
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "empty.events") }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards" aria-label={t(lang, "nav.calendar")}>{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
            <super::calendar_link::CalendarLink community={props.community.clone()} />
            <section class="panel">
                <h2>{ t(lang, "event.new") }</h2>
                <form class="stack" onsubmit={submit}>
                    <label>{ t(lang, "idea.title") }<input ref={title} name="event-title" required=true /></label>
                    <label>{ t(lang, "event.start") }<input ref={start} name="start" type="datetime-local" required=true /></label>
                    <label>{ t(lang, "event.end") }<input ref={end} name="end" type="datetime-local" required=true /></label>
                    <label>{ t(lang, "event.place") }<input ref={place} name="place" required=true /></label>
                    <label>{ t(lang, "filter.category") }
                        <select ref={category} name="event-category">
                            { for app.categories.iter().filter(|c| !c.archived).map(|c| html! { <option value={c.key.clone()}>{ c.label(lang) }</option> }) }
                        </select>
                    </label>
                    <button type="submit" class="primary">{ t(lang, "event.create") }</button>
                    { answer_view(&answer) }
                </form>
            </section>
        </>
    }
}
