//! The project workspace: stage and progress, steps and tasks, shared notes, milestones,
//! team, needs, the requests to the town hall, and comments. A showcase (a project another
//! community published here) is read-only and open for comments.

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::model::Project;
use allmende_core::permission::{allows, Action as May};
use allmende_core::query::{ItemDetail, MemberSummary, Query};
use allmende_core::Command;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::choices::{self, Choices};
use super::form::{CommandForm, Field, Input, Values};
use super::load::{run, status, use_app, use_me, use_query, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

fn edit_project(id: &str) -> Callback<Values, Option<Command>> {
    let id = id.to_string();
    Callback::from(move |v: Values| {
        let progress = v
            .changed("progress")
            .map(|p| match p.trim().parse::<u64>() {
                Ok(n) => allmende_core::command::ProgressInput::Percent(n),
                Err(_) => allmende_core::command::ProgressInput::Auto,
            });
        Some(Command::EditProject {
            project: id.clone(),
            title: v.changed("title"),
            summary: v.changed("summary"),
            category: v.changed("category"),
            stage: v.changed("stage").and_then(|s| s.parse().ok()),
            visibility: v.changed("visibility").and_then(|s| s.parse().ok()),
            progress,
        })
    })
}

#[function_component(ProjectDetail)]
pub fn project_detail(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ItemDetail>(Some(Query::Show {
        id: props.id.clone(),
    }));
    let members = use_query::<Vec<MemberSummary>>(
        app.community
            .clone()
            .map(|c| Query::Members { community: c }),
    );
    let me = use_me();
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
    let members: Choices = match members {
        Loaded::Ready(list) => list.into_iter().map(|m| (m.id, m.display_name)).collect(),
        _ => Vec::new(),
    };
    let showcase = p.origin.is_some();
    let moderator = me
        .as_ref()
        .is_some_and(|(_, r)| allows(*r, May::EditAnyContent));
    let on_team = me.as_ref().is_some_and(|(m, _)| p.is_team_member(m));
    let leads = me.as_ref().is_some_and(|(m, _)| p.is_lead(m));
    let lead = leads || moderator;
    let editable = !showcase && (on_team || moderator);
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
            if let Some(origin) = &p.origin {
                <p class="muted showcase-origin">{ format!("{} {}", t(lang, "showcase.from"), origin.community_name) }</p>
            }
            <p class="text">{ &p.summary }</p>
            <p class="progress big" role="progressbar" aria-valuenow={progress.to_string()} aria-valuemin="0" aria-valuemax="100" aria-label={t(lang, "project.progress")}>
                <span class="bar" style={format!("width:{progress}%")}></span><span class="pct">{ format!("{} {progress} %", t(lang, "project.progress")) }</span>
            </p>
            if editable {
                <CommandForm name="edit-project" title={t(lang, "project.edit")} submit={t(lang, "form.save")} folded=true build={edit_project(&id)}
                    fields={vec![
                        Field::new("title", t(lang, "idea.title"), Input::Text).value(p.title.clone()).required(),
                        Field::new("summary", t(lang, "project.summary"), Input::Area).value(p.summary.clone()),
                        Field::new("category", t(lang, "filter.category"), Input::Select(choices::categories(lang, &app.categories))).value(p.category.clone()),
                        Field::new("stage", t(lang, "project.stage"), Input::Select(choices::stages(lang))).value(p.stage.as_str()),
                        Field::new("visibility", t(lang, "project.visibility"), Input::Select(choices::visibilities(lang))).value(p.visibility.as_str()),
                        Field::new("progress", t(lang, "project.progress.set"), Input::Number).value(p.progress.map(|n| n.to_string()).unwrap_or_default()),
                    ]} />
            }
            if !showcase {
                <super::project_board::ProjectBoard id={id.clone()} project={p.clone()} members={members.clone()} editable={editable} />
                <section>
                    <h2>{ t(lang, "project.notes") }</h2>
                    <form class="stack" onsubmit={save_notes}>
                        <label class="sr-only" for="notes">{ t(lang, "project.notes") }</label>
                        <textarea id="notes" ref={notes} rows="8" defaultvalue={p.notes.as_str().to_string()} readonly={!editable} />
                        if editable { <button type="submit">{ t(lang, "project.notes.save") }</button> }
                    </form>
                </section>
            }
            <super::project_plan::ProjectPlan id={id.clone()} project={p.clone()} editable={editable} />
            if !showcase {
                <super::project_team::ProjectTeam id={id.clone()} project={p.clone()} members={members.clone()} lead={lead} />
            }
            if !d.requests.is_empty() {
                <section>
                    <h2>{ t(lang, "project.requests") }</h2>
                    <ul class="cards">{ for d.requests.iter().map(|r| html! { <super::request_history::RequestHistory id={r.id.clone()} /> }) }</ul>
                </section>
            }
            if editable {
                <super::ask_town_hall::AskTownHall target={id.clone()} />
                <super::project_tools::ProjectTools project={id.clone()} community={p.header.community.clone()} lead={leads} />
            }
            <super::comments::Comments id={id.clone()} detail={d.clone()} />
            <super::history::ItemHistory id={id.clone()} item={d.item.clone()} may_edit={editable} />
        </article>
    }
}
