//! Process templates: adding one to a community, applying one to a project.

use super::{actor_id, Ctx, Effects, Item, Workspace};
use crate::command::Command;
use crate::error::DomainError;
use crate::model::{DocKind, Milestone, Step, Task, Template};
use crate::time::{millis_to_date, DAY_MS};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::AddTemplate {
            community,
            template,
        } => {
            let me = actor_id(ws, ctx)?;
            let spec = template.validated()?;
            let t = Template {
                header: super::new_header(ctx, DocKind::Template, community, &me),
                name: spec.name,
                description: spec.description,
                steps: spec.steps,
                milestones: spec.milestones,
                updated_at: ctx.now,
            };
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Template(t));
            Ok(fx)
        }
        C::ApplyTemplate { project, template } => {
            super::project::require_planner(ws, ctx, project, false)?;
            let t = ws
                .items
                .get(template)
                .ok_or(DomainError::NotFound {
                    what: "template",
                    id: template.clone(),
                })?
                .template()?
                .clone();
            let now = ctx.now;
            // Applied once: a template whose every step the project has already would only
            // duplicate them (the steps may have been renamed since; then it applies again).
            let have: std::collections::BTreeSet<&str> = ws
                .items
                .get(project)
                .ok_or(DomainError::NotFound {
                    what: "project",
                    id: project.clone(),
                })?
                .project()?
                .steps
                .values()
                .map(|s| s.title.as_str())
                .collect();
            if !t.steps.is_empty() && t.steps.iter().all(|s| have.contains(s.title.as_str())) {
                return Err(DomainError::Invalid(
                    "this template is applied to the project already",
                ));
            }
            let mut steps = Vec::new();
            for s in &t.steps {
                let tasks: Vec<String> = s.tasks.iter().map(|_| ctx.ids.short_id()).collect();
                steps.push((ctx.ids.short_id(), s, tasks));
            }
            let milestones: Vec<String> = t.milestones.iter().map(|_| ctx.ids.short_id()).collect();
            let p = super::item_mut(ws, project)?.project_mut()?;
            let mut position = p.steps.values().map(|s| s.position).max().unwrap_or(0);
            for (step_id, s, task_ids) in steps {
                position += 10;
                p.steps.insert(
                    step_id.clone(),
                    Step {
                        id: step_id.clone(),
                        title: s.title.clone(),
                        position,
                        done: false,
                        stage: s.stage.as_str().to_string(),
                    },
                );
                for (task_id, title) in task_ids.into_iter().zip(&s.tasks) {
                    p.tasks.insert(
                        task_id.clone(),
                        Task {
                            id: task_id,
                            title: title.clone(),
                            step: step_id.clone(),
                            assignee: String::new(),
                            due: String::new(),
                            done: false,
                            created_at: now,
                            done_at: 0,
                        },
                    );
                }
            }
            for (id, m) in milestones.into_iter().zip(&t.milestones) {
                p.milestones.insert(
                    id.clone(),
                    Milestone {
                        id,
                        title: m.title.clone(),
                        due: millis_to_date(now + m.after_days * DAY_MS),
                        reached: false,
                    },
                );
            }
            p.updated_at = now;
            let mut fx = super::changed(project);
            fx.id = project.clone();
            Ok(fx)
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}
