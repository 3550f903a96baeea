//! A button for a change that is hard to undo (removing a member, a device, a team member):
//! the first press asks "really?" in words next to it, the second does it.

use allmende_core::Command;
use yew::prelude::*;

use super::load::{run, use_app};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The button's text, e.g. "Entfernen".
    pub label: String,
    /// What will happen, e.g. "Jonas aus der Gemeinschaft entfernen?".
    pub question: String,
    pub command: Command,
}

#[function_component(ConfirmButton)]
pub fn confirm_button(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let asking = use_state(|| false);
    if !*asking {
        let asking = asking.clone();
        return html! { <button class="danger" onclick={Callback::from(move |_| asking.set(true))}>{ &props.label }</button> };
    }
    let yes = {
        let (app, cmd, asking) = (app.clone(), props.command.clone(), asking.clone());
        Callback::from(move |_| {
            asking.set(false);
            run(&app, cmd.clone(), |_| {});
        })
    };
    let no = {
        let asking = asking.clone();
        Callback::from(move |_| asking.set(false))
    };
    html! {
        <span class="confirm" role="group" aria-label={props.question.clone()}>
            <span>{ &props.question }</span>
            <button class="danger" onclick={yes}>{ t(lang, "confirm.yes") }</button>
            <button onclick={no}>{ t(lang, "confirm.no") }</button>
        </span>
    }
}
