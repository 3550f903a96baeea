//! The community's figures: members and items over time (charts and CSV), projects by
//! stage, and the weekly "Mach mit" digest ready to copy.

use allmende_core::figures::{dashboard_csv, Dashboard as Figures};
use allmende_core::lang::label;
use allmende_core::query::Query;
use yew::prelude::*;

use super::load::{status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

const MONTHS_SHOWN: usize = 12;

#[function_component(Dashboard)]
pub fn dashboard(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<Figures>(Some(Query::Dashboard {
        community: props.community.clone(),
    }));
    if let Some(s) = status(&app, &loaded) {
        return s;
    }
    let Loaded::Ready(d) = loaded else {
        return html! {};
    };
    let csv = format!(
        "data:text/csv;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&dashboard_csv(&d)))
    );
    let max_stage = d
        .projects_by_stage
        .values()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    html! {
        <>
            <h1>{ t(lang, "nav.dashboard") }</h1>
            <ul class="totals">{ for d.totals.iter().map(|(kind, n)| html! {
                <li><strong>{ n }</strong><span>{ label(kind, lang) }</span></li>
            }) }</ul>
            <section>
                <h2>{ t(lang, "dashboard.over_time") }</h2>
                <div class="charts">{ for d.series.iter().map(|(kind, values)| chart(&d, kind, values, lang)) }</div>
                <p><a class="button" href={csv} download="allmende-zahlen.csv">{ t(lang, "dashboard.csv") }</a></p>
            </section>
            <section>
                <h2>{ t(lang, "dashboard.stages") }</h2>
                <ul class="bars">{ for d.projects_by_stage.iter().map(|(stage, n)| {
                    let width = format!("width: {}%", n * 100 / max_stage);
                    html! { <li><span class="bar-label">{ label(stage, lang) }</span><span class="bar" style={width}></span><span>{ n }</span></li> }
                }) }</ul>
            </section>
            <DigestPanel community={props.community.clone()} />
        </>
    }
}

/// A small bar chart of one kind's monthly totals (the last twelve months).
fn chart(d: &Figures, kind: &str, values: &[u64], lang: allmende_core::Lang) -> Html {
    let skip = values.len().saturating_sub(MONTHS_SHOWN);
    let shown: Vec<(String, u64)> = d
        .months
        .iter()
        .cloned()
        .zip(values.iter().copied())
        .skip(skip)
        .collect();
    let max = shown.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1);
    let summary = shown
        .iter()
        .map(|(m, v)| format!("{m}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let name = label(kind, lang);
    html! {
        <figure class="chart">
            <svg viewBox="0 0 120 44" role="img" aria-label={format!("{name}: {summary}")}>
                { for shown.iter().enumerate().map(|(i, (_, v))| {
                    #[allow(clippy::cast_precision_loss)]
                    let h = (*v as f64 / max as f64 * 40.0).max(0.5);
                    html! { <rect x={(i * 10 + 1).to_string()} y={format!("{:.1}", 42.0 - h)} width="8" height={format!("{h:.1}")} /> }
                }) }
            </svg>
            <figcaption>{ format!("{name}: {}", shown.last().map_or(0, |(_, v)| *v)) }</figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct DigestProps {
    community: String,
}

/// The weekly digest as Markdown or HTML, to copy into a newsletter or chat.
#[function_component(DigestPanel)]
fn digest_panel(props: &DigestProps) -> Html {
    let lang = use_app().lang;
    let format = use_state(|| "md".to_string());
    let text = use_query::<String>(Some(Query::Digest {
        community: props.community.clone(),
        days: Some(7),
        format: Some((*format).clone()),
    }));
    let pick = |f: &'static str| {
        let format = format.clone();
        Callback::from(move |_| format.set(f.to_string()))
    };
    html! {
        <section>
            <h2>{ t(lang, "dashboard.digest") }</h2>
            <div role="tablist" class="tabs">
                <button role="tab" aria-selected={(*format == "md").to_string()} class={classes!("tab", (*format == "md").then_some("active"))} onclick={pick("md")}>{ "Markdown" }</button>
                <button role="tab" aria-selected={(*format == "html").to_string()} class={classes!("tab", (*format == "html").then_some("active"))} onclick={pick("html")}>{ "HTML" }</button>
            </div>
            if let Loaded::Ready(text) = text {
                <label class="stack">{ t(lang, "dashboard.copy") }
                    <textarea name="digest" readonly=true rows="12" value={text} />
                </label>
            }
        </section>
    }
}
