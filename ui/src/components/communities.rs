//! Communities on this device: switch between them, create a new one.

use allmende_core::model::CommunityKind;
use allmende_core::permission::{allows, Action as May};
use allmende_core::query::{CommunitySummary, Overview, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::load::{answer_view, run_here, status, use_app, use_me, use_query, Answer, Loaded};
use crate::i18n::t;
use crate::state::{Action, Route};

#[function_component(Communities)]
pub fn communities() -> Html {
    let app = use_app();
    let answer: Answer = use_state(|| None);
    let lang = app.lang;
    let loaded = use_query::<Vec<CommunitySummary>>(Some(Query::Communities));
    let (name, kind, admin) = (use_node_ref(), use_node_ref(), use_node_ref());
    let me = use_me();
    let admin_here = me
        .as_ref()
        .is_some_and(|(_, r)| allows(*r, May::ManageMembers))
        && app.guest == crate::state::Guest::Host;
    let switch = |id: String| {
        let app = app.clone();
        Callback::from(move |_| {
            let (app, id) = (app.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(o) = crate::api::query::<Overview>(
                    &Query::Overview {
                        community: id.clone(),
                    },
                    app.lang.as_str(),
                )
                .await
                {
                    app.dispatch(Action::SetCommunity(id, o.categories, o.community.name));
                    app.dispatch(Action::Go(Route::Home));
                }
            });
        })
    };
    let create = {
        let answer = answer.clone();
        let (app, name, kind, admin) = (app.clone(), name.clone(), kind.clone(), admin.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let kind = kind
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse().ok())
                .unwrap_or(CommunityKind::Village);
            let cmd = Command::CreateCommunity {
                name: value(&name),
                kind,
                description: String::new(),
                admin_name: value(&admin),
            };
            let a = app.clone();
            run_here(&app, cmd, &answer, move |id| {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(o) = crate::api::query::<Overview>(
                        &Query::Overview {
                            community: id.clone(),
                        },
                        a.lang.as_str(),
                    )
                    .await
                    {
                        a.dispatch(Action::SetCommunity(id, o.categories, o.community.name));
                        a.dispatch(Action::Go(Route::Home));
                    }
                });
            });
        })
    };
    html! {
        <>
            <h1>{ t(lang, "nav.communities") }</h1>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(list)) => html! {
                        <ul class="cards">{ for list.iter().map(|c| {
                            let current = app.community.as_deref() == Some(c.id.as_str());
                            html! {
                                <li class="card">
                                    <span class="card-title">{ &c.name }</span>
                                    <p class="muted">{ format!("{} · {}", allmende_core::lang::label(&c.kind, lang), crate::i18n::count(lang, c.members, "members")) }</p>
                                    if current {
                                        <p class="status">{ t(lang, "community.current") }</p>
                                    } else {
                                        <button onclick={switch(c.id.clone())}>{ t(lang, "community.switch") }</button>
                                    }
                                </li>
                            }
                        }) }</ul>
                    },
                    _ => html! {},
                }
            }
            <super::join_invite::JoinInvite />
            if let Some(c) = app.community.clone() {
                <super::class_code::ClassCode community={c} />
            }
            if admin_here {
                <super::community_settings::CommunitySettings community={app.community.clone().unwrap_or_default()} />
            }
            if admin_here {
                <super::invites::Invites community={app.community.clone().unwrap_or_default()} />
            }
            <section class="panel">
                <h2>{ t(lang, "community.new") }</h2>
                <form class="stack" onsubmit={create}>
                    <label>{ t(lang, "community.name") }<input ref={name} name="community-name" required=true /></label>
                    <label>{ t(lang, "community.kind") }
                        <select ref={kind} name="community-kind">
                            { for CommunityKind::ALL.iter().map(|k| html! { <option value={k.as_str()}>{ allmende_core::lang::label(k.as_str(), lang) }</option> }) }
                        </select>
                    </label>
                    <label>{ t(lang, "community.your_name") }<input ref={admin} name="admin-name" required=true /></label>
                    <button type="submit" class="primary">{ t(lang, "community.create") }</button>
                    { answer_view(&answer) }
                </form>
            </section>
        </>
    }
}
