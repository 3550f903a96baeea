//! Comments, content reports and moderation decisions, for every kind of item.

use super::{actor_id, require, Ctx, Effects, Workspace};
use crate::command::Command;
use crate::error::DomainError;
use crate::governance::Act;
use crate::limits::{required, MAX_COMMENT, MAX_SHORT};
use crate::model::{Comment, Report, Visibility};
use crate::permission::Action;

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::AddComment { item, text } => {
            let me = actor_id(ws, ctx)?;
            let text = required("comment", text, MAX_COMMENT)?;
            check_team_only(ws, item, &me)?;
            let id = ctx.ids.short_id();
            let target = super::item_mut(ws, item)?;
            let comments = target.comments_mut().ok_or(DomainError::NotFound {
                what: "item",
                id: item.clone(),
            })?;
            comments.insert(
                id.clone(),
                Comment {
                    id: id.clone(),
                    author: me,
                    text,
                    created_at: ctx.now,
                    edited_at: 0,
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            target.touch(ctx.now);
            let mut fx = super::changed(item);
            fx.id = id;
            Ok(fx)
        }
        C::ReportItem {
            item,
            comment,
            reason,
        } => {
            let me = actor_id(ws, ctx)?;
            let reason = required("reason", reason, MAX_SHORT)?;
            let id = ctx.ids.short_id();
            let target = super::item_mut(ws, item)?;
            check_comment(target.comments(), item, comment.as_deref())?;
            let reports = target.reports_mut().ok_or(DomainError::NotFound {
                what: "item",
                id: item.clone(),
            })?;
            reports.insert(
                id.clone(),
                Report {
                    id: id.clone(),
                    reporter: me,
                    reason,
                    comment: comment.clone().unwrap_or_default(),
                    created_at: ctx.now,
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            let mut fx = super::changed(item);
            fx.id = id;
            Ok(fx)
        }
        C::Hide {
            item,
            comment,
            reason,
        }
        | C::Restore {
            item,
            comment,
            reason,
        } => {
            require(ws, ctx, Action::Moderate)?;
            let reason = required("reason", reason, MAX_SHORT)?;
            let target = super::item_mut(ws, item)?;
            check_comment(target.comments(), item, comment.as_deref())?;
            let key = match comment {
                Some(c) => format!("{item}/{c}"),
                None => item.clone(),
            };
            super::govern(
                ws,
                ctx,
                None,
                Act::Moderate {
                    key: key.clone(),
                    hidden: matches!(command, C::Hide { .. }),
                    reason,
                },
            )?;
            Ok(Effects {
                id: key,
                community_changed: true,
                ..Effects::default()
            })
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}

fn check_comment(
    comments: Option<&std::collections::BTreeMap<String, Comment>>,
    item: &str,
    comment: Option<&str>,
) -> Result<(), DomainError> {
    match comment {
        None => Ok(()),
        Some(c) if comments.is_some_and(|all| all.contains_key(c)) => Ok(()),
        Some(c) => Err(DomainError::NotFound {
            what: "comment",
            id: format!("{item}/{c}"),
        }),
    }
}

/// Team-only projects take comments from their team only.
fn check_team_only(ws: &Workspace, item: &str, me: &str) -> Result<(), DomainError> {
    if let Some(super::Item::Project(p)) = ws.items.get(item) {
        if p.visibility == Visibility::Team && !p.is_team_member(me) {
            return Err(DomainError::Forbidden {
                action: "comment",
                needed: "team member",
            });
        }
    }
    Ok(())
}
