//! "Das Rathaus fragen": a request for support (a permit, a place, money) about an idea or a
//! project, which then has its own transparent path (who answers, by when, what status).

use allmende_core::Command;
use yew::prelude::*;

use super::form::{CommandForm, Field, Input, Values};
use super::load::use_app;
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The idea or project the request is about.
    pub target: String,
}

#[function_component(AskTownHall)]
pub fn ask_town_hall(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let build = {
        let target = props.target.clone();
        Callback::from(move |v: Values| {
            Some(Command::CreateRequest {
                target: target.clone(),
                title: v.text("title"),
                text: v.text("text"),
                department: v.text("department"),
            })
        })
    };
    let then = {
        let app = app.clone();
        Callback::from(move |id: String| app.dispatch(Action::Go(Route::Item(id))))
    };
    html! {
        <CommandForm name="ask-town-hall" title={t(lang, "request.ask")} submit={t(lang, "request.ask.send")}
            reset=true folded=true build={build} then={then}
            fields={vec![
                Field::new("title", t(lang, "request.ask.title"), Input::Text).required(),
                Field::new("text", t(lang, "request.ask.text"), Input::Area),
                Field::new("department", t(lang, "request.ask.department"), Input::Text),
            ]} />
    }
}
