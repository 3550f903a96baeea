//! Project workspaces: creation (from an idea or directly), team, steps, tasks, notes,
//! milestones, needs and progress.

use std::collections::BTreeMap;

use autosurgeon::Text;

use super::{
    actor, actor_id, check_category, check_member, optional_date, Ctx, Effects, Item, Workspace,
};
use crate::command::{Command, ProgressInput};
use crate::error::DomainError;
use crate::limits::{optional, required, MAX_NOTES, MAX_SHORT, MAX_TEXT, MAX_TITLE};
use crate::model::{
    DocKind, IdeaStatus, Milestone, Need, Project, Stage, Step, Task, TeamMember, TeamRole,
    Visibility,
};
use crate::permission::{allows, Action};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::CreateProject {
            community,
            title,
            summary,
            category,
            from_idea,
            visibility,
            stage,
        } => create_project(
            ws,
            ctx,
            community,
            title,
            summary,
            category.as_deref(),
            from_idea.as_deref(),
            *visibility,
            *stage,
        ),
        C::EditProject {
            project,
            title,
            summary,
            category,
            stage,
            visibility,
            progress,
        } => {
            // Who may read it is the leads' to decide (readers count no one else's).
            require_planner(ws, ctx, project, visibility.is_some())?;
            let category = category
                .as_ref()
                .map(|c| check_category(ws, c))
                .transpose()?;
            let p = project_mut(ws, project)?;
            super::set(&mut p.title, title, |v| required("title", v, MAX_TITLE))?;
            super::set(&mut p.summary, summary, |v| optional("text", v, MAX_TEXT))?;
            super::put(&mut p.category, category);
            super::put(&mut p.stage, *stage);
            super::put(&mut p.visibility, *visibility);
            match progress {
                None => {}
                Some(ProgressInput::Auto) => p.progress = None,
                Some(ProgressInput::Percent(n)) if *n <= 100 => p.progress = Some(*n),
                Some(ProgressInput::Percent(_)) => {
                    return Err(DomainError::Invalid(
                        "progress is a percentage from 0 to 100",
                    ))
                }
            }
            done(p, ctx, project)
        }
        C::AddTeamMember {
            project,
            member,
            role,
        } => {
            let me = actor_id(ws, ctx)?;
            let member = check_member(ws, member)?;
            let joining_self = member == me && *role == TeamRole::Member;
            let public = project_ref(ws, project)?.visibility == Visibility::Public;
            if !(joining_self && public) {
                require_planner(ws, ctx, project, true)?;
            }
            let p = project_mut(ws, project)?;
            p.team.insert(member, team_entry(ctx, *role, &me));
            done(p, ctx, project)
        }
        C::RemoveTeamMember { project, member } => {
            let me = actor_id(ws, ctx)?;
            if &me != member {
                require_planner(ws, ctx, project, true)?;
            }
            let p = project_mut(ws, project)?;
            let removed = p.team.remove(member).ok_or(DomainError::NotFound {
                what: "member",
                id: member.clone(),
            })?;
            if removed.role == TeamRole::Lead && !p.team.values().any(|t| t.role == TeamRole::Lead)
            {
                return Err(DomainError::Invalid("the team needs a lead"));
            }
            done(p, ctx, project)
        }
        C::AddStep { project, title } => {
            require_planner(ws, ctx, project, false)?;
            let title = required("title", title, MAX_TITLE)?;
            let id = ctx.ids.short_id();
            let p = project_mut(ws, project)?;
            let position = p.steps.values().map(|s| s.position).max().unwrap_or(0) + 10;
            p.steps.insert(
                id.clone(),
                Step {
                    id: id.clone(),
                    title,
                    position,
                    done: false,
                    stage: String::new(),
                },
            );
            done_with(p, ctx, project, id)
        }
        C::EditStep {
            project,
            step,
            title,
            done: is_done,
            position,
        } => {
            require_planner(ws, ctx, project, false)?;
            let p = project_mut(ws, project)?;
            let s = p.steps.get_mut(step).ok_or(DomainError::NotFound {
                what: "step",
                id: step.clone(),
            })?;
            super::set(&mut s.title, title, |v| required("title", v, MAX_TITLE))?;
            super::put(&mut s.done, *is_done);
            super::put(&mut s.position, *position);
            done(p, ctx, project)
        }
        C::AddTask {
            project,
            title,
            step,
            assignee,
            due,
        } => {
            require_planner(ws, ctx, project, false)?;
            let title = required("title", title, MAX_TITLE)?;
            let assignee = assignee
                .as_ref()
                .filter(|a| !a.is_empty())
                .map(|a| check_member(ws, a))
                .transpose()?
                .unwrap_or_default();
            let due = optional_date(due.as_ref())?.unwrap_or_default();
            let id = ctx.ids.short_id();
            let p = project_mut(ws, project)?;
            let step = check_step(p, step.as_deref())?;
            p.tasks.insert(
                id.clone(),
                Task {
                    id: id.clone(),
                    title,
                    step,
                    assignee,
                    due,
                    done: false,
                    created_at: ctx.now,
                    done_at: 0,
                },
            );
            done_with(p, ctx, project, id)
        }
        C::EditTask {
            project,
            task,
            title,
            step,
            assignee,
            due,
            done: is_done,
        } => {
            require_planner(ws, ctx, project, false)?;
            let assignee = assignee
                .as_ref()
                .map(|a| {
                    if a.is_empty() {
                        Ok(String::new())
                    } else {
                        check_member(ws, a)
                    }
                })
                .transpose()?;
            let due = optional_date(due.as_ref())?;
            let p = project_mut(ws, project)?;
            let step = step
                .as_deref()
                .map(|s| check_step(p, Some(s)))
                .transpose()?;
            let t = p.tasks.get_mut(task).ok_or(DomainError::NotFound {
                what: "task",
                id: task.clone(),
            })?;
            super::set(&mut t.title, title, |v| required("title", v, MAX_TITLE))?;
            super::put(&mut t.step, step);
            super::put(&mut t.assignee, assignee);
            super::put(&mut t.due, due);
            if let Some(v) = is_done {
                t.done = *v;
                t.done_at = if *v { ctx.now } else { 0 };
            }
            done(p, ctx, project)
        }
        C::SetNotes { project, text } => {
            require_planner(ws, ctx, project, false)?;
            let text = optional("notes", text, MAX_NOTES)?;
            let p = project_mut(ws, project)?;
            p.notes.update(text);
            done(p, ctx, project)
        }
        C::AddMilestone {
            project,
            title,
            due,
        } => {
            require_planner(ws, ctx, project, false)?;
            let title = required("title", title, MAX_TITLE)?;
            let due = optional_date(due.as_ref())?.unwrap_or_default();
            let id = ctx.ids.short_id();
            let p = project_mut(ws, project)?;
            p.milestones.insert(
                id.clone(),
                Milestone {
                    id: id.clone(),
                    title,
                    due,
                    reached: false,
                },
            );
            done_with(p, ctx, project, id)
        }
        C::EditMilestone {
            project,
            milestone,
            title,
            due,
            reached,
        } => {
            require_planner(ws, ctx, project, false)?;
            let due = optional_date(due.as_ref())?;
            let p = project_mut(ws, project)?;
            let m = p
                .milestones
                .get_mut(milestone)
                .ok_or(DomainError::NotFound {
                    what: "milestone",
                    id: milestone.clone(),
                })?;
            super::set(&mut m.title, title, |v| required("title", v, MAX_TITLE))?;
            super::put(&mut m.due, due);
            super::put(&mut m.reached, *reached);
            done(p, ctx, project)
        }
        C::AddNeed {
            project,
            kind,
            description,
        } => {
            require_planner(ws, ctx, project, false)?;
            let description = required("description", description, MAX_SHORT)?;
            let id = ctx.ids.short_id();
            let p = project_mut(ws, project)?;
            p.needs.insert(
                id.clone(),
                Need {
                    id: id.clone(),
                    kind: *kind,
                    description,
                    met: false,
                },
            );
            done_with(p, ctx, project, id)
        }
        C::EditNeed {
            project,
            need,
            description,
            met,
        } => {
            require_planner(ws, ctx, project, false)?;
            let p = project_mut(ws, project)?;
            let n = p.needs.get_mut(need).ok_or(DomainError::NotFound {
                what: "need",
                id: need.clone(),
            })?;
            super::set(&mut n.description, description, |v| {
                required("description", v, MAX_SHORT)
            })?;
            super::put(&mut n.met, *met);
            done(p, ctx, project)
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}

