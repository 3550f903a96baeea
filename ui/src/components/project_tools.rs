//! The project workspace's tools: apply a process template (the village workshop, a class
//! project), and publish a showcase into another community (the town, a project fair).

use allmende_core::model::DocKind;
use allmende_core::query::{CommunitySummary, ListFilter, ListPage, Query};
use allmende_core::Command;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::load::{answer_view, run_here_saying, use_app, use_query, Answer, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub project: String,
    pub community: String,
    /// Whether this person leads the team (only leads publish the project elsewhere).
    pub lead: bool,
}

#[function_component(ProjectTools)]
pub fn project_tools(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let templates = use_query::<ListPage>(Some(Query::List(ListFilter {
        community: Some(props.community.clone()),
        kind: Some(DocKind::Template),
        limit: Some(100),
        ..ListFilter::default()
    })));
    let communities = use_query::<Vec<CommunitySummary>>(Some(Query::Communities));
    let (template_ref, target_ref) = (use_node_ref(), use_node_ref());
    let templates = match templates {
        Loaded::Ready(page) => page.items,
        _ => Vec::new(),
    };
    let others: Vec<CommunitySummary> = match communities {
        Loaded::Ready(all) => all
            .into_iter()
            .filter(|c| c.id != props.community && c.me.is_some())
            .collect(),
        _ => Vec::new(),
    };
    // The answer shows next to the tools, where the person is looking.
    let notice: Answer = use_state(|| None);
    // A select's chosen entry by its label (a template's title, a community's name).
    let chosen = |pairs: &[(String, String)], sel: &HtmlSelectElement| {
        pairs
            .iter()
            .find(|(id, _)| *id == sel.value())
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    };
    let apply = {
        let (app, project, r, notice) = (
            app.clone(),
            props.project.clone(),
            template_ref.clone(),
            notice.clone(),
        );
        let titles: Vec<(String, String)> = templates
            .iter()
            .map(|x| (x.id.clone(), x.title.clone()))
            .collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(sel) = r.cast::<HtmlSelectElement>() {
                let ok = format!("{} {}", t(app.lang, "tools.applied"), chosen(&titles, &sel));
                let cmd = Command::ApplyTemplate {
                    project: project.clone(),
                    template: sel.value(),
                };
                run_here_saying(&app, cmd, &notice, ok, |_| {});
            }
        })
    };
    let publish = {
        let (app, project, r, notice) = (
            app.clone(),
            props.project.clone(),
            target_ref.clone(),
            notice.clone(),
        );
        let names: Vec<(String, String)> = others
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(sel) = r.cast::<HtmlSelectElement>() {
                let ok = format!(
                    "{} {}",
                    t(app.lang, "tools.published"),
                    chosen(&names, &sel)
                );
                let cmd = Command::Publish {
                    project: project.clone(),
                    to: sel.value(),
                };
                run_here_saying(&app, cmd, &notice, ok, |_| {});
            }
        })
    };
    html! {
        <section class="panel tools">
            <h2>{ t(lang, "tools.title") }</h2>
            if !templates.is_empty() {
                <form class="inline" onsubmit={apply}>
                    <label>{ t(lang, "tools.template") }
                        <select ref={template_ref} name="template">
                            { for templates.iter().map(|x| html! { <option value={x.id.clone()}>{ &x.title }</option> }) }
                        </select>
                    </label>
                    <button type="submit">{ t(lang, "tools.apply") }</button>
                </form>
            }
            <super::template_import::TemplateImport community={props.community.clone()} />
            if props.lead && !others.is_empty() {
                <form class="inline" onsubmit={publish}>
                    <label>{ t(lang, "tools.publish_to") }
                        <select ref={target_ref} name="publish-to">
                            { for others.iter().map(|c| html! { <option value={c.id.clone()}>{ &c.name }</option> }) }
                        </select>
                    </label>
                    <button type="submit">{ t(lang, "tools.publish") }</button>
                </form>
                <p class="muted">{ t(lang, "tools.publish_hint") }</p>
            }
            { answer_view(&notice) }
        </section>
    }
}
