//! The town-hall inbox: every request, filtered by status, department and "overdue", with
//! each department's answering record.

use allmende_core::figures::DepartmentFigures;
use allmende_core::lang::label;
use allmende_core::model::{DocKind, RequestStatus};
use allmende_core::query::{ListFilter, ListPage, Query};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::item_card::ItemCard;
use super::load::{status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Inbox)]
pub fn inbox(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let status_filter = use_state(String::new);
    let department = use_state(String::new);
    let overdue = use_state(|| false);
    let loaded = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Request),
        status: Some((*status_filter).clone()).filter(|s| !s.is_empty()),
        department: Some((*department).clone()).filter(|d| !d.is_empty()),
        overdue: overdue.then_some(true),
        limit: Some(500),
        ..ListFilter::default()
    })));
    let figures = use_query::<Vec<DepartmentFigures>>(Some(Query::TownHall {
        community: props.community.clone(),
    }));
    let on_status = {
        let s = status_filter.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                s.set(el.value());
            }
        })
    };
    let on_department = {
        let d = department.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                d.set(el.value());
            }
        })
    };
    let on_overdue = {
        let o = overdue.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                o.set(el.checked());
            }
        })
    };
    let departments: Vec<String> = match &figures {
        Loaded::Ready(f) => f
            .iter()
            .map(|d| d.department.clone())
            .filter(|d| !d.is_empty())
            .collect(),
        _ => Vec::new(),
    };
    html! {
        <>
            <h1>{ t(lang, "nav.townhall") }</h1>
            <form class="filters" aria-label={t(lang, "inbox.filters")} onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label>{ t(lang, "filter.status") }
                    <select name="inbox-status" onchange={on_status}>
                        <option value="">{ t(lang, "filter.all") }</option>
                        { for RequestStatus::ALL.iter().map(|s| html! {
                            <option value={s.as_str()} selected={*status_filter == s.as_str()}>{ label(s.as_str(), lang) }</option>
                        }) }
                    </select>
                </label>
                <label>{ t(lang, "inbox.department") }
                    <select name="inbox-department" onchange={on_department}>
                        <option value="">{ t(lang, "filter.all") }</option>
                        { for departments.iter().map(|d| html! {
                            <option value={d.clone()} selected={*department == *d}>{ d }</option>
                        }) }
                    </select>
                </label>
                <label class="check"><input type="checkbox" name="inbox-overdue" checked={*overdue} onchange={on_overdue} />{ t(lang, "inbox.overdue") }</label>
            </form>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(page)) if page.items.is_empty() => html! { <p class="muted">{ t(lang, "empty.requests") }</p> },
                    (None, Loaded::Ready(page)) => html! {
                        <ul class="cards">{ for page.items.iter().map(|i| html! { <ItemCard item={i.clone()} /> }) }</ul>
                    },
                    _ => html! {},
                }
            }
            if let Loaded::Ready(f) = &figures {
                <DepartmentTable figures={f.clone()} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    figures: Vec<DepartmentFigures>,
}

/// How each department answers.
#[function_component(DepartmentTable)]
fn department_table(props: &TableProps) -> Html {
    let lang = use_app().lang;
    if props.figures.is_empty() {
        return html! {};
    }
    html! {
        <section>
            <h2 id="inbox-figures">{ t(lang, "inbox.figures") }</h2>
            // Scrolls sideways on a phone: focusable, so a keyboard can scroll it too.
            <div class="scroll-x" role="region" aria-labelledby="inbox-figures" tabindex="0">
            <table class="figures">
                <thead><tr>
                    <th scope="col">{ t(lang, "inbox.department") }</th>
                    <th scope="col">{ t(lang, "inbox.requests") }</th>
                    <th scope="col">{ t(lang, "inbox.open") }</th>
                    <th scope="col">{ t(lang, "inbox.overdue") }</th>
                    <th scope="col">{ t(lang, "inbox.median") }</th>
                    <th scope="col">{ t(lang, "inbox.ontime") }</th>
                </tr></thead>
                <tbody>{ for props.figures.iter().map(|f| html! {
                    <tr>
                        <th scope="row">{ if f.department.is_empty() { t(lang, "inbox.nodept").to_string() } else { f.department.clone() } }</th>
                        <td>{ f.requests }</td>
                        <td>{ f.open }</td>
                        <td>{ f.overdue }</td>
                        <td>{ f.median_days_to_first_answer.map_or("–".to_string(), |d| crate::i18n_dates::decimal(lang, d)) }</td>
                        <td>{ f.on_time_share.map_or("–".to_string(), |s| format!("{:.0} %", s * 100.0)) }</td>
                    </tr>
                }) }</tbody>
            </table>
            </div>
        </section>
    }
}