#[allow(clippy::too_many_arguments)]
fn create_project(
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
    community: &str,
    title: &str,
    summary: &str,
    category: Option<&str>,
    from_idea: Option<&str>,
    visibility: Option<Visibility>,
    stage: Option<Stage>,
) -> Result<Effects, DomainError> {
    let me = actor_id(ws, ctx)?;
    let title = required("title", title, MAX_TITLE)?;
    let summary = optional("text", summary, MAX_TEXT)?;
    let idea_category = match from_idea {
        Some(idea) => {
            let x = super::item_mut(ws, idea)?.idea()?;
            if !x.project.is_empty() {
                return Err(DomainError::Invalid("this idea already became a project"));
            }
            Some(x.category.clone())
        }
        None => None,
    };
    let category = match (category, idea_category) {
        (Some(c), _) => check_category(ws, c)?,
        (None, Some(c)) => c,
        (None, None) => {
            return Err(DomainError::Empty { field: "category" });
        }
    };
    let (id, nonce) = super::derived_id(ctx);
    let mut team = BTreeMap::new();
    team.insert(me.clone(), team_entry(ctx, TeamRole::Lead, &me));
    let mut head = super::header(ctx, DocKind::Project, &id, community, &me);
    head.nonce = nonce;
    let project = Project {
        header: head,
        title,
        summary,
        category,
        from_idea: from_idea.unwrap_or_default().to_string(),
        stage: stage.unwrap_or(Stage::IdeaWorkshop),
        visibility: visibility.unwrap_or(Visibility::Public),
        team,
        steps: BTreeMap::new(),
        tasks: BTreeMap::new(),
        notes: Text::with_value(""),
        milestones: BTreeMap::new(),
        needs: BTreeMap::new(),
        progress: None,
        comments: BTreeMap::new(),
        reports: BTreeMap::new(),
        updated_at: ctx.now,
        origin: None,
    };
    let mut fx = Effects::default();
    if let Some(idea) = from_idea {
        let x = super::item_mut(ws, idea)?.idea_mut()?;
        x.project.clone_from(&id);
        x.status = IdeaStatus::BecameProject;
        x.updated_at = ctx.now;
        fx.changed.insert(idea.to_string());
    }
    super::create(ws, &mut fx, ctx, Item::Project(project));
    Ok(fx)
}

