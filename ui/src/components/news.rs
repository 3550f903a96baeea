//! News, everyday tips and support offers, and the form to write one.

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

#[function_component(News)]
pub fn news(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let build = {
        let community = props.community.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddPost {
                community: community.clone(),
                kind: v.text("kind").parse().ok()?,
                title: v.text("title"),
                text: v.text("text"),
                category: v.text("category"),
                offered_by: v.text("offered_by"),
            })
        })
    };
    html! {
        <>
            <ListScreen community={props.community.clone()} kind={DocKind::Post} title="nav.news" />
            if me.is_some() {
                <CommandForm name="add-post" title={t(lang, "post.new")} submit={t(lang, "post.publish")} reset=true build={build}
                    fields={vec![
                        Field::new("kind", t(lang, "post.kind"), Input::Select(choices::post_kinds(lang))).value("news"),
                        Field::new("title", t(lang, "idea.title"), Input::Text).required(),
                        Field::new("text", t(lang, "idea.text"), Input::Area),
                        Field::new("category", t(lang, "filter.category"), Input::Select(choices::categories(lang, &app.categories))),
                        Field::new("offered_by", t(lang, "post.offered_by"), Input::Text),
                    ]} />
            }
        </>
    }
}
