//! Loading data for a screen: re-runs the query when the language, the community or the
//! change tick moves, and runs commands with a notice afterwards.

use allmende_core::model::Role;
use allmende_core::permission::{allows, Action as May};
use allmende_core::query::{CommunitySummary, Query};
use allmende_core::{ApiError, Command};
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

use crate::state::{Action, AppState};

pub type Ctx = UseReducerHandle<AppState>;

/// The shared app state.
#[hook]
pub fn use_app() -> Ctx {
    use_context::<Ctx>().expect("app context")
}

/// What a screen shows while and after loading.
#[derive(Clone, PartialEq)]
pub enum Loaded<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

/// Runs `query` and re-runs it when anything it depends on changes.
#[hook]
pub fn use_query<T: DeserializeOwned + Clone + PartialEq + 'static>(
    query: Option<Query>,
) -> Loaded<T> {
    let app = use_app();
    let state = use_state(|| Loaded::Loading);
    let key = (
        serde_json::to_string(&query).unwrap_or_default(),
        app.tick,
        app.lang,
    );
    {
        let state = state.clone();
        use_effect_with(key, move |(_, _, lang)| {
            // An answer that arrives after the query changed (a second filter clicked before
            // the first one's answer came) is dropped, or it would show the older filter's list.
            let stale = Rc::new(Cell::new(false));
            if let Some(q) = query {
                let lang = lang.as_str().to_string();
                let stale = stale.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = crate::api::query::<T>(&q, &lang).await;
                    if stale.get() {
                        return;
                    }
                    match answer {
                        Ok(v) => state.set(Loaded::Ready(v)),
                        Err(e) => state.set(Loaded::Failed(e)),
                    }
                });
            }
            move || stale.set(true)
        });
    }
    (*state).clone()
}

/// Runs a command; reports "saved" or the error, and makes screens reload. Calls `then` with
/// the new id on success.
pub fn run(app: &Ctx, cmd: Command, then: impl FnOnce(String) + 'static) {
    let a = app.clone();
    let lang = app.lang;
    run_then(app, cmd, move |result| match result {
        Ok(id) => {
            a.dispatch(Action::Notice(
                true,
                crate::i18n::t(lang, "saved").to_string(),
            ));
            then(id);
        }
        Err(e) => a.dispatch(Action::Notice(false, e.message)),
    });
}

/// A command's answer shown next to the form that sent it: (saved, text).
pub type Answer = UseStateHandle<Option<(bool, String)>>;

/// Runs a command from a form and shows "saved" or the refusal next to that form (in
/// `answer`, shown with [`answer_view`]), where the person is looking; calls `then` with
/// the new id on success.
pub fn run_here(app: &Ctx, cmd: Command, answer: &Answer, then: impl FnOnce(String) + 'static) {
    let saved = crate::i18n::t(app.lang, "saved").to_string();
    run_here_saying(app, cmd, answer, saved, then);
}

/// [`run_here`], saying `ok` on success instead of "saved".
pub fn run_here_saying(
    app: &Ctx,
    cmd: Command,
    answer: &Answer,
    ok: String,
    then: impl FnOnce(String) + 'static,
) {
    // The answer to an earlier submit must not stand for this one.
    answer.set(None);
    let answer = answer.clone();
    run_then(app, cmd, move |result| match result {
        Ok(id) => {
            answer.set(Some((true, ok)));
            then(id);
        }
        Err(e) => answer.set(Some((false, e.message))),
    });
}

/// The answer next to its form, read out by screen readers (`status`, or `alert` for a
/// refusal).
pub fn answer_view(answer: &Answer) -> Html {
    match &**answer {
        Some((ok, text)) => html! {
            <p class={if *ok { "notice ok" } else { "notice error" }} role={if *ok { "status" } else { "alert" }}>{ text }</p>
        },
        None => html! {},
    }
}

/// Runs a command and hands its answer to `done` (the id, or the refusal); makes screens
/// reload after success. For forms that answer next to themselves.
pub fn run_then(app: &Ctx, cmd: Command, done: impl FnOnce(Result<String, ApiError>) + 'static) {
    let app = app.clone();
    let lang = app.lang;
    wasm_bindgen_futures::spawn_local(async move {
        match crate::api::command(&cmd, lang.as_str()).await {
            Ok(outcome) => {
                app.dispatch(Action::Changed);
                done(Ok(outcome.id));
            }
            Err(e) => done(Err(e)),
        }
    });
}

/// Who this device is in the open community: its member id and role (none before joining).
#[hook]
pub fn use_me() -> Option<(String, Role)> {
    let app = use_app();
    let all = use_query::<Vec<CommunitySummary>>(Some(Query::Communities));
    let Loaded::Ready(all) = all else {
        return None;
    };
    let c = all
        .into_iter()
        .find(|c| Some(&c.id) == app.community.as_ref())?;
    let role = c.my_role.as_deref().and_then(|r| r.parse().ok())?;
    Some((c.me?, role))
}

/// Whether `me` may edit an item `author` wrote: its author, or a moderator.
pub fn may_edit(me: Option<&(String, Role)>, author: &str) -> bool {
    me.is_some_and(|(m, r)| m == author || allows(*r, May::EditAnyContent))
}

/// Loading and error states, the same everywhere.
pub fn status<T>(app: &Ctx, loaded: &Loaded<T>) -> Option<Html> {
    match loaded {
        Loaded::Loading => Some(
            html! { <p class="muted" aria-busy="true">{ crate::i18n::t(app.lang, "loading") }</p> },
        ),
        Loaded::Failed(e) => Some(html! { <p class="error" role="alert">{ &e.message }</p> }),
        Loaded::Ready(_) => None,
    }
}
