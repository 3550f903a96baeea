//! Where an idea stands once a team carries it out: the project's stage, its progress in
//! percent and its milestones, shown on the idea's page.

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::query::{ItemDetail, Query};
use yew::prelude::*;

use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The project's id.
    pub id: String,
}

#[function_component(ProjectProgress)]
pub fn project_progress(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ItemDetail>(Some(Query::Show {
        id: props.id.clone(),
    }));
    let Loaded::Ready(d) = loaded else {
        return html! {};
    };
    let Item::Project(p) = &d.item else {
        return html! {};
    };
    let progress = p.effective_progress();
    let open = {
        let (app, id) = (app.clone(), props.id.clone());
        Callback::from(move |_| app.dispatch(Action::Go(Route::Project(id.clone()))))
    };
    let mut milestones: Vec<_> = p.milestones.values().collect();
    milestones.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.title.cmp(&b.title)));
    html! {
        <section class="panel project-progress">
            <h2>{ t(lang, "idea.implementation") }</h2>
            <p>
                <button class="link" onclick={open}>{ &p.title }</button>
                <span class="status">{ label(p.stage.as_str(), lang) }</span>
            </p>
            <p class="progress big" role="progressbar" aria-valuenow={progress.to_string()} aria-valuemin="0" aria-valuemax="100" aria-label={t(lang, "project.progress")}>
                <span class="bar" style={format!("width:{progress}%")}></span><span class="pct">{ format!("{} {progress} %", t(lang, "project.progress")) }</span>
            </p>
            if !milestones.is_empty() {
                <h3>{ t(lang, "project.milestones") }</h3>
                <ul class="plain">{ for milestones.iter().map(|m| html! {
                    <li>{ format!("{} {} {}", if m.reached { "◆" } else { "◇" }, m.title, crate::i18n_dates::date(lang, &m.due)) }
                        <span class="sr-only">{ if m.reached { t(lang, "milestone.reached") } else { t(lang, "milestone.open") } }</span>
                    </li>
                }) }</ul>
            }
        </section>
    }
}
