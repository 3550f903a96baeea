//! The project fair: showcases grouped by the community (village, class) they come from,
//! each with its stage and progress. Visitors open one to leave a comment.

use std::collections::BTreeMap;

use allmende_core::query::ItemSummary;
use yew::prelude::*;

use super::item_card::ItemCard;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub items: Vec<ItemSummary>,
}

#[function_component(Fair)]
pub fn fair(props: &Props) -> Html {
    let mut by_origin: BTreeMap<String, Vec<&ItemSummary>> = BTreeMap::new();
    for i in &props.items {
        let origin = i.extra["origin_community"]
            .as_str()
            .unwrap_or("")
            .to_string();
        by_origin.entry(origin).or_default().push(i);
    }
    html! {
        <>{ for by_origin.iter().map(|(origin, items)| html! {
            <section class="fair">
                <h2>{ origin }</h2>
                <ul class="cards">{ for items.iter().map(|i| html! { <ItemCard item={(*i).clone()} /> }) }</ul>
            </section>
        }) }</>
    }
}
