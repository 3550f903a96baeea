//! News, everyday tips and support offers.

use std::collections::BTreeMap;

use super::{actor_id, check_category, require_author_or, Ctx, Effects, Item, Workspace};
use crate::command::Command;
use crate::error::DomainError;
use crate::limits::{optional, required, MAX_NAME, MAX_TEXT, MAX_TITLE};
use crate::model::{DocKind, Post};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::AddPost {
            community,
            kind,
            title,
            text,
            category,
            offered_by,
        } => {
            let me = actor_id(ws, ctx)?;
            let post = Post {
                header: super::new_header(ctx, DocKind::Post, community, &me),
                kind: *kind,
                title: required("title", title, MAX_TITLE)?,
                text: optional("text", text, MAX_TEXT)?,
                category: check_category(ws, category)?,
                author: me,
                offered_by: optional("name", offered_by, MAX_NAME)?,
                comments: BTreeMap::new(),
                reports: BTreeMap::new(),
                updated_at: ctx.now,
            };
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Post(post));
            Ok(fx)
        }
        C::EditPost {
            post,
            title,
            text,
            category,
            offered_by,
        } => {
            // The author as the signed header says, not as an edited field claims.
            let author = super::view(ws, post)?.post()?.author.clone();
            require_author_or(ws, ctx, &author)?;
            let category = category
                .as_ref()
                .map(|c| check_category(ws, c))
                .transpose()?;
            let p = super::item_mut(ws, post)?.post_mut()?;
            super::set(&mut p.title, title, |v| required("title", v, MAX_TITLE))?;
            super::set(&mut p.text, text, |v| optional("text", v, MAX_TEXT))?;
            super::put(&mut p.category, category);
            super::set(&mut p.offered_by, offered_by, |v| {
                optional("name", v, MAX_NAME)
            })?;
            p.updated_at = ctx.now;
            Ok(super::changed(post))
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}
