//! The directory of organisations and the volunteering opportunities.

use std::collections::BTreeMap;

use super::{
    actor_id, check_category, optional_date, require_author_or, Ctx, Effects, Item, Workspace,
};
use crate::command::Command;
use crate::error::DomainError;
use crate::limits::{optional, required, url, MAX_NAME, MAX_SHORT, MAX_TEXT, MAX_TITLE};
use crate::model::{DocKind, Opportunity, OrgProject, Organisation, Signup};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::AddOrganisation {
            community,
            name,
            description,
            categories,
            contact,
            website,
        } => {
            let me = actor_id(ws, ctx)?;
            let org = Organisation {
                header: super::new_header(ctx, DocKind::Organisation, community, &me),
                name: required("name", name, MAX_NAME)?,
                description: optional("description", description, MAX_TEXT)?,
                categories: check_categories(ws, categories)?,
                contact: optional("contact", contact, MAX_SHORT)?,
                website: url("website", website)?,
                projects: BTreeMap::new(),
                comments: BTreeMap::new(),
                reports: BTreeMap::new(),
                updated_at: ctx.now,
            };
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Organisation(org));
            Ok(fx)
        }
        C::EditOrganisation {
            organisation,
            name,
            description,
            categories,
            contact,
            website,
        } => {
            let author = super::creator(ws, organisation)?;
            require_author_or(ws, ctx, &author)?;
            let categories = categories
                .as_ref()
                .map(|c| check_categories(ws, c))
                .transpose()?;
            let o = super::item_mut(ws, organisation)?.organisation_mut()?;
            super::set(&mut o.name, name, |v| required("name", v, MAX_NAME))?;
            super::set(&mut o.description, description, |v| {
                optional("description", v, MAX_TEXT)
            })?;
            super::put(&mut o.categories, categories);
            super::set(&mut o.contact, contact, |v| {
                optional("contact", v, MAX_SHORT)
            })?;
            super::set(&mut o.website, website, |v| url("website", v))?;
            o.updated_at = ctx.now;
            Ok(super::changed(organisation))
        }
        C::AddOrgProject {
            organisation,
            title,
            running,
            project,
        } => {
            let author = super::creator(ws, organisation)?;
            require_author_or(ws, ctx, &author)?;
            let title = required("title", title, MAX_TITLE)?;
            if let Some(p) = project {
                super::item_mut(ws, p)?.project()?;
            }
            let id = ctx.ids.short_id();
            let o = super::item_mut(ws, organisation)?.organisation_mut()?;
            o.projects.insert(
                id.clone(),
                OrgProject {
                    id: id.clone(),
                    title,
                    running: *running,
                    project: project.clone().unwrap_or_default(),
                },
            );
            o.updated_at = ctx.now;
            let mut fx = super::changed(organisation);
            fx.id = id;
            Ok(fx)
        }
        C::EditOrgProject {
            organisation,
            entry,
            title,
            running,
        } => {
            let author = super::creator(ws, organisation)?;
            require_author_or(ws, ctx, &author)?;
            let o = super::item_mut(ws, organisation)?.organisation_mut()?;
            let e = o.projects.get_mut(entry).ok_or(DomainError::NotFound {
                what: "project",
                id: entry.clone(),
            })?;
            super::set(&mut e.title, title, |v| required("title", v, MAX_TITLE))?;
            super::put(&mut e.running, *running);
            o.updated_at = ctx.now;
            Ok(super::changed(organisation))
        }
        C::AddOpportunity {
            community,
            title,
            description,
            term,
            commitment,
            category,
            contact,
            organisation,
            date,
        } => {
            let me = actor_id(ws, ctx)?;
            let opportunity = Opportunity {
                header: super::new_header(ctx, DocKind::Opportunity, community, &me),
                title: required("title", title, MAX_TITLE)?,
                description: optional("description", description, MAX_TEXT)?,
                term: *term,
                commitment: optional("commitment", commitment, MAX_SHORT)?,
                category: check_category(ws, category)?,
                contact: optional("contact", contact, MAX_SHORT)?,
                organisation: organisation.clone().unwrap_or_default(),
                date: optional_date(date.as_ref())?.unwrap_or_default(),
                open: true,
                signups: BTreeMap::new(),
                comments: BTreeMap::new(),
                reports: BTreeMap::new(),
                updated_at: ctx.now,
            };
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Opportunity(opportunity));
            Ok(fx)
        }
        C::EditOpportunity {
            opportunity,
            title,
            description,
            term,
            commitment,
            category,
            contact,
            date,
            open,
        } => {
            let author = super::creator(ws, opportunity)?;
            require_author_or(ws, ctx, &author)?;
            let category = category
                .as_ref()
                .map(|c| check_category(ws, c))
                .transpose()?;
            let date = optional_date(date.as_ref())?;
            let o = super::item_mut(ws, opportunity)?.opportunity_mut()?;
            super::set(&mut o.title, title, |v| required("title", v, MAX_TITLE))?;
            super::set(&mut o.description, description, |v| {
                optional("description", v, MAX_TEXT)
            })?;
            super::put(&mut o.term, *term);
            super::set(&mut o.commitment, commitment, |v| {
                optional("commitment", v, MAX_SHORT)
            })?;
            super::put(&mut o.category, category);
            super::set(&mut o.contact, contact, |v| {
                optional("contact", v, MAX_SHORT)
            })?;
            super::put(&mut o.date, date);
            super::put(&mut o.open, *open);
            o.updated_at = ctx.now;
            Ok(super::changed(opportunity))
        }
        C::SignUp { opportunity, note } => {
            let me = actor_id(ws, ctx)?;
            let note = optional("text", note, MAX_SHORT)?;
            if super::view(ws, opportunity)?
                .opportunity()?
                .signups
                .contains_key(&me)
            {
                return Err(DomainError::Invalid("already signed up"));
            }
            let o = super::item_mut(ws, opportunity)?.opportunity_mut()?;
            o.signups.insert(
                me.clone(),
                Signup {
                    member: me,
                    at: ctx.now,
                    note,
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            Ok(super::changed(opportunity))
        }
        C::WithdrawSignUp { opportunity } => {
            let me = actor_id(ws, ctx)?;
            let o = super::item_mut(ws, opportunity)?.opportunity_mut()?;
            if o.signups.remove(&me).is_none() {
                return Err(DomainError::Invalid("nothing to change"));
            }
            Ok(super::changed(opportunity))
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}

fn check_categories(ws: &Workspace, keys: &[String]) -> Result<Vec<String>, DomainError> {
    if keys.is_empty() {
        return Err(DomainError::Empty { field: "category" });
    }
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let k = check_category(ws, key)?;
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}
