//! A volunteering opportunity: what, how much time, when; sign up with a note or withdraw;
//! the people who signed up (for whoever offers it and moderators); the edit form.

use allmende_core::lang::label;
use allmende_core::model::Opportunity;
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
    pub opportunity: Opportunity,
    pub detail: ItemDetail,
}

#[function_component(OpportunityView)]
pub fn opportunity_view(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let (o, id) = (&props.opportunity, props.id.clone());
    let my_id = me.as_ref().map(|(m, _)| m.clone());
    let coordinator = may_edit(me.as_ref(), &props.detail.summary.author);
    let signed_up = my_id.as_ref().is_some_and(|m| o.signups.contains_key(m));
    let withdraw = {
        let (app, id) = (app.clone(), id.clone());
        Callback::from(move |_| {
            run(
                &app,
                Command::WithdrawSignUp {
                    opportunity: id.clone(),
                },
                |_| {},
            )
        })
    };
    let sign_up = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::SignUp {
                opportunity: id.clone(),
                note: v.text("note"),
            })
        })
    };
    let edit = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            let cmd = Command::EditOpportunity {
                opportunity: id.clone(),
                title: v.changed("title"),
                description: v.changed("description"),
                term: v.changed("term").and_then(|s| s.parse().ok()),
                commitment: v.changed("commitment"),
                category: v.changed("category"),
                contact: v.changed("contact"),
                date: v.changed("date"),
                open: v.changed_flag("open"),
            };
            Some(cmd)
        })
    };
    let name = |m: &str| {
        props
            .detail
            .names
            .get(m)
            .cloned()
            .unwrap_or_else(|| m.to_string())
    };
    let mut signups: Vec<_> = o.signups.values().collect();
    signups.sort_by_key(|s| s.at);
    html! {
        <>
            <p class="text">{ &o.description }</p>
            <dl class="facts">
                <dt>{ t(lang, "opportunity.term") }</dt><dd>{ label(o.term.as_str(), lang) }</dd>
                if !o.commitment.is_empty() { <dt>{ t(lang, "opportunity.commitment") }</dt><dd>{ &o.commitment }</dd> }
                if !o.date.is_empty() { <dt>{ t(lang, "opportunity.date") }</dt><dd>{ crate::i18n_dates::date(lang, &o.date) }</dd> }
                if !o.contact.is_empty() { <dt>{ t(lang, "request.contact") }</dt><dd>{ &o.contact }</dd> }
                <dt>{ t(lang, "opportunity.signups") }</dt><dd>{ o.signups.len() }</dd>
            </dl>
            if !o.open {
                <p class="warning">{ t(lang, "opportunity.closed") }</p>
            } else if signed_up {
                <p class="ok">{ t(lang, "opportunity.you_signed_up") }</p>
                <button onclick={withdraw}>{ t(lang, "opportunity.withdraw") }</button>
            } else if me.is_some() {
                <CommandForm name="sign-up" title={t(lang, "opportunity.sign_up")} submit={t(lang, "opportunity.sign_up")}
                    reset=true build={sign_up}
                    fields={vec![Field::new("note", t(lang, "opportunity.note"), Input::Area)]} />
            }
            if coordinator {
                <section class="panel">
                    <h2>{ t(lang, "opportunity.who") }</h2>
                    if signups.is_empty() {
                        <p class="muted">{ t(lang, "opportunity.nobody") }</p>
                    } else {
                        <ul class="plain signups">{ for signups.iter().map(|s| html! {
                            <li><strong>{ name(&s.member) }</strong>{ format!(" · {}", crate::i18n_dates::day(lang, s.at)) }
                                if !s.note.is_empty() { <span class="muted">{ format!(" – {}", s.note) }</span> }
                            </li>
                        }) }</ul>
                    }
                </section>
                <CommandForm name="edit-opportunity" title={t(lang, "opportunity.edit")} submit={t(lang, "form.save")} folded=true build={edit}
                    fields={vec![
                        Field::new("title", t(lang, "idea.title"), Input::Text).value(o.title.clone()).required(),
                        Field::new("description", t(lang, "idea.text"), Input::Area).value(o.description.clone()),
                        Field::new("term", t(lang, "opportunity.term"), Input::Select(choices::terms(lang))).value(o.term.as_str()),
                        Field::new("commitment", t(lang, "opportunity.commitment"), Input::Text).value(o.commitment.clone()),
                        Field::new("date", t(lang, "opportunity.date"), Input::Date).value(o.date.clone()),
                        Field::new("category", t(lang, "filter.category"), Input::Select(choices::categories(lang, &app.categories))).value(o.category.clone()),
                        Field::new("contact", t(lang, "request.contact"), Input::Text).value(o.contact.clone()),
                        Field::new("open", t(lang, "opportunity.open"), Input::Check).value(o.open.to_string()),
                    ]} />
            }
        </>
    }
}
