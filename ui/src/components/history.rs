//! "Verlauf": who changed an item when, and, where two people changed a text apart, both
//! versions with one action to take the other instead. Merges are never silent.

use allmende_core::apply::Item;
use allmende_core::query::{Conflict, History, Query};
use allmende_core::Command;
use yew::prelude::*;

use super::form::{CommandForm, Values};
use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;
use allmende_core::Lang;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub item: Item,
    /// Whether this person may edit the item's texts (the taking action is shown only then).
    pub may_edit: bool,
}

/// A time as people read it, in the browser's own zone ("7.12.2026, 14:03").
fn when(lang: Lang, ms: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let locale = if lang == Lang::De { "de-DE" } else { "en-GB" };
    let options = js_sys::Object::new();
    for (k, v) in [
        ("day", "numeric"),
        ("month", "numeric"),
        ("year", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    }
    date.to_locale_string(locale, &options).into()
}

/// The command that makes `value` the item's `field`, where the app has one.
fn take(item: &Item, id: &str, field: &str, value: &str) -> Option<Command> {
    let v = Some(value.to_string());
    match (item, field) {
        (Item::Idea(_), "title" | "text") => Some(Command::EditIdea {
            idea: id.to_string(),
            title: (field == "title").then(|| value.to_string()),
            text: (field == "text").then(|| value.to_string()),
            category: None,
            status: None,
        }),
        (Item::Post(_), "title" | "text") => Some(Command::EditPost {
            post: id.to_string(),
            title: if field == "title" { v } else { None },
            text: if field == "text" {
                Some(value.to_string())
            } else {
                None
            },
            category: None,
            offered_by: None,
        }),
        (Item::Project(_), "title" | "summary") => Some(Command::EditProject {
            project: id.to_string(),
            title: if field == "title" { v } else { None },
            summary: if field == "summary" {
                Some(value.to_string())
            } else {
                None
            },
            category: None,
            stage: None,
            visibility: None,
            progress: None,
        }),
        _ => None,
    }
}

fn conflict(lang: Lang, props: &Props, c: &Conflict) -> Html {
    let field = crate::i18n_history::field(lang, &c.field);
    html! {
        <div class="notice conflict" role="note">
            <p><strong>{ format!("{} „{field}“", t(lang, "history.conflict")) }</strong></p>
            <ul class="plain">{ for c.values.iter().map(|v| {
                let who = if v.name.is_empty() { t(lang, "history.someone").to_string() } else { v.name.clone() };
                let command = take(&props.item, &props.id, &c.field, &v.value);
                html! {
                    <li>
                        <q>{ &v.value }</q>{ format!(" — {who}") }
                        if v.shown {
                            <span class="tag">{ t(lang, "history.shown") }</span>
                        } else if let Some(command) = command.filter(|_| props.may_edit) {
                            <CommandForm name="take-version" title={String::new()}
                                submit={t(lang, "history.take").to_string()} fields={vec![]}
                                build={Callback::from(move |_: Values| Some(command.clone()))} />
                        }
                    </li>
                }
            }) }</ul>
        </div>
    }
}

#[function_component(ItemHistory)]
pub fn item_history(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<History>(Some(Query::History {
        id: props.id.clone(),
    }));
    let Loaded::Ready(h) = loaded else {
        return html! {};
    };
    html! {
        <section class="history">
            { for h.conflicts.iter().map(|c| conflict(lang, props, c)) }
            <details>
                <summary>{ format!("{} ({})", t(lang, "history.title"), h.entries.len()) }</summary>
                <ol class="plain timeline">{ for h.entries.iter().rev().map(|e| {
                    let who = if e.name.is_empty() { t(lang, "history.someone").to_string() } else { e.name.clone() };
                    let fields: Vec<String> = e.fields.iter().map(|f| crate::i18n_history::field(lang, f)).filter(|f| !f.is_empty()).collect();
                    html! {
                        <li>
                            <time>{ when(lang, e.at) }</time>{ " · " }<strong>{ who }</strong>{ ": " }
                            { crate::i18n_history::change(lang, &e.what) }
                            if !fields.is_empty() {
                                <span class="muted">{ format!(" ({})", fields.join(", ")) }</span>
                            }
                        </li>
                    }
                }) }</ol>
            </details>
        </section>
    }
}
