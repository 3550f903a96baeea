//! Ideas: add, edit, support.

use std::collections::BTreeMap;

use super::{actor_id, check_category, require_author_or, Ctx, Effects, Item, Workspace};
use crate::command::Command;
use crate::error::DomainError;
use crate::limits::{optional, required, MAX_TEXT, MAX_TITLE};
use crate::model::{DocKind, Idea, IdeaStatus, Proof};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::AddIdea {
            community,
            title,
            text,
            category,
        } => {
            let author = actor_id(ws, ctx)?;
            let title = required("title", title, MAX_TITLE)?;
            let text = optional("text", text, MAX_TEXT)?;
            let category = check_category(ws, category)?;
            let idea = Idea {
                header: super::new_header(ctx, DocKind::Idea, community, &author),
                title,
                text,
                category,
                author,
                status: IdeaStatus::New,
                supporters: BTreeMap::new(),
                support_proofs: BTreeMap::new(),
                comments: BTreeMap::new(),
                reports: BTreeMap::new(),
                project: String::new(),
                updated_at: ctx.now,
            };
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Idea(idea));
            Ok(fx)
        }
        C::EditIdea {
            idea,
            title,
            text,
            category,
            status,
        } => {
            // The author as the signed header says, not as an edited field claims.
            let author = super::view(ws, idea)?.idea()?.author.clone();
            require_author_or(ws, ctx, &author)?;
            let category = category
                .as_ref()
                .map(|c| check_category(ws, c))
                .transpose()?;
            let x = super::item_mut(ws, idea)?.idea_mut()?;
            super::set(&mut x.title, title, |v| required("title", v, MAX_TITLE))?;
            super::set(&mut x.text, text, |v| optional("text", v, MAX_TEXT))?;
            super::put(&mut x.category, category);
            super::put(&mut x.status, *status);
            x.updated_at = ctx.now;
            Ok(super::changed(idea))
        }
        C::SupportIdea { idea } => {
            let me = actor_id(ws, ctx)?;
            let seen = super::view(ws, idea)?.idea()?;
            if seen.supporters.contains_key(&me) {
                return Err(DomainError::Invalid("a member supports an idea only once"));
            }
            if seen.author == me {
                return Err(DomainError::Invalid("one does not support one's own idea"));
            }
            let x = super::item_mut(ws, idea)?.idea_mut()?;
            x.supporters.insert(me.clone(), ctx.now);
            x.support_proofs.insert(
                me,
                Proof {
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            if x.status == IdeaStatus::New {
                x.status = IdeaStatus::Discussed;
            }
            Ok(super::changed(idea))
        }
        C::WithdrawSupport { idea } => {
            let me = actor_id(ws, ctx)?;
            let x = super::item_mut(ws, idea)?.idea_mut()?;
            if x.supporters.remove(&me).is_none() {
                return Err(DomainError::Invalid("nothing to change"));
            }
            x.support_proofs.remove(&me);
            Ok(super::changed(idea))
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}
