//! `allmende project …`: project workspaces (steps, tasks, notes, milestones, needs, team).

use allmende_core::command::ProgressInput;
use allmende_core::model::{DocKind, TeamRole};
use allmende_core::query::ListFilter;
use allmende_core::Command;

use super::Ctx;
use crate::args::ProjectCmd;
use allmende_store::error::{PeerError, Result};

#[allow(clippy::too_many_lines)]
pub(super) fn project(ctx: &mut Ctx, cmd: ProjectCmd) -> Result<()> {
    match cmd {
        ProjectCmd::Add {
            title,
            summary,
            category,
            from_idea,
            team_only,
            stage,
        } => {
            let community = ctx.community()?;
            let from_idea = from_idea.map(|i| ctx.id(&i)).transpose()?;
            ctx.exec(Command::CreateProject {
                community,
                title,
                summary,
                category,
                from_idea,
                visibility: team_only.then_some(allmende_core::model::Visibility::Team),
                stage: stage.map(|s| s.parse()).transpose()?,
            })
        }
        ProjectCmd::List {
            list,
            running,
            finished,
        } => {
            let filter = if running {
                Some(true)
            } else if finished {
                Some(false)
            } else {
                None
            };
            ctx.list(DocKind::Project, &list, filter)
        }
        ProjectCmd::Show { id } => ctx.show(&id),
        ProjectCmd::Edit {
            id,
            title,
            summary,
            category,
            stage,
            visibility,
            progress,
        } => {
            let project = ctx.id(&id)?;
            let progress = match progress.as_deref() {
                None => None,
                Some("auto") => Some(ProgressInput::Auto),
                Some(n) => Some(ProgressInput::Percent(
                    n.trim_end_matches('%').parse().map_err(|_| {
                        PeerError::BadInput(format!(
                            "progress '{n}' is not a number from 0 to 100 or 'auto'"
                        ))
                    })?,
                )),
            };
            ctx.exec(Command::EditProject {
                project,
                title,
                summary,
                category,
                stage: stage.map(|s| s.parse()).transpose()?,
                visibility: visibility.map(|s| s.parse()).transpose()?,
                progress,
            })
        }
        ProjectCmd::Publish { id, to } => {
            let outcome = ctx.svc.publish_project(&id, &to)?;
            ctx.out.outcome(&outcome)
        }
        ProjectCmd::Fair => {
            let filter = ListFilter {
                community: Some(ctx.community()?),
                kind: Some(DocKind::Project),
                showcase: Some(true),
                limit: Some(1000),
                ..ListFilter::default()
            };
            let page = ctx.svc.list(&filter)?;
            ctx.out.page(&page)
        }
        ProjectCmd::Join { id } => {
            let project = ctx.id(&id)?;
            let community = ctx.svc.show(&project)?.summary.community;
            let me = ctx.svc.store().identity(&community)?.unwrap_or_default();
            ctx.exec(Command::AddTeamMember {
                project,
                member: me,
                role: TeamRole::Member,
            })
        }
        ProjectCmd::TeamAdd { id, member, lead } => {
            let project = ctx.id(&id)?;
            let member = ctx.member(&member)?;
            ctx.exec(Command::AddTeamMember {
                project,
                member,
                role: if lead {
                    TeamRole::Lead
                } else {
                    TeamRole::Member
                },
            })
        }
        ProjectCmd::TeamRemove { id, member } => {
            let project = ctx.id(&id)?;
            let member = ctx.member(&member)?;
            ctx.exec(Command::RemoveTeamMember { project, member })
        }
        ProjectCmd::StepAdd { id, title } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::AddStep { project, title })
        }
        ProjectCmd::StepEdit {
            id,
            step,
            title,
            done,
            position,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditStep {
                project,
                step,
                title,
                done,
                position,
            })
        }
        ProjectCmd::TaskAdd {
            id,
            title,
            step,
            assignee,
            due,
        } => {
            let project = ctx.id(&id)?;
            let assignee = assignee.map(|a| ctx.member(&a)).transpose()?;
            ctx.exec(Command::AddTask {
                project,
                title,
                step,
                assignee,
                due,
            })
        }
        ProjectCmd::TaskEdit {
            id,
            task,
            title,
            step,
            assignee,
            due,
            done,
        } => {
            let project = ctx.id(&id)?;
            let assignee = assignee
                .map(|a| if a.is_empty() { Ok(a) } else { ctx.member(&a) })
                .transpose()?;
            ctx.exec(Command::EditTask {
                project,
                task,
                title,
                step,
                assignee,
                due,
                done,
            })
        }
        ProjectCmd::TaskDone { id, task } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditTask {
                project,
                task,
                title: None,
                step: None,
                assignee: None,
                due: None,
                done: Some(true),
            })
        }
        ProjectCmd::Notes { id, set, file } => {
            let project = ctx.id(&id)?;
            let text = match (set, file) {
                (Some(t), _) => Some(t),
                (None, Some(f)) => Some(
                    std::fs::read_to_string(&f)
                        .map_err(|e| PeerError::BadInput(format!("{}: {e}", f.display())))?,
                ),
                (None, None) => None,
            };
            match text {
                Some(text) => ctx.exec(Command::SetNotes { project, text }),
                None => {
                    let detail = ctx.svc.show(&project)?;
                    ctx.out.notes(&detail)
                }
            }
        }
        ProjectCmd::MilestoneAdd { id, title, due } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::AddMilestone {
                project,
                title,
                due,
            })
        }
        ProjectCmd::MilestoneEdit {
            id,
            milestone,
            title,
            due,
            reached,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditMilestone {
                project,
                milestone,
                title,
                due,
                reached,
            })
        }
        ProjectCmd::NeedAdd {
            id,
            kind,
            description,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::AddNeed {
                project,
                kind: kind.parse()?,
                description,
            })
        }
        ProjectCmd::NeedEdit {
            id,
            need,
            description,
            met,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditNeed {
                project,
                need,
                description,
                met,
            })
        }
    }
}
