//! The project workspace: stage and progress, steps and tasks, shared notes, milestones,
//! team, needs, and the requests to the town hall.

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::model::Project;
use allmende_core::query::{ItemDetail, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::load::{run, status, use_app, use_query, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(ProjectDetail)]
pub fn project_detail(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ItemDetail>(Some(Query::Show {
        id: props.id.clone(),
    }));
    let new_task = use_node_ref();
    let notes = use_node_ref();
    if let Some(s) = status(&app, &loaded) {
        return s;
    }
    let Loaded::Ready(d) = loaded else {
        return html! {};
    };
    let Item::Project(p) = &d.item else {
        return html! {};
    };
    let p: Project = p.clone();
    let id = props.id.clone();
    let name = |m: &str| d.names.get(m).cloned().unwrap_or_else(|| m.to_string());
    let add_task = {
        let (app, new_task, id) = (app.clone(), new_task.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = new_task.cast::<HtmlInputElement>() else {
                return;
            };
            let cmd = Command::AddTask {
                project: id.clone(),
                title: input.value(),
                step: None,
                assignee: None,
                due: None,
            };
            run(&app, cmd, move |_| input.set_value(""));
        })
    };
    let save_notes = {
        let (app, notes, id) = (app.clone(), notes.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(area) = notes.cast::<HtmlTextAreaElement>() else {
                return;
            };
            run(
                &app,
                Command::SetNotes {
                    project: id.clone(),
                    text: area.value(),
                },
                |_| {},
            );
        })
    };
    let mut steps: Vec<_> = p.steps.values().cloned().collect();
    steps.sort_by_key(|s| (s.position, s.id.clone()));
    let mut columns: Vec<(String, String)> = steps
        .iter()
        .map(|s| (s.id.clone(), s.title.clone()))
        .collect();
    if p.tasks
        .values()
        .any(|task| task.step.is_empty() || !p.steps.contains_key(&task.step))
    {
        columns.push((String::new(), t(lang, "project.task.open").to_string()));
    }
    let task_row = |task: &allmende_core::model::Task| {
        let toggle = {
            let (app, id, tid, done) = (app.clone(), id.clone(), task.id.clone(), task.done);
            Callback::from(move |_| {
                run(
                    &app,
                    Command::EditTask {
                        project: id.clone(),
                        task: tid.clone(),
                        title: None,
                        step: None,
                        assignee: None,
                        due: None,
                        done: Some(!done),
                    },
                    |_| {},
                );
            })
        };
        let checkbox_id = format!("task-{}", task.id);
        html! {
            <li class={classes!("task", task.done.then_some("done"))}>
                <input type="checkbox" id={checkbox_id.clone()} checked={task.done} onchange={toggle} />
                <label for={checkbox_id}>{ &task.title }</label>
                <span class="muted">{ format!(" {} {}", if task.assignee.is_empty() { String::new() } else { name(&task.assignee) }, task.due) }</span>
            </li>
        }
    };
    let back = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Go(Route::Projects)))
    };
    let progress = p.effective_progress();
    html! {
        <article>
            <button class="link" onclick={back}>{ "← " }{ t(lang, "back") }</button>
            <h1>{ &p.title }</h1>
            <p class="card-meta">
                <span class="tag">{ crate::i18n::category(lang, &app.categories, &p.category) }</span>
                <span class="status">{ label(p.stage.as_str(), lang) }</span>
                <span class="status">{ label(p.visibility.as_str(), lang) }</span>
            </p>
            <p class="text">{ &p.summary }</p>
            <p class="progress big" role="progressbar" aria-valuenow={progress.to_string()} aria-valuemin="0" aria-valuemax="100" aria-label={t(lang, "project.progress")}>
                <span class="bar" style={format!("width:{progress}%")}></span><span class="pct">{ format!("{} {progress} %", t(lang, "project.progress")) }</span>
            </p>
            <section>
                <h2>{ t(lang, "project.tasks") }</h2>
                <div class="board">
                    { for columns.iter().map(|(sid, title)| html! {
                        <div class="column">
                            <h3>{ title }</h3>
                            <ul class="plain">{ for p.tasks.values().filter(|task| &task.step == sid || (sid.is_empty() && !p.steps.contains_key(&task.step))).map(task_row) }</ul>
                        </div>
                    }) }
                </div>
                <form class="inline" onsubmit={add_task}>
                    <label>{ t(lang, "project.task.new") }<input ref={new_task} required=true maxlength="200" /></label>
                    <button type="submit">{ t(lang, "project.task.add") }</button>
                </form>
            </section>
            <section>
                <h2>{ t(lang, "project.notes") }</h2>
                <form class="stack" onsubmit={save_notes}>
                    <label class="sr-only" for="notes">{ t(lang, "project.notes") }</label>
                    <textarea id="notes" ref={notes} rows="8" defaultvalue={p.notes.as_str().to_string()} />
                    <button type="submit">{ t(lang, "project.notes.save") }</button>
                </form>
            </section>
            if !p.milestones.is_empty() {
                <section>
                    <h2>{ t(lang, "project.milestones") }</h2>
                    <ul class="plain">{ for p.milestones.values().map(|m| html! { <li>{ format!("{} {} {}", if m.reached { "◆" } else { "◇" }, m.title, m.due) }</li> }) }</ul>
                </section>
            }
            <section>
                <h2>{ t(lang, "project.team") }</h2>
                <ul class="plain">{ for p.team.iter().map(|(m, r)| html! { <li>{ format!("{} ({})", name(m), label(r.role.as_str(), lang)) }</li> }) }</ul>
            </section>
            if !p.needs.is_empty() {
                <section>
                    <h2>{ t(lang, "project.needs") }</h2>
                    <ul class="plain">{ for p.needs.values().map(|n| html! { <li>{ format!("{} {}: {}", if n.met { "☑" } else { "☐" }, label(n.kind.as_str(), lang), n.description) }</li> }) }</ul>
                </section>
            }
            if !d.requests.is_empty() {
                <section>
                    <h2>{ t(lang, "project.requests") }</h2>
                    <ul class="cards">{ for d.requests.iter().map(|r| html! { <super::request_history::RequestHistory id={r.id.clone()} /> }) }</ul>
                </section>
            }
            if p.origin.is_none() {
                <super::project_tools::ProjectTools project={id.clone()} community={p.header.community.clone()} />
            }
        </article>
    }
}
