//! A project's milestones (with their dates, marked reached) and needs (helpers, money,
//! material, the town hall's support; marked met), with the forms that add them.

use allmende_core::lang::label;
use allmende_core::model::Project;
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};
use super::load::{run, use_app};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub project: Project,
    pub editable: bool,
}

#[function_component(ProjectPlan)]
pub fn project_plan(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let (p, id) = (&props.project, props.id.clone());
    let mut milestones: Vec<_> = p.milestones.values().collect();
    milestones.sort_by(|a, b| (a.due.as_str(), &a.id).cmp(&(b.due.as_str(), &b.id)));
    let milestone = |m: &allmende_core::model::Milestone| {
        let toggle = {
            let (app, id, mid, reached) = (app.clone(), id.clone(), m.id.clone(), m.reached);
            Callback::from(move |_| {
                run(
                    &app,
                    Command::EditMilestone {
                        project: id.clone(),
                        milestone: mid.clone(),
                        title: None,
                        due: None,
                        reached: Some(!reached),
                    },
                    |_| {},
                )
            })
        };
        let action = t(
            lang,
            if m.reached {
                "project.milestone.not_reached"
            } else {
                "project.milestone.reached"
            },
        );
        html! {
            <li class={classes!(m.reached.then_some("reached"))}>
                { format!("{} {} {}", if m.reached { "◆" } else { "◇" }, m.title, crate::i18n_dates::date(lang, &m.due)) }
                if props.editable {
                    { " " }<button class="small" onclick={toggle} aria-label={format!("{}: {action}", m.title)}>{ action }</button>
                }
            </li>
        }
    };
    let need = |n: &allmende_core::model::Need| {
        let toggle = {
            let (app, id, nid, met) = (app.clone(), id.clone(), n.id.clone(), n.met);
            Callback::from(move |_| {
                run(
                    &app,
                    Command::EditNeed {
                        project: id.clone(),
                        need: nid.clone(),
                        description: None,
                        met: Some(!met),
                    },
                    |_| {},
                )
            })
        };
        let action = t(
            lang,
            if n.met {
                "project.need.open"
            } else {
                "project.need.met"
            },
        );
        html! {
            <li class={classes!(n.met.then_some("met"))}>
                { format!("{} {}: {}", if n.met { "☑" } else { "☐" }, label(n.kind.as_str(), lang), n.description) }
                if props.editable {
                    { " " }<button class="small" onclick={toggle} aria-label={format!("{}: {action}", n.description)}>{ action }</button>
                }
            </li>
        }
    };
    let add_milestone = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddMilestone {
                project: id.clone(),
                title: v.text("title"),
                due: v.opt("due"),
            })
        })
    };
    let add_need = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddNeed {
                project: id.clone(),
                kind: v.text("kind").parse().ok()?,
                description: v.text("description"),
            })
        })
    };
    html! {
        <>
            <section>
                <h2>{ t(lang, "project.milestones") }</h2>
                if milestones.is_empty() { <p class="muted">{ t(lang, "empty") }</p> }
                <ul class="plain milestones">{ for milestones.into_iter().map(milestone) }</ul>
                if props.editable {
                    <CommandForm name="add-milestone" title={t(lang, "project.milestone.add")} submit={t(lang, "project.milestone.add")} reset=true folded=true build={add_milestone}
                        fields={vec![
                            Field::new("title", t(lang, "idea.title"), Input::Text).required(),
                            Field::new("due", t(lang, "project.task.due"), Input::Date),
                        ]} />
                }
            </section>
            <section>
                <h2>{ t(lang, "project.needs") }</h2>
                if p.needs.is_empty() { <p class="muted">{ t(lang, "empty") }</p> }
                <ul class="plain needs">{ for p.needs.values().map(need) }</ul>
                if props.editable {
                    <CommandForm name="add-need" title={t(lang, "project.need.add")} submit={t(lang, "project.need.add")} reset=true folded=true build={add_need}
                        fields={vec![
                            Field::new("kind", t(lang, "project.need.kind"), Input::Select(choices::need_kinds(lang))).value("volunteers"),
                            Field::new("description", t(lang, "project.need.description"), Input::Text).required(),
                        ]} />
                }
            </section>
        </>
    }
}
