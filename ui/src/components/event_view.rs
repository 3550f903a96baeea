//! An event: when and where, register or unregister (with the places left), the list of who
//! registered (for the organiser and moderators), and the edit form with cancelling.

use allmende_core::model::Event;
use allmende_core::query::ItemDetail;
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};
use super::load::{may_edit, run, use_app, use_me};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub event: Event,
    pub detail: ItemDetail,
}

#[function_component(EventView)]
pub fn event_view(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let (e, id) = (&props.event, props.id.clone());
    let my_id = me.as_ref().map(|(m, _)| m.clone());
    let organiser = may_edit(me.as_ref(), &props.detail.summary.author);
    let registered = my_id
        .as_ref()
        .is_some_and(|m| e.registrations.contains_key(m));
    let full = e.capacity > 0 && e.registrations.len() as u64 >= e.capacity;
    let toggle = {
        let (app, id) = (app.clone(), id.clone());
        Callback::from(move |_| {
            let cmd = if registered {
                Command::Unregister { event: id.clone() }
            } else {
                Command::Register { event: id.clone() }
            };
            run(&app, cmd, |_| {});
        })
    };
    let edit = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::EditEvent {
                event: id.clone(),
                title: v.changed("title"),
                description: v.changed("description"),
                start: v.changed("start"),
                end: v.changed("end"),
                time_zone: None,
                place: v.changed("place"),
                online_link: v.changed("online_link"),
                category: v.changed("category"),
                organiser: v.changed("organiser"),
                capacity: v
                    .changed("capacity")
                    .map(|_| v.number("capacity").unwrap_or(0)),
                cancelled: v.changed_flag("cancelled"),
            })
        })
    };
    let places = if e.capacity == 0 {
        format!("{}", e.registrations.len())
    } else {
        format!("{} / {}", e.registrations.len(), e.capacity)
    };
    // What a person reads and what a date-time field holds: the wall time, without seconds
    // and offset ("2026-12-07T14:00:00+01:00" is 7 December, 14:00 in the event's zone).
    let wall = |v: &str| v.get(..16).unwrap_or(v).to_string();
    let name = |m: &str| {
        props
            .detail
            .names
            .get(m)
            .cloned()
            .unwrap_or_else(|| m.to_string())
    };
    let mut registrations: Vec<_> = e.registrations.values().collect();
    registrations.sort_by_key(|r| r.at);
    html! {
        <>
            if e.cancelled { <p class="warning" role="status">{ t(lang, "event.cancelled") }</p> }
            <p class="text">{ &e.description }</p>
            <dl class="facts">
                <dt>{ t(lang, "event.when") }</dt><dd>{ format!("{} – {} ({})", crate::i18n_dates::date(lang, &wall(&e.start)), crate::i18n_dates::date(lang, &wall(&e.end)), e.time_zone) }</dd>
                <dt>{ t(lang, "event.where") }</dt><dd>{ if e.place.is_empty() { e.online_link.clone() } else { e.place.clone() } }</dd>
                if !e.organiser.is_empty() { <dt>{ t(lang, "event.organiser") }</dt><dd>{ &e.organiser }</dd> }
                <dt>{ t(lang, "event.registered") }</dt><dd>{ places }</dd>
            </dl>
            if !e.cancelled && me.is_some() {
                <div class="actions">
                    if registered {
                        <p class="ok">{ t(lang, "event.you_registered") }</p>
                        <button onclick={toggle}>{ t(lang, "event.unregister") }</button>
                    } else if full {
                        <p class="muted">{ t(lang, "event.full") }</p>
                    } else {
                        <button class="primary" onclick={toggle}>{ t(lang, "event.register") }</button>
                    }
                </div>
            }
            if organiser {
                <section class="panel">
                    <h2>{ t(lang, "event.who") }</h2>
                    if registrations.is_empty() {
                        <p class="muted">{ t(lang, "event.nobody") }</p>
                    } else {
                        <ul class="plain registrations">{ for registrations.iter().map(|r| html! {
                            <li><strong>{ name(&r.member) }</strong>{ format!(" · {}", crate::i18n_dates::day(lang, r.at)) }</li>
                        }) }</ul>
                    }
                </section>
                <CommandForm name="edit-event" title={t(lang, "event.edit")} submit={t(lang, "form.save")} folded=true build={edit}
                    fields={vec![
                        Field::new("title", t(lang, "idea.title"), Input::Text).value(e.title.clone()).required(),
                        Field::new("description", t(lang, "idea.text"), Input::Area).value(e.description.clone()),
                        Field::new("start", t(lang, "event.start"), Input::DateTime).value(wall(&e.start)).required(),
                        Field::new("end", t(lang, "event.end"), Input::DateTime).value(wall(&e.end)).required(),
                        Field::new("place", t(lang, "event.where"), Input::Text).value(e.place.clone()),
                        Field::new("online_link", t(lang, "event.online"), Input::Text).value(e.online_link.clone()),
                        Field::new("category", t(lang, "filter.category"), Input::Select(choices::categories(lang, &app.categories))).value(e.category.clone()),
                        Field::new("organiser", t(lang, "event.organiser"), Input::Text).value(e.organiser.clone()),
                        Field::new("capacity", t(lang, "event.capacity"), Input::Number).value(if e.capacity == 0 { String::new() } else { e.capacity.to_string() }),
                        Field::new("cancelled", t(lang, "event.cancel"), Input::Check).value(e.cancelled.to_string()),
                    ]} />
            }
        </>
    }
}
