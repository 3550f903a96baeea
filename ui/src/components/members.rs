//! Members and their interests.

use allmende_core::lang::label;
use allmende_core::query::{MemberSummary, Query};
use yew::prelude::*;

use super::load::{status, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Members)]
pub fn members(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<Vec<MemberSummary>>(Some(Query::Members {
        community: props.community.clone(),
    }));
    html! {
        <>
            <h1>{ t(lang, "nav.members") }</h1>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(list)) => html! {
                        <ul class="cards">{ for list.iter().map(|m| html! {
                            <li class="card">
                                <span class="card-title">{ &m.display_name }</span>
                                <div class="card-meta">
                                    <span class="status">{ label(&m.role, lang) }</span>
                                    { for m.interests.iter().map(|i| html! { <span class="tag">{ crate::i18n::category(lang, &app.categories, i) }</span> }) }
                                </div>
                                if !m.organisation.is_empty() { <p class="excerpt">{ &m.organisation }</p> }
                            </li>
                        }) }</ul>
                    },
                    _ => html! {},
                }
            }
        </>
    }
}
