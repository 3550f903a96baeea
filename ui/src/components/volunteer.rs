//! Volunteering: short-term and long-term.

use allmende_core::model::DocKind;
use yew::prelude::*;

use super::list_screen::ListScreen;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Volunteer)]
pub fn volunteer(props: &Props) -> Html {
    html! {
        <ListScreen community={props.community.clone()} kind={DocKind::Opportunity} title="nav.volunteer"
            tabs={vec![("short", "volunteer.short"), ("long", "volunteer.long")]} />
    }
}
