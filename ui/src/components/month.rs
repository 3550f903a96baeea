//! A month grid of events, Monday first, with previous/next month.

use allmende_core::query::ItemSummary;
use allmende_core::time::millis_to_date;
use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub events: Vec<ItemSummary>,
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Weekday of the first of the month, Monday = 0 (Zeller's congruence).
fn first_weekday(year: i32, month: u32) -> u32 {
    let (y, m) = if month < 3 {
        (year - 1, month + 12)
    } else {
        (year, month)
    };
    let k = y.rem_euclid(100);
    let j = y.div_euclid(100);
    let h = (1 + (13 * (m as i32 + 1)) / 5 + k + k / 4 + j / 4 + 5 * j).rem_euclid(7);
    ((h + 5) % 7) as u32
}

use crate::i18n_dates::{MONTHS_DE, MONTHS_EN};

#[function_component(Month)]
pub fn month(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let today = millis_to_date(js_sys::Date::now() as i64);
    let start = (
        today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026),
        today.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1),
    );
    let shown = use_state(|| start);
    let (year, month) = *shown;
    let shift = |delta: i32| {
        let shown = shown.clone();
        Callback::from(move |_| {
            let (y, m) = *shown;
            let index = y * 12 + m as i32 - 1 + delta;
            shown.set((index.div_euclid(12), (index.rem_euclid(12) + 1) as u32));
        })
    };
    let prefix = format!("{year:04}-{month:02}-");
    let names = if lang == allmende_core::Lang::De {
        MONTHS_DE
    } else {
        MONTHS_EN
    };
    let weekdays: [&str; 7] = if lang == allmende_core::Lang::De {
        ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
    } else {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    };
    let lead = first_weekday(year, month);
    let days = days_in(year, month);
    let cells: Vec<Option<u32>> = (0..lead)
        .map(|_| None)
        .chain((1..=days).map(Some))
        .collect();
    let weeks: Vec<Vec<Option<u32>>> = cells.chunks(7).map(<[Option<u32>]>::to_vec).collect();
    let event_button = |e: &ItemSummary| {
        let app = app.clone();
        let id = e.id.clone();
        html! { <button class="event" onclick={Callback::from(move |_| app.dispatch(Action::Go(Route::Item(id.clone()))))}>{ &e.title }</button> }
    };
    html! {
        <section aria-label={format!("{} {year}", names[(month - 1) as usize])}>
            <div class="month-head">
                <button onclick={shift(-1)} aria-label={t(lang, "calendar.prev")}>{ "‹" }</button>
                <h2>{ format!("{} {year}", names[(month - 1) as usize]) }</h2>
                <button onclick={shift(1)} aria-label={t(lang, "calendar.next")}>{ "›" }</button>
            </div>
            <table class="month">
                <thead><tr>{ for weekdays.iter().map(|d| html! { <th scope="col">{ *d }</th> }) }</tr></thead>
                <tbody>{ for weeks.iter().map(|week| html! {
                    <tr>{ for (0..7).map(|i| match week.get(i).copied().flatten() {
                        Some(day) => {
                            let date = format!("{prefix}{day:02}");
                            let todays: Vec<&ItemSummary> = props.events.iter().filter(|e| e.start_at.map(millis_to_date).as_deref() == Some(date.as_str())).collect();
                            html! { <td class={classes!((date == today).then_some("today"))}>
                                <span class="day">{ day }</span>
                                { for todays.into_iter().map(event_button) }
                            </td> }
                        }
                        None => html! { <td class="blank"></td> },
                    }) }</tr>
                }) }</tbody>
            </table>
        </section>
    }
}
