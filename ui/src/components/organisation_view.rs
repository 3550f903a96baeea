//! An organisation in the directory: what it does, how to reach it, its running and finished
//! projects; for whoever added it and moderators: edit it, add a project, mark one finished
//! or running again.

use allmende_core::model::Organisation;
use allmende_core::query::ItemDetail;
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};
use super::load::{may_edit, run, use_app, use_me};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub organisation: Organisation,
    pub detail: ItemDetail,
}

#[function_component(OrganisationView)]
pub fn organisation_view(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let (o, id) = (&props.organisation, props.id.clone());
    let may_edit = may_edit(me.as_ref(), &props.detail.summary.author);
    let edit = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::EditOrganisation {
                organisation: id.clone(),
                name: v.changed("name"),
                description: v.changed("description"),
                categories: v.changed_list("categories"),
                contact: v.changed("contact"),
                website: v.changed("website"),
            })
        })
    };
    let add_project = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddOrgProject {
                organisation: id.clone(),
                title: v.text("title"),
                running: v.text("running") == "true",
                project: None,
            })
        })
    };
    let (running, finished): (Vec<_>, Vec<_>) = o.projects.values().partition(|p| p.running);
    let row = |p: &allmende_core::model::OrgProject| {
        let toggle = {
            let (app, id, entry, running) = (app.clone(), id.clone(), p.id.clone(), p.running);
            Callback::from(move |_| {
                run(
                    &app,
                    Command::EditOrgProject {
                        organisation: id.clone(),
                        entry: entry.clone(),
                        title: None,
                        running: Some(!running),
                    },
                    |_| {},
                )
            })
        };
        html! {
            <li>{ &p.title }
                if may_edit {
                    { " " }
                    <button class="small" onclick={toggle} aria-label={format!("{}: {}", p.title, t(lang, if p.running { "org.mark_finished" } else { "org.mark_running" }))}>
                        { t(lang, if p.running { "org.mark_finished" } else { "org.mark_running" }) }
                    </button>
                }
            </li>
        }
    };
    html! {
        <>
            <p class="text">{ &o.description }</p>
            <dl class="facts">
                if !o.contact.is_empty() { <dt>{ t(lang, "request.contact") }</dt><dd>{ &o.contact }</dd> }
                if !o.website.is_empty() { <dt>{ t(lang, "org.website") }</dt><dd>{ &o.website }</dd> }
            </dl>
            <h2>{ t(lang, "projects.running") }</h2>
            if running.is_empty() { <p class="muted">{ t(lang, "empty") }</p> }
            <ul class="plain org-projects running">{ for running.iter().map(|p| row(p)) }</ul>
            <h2>{ t(lang, "projects.finished") }</h2>
            if finished.is_empty() { <p class="muted">{ t(lang, "empty") }</p> }
            <ul class="plain org-projects finished">{ for finished.iter().map(|p| row(p)) }</ul>
            if may_edit {
                <CommandForm name="add-org-project" title={t(lang, "org.add_project")} submit={t(lang, "org.add_project")} reset=true build={add_project}
                    fields={vec![
                        Field::new("title", t(lang, "idea.title"), Input::Text).required(),
                        Field::new("running", t(lang, "org.project_state"), Input::Select(vec![
                            ("true".into(), t(lang, "projects.running").into()),
                            ("false".into(), t(lang, "projects.finished").into()),
                        ])).value("true"),
                    ]} />
                <CommandForm name="edit-organisation" title={t(lang, "org.edit")} submit={t(lang, "form.save")} folded=true build={edit}
                    fields={vec![
                        Field::new("name", t(lang, "community.name"), Input::Text).value(o.name.clone()).required(),
                        Field::new("description", t(lang, "idea.text"), Input::Area).value(o.description.clone()),
                        Field::new("categories", t(lang, "org.categories"), Input::Multi(choices::categories(lang, &app.categories))).value(o.categories.join(",")),
                        Field::new("contact", t(lang, "request.contact"), Input::Text).value(o.contact.clone()),
                        Field::new("website", t(lang, "org.website"), Input::Text).value(o.website.clone()),
                    ]} />
            }
        </>
    }
}
