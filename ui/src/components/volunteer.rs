//! Volunteering: short-term and long-term opportunities, and the form to offer one.

use allmende_core::model::DocKind;
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};
use super::list_screen::ListScreen;
use super::load::{use_app, use_me};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Volunteer)]
pub fn volunteer(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let build = {
        let community = props.community.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddOpportunity {
                community: community.clone(),
                title: v.text("title"),
                description: v.text("description"),
                term: v.text("term").parse().ok()?,
                commitment: v.text("commitment"),
                category: v.text("category"),
                contact: v.text("contact"),
                organisation: None,
                date: v.opt("date"),
            })
        })
    };
    html! {
        <>
            <ListScreen community={props.community.clone()} kind={DocKind::Opportunity} title="nav.volunteer"
                tabs={vec![("short", "volunteer.short"), ("long", "volunteer.long")]} />
            if me.is_some() {
                <CommandForm name="add-opportunity" title={t(lang, "opportunity.new")} submit={t(lang, "opportunity.offer")} reset=true folded=true build={build}
                    fields={vec![
                        Field::new("title", t(lang, "idea.title"), Input::Text).required(),
                        Field::new("description", t(lang, "idea.text"), Input::Area),
                        Field::new("term", t(lang, "opportunity.term"), Input::Select(choices::terms(lang))).value("short"),
                        Field::new("commitment", t(lang, "opportunity.commitment"), Input::Text),
                        Field::new("date", t(lang, "opportunity.date"), Input::Date),
                        Field::new("category", t(lang, "filter.category"), Input::Select(choices::categories(lang, &app.categories))),
                        Field::new("contact", t(lang, "request.contact"), Input::Text),
                    ]} />
            }
        </>
    }
}
