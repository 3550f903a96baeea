//! A project's steps and tasks as a board: one column per step (marked done, moved earlier),
//! tasks ticked off or edited (title, step, who does it, by when), new steps and new tasks.
//! Read-only for people outside the team and on showcases.

use allmende_core::model::{Project, Task};
use allmende_core::Command;
use yew::prelude::*;

use super::choices::{with_none, Choices};
use super::form::{CommandForm, Field, Input, Values};
use super::load::{run, use_app};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub project: Project,
    /// The community's members as (id, name), for "who does it".
    pub members: Choices,
    /// Whether this person may change the plan (team members, moderators).
    pub editable: bool,
}

fn task_edit(project: &str, task: &Task) -> Callback<Values, Option<Command>> {
    let (project, task) = (project.to_string(), task.id.clone());
    Callback::from(move |v: Values| {
        Some(Command::EditTask {
            project: project.clone(),
            task: task.clone(),
            title: v.changed("title"),
            step: v.changed("step"),
            assignee: v.changed("assignee"),
            due: v.changed("due"),
            done: None,
        })
    })
}

#[function_component(ProjectBoard)]
pub fn project_board(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let (p, id) = (&props.project, props.id.clone());
    let name = |m: &str| {
        props
            .members
            .iter()
            .find(|(k, _)| k == m)
            .map_or_else(|| m.to_string(), |(_, n)| n.clone())
    };
    let mut steps: Vec<_> = p.steps.values().cloned().collect();
    steps.sort_by_key(|s| (s.position, s.id.clone()));
    let step_choices: Choices = with_none(
        t(lang, "project.task.open"),
        steps
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect(),
    );
    let people = with_none(t(lang, "project.task.nobody"), props.members.clone());
    let task_row = |task: &Task| {
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
        let who = if task.assignee.is_empty() {
            String::new()
        } else {
            format!(" · {}", name(&task.assignee))
        };
        let due = if task.due.is_empty() {
            String::new()
        } else {
            format!(
                " · {} {}",
                t(lang, "project.task.due"),
                crate::i18n_dates::date(lang, &task.due)
            )
        };
        html! {
            <li class={classes!("task", task.done.then_some("done"))}>
                <input type="checkbox" id={checkbox_id.clone()} checked={task.done} onchange={toggle} disabled={!props.editable} />
                <label for={checkbox_id}>{ &task.title }</label>
                <span class="muted">{ format!("{who}{due}") }</span>
                if props.editable {
                    <CommandForm name="edit-task" title={format!("{}: {}", t(lang, "form.edit"), task.title)} submit={t(lang, "form.save")} folded=true
                        build={task_edit(&id, task)}
                        fields={vec![
                            Field::new("title", t(lang, "idea.title"), Input::Text).value(task.title.clone()).required(),
                            Field::new("step", t(lang, "project.step"), Input::Select(step_choices.clone())).value(task.step.clone()),
                            Field::new("assignee", t(lang, "project.task.assignee"), Input::Select(people.clone())).value(task.assignee.clone()),
                            Field::new("due", t(lang, "project.task.due"), Input::Date).value(task.due.clone()),
                        ]} />
                }
            </li>
        }
    };
    let step_head = |i: usize, s: &allmende_core::model::Step| {
        let done = {
            let (app, id, sid, d) = (app.clone(), id.clone(), s.id.clone(), s.done);
            Callback::from(move |_| {
                run(
                    &app,
                    Command::EditStep {
                        project: id.clone(),
                        step: sid.clone(),
                        title: None,
                        done: Some(!d),
                        position: None,
                    },
                    |_| {},
                )
            })
        };
        // Moving earlier swaps places with the step before.
        let earlier = (i > 0).then(|| {
            let before = steps[i - 1].position;
            let (app, id, sid) = (app.clone(), id.clone(), s.id.clone());
            let (other, mine) = (steps[i - 1].id.clone(), s.position);
            Callback::from(move |_| {
                let swap = |step: &str, position: i64| Command::EditStep {
                    project: id.clone(),
                    step: step.to_string(),
                    title: None,
                    done: None,
                    position: Some(position),
                };
                let a = app.clone();
                let second = swap(&other, if mine == before { mine + 1 } else { mine });
                run(&app, swap(&sid, before), move |_| run(&a, second, |_| {}));
            })
        });
        html! {
            <>
                <h3>{ if s.done { "✓ " } else { "" } }{ &s.title }</h3>
                if props.editable {
                    <div class="step-actions">
                        <button class="small" onclick={done} aria-label={format!("{}: {}", s.title, t(lang, if s.done { "project.step.reopen" } else { "project.step.done" }))}>
                            { t(lang, if s.done { "project.step.reopen" } else { "project.step.done" }) }
                        </button>
                        if let Some(earlier) = earlier {
                            <button class="small" onclick={earlier} aria-label={format!("{}: {}", s.title, t(lang, "project.step.earlier"))}>{ "←" }</button>
                        }
                    </div>
                }
            </>
        }
    };
    let loose: Vec<&Task> = p
        .tasks
        .values()
        .filter(|task| task.step.is_empty() || !p.steps.contains_key(&task.step))
        .collect();
    let add_task = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddTask {
                project: id.clone(),
                title: v.text("title"),
                step: v.opt("step"),
                assignee: v.opt("assignee"),
                due: v.opt("due"),
            })
        })
    };
    let add_step = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddStep {
                project: id.clone(),
                title: v.text("title"),
            })
        })
    };
    html! {
        <section>
            <h2>{ t(lang, "project.tasks") }</h2>
            <div class="board">
                { for steps.iter().enumerate().map(|(i, s)| html! {
                    <div class={classes!("column", s.done.then_some("done"))}>
                        { step_head(i, s) }
                        <ul class="plain">{ for p.tasks.values().filter(|task| task.step == s.id).map(task_row) }</ul>
                    </div>
                }) }
                if !loose.is_empty() {
                    <div class="column">
                        <h3>{ t(lang, "project.task.open") }</h3>
                        <ul class="plain">{ for loose.into_iter().map(task_row) }</ul>
                    </div>
                }
            </div>
            if props.editable {
                <CommandForm name="add-task" title={t(lang, "project.task.add")} submit={t(lang, "project.task.add")} reset=true build={add_task}
                    fields={vec![
                        Field::new("title", t(lang, "project.task.new"), Input::Text).required(),
                        Field::new("step", t(lang, "project.step"), Input::Select(step_choices.clone())),
                        Field::new("assignee", t(lang, "project.task.assignee"), Input::Select(people.clone())),
                        Field::new("due", t(lang, "project.task.due"), Input::Date),
                    ]} />
                <CommandForm name="add-step" title={t(lang, "project.step.add")} submit={t(lang, "project.step.add")} reset=true folded=true build={add_step}
                    fields={vec![Field::new("title", t(lang, "project.step.title"), Input::Text).required()]} />
            }
        </section>
    }
}
