//! The events calendar.

use std::collections::BTreeMap;

use super::{actor_id, check_category, require_author_or, Ctx, Effects, Item, Workspace};
use crate::command::Command;
use crate::error::DomainError;
use crate::limits::{optional, required, url, MAX_NAME, MAX_SHORT, MAX_TEXT, MAX_TITLE};
use crate::model::{DocKind, Event, Registration};
use crate::time::{check_time_zone, parse_datetime};

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::AddEvent {
            community,
            title,
            description,
            start,
            end,
            time_zone,
            place,
            online_link,
            category,
            organiser,
            capacity,
        } => {
            let me = actor_id(ws, ctx)?;
            let event = Event {
                header: super::new_header(ctx, DocKind::Event, community, &me),
                title: required("title", title, MAX_TITLE)?,
                description: optional("description", description, MAX_TEXT)?,
                start: start.trim().to_string(),
                end: end.trim().to_string(),
                time_zone: check_time_zone(time_zone.as_deref().unwrap_or("Europe/Berlin"))?,
                place: optional("place", place, MAX_SHORT)?,
                online_link: url("online link", online_link)?,
                category: check_category(ws, category)?,
                organiser: optional("name", organiser, MAX_NAME)?,
                capacity: *capacity,
                cancelled: false,
                registrations: BTreeMap::new(),
                comments: BTreeMap::new(),
                reports: BTreeMap::new(),
                updated_at: ctx.now,
            };
            check_event(&event)?;
            let mut fx = Effects::default();
            super::create(ws, &mut fx, ctx, Item::Event(event));
            Ok(fx)
        }
        C::EditEvent {
            event,
            title,
            description,
            start,
            end,
            time_zone,
            place,
            online_link,
            category,
            organiser,
            capacity,
            cancelled,
        } => {
            let author = super::creator(ws, event)?;
            require_author_or(ws, ctx, &author)?;
            let category = category
                .as_ref()
                .map(|c| check_category(ws, c))
                .transpose()?;
            let e = super::item_mut(ws, event)?.event_mut()?;
            super::set(&mut e.title, title, |v| required("title", v, MAX_TITLE))?;
            super::set(&mut e.description, description, |v| {
                optional("description", v, MAX_TEXT)
            })?;
            if let Some(v) = start {
                e.start = v.trim().to_string();
            }
            if let Some(v) = end {
                e.end = v.trim().to_string();
            }
            super::set(&mut e.time_zone, time_zone, |v| check_time_zone(v))?;
            super::set(&mut e.place, place, |v| optional("place", v, MAX_SHORT))?;
            super::set(&mut e.online_link, online_link, |v| url("online link", v))?;
            super::put(&mut e.category, category);
            super::set(&mut e.organiser, organiser, |v| {
                optional("name", v, MAX_NAME)
            })?;
            super::put(&mut e.capacity, *capacity);
            super::put(&mut e.cancelled, *cancelled);
            check_event(e)?;
            e.updated_at = ctx.now;
            Ok(super::changed(event))
        }
        C::Register { event } => {
            let me = actor_id(ws, ctx)?;
            let seen = super::view(ws, event)?.event()?;
            if seen.registrations.contains_key(&me) {
                return Err(DomainError::Invalid("already registered"));
            }
            if seen.capacity > 0 && seen.registrations.len() as u64 >= seen.capacity {
                return Err(DomainError::Invalid("the event is full"));
            }
            let e = super::item_mut(ws, event)?.event_mut()?;
            e.registrations.insert(
                me.clone(),
                Registration {
                    member: me,
                    at: ctx.now,
                    device: ctx.device.clone(),
                    sig: String::new(),
                },
            );
            Ok(super::changed(event))
        }
        C::Unregister { event } => {
            let me = actor_id(ws, ctx)?;
            let e = super::item_mut(ws, event)?.event_mut()?;
            if e.registrations.remove(&me).is_none() {
                return Err(DomainError::Invalid("nothing to change"));
            }
            Ok(super::changed(event))
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}

fn check_event(e: &Event) -> Result<(), DomainError> {
    let start = parse_datetime(&e.start)?;
    let end = parse_datetime(&e.end)?;
    if end < start {
        return Err(DomainError::EndBeforeStart);
    }
    if e.place.is_empty() && e.online_link.is_empty() {
        return Err(DomainError::Invalid(
            "an event needs a place or an online link",
        ));
    }
    Ok(())
}
