//! The municipal path: a request for support, answers with status, contact and promised date.

use std::collections::BTreeMap;

use super::{actor, actor_id, optional_date, require, Ctx, Effects, Item, Workspace};
use crate::command::Command;
use crate::error::DomainError;
use crate::limits::{optional, required, MAX_NAME, MAX_SHORT, MAX_TEXT, MAX_TITLE};
use crate::model::{DocKind, Request, RequestStatus, StatusChange, Visibility};
use crate::permission::Action;

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::CreateRequest {
            target,
            title,
            text,
            department,
        } => {
            let me = actor_id(ws, ctx)?;
            let title = required("title", title, MAX_TITLE)?;
            let text = optional("text", text, MAX_TEXT)?;
            let department = optional("department", department, MAX_NAME)?;
            let target_item = ws.items.get(target).ok_or(DomainError::NotFound {
                what: "item",
                id: target.clone(),
            })?;
            let target_kind = target_item.kind();
            match target_item {
                Item::Idea(_) => {}
                Item::Project(p) => {
                    if p.visibility == Visibility::Team && !p.is_team_member(&me) {
                        return Err(DomainError::Forbidden {
                            action: "request",
                            needed: "team member",
                        });
                    }
                }
                _ => {
                    return Err(DomainError::NotFound {
                        what: "idea",
                        id: target.clone(),
                    })
                }
            }
            let community = target_item.header().community.clone();
            let header = super::new_header(ctx, DocKind::Request, &community, &me);
            let first = ctx.ids.short_id();
            let mut history = BTreeMap::new();
            history.insert(
                first.clone(),
                StatusChange {
                    id: first,
                    at: ctx.now,
                    by: me.clone(),
                    status: RequestStatus::Submitted,
                    message: String::new(),
                    reason: String::new(),
                    contact: String::new(),
                    promised_by: String::new(),
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            let mut followers = BTreeMap::new();
            followers.insert(me.clone(), ctx.now);
            let request = Request {
                header,
                target: target.clone(),
                target_kind,
                title,
                text,
                author: me,
                department,
                history,
                followers,
                comments: BTreeMap::new(),
                reports: BTreeMap::new(),
                updated_at: ctx.now,
            };
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Request(request));
            Ok(fx)
        }
        C::AnswerRequest {
            request,
            status,
            message,
            reason,
            contact,
            promised_by,
            department,
        } => {
            require(ws, ctx, Action::AnswerRequests)?;
            let me = actor(ws, ctx)?.id.clone();
            let message = optional("message", message, MAX_TEXT)?;
            let reason = optional("reason", reason, MAX_TEXT)?;
            if *status == RequestStatus::Declined && reason.is_empty() {
                return Err(DomainError::Invalid("a declined request needs a reason"));
            }
            let contact = contact
                .as_ref()
                .map(|c| optional("contact", c, MAX_SHORT))
                .transpose()?
                .unwrap_or_default();
            let promised_by = optional_date(promised_by.as_ref())?.unwrap_or_default();
            // Dates are `YYYY-MM-DD`: their order is the order of the text.
            if !promised_by.is_empty() && promised_by < crate::time::millis_to_date(ctx.now) {
                return Err(DomainError::Invalid(
                    "a promised date cannot lie in the past",
                ));
            }
            let department = department
                .as_ref()
                .map(|d| optional("department", d, MAX_NAME))
                .transpose()?;
            let id = ctx.ids.short_id();
            let r = super::item_mut(ws, request)?.request_mut()?;
            r.history.insert(
                id.clone(),
                StatusChange {
                    id: id.clone(),
                    at: ctx.now,
                    by: me,
                    status: *status,
                    message,
                    reason,
                    contact,
                    promised_by,
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            if let Some(d) = department {
                r.department = d;
            }
            r.updated_at = ctx.now;
            let mut fx = super::changed(request);
            fx.id = request.clone();
            Ok(fx)
        }
        C::FollowRequest { request } => {
            let me = actor_id(ws, ctx)?;
            let r = super::item_mut(ws, request)?.request_mut()?;
            r.followers.insert(me, ctx.now);
            Ok(super::changed(request))
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}
