//! Bringing a process template into the community: one of the built-in ones (the village
//! workshop, the school project) or a file another community exported.

use allmende_core::templates::{builtin, TemplateSpec, BUILTIN};
use allmende_core::Command;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::load::{run_then, use_app};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(TemplateImport)]
pub fn template_import(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let said = use_state(|| None::<(bool, String)>);
    let select = use_node_ref();
    let add = {
        let (app, community, said) = (app.clone(), props.community.clone(), said.clone());
        move |spec: TemplateSpec| {
            let said = said.clone();
            let cmd = Command::AddTemplate {
                community: community.clone(),
                template: spec,
            };
            run_then(&app, cmd, move |r| {
                said.set(Some(match r {
                    Ok(_) => (true, t(lang, "template.added").to_string()),
                    Err(e) => (false, e.message),
                }));
            });
        }
    };
    let on_file = {
        let (add, said) = (add.clone(), said.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let (add, said) = (add.clone(), said.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                match TemplateSpec::from_file(&text) {
                    Ok(spec) => add(spec),
                    Err(e) => said.set(Some((
                        false,
                        format!("{}: {e}", t(lang, "template.bad_file")),
                    ))),
                }
            });
            input.set_value("");
        })
    };
    let on_builtin = {
        let (add, select) = (add.clone(), select.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(select) = select.cast::<web_sys::HtmlSelectElement>() else {
                return;
            };
            if let Some(spec) = builtin(&select.value()) {
                add(spec);
            }
        })
    };
    html! {
        <details class="panel form">
            <summary>{ t(lang, "template.import") }</summary>
            <form class="inline" name="add-builtin-template" onsubmit={on_builtin}>
                <label>{ t(lang, "template.builtin") }
                    <select name="builtin" ref={select}>
                        { for BUILTIN.iter().map(|b| html! { <option value={*b}>{ builtin(b).map(|s| s.name).unwrap_or_default() }</option> }) }
                    </select>
                </label>
                <button type="submit">{ t(lang, "template.add") }</button>
            </form>
            <label>{ t(lang, "template.file") }<input type="file" name="template-file" accept=".json,application/json" onchange={on_file} /></label>
            if let Some((ok, text)) = &*said {
                <p class={if *ok { "notice ok" } else { "notice error" }} role={if *ok { "status" } else { "alert" }}>{ text }</p>
            }
        </details>
    }
}
