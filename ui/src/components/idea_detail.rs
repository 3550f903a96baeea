//! The detail of an idea (and, generically, of any item): text, support, comments,
//! "start a team", and its requests to the town hall.

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::model::Comment;
use allmende_core::query::{CommunitySummary, ItemDetail, Query};
use allmende_core::time::millis_to_date;
use allmende_core::Command;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::load::{run, status, use_app, use_query, Loaded};
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
    let comment = use_node_ref();
    // Who this device is in the community (for one's own idea and one's own support).
    let communities = use_query::<Vec<CommunitySummary>>(Some(Query::Communities));
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
    let on_comment = {
        let (app, comment, id) = (app.clone(), comment.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(area) = comment.cast::<HtmlTextAreaElement>() else {
                return;
            };
            run(
                &app,
                Command::AddComment {
                    item: id.clone(),
                    text: area.value(),
                },
                move |_| area.set_value(""),
            );
        })
    };
    let me: Option<String> = match &communities {
        Loaded::Ready(all) => all
            .iter()
            .find(|c| Some(&c.id) == app.community.as_ref())
            .and_then(|c| c.me.clone()),
        _ => None,
    };
    let body = match &d.item {
        Item::Idea(x) => {
            let mine = me.as_deref() == Some(x.author.as_str());
            let supported = me.as_ref().is_some_and(|m| x.supporters.contains_key(m));
            let support = {
                let (app, id) = (app.clone(), id.clone());
                Callback::from(move |_| {
                    let command = if supported {
                        Command::WithdrawSupport { idea: id.clone() }
                    } else {
                        Command::SupportIdea { idea: id.clone() }
                    };
                    run(&app, command, |_| {})
                })
            };
            let start_team = {
                let (app, id, title, community) = (
                    app.clone(),
                    id.clone(),
                    x.title.clone(),
                    x.header.community.clone(),
                );
                Callback::from(move |_| {
                    let a = app.clone();
                    run(
                        &app,
                        Command::CreateProject {
                            community: community.clone(),
                            title: title.clone(),
                            summary: String::new(),
                            category: None,
                            from_idea: Some(id.clone()),
                            visibility: None,
                            stage: None,
                        },
                        move |project| a.dispatch(Action::Go(Route::Project(project))),
                    );
                })
            };
            let supporters: Vec<String> = x
                .supporters
                .keys()
                .map(|m| d.names.get(m).cloned().unwrap_or_else(|| m.clone()))
                .collect();
            html! {
                <>
                    <p class="text">{ &x.text }</p>
                    <p class="supporters">{ format!("♥ {} · {}", x.supporters.len(), supporters.join(", ")) }</p>
                    <div class="actions">
                        if mine {
                            <p class="muted">{ t(lang, "idea.yours") }</p>
                        } else if supported {
                            <button onclick={support}>{ t(lang, "idea.withdraw_support") }</button>
                        } else {
                            <button class="primary" onclick={support}>{ t(lang, "idea.support") }</button>
                        }
                        if x.project.is_empty() {
                            <button onclick={start_team}>{ t(lang, "idea.start_team") }</button>
                        } else {
                            <button onclick={{ let app = app.clone(); let p = x.project.clone(); Callback::from(move |_| app.dispatch(Action::Go(Route::Project(p.clone())))) }}>
                                { t(lang, "nav.projects") }{ " →" }
                            </button>
                        }
                    </div>
                </>
            }
        }
        Item::Request(r) => {
            html! { <super::townhall::RequestView id={id.clone()} request={r.clone()} names={d.names.clone()} waiting={d.waiting_days} /> }
        }
        Item::Event(e) => html! {
            <>
                <p class="text">{ &e.description }</p>
                <p>{ format!("{} – {} ({})", e.start, e.end, e.time_zone) }</p>
                <p>{ if e.place.is_empty() { e.online_link.clone() } else { e.place.clone() } }</p>
            </>
        },
        Item::Organisation(o) => html! {
            <>
                <p class="text">{ &o.description }</p>
                <p>{ &o.contact }{ " " }{ &o.website }</p>
                <ul class="plain">{ for o.projects.values().map(|p| html! {
                    <li>{ format!("{} — {}", p.title, if p.running { t(lang, "projects.running") } else { t(lang, "projects.finished") }) }</li>
                }) }</ul>
            </>
        },
        Item::Opportunity(o) => {
            html! { <><p class="text">{ &o.description }</p><p>{ format!("{} · {}", label(o.term.as_str(), lang), o.commitment) }</p></> }
        }
        Item::Post(p) => {
            html! { <><p class="text">{ &p.text }</p><p class="muted">{ &p.offered_by }</p></> }
        }
        Item::Template(x) => html! {
            <>
                <p class="text">{ &x.description }</p>
                <ol class="timeline">{ for x.steps.iter().map(|s| html! {
                    <li><strong>{ &s.title }</strong>{ format!(" · {}", allmende_core::lang::label(s.stage.as_str(), lang)) }
                        <ul class="plain">{ for s.tasks.iter().map(|task| html! { <li>{ format!("☐ {task}") }</li> }) }</ul>
                    </li>
                }) }</ol>
            </>
        },
        Item::Project(_) | Item::Profile(_) => html! {},
    };
    let mut comments: Vec<&Comment> = d
        .item
        .comments()
        .map(|c| c.values().collect())
        .unwrap_or_default();
    comments.sort_by_key(|c| (c.created_at, c.id.clone()));
    html! {
        <article>
            <button class="link" onclick={back}>{ "← " }{ t(lang, "back") }</button>
            <h1>{ &d.summary.title }</h1>
            <p class="card-meta">
                <span class="tag">{ crate::i18n::category(lang, &app.categories, &d.summary.category) }</span>
                <span class="status">{ label(&d.summary.status, lang) }</span>
                <span class="muted">{ format!("{} · {}", d.summary.author_name, millis_to_date(d.summary.created_at)) }</span>
            </p>
            { body }
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
            <section>
                <h2>{ t(lang, "comments") }</h2>
                <ul class="comments">{ for comments.iter().map(|c| {
                    let hidden = d.hidden_comments.contains(&c.id);
                    html! {
                        <li>
                            <strong>{ d.names.get(&c.author).cloned().unwrap_or_default() }</strong>
                            <span class="muted">{ format!(" · {}", millis_to_date(c.created_at)) }</span>
                            <p>{ if hidden { "…".to_string() } else { c.text.clone() } }</p>
                        </li>
                    }
                }) }</ul>
                <form class="stack" onsubmit={on_comment}>
                    <label>{ t(lang, "comment.placeholder") }<textarea ref={comment} rows="2" required=true /></label>
                    <button type="submit">{ t(lang, "comment.add") }</button>
                </form>
            </section>
        </article>
    }
}
