//! News, everyday tips and support offers.

use allmende_core::model::DocKind;
use yew::prelude::*;

use super::list_screen::ListScreen;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(News)]
pub fn news(props: &Props) -> Html {
    html! { <ListScreen community={props.community.clone()} kind={DocKind::Post} title="nav.news" /> }
}