/// A team entry written by `by` with this device (signed by the runtime).
pub(super) fn team_entry(ctx: &Ctx<'_>, role: TeamRole, by: &str) -> TeamMember {
    TeamMember {
        role,
        joined_at: ctx.now,
        by: by.to_string(),
        device: ctx.device.clone(),
        sig: String::new(),
    }
}

fn project_ref<'w>(ws: &'w Workspace, id: &str) -> Result<&'w Project, DomainError> {
    ws.items
        .get(id)
        .ok_or(DomainError::NotFound {
            what: "project",
            id: id.to_string(),
        })?
        .project()
}

fn project_mut<'w>(ws: &'w mut Workspace, id: &str) -> Result<&'w mut Project, DomainError> {
    super::item_mut(ws, id)?.project_mut()
}

/// The actor may change the plan of `project`: it is the community's own project (not a
/// showcase, which is a read-only copy changed only by publishing again), and the actor is
/// on its team (its lead when `lead` is set) or may edit any content.
pub(super) fn require_planner(
    ws: &Workspace,
    ctx: &Ctx<'_>,
    project: &str,
    lead: bool,
) -> Result<(), DomainError> {
    if project_ref(ws, project)?.origin.is_some() {
        return Err(DomainError::Invalid(
            "a showcase is a copy: change the project where it was published",
        ));
    }
    require_team(ws, ctx, project, lead)
}

/// The actor is on the team (its lead when `lead` is set), or may edit any content.
pub(super) fn require_team(
    ws: &Workspace,
    ctx: &Ctx<'_>,
    project: &str,
    lead: bool,
) -> Result<(), DomainError> {
    let me = actor(ws, ctx)?;
    let p = project_ref(ws, project)?;
    let ok = if lead {
        p.is_lead(&me.id)
    } else {
        p.is_team_member(&me.id)
    };
    if ok || allows(me.role, Action::EditAnyContent) {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            action: "project",
            needed: if lead { "team lead" } else { "team member" },
        })
    }
}

fn check_step(p: &Project, step: Option<&str>) -> Result<String, DomainError> {
    match step {
        None | Some("") => Ok(String::new()),
        Some(s) if p.steps.contains_key(s) => Ok(s.to_string()),
        Some(s) => Err(DomainError::NotFound {
            what: "step",
            id: s.to_string(),
        }),
    }
}

fn done(p: &mut Project, ctx: &Ctx<'_>, project: &str) -> Result<Effects, DomainError> {
    p.updated_at = ctx.now;
    Ok(super::changed(project))
}

fn done_with(
    p: &mut Project,
    ctx: &Ctx<'_>,
    project: &str,
    id: String,
) -> Result<Effects, DomainError> {
    let mut fx = done(p, ctx, project)?;
    fx.id = id;
    Ok(fx)
}
