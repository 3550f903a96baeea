//! A form that makes one command: its fields are declared, their values are read when it is
//! sent, and the answer ("Gespeichert" or the refusal in words) appears next to the form,
//! where the person is looking. Forms that add something are emptied after success; forms
//! that edit something open filled in and send only the fields that changed.

use std::collections::BTreeMap;

use allmende_core::Command;
use wasm_bindgen::JsCast;
use web_sys::{
    FormData, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};
use yew::prelude::*;

use super::load::{run_then, use_app};
use crate::i18n::t;

/// How a field is entered.
#[derive(Clone, PartialEq)]
pub enum Input {
    Text,
    Area,
    Date,
    DateTime,
    Number,
    /// A checkbox: "true" or "false".
    Check,
    /// One of (value, label).
    Select(Vec<(String, String)>),
    /// Any of (value, label), as checkboxes; the values joined by ",".
    Multi(Vec<(String, String)>),
}

/// One field of a form.
#[derive(Clone, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub input: Input,
    /// What the field holds when the form opens.
    pub value: String,
    pub required: bool,
}

impl Field {
    pub fn new(name: &'static str, label: impl Into<String>, input: Input) -> Self {
        Field {
            name,
            label: label.into(),
            input,
            value: String::new(),
            required: false,
        }
    }

    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
}

/// The values of a sent form, with the ones it opened with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    now: BTreeMap<&'static str, String>,
    before: BTreeMap<&'static str, String>,
}

impl Values {
    #[must_use]
    pub fn new(
        now: BTreeMap<&'static str, String>,
        before: BTreeMap<&'static str, String>,
    ) -> Self {
        Values { now, before }
    }

    /// The field's text as entered.
    #[must_use]
    pub fn text(&self, name: &str) -> String {
        self.now.get(name).cloned().unwrap_or_default()
    }

    /// The field's text, or `None` when it is blank.
    #[must_use]
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.trim().is_empty())
    }

    /// The field's text when it differs from what the form opened with.
    #[must_use]
    pub fn changed(&self, name: &str) -> Option<String> {
        let now = self.text(name);
        (self
            .before
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
            != now)
            .then_some(now)
    }

    /// A checkbox, when it was changed.
    #[must_use]
    pub fn changed_flag(&self, name: &str) -> Option<bool> {
        self.changed(name).map(|v| v == "true")
    }

    /// A multiple choice.
    #[must_use]
    pub fn list(&self, name: &str) -> Vec<String> {
        split(&self.text(name))
    }

    /// A multiple choice, when it was changed.
    #[must_use]
    pub fn changed_list(&self, name: &str) -> Option<Vec<String>> {
        self.changed(name).map(|v| split(&v))
    }

    /// A whole number (blank and malformed count as none).
    #[must_use]
    pub fn number(&self, name: &str) -> Option<u64> {
        self.text(name).trim().parse().ok()
    }
}

fn split(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The form's name (also the `name` of the `<form>`, for tests and styling).
    pub name: &'static str,
    pub title: String,
    pub fields: Vec<Field>,
    pub submit: String,
    /// Makes the command from the values; `None` sends nothing (nothing changed).
    pub build: Callback<Values, Option<Command>>,
    /// Called with the new or changed id after success.
    #[prop_or_default]
    pub then: Callback<String>,
    /// Empties the form after success (forms that add something).
    #[prop_or_default]
    pub reset: bool,
    /// Shown folded, opened by its title (forms that are not the screen's main task).
    #[prop_or_default]
    pub folded: bool,
}

