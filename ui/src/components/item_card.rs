//! One item in a list: title, category, status, counts; activates its detail screen.

use allmende_core::lang::label;
use allmende_core::model::DocKind;
use allmende_core::query::ItemSummary;
use yew::prelude::*;

use super::load::use_app;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub item: ItemSummary,
}

#[function_component(ItemCard)]
pub fn item_card(props: &Props) -> Html {
    let app = use_app();
    let i = &props.item;
    let route = match i.kind {
        DocKind::Idea => Route::Idea(i.id.clone()),
        DocKind::Project => Route::Project(i.id.clone()),
        _ => Route::Item(i.id.clone()),
    };
    let open = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Go(route.clone())))
    };
    let lang = app.lang;
    let category = crate::i18n::category(lang, &app.categories, &i.category);
    html! {
        <li class="card">
            <button class="card-link" onclick={open}>
                <span class="card-title">{ &i.title }</span>
            </button>
            <div class="card-meta">
                if !i.category.is_empty() { <span class={classes!("tag", format!("cat-{}", i.category))}>{ category }</span> }
                if !i.status.is_empty() { <span class="status">{ label(&i.status, lang) }</span> }
                if let Some(p) = i.progress {
                    <span class="progress" role="progressbar" aria-valuenow={p.to_string()} aria-valuemin="0" aria-valuemax="100"
                          aria-label={crate::i18n::t(lang, "project.progress")}>
                        <span class="bar" style={format!("width:{p}%")}></span>
                        <span class="pct">{ format!("{p} %") }</span>
                    </span>
                }
                if let Some(s) = i.start_at { <span class="date">{ crate::i18n_dates::day(lang, s) }</span> }
                if i.supporters > 0 { <span class="count" aria-label={crate::i18n::count(lang, i.supporters, "supporters")}>{ format!("♥ {}", i.supporters) }</span> }
                if i.comments > 0 { <span class="count">{ crate::i18n::count(lang, i.comments, "comments") }</span> }
            </div>
            if !i.excerpt.is_empty() { <p class="excerpt">{ &i.excerpt }</p> }
        </li>
    }
}
