//! Showcases: read-only copies of a project published into another community (a class's
//! project in its town, a village's project at a project fair).

use std::collections::BTreeMap;

use autosurgeon::Text;

use super::{actor_id, community, Ctx, Effects, Item, Workspace};
use crate::command::{Command, Showcase};
use crate::error::DomainError;
use crate::limits::{optional, required, MAX_NAME, MAX_TEXT, MAX_TITLE};
use crate::model::{DocKind, Project, TeamRole, Visibility};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    let Command::PublishProject {
        community: target,
        existing,
        showcase,
    } = command
    else {
        return Err(DomainError::Invalid("nothing to change"));
    };
    let me = actor_id(ws, ctx)?;
    let s = checked(showcase)?;
    let categories = &community(ws)?.categories;
    let category = if categories.iter().any(|c| c.key == s.category) {
        s.category.clone()
    } else {
        categories
            .iter()
            .find(|c| !c.archived)
            .map(|c| c.key.clone())
            .unwrap_or_default()
    };
    let milestones: BTreeMap<String, _> = s
        .milestones
        .iter()
        .map(|m| (m.id.clone(), m.clone()))
        .collect();
    if let Some(id) = existing {
        super::project::require_team(ws, ctx, id, true)?;
        let p = super::item_mut(ws, id)?.project_mut()?;
        if p.origin.as_ref().map(|o| &o.project) != Some(&s.origin.project) {
            return Err(DomainError::Invalid(
                "this is not a showcase of that project",
            ));
        }
        p.title = s.title;
        p.summary = s.summary;
        p.category = category;
        p.stage = s.stage;
        p.progress = Some(s.progress.min(100));
        p.milestones = milestones;
        p.origin = Some(s.origin);
        p.updated_at = ctx.now;
        let mut fx = super::changed(id);
        fx.id.clone_from(id);
        return Ok(fx);
    }
    let (id, nonce) = super::derived_id(ctx);
    let mut head = super::header(ctx, DocKind::Project, &id, target, &me);
    head.nonce = nonce;
    let mut team = BTreeMap::new();
    team.insert(
        me.clone(),
        super::project::team_entry(ctx, TeamRole::Lead, &me),
    );
    let project = Project {
        header: head,
        title: s.title,
        summary: s.summary,
        category,
        from_idea: String::new(),
        stage: s.stage,
        visibility: Visibility::Public,
        team,
        steps: BTreeMap::new(),
        tasks: BTreeMap::new(),
        notes: Text::with_value(""),
        milestones,
        needs: BTreeMap::new(),
        progress: Some(s.progress.min(100)),
        comments: BTreeMap::new(),
        reports: BTreeMap::new(),
        updated_at: ctx.now,
        origin: Some(s.origin),
    };
    let mut fx = Effects::default();
    super::create(ws, &mut fx, ctx, Item::Project(project));
    Ok(fx)
}

fn checked(s: &Showcase) -> Result<Showcase, DomainError> {
    let mut out = s.clone();
    out.title = required("title", &s.title, MAX_TITLE)?;
    out.summary = optional("text", &s.summary, MAX_TEXT)?;
    out.origin.community_name = optional("name", &s.origin.community_name, MAX_NAME)?;
    if out.milestones.len() > 100 {
        return Err(DomainError::Invalid(
            "a showcase holds at most 100 milestones",
        ));
    }
    Ok(out)
}