fn read(form: &HtmlFormElement, fields: &[Field]) -> BTreeMap<&'static str, String> {
    let data = FormData::new_with_form(form).ok();
    let get = |name: &str| -> Vec<String> {
        data.as_ref()
            .map(|d| {
                d.get_all(name)
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    fields
        .iter()
        .map(|f| {
            let values = get(f.name);
            let v = match f.input {
                Input::Check => (!values.is_empty()).to_string(),
                Input::Multi(_) => values.join(","),
                _ => values.into_iter().next().unwrap_or_default(),
            };
            (f.name, v)
        })
        .collect()
}

fn field_html(form: &str, f: &Field) -> Html {
    let id = format!("{form}-{}", f.name);
    match &f.input {
        Input::Area => html! {
            <label>{ &f.label }<textarea name={f.name} rows="3" required={f.required} /></label>
        },
        Input::Check => html! {
            <label class="check"><input type="checkbox" name={f.name} value="true" />{ &f.label }</label>
        },
        Input::Select(options) => html! {
            <label>{ &f.label }
                <select name={f.name} required={f.required}>
                    { for options.iter().map(|(v, l)| html! { <option value={v.clone()}>{ l }</option> }) }
                </select>
            </label>
        },
        Input::Multi(options) => {
            html! {
                <fieldset class="multi">
                    <legend>{ &f.label }</legend>
                    { for options.iter().enumerate().map(|(i, (v, l))| {
                        let box_id = format!("{id}-{i}");
                        html! { <span class="check"><input type="checkbox" id={box_id.clone()} name={f.name} value={v.clone()} /><label for={box_id}>{ l }</label></span> }
                    }) }
                </fieldset>
            }
        }
        input => {
            let kind = match input {
                Input::Date => "date",
                Input::DateTime => "datetime-local",
                Input::Number => "number",
                _ => "text",
            };
            html! {
                <label>{ &f.label }<input type={kind} name={f.name} required={f.required} min={(kind == "number").then_some("0")} /></label>
            }
        }
    }
}

/// Puts the fields' values into the form's elements: those whose value is new since the last
/// time (all of them when `last` is empty). The fields are not bound to their values while a
/// person types, so a live update of the page (another device's change, a second reload)
/// does not wipe what they entered or reset what they chose.
fn apply(form: &HtmlFormElement, fields: &[Field], last: &mut BTreeMap<&'static str, String>) {
    for f in fields {
        if last.get(f.name) == Some(&f.value) {
            continue;
        }
        last.insert(f.name, f.value.clone());
        let Ok(nodes) = form.query_selector_all(&format!("[name='{}']", f.name)) else {
            continue;
        };
        let chosen = split(&f.value);
        for i in 0..nodes.length() {
            let Some(node) = nodes.get(i) else { continue };
            if let Some(input) = node.dyn_ref::<HtmlInputElement>() {
                match f.input {
                    Input::Check => input.set_checked(f.value == "true"),
                    Input::Multi(_) => input.set_checked(chosen.contains(&input.value())),
                    _ => input.set_value(&f.value),
                }
            } else if let Some(area) = node.dyn_ref::<HtmlTextAreaElement>() {
                area.set_value(&f.value);
            } else if let Some(select) = node.dyn_ref::<HtmlSelectElement>() {
                select.set_value(&f.value);
            }
        }
    }
}

/// A form for one command; see the module's description.
#[function_component(CommandForm)]
pub fn command_form(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let said = use_state(|| None::<(bool, String)>);
    let busy = use_state(|| false);
    let form_ref = use_node_ref();
    let last = use_mut_ref(BTreeMap::<&'static str, String>::new);
    {
        let (form_ref, last, fields) = (form_ref.clone(), last.clone(), props.fields.clone());
        let values: Vec<String> = fields.iter().map(|f| f.value.clone()).collect();
        use_effect_with(values, move |_| {
            if let Some(form) = form_ref.cast::<HtmlFormElement>() {
                apply(&form, &fields, &mut last.borrow_mut());
            }
            || ()
        });
    }
    let onsubmit = {
        let (app, said, busy, last) = (app.clone(), said.clone(), busy.clone(), last.clone());
        let (fields, build, then, reset) = (
            props.fields.clone(),
            props.build.clone(),
            props.then.clone(),
            props.reset,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(form) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            let before = fields.iter().map(|f| (f.name, f.value.clone())).collect();
            let values = Values::new(read(&form, &fields), before);
            let Some(cmd) = build.emit(values) else {
                said.set(Some((true, t(lang, "form.unchanged").to_string())));
                return;
            };
            busy.set(true);
            let (said, busy, then, last, fields) = (
                said.clone(),
                busy.clone(),
                then.clone(),
                last.clone(),
                fields.clone(),
            );
            run_then(&app, cmd, move |result| {
                busy.set(false);
                match result {
                    Ok(id) => {
                        if reset {
                            form.reset();
                            let mut last = last.borrow_mut();
                            last.clear();
                            apply(&form, &fields, &mut last);
                        }
                        said.set(Some((true, t(lang, "saved").to_string())));
                        then.emit(id);
                    }
                    Err(e) => said.set(Some((false, e.message))),
                }
            });
        })
    };
    let body = html! {
        <form class="stack" name={props.name} onsubmit={onsubmit} ref={form_ref}>
            { for props.fields.iter().map(|f| field_html(props.name, f)) }
            <button type="submit" class="primary" disabled={*busy}>{ &props.submit }</button>
            if let Some((ok, text)) = &*said {
                <p class={if *ok { "notice ok" } else { "notice error" }} role={if *ok { "status" } else { "alert" }}>{ text }</p>
            }
        </form>
    };
    if props.folded {
        html! {
            <details class="panel form">
                <summary>{ &props.title }</summary>
                { body }
            </details>
        }
    } else {
        html! {
            <section class="panel form">
                <h2>{ &props.title }</h2>
                { body }
            </section>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(now: &[(&'static str, &str)], before: &[(&'static str, &str)]) -> Values {
        let map = |v: &[(&'static str, &str)]| v.iter().map(|(k, v)| (*k, v.to_string())).collect();
        Values::new(map(now), map(before))
    }

    #[test]
    fn only_changed_fields_are_sent() {
        let v = values(
            &[("title", "Neu"), ("text", "gleich"), ("done", "true")],
            &[("title", "Alt"), ("text", "gleich"), ("done", "false")],
        );
        assert_eq!(v.changed("title").as_deref(), Some("Neu"));
        assert_eq!(v.changed("text"), None);
        assert_eq!(v.changed_flag("done"), Some(true));
    }

    #[test]
    fn blanks_lists_and_numbers() {
        let v = values(&[("a", "  "), ("l", "energy, nature,"), ("n", "12")], &[]);
        assert_eq!(v.opt("a"), None);
        assert_eq!(v.list("l"), vec!["energy", "nature"]);
        assert_eq!(v.number("n"), Some(12));
        assert_eq!(v.number("a"), None);
    }
}
