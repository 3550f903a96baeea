//! "Melden": a member tells the moderators that an item or one comment breaks the code of
//! conduct, with a reason in their own words.

use allmende_core::Command;
use yew::prelude::*;

use super::form::{CommandForm, Field, Input, Values};
use super::load::use_app;
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub item: String,
    /// The comment reported, or none for the item itself.
    #[prop_or_default]
    pub comment: Option<String>,
}

#[function_component(Report)]
pub fn report(props: &Props) -> Html {
    let lang = use_app().lang;
    let build = {
        let (item, comment) = (props.item.clone(), props.comment.clone());
        Callback::from(move |v: Values| {
            Some(Command::ReportItem {
                item: item.clone(),
                comment: comment.clone(),
                reason: v.text("reason"),
            })
        })
    };
    let (name, title) = if props.comment.is_some() {
        ("report-comment", t(lang, "report.comment"))
    } else {
        ("report-item", t(lang, "report.item"))
    };
    html! {
        <CommandForm name={name} title={title} submit={t(lang, "report.send")} reset=true folded=true build={build}
            fields={vec![Field::new("reason", t(lang, "report.reason"), Input::Area).required()]} />
    }
}
