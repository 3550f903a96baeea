//! The detail of an idea (and, generically, of any item): text, support, comments,
//! "start a team", and its requests to the town hall.

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::query::{ItemDetail, Query};
use yew::prelude::*;

use super::load::{may_edit, status, use_app, use_me, use_query, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(IdeaDetail)]
pub fn idea_detail(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<ItemDetail>(Some(Query::Show {
        id: props.id.clone(),
    }));
    let me = use_me();
    if let Some(s) = status(&app, &loaded) {
        return s;
    }
    let Loaded::Ready(d) = loaded else {
        return html! {};
    };
    let id = props.id.clone();
    // Back to the list the item belongs to (a request to the town hall, an event to the
    // calendar), not always to the ideas.
    let list = match &d.item {
        Item::Request(_) => Route::TownHall,
        Item::Event(_) => Route::Calendar,
        Item::Organisation(_) => Route::Directory,
        Item::Opportunity(_) => Route::Volunteer,
        Item::Post(_) => Route::News,
        Item::Project(_) => Route::Projects,
        Item::Profile(_) => Route::Members,
        _ => Route::Ideas,
    };
    let back = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Go(list.clone())))
    };
    let body = match &d.item {
        Item::Idea(x) => {
            html! { <super::idea_view::IdeaView id={id.clone()} idea={x.clone()} detail={d.clone()} /> }
        }
        Item::Request(r) => {
            html! { <super::townhall::RequestView id={id.clone()} request={r.clone()} names={d.names.clone()} waiting={d.waiting_days} /> }
        }
        Item::Event(e) => {
            html! { <super::event_view::EventView id={id.clone()} event={e.clone()} detail={d.clone()} /> }
        }
        Item::Organisation(o) => {
            html! { <super::organisation_view::OrganisationView id={id.clone()} organisation={o.clone()} detail={d.clone()} /> }
        }
        Item::Opportunity(o) => {
            html! { <super::opportunity_view::OpportunityView id={id.clone()} opportunity={o.clone()} detail={d.clone()} /> }
        }
        Item::Post(p) => {
            html! { <super::post_view::PostView id={id.clone()} post={p.clone()} detail={d.clone()} /> }
        }
        Item::Template(x) => html! {
            <>
                <p class="text">{ &x.description }</p>
                <a class="button" download="vorlage.json" href={format!("data:application/json;charset=utf-8,{}",
                    js_sys::encode_uri_component(&allmende_core::templates::TemplateSpec::of(x).to_file()))}>{ t(lang, "template.export") }</a>
                <ol class="timeline">{ for x.steps.iter().map(|s| html! {
                    <li><strong>{ &s.title }</strong>{ format!(" · {}", allmende_core::lang::label(s.stage.as_str(), lang)) }
                        <ul class="plain">{ for s.tasks.iter().map(|task| html! { <li>{ format!("☐ {task}") }</li> }) }</ul>
                    </li>
                }) }</ol>
            </>
        },
        Item::Project(_) | Item::Profile(_) => html! {},
    };
    let mine = me.as_ref().is_some_and(|(m, _)| *m == d.summary.author);
    // Moderators may edit anyone's idea or post, so they may also take a version.
    let may_edit = may_edit(me.as_ref(), &d.summary.author);
    html! {
        <article>
            <button class="link" onclick={back}>{ "← " }{ t(lang, "back") }</button>
            <h1>{ &d.summary.title }</h1>
            <p class="card-meta">
                <span class="tag">{ crate::i18n::category(lang, &app.categories, &d.summary.category) }</span>
                <span class="status">{ label(&d.summary.status, lang) }</span>
                <span class="muted">{ format!("{} · {}", d.summary.author_name, crate::i18n_dates::day(lang, d.summary.created_at)) }</span>
            </p>
            { body }
            if matches!(d.item, Item::Idea(_)) && me.is_some() {
                <super::ask_town_hall::AskTownHall target={id.clone()} />
            }
            if me.is_some() && !mine && !matches!(d.item, Item::Profile(_) | Item::Template(_)) {
                <super::report::Report item={id.clone()} />
            }
            if let Item::Idea(x) = &d.item {
                if !x.project.is_empty() {
                    <super::project_progress::ProjectProgress id={x.project.clone()} />
                }
            }
            if !d.requests.is_empty() {
                <section>
                    <h2>{ t(lang, "project.requests") }</h2>
                    <ul class="cards">{ for d.requests.iter().map(|r| html! { <super::request_history::RequestHistory id={r.id.clone()} /> }) }</ul>
                </section>
            }
            <super::comments::Comments id={id.clone()} detail={d.clone()} />
            if !matches!(d.item, Item::Profile(_)) {
                <super::history::ItemHistory id={id.clone()} item={d.item.clone()} may_edit={may_edit} />
            }
        </article>
    }
}
