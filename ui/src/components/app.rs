//! The frame: header with community, sync state and language; navigation; the current screen.

use allmende_core::query::{Overview, Query};
use allmende_core::Lang;
use yew::prelude::*;

use super::load::Ctx;
use super::sync_badge::SyncBadge;
use crate::i18n::t;
use crate::state::{Action, AppState, Guest, Route};

#[function_component(App)]
pub fn app() -> Html {
    let app = use_reducer(AppState::default);
    {
        // Find the current community, its categories, and listen for changes.
        let app = app.clone();
        use_effect_with((), move |()| {
            let lang = app.lang;
            let a = app.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let session = match crate::api::session(lang.as_str()).await {
                    Ok(s) => s,
                    Err(e) if e.code == "join_first" => {
                        crate::api::forget_guest();
                        a.dispatch(Action::SetGuest(Guest::MustJoin));
                        return;
                    }
                    Err(e) if e.code == "guest_removed" => {
                        // A removed device's session is over: join again, told why.
                        crate::api::forget_guest();
                        a.dispatch(Action::SetGuest(Guest::Removed));
                        return;
                    }
                    Err(_) => return,
                };
                if session["guest"].as_bool() == Some(true) {
                    a.dispatch(Action::SetGuest(Guest::Joined));
                }
                // The address names a community and screen (a reload, a shared link): open
                // those when this device has that community.
                let (wanted, route) = crate::hash::from_hash(
                    &web_sys::window()
                        .and_then(|w| w.location().hash().ok())
                        .unwrap_or_default(),
                );
                let held = |c: &str| {
                    session["communities"]
                        .as_array()
                        .is_some_and(|all| all.iter().any(|x| x["id"] == c))
                };
                let current = session["current_community"].as_str().map(str::to_string);
                let Some(id) = wanted.filter(|c| held(c)).or(current) else {
                    // A new device: create a community or join one with an invite.
                    a.dispatch(Action::Go(Route::Communities));
                    return;
                };
                if let Some(route) = route {
                    a.dispatch(Action::Go(route));
                }
                if let Ok(o) = crate::api::query::<Overview>(
                    &Query::Overview {
                        community: id.clone(),
                    },
                    lang.as_str(),
                )
                .await
                {
                    a.dispatch(Action::SetCommunity(id, o.categories, o.community.name));
                }
            });
            let a = app.clone();
            crate::api::listen_changes(Callback::from(move |()| a.dispatch(Action::Changed)));
            // Back and forward in the browser move through the screens.
            let a = app.clone();
            let on_hash = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                let hash = web_sys::window()
                    .and_then(|w| w.location().hash().ok())
                    .unwrap_or_default();
                if let (_, Some(route)) = crate::hash::from_hash(&hash) {
                    a.dispatch(Action::Address(route));
                }
            });
            if let Some(w) = web_sys::window() {
                use wasm_bindgen::JsCast;
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    on_hash.as_ref().unchecked_ref(),
                );
            }
            on_hash.forget();
            || ()
        });
    }
    {
        let lang = app.lang;
        use_effect_with(lang, move |lang| {
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                if let Some(root) = doc.document_element() {
                    let _ = root.set_attribute("lang", lang.as_str());
                }
            }
            || ()
        });
    }
    {
        // The address follows the screen and the community.
        let key = (app.community.clone(), app.route.clone());
        use_effect_with(key, move |(community, route)| {
            if community.is_some()
                || matches!(route, Route::Communities | Route::Sync | Route::About)
            {
                if let Some(w) = web_sys::window() {
                    let _ = w
                        .location()
                        .set_hash(&crate::hash::to_hash(community.as_deref(), route));
                }
            }
            || ()
        });
    }
    let lang = app.lang;
    let more_open = use_state(|| false);
    let switch = {
        let app = app.clone();
        Callback::from(move |_| {
            app.dispatch(Action::SetLang(if app.lang == Lang::De {
                Lang::En
            } else {
                Lang::De
            }))
        })
    };
    // On a phone, four destinations and "Mehr"; the rest opens below it (on a wide screen
    // everything is shown, see style.css).
    let in_more = !matches!(
        app.route,
        Route::Home
            | Route::Ideas
            | Route::Idea(_)
            | Route::Projects
            | Route::Project(_)
            | Route::Volunteer
    );
    let toggle_more = {
        let more_open = more_open.clone();
        Callback::from(move |_| more_open.set(!*more_open))
    };
    // The skip link moves focus into the screen (the hash is the app's address).
    let skip = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        if let Some(main) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
        {
            use wasm_bindgen::JsCast;
            if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
                let _ = main.focus();
            }
        }
    });
    let nav = |route: Route, key: &'static str| {
        let current = std::mem::discriminant(&app.route) == std::mem::discriminant(&route);
        let go = {
            let app = app.clone();
            let route = route.clone();
            let more_open = more_open.clone();
            Callback::from(move |_| {
                more_open.set(false);
                app.dispatch(Action::Go(route.clone()));
            })
        };
        html! {
            <li><button class={classes!("nav", current.then_some("active"))} onclick={go}
                aria-current={if current { "page" } else { "false" }}>{ t(lang, key) }</button></li>
        }
    };
    if matches!(app.guest, Guest::MustJoin | Guest::Removed) {
        return html! {
            <ContextProvider<Ctx> context={app.clone()}>
                <header class="top">
                    <span class="brand"><img src="icon.svg" alt="" width="28" height="28" />{ t(lang, "app") }</span>
                    <button class="lang" onclick={switch} aria-label={t(lang, "lang.switch.label")}>{ t(lang, "lang.switch") }</button>
                </header>
                <main id="main"><super::join::Join /></main>
            </ContextProvider<Ctx>>
        };
    }
    let screen = match (&app.community, &app.route) {
        (_, Route::Communities) => html! { <super::communities::Communities /> },
        (_, Route::Sync) => html! { <super::sync_page::SyncPage /> },
        (_, Route::About) => html! { <super::about::About /> },
        (None, _) => html! { <p class="muted">{ t(lang, "loading") }</p> },
        (Some(c), Route::Profile) => html! { <super::profile::Profile community={c.clone()} /> },
        (Some(c), Route::Moderation) => {
            html! { <super::moderation::Moderation community={c.clone()} /> }
        }
        (Some(c), Route::Members) => html! { <super::members::Members community={c.clone()} /> },
        (Some(c), Route::Home) => html! { <super::home::Home community={c.clone()} /> },
        (Some(c), Route::Ideas) => html! { <super::ideas::Ideas community={c.clone()} /> },
        (Some(_), Route::Idea(id)) => html! { <super::idea_detail::IdeaDetail id={id.clone()} /> },
        (Some(c), Route::Projects) => html! { <super::projects::Projects community={c.clone()} /> },
        (Some(_), Route::Project(id)) => {
            html! { <super::project_detail::ProjectDetail id={id.clone()} /> }
        }
        (Some(c), Route::Directory) => {
            html! { <super::directory::Directory community={c.clone()} /> }
        }
        (Some(c), Route::Volunteer) => {
            html! { <super::volunteer::Volunteer community={c.clone()} /> }
        }
        (Some(c), Route::Calendar) => html! { <super::calendar::Calendar community={c.clone()} /> },
        (Some(c), Route::News) => html! { <super::news::News community={c.clone()} /> },
        (Some(c), Route::TownHall) => html! { <super::inbox::Inbox community={c.clone()} /> },
        (Some(c), Route::Dashboard) => {
            html! { <super::dashboard::Dashboard community={c.clone()} /> }
        }
        (Some(_), Route::Item(id)) => html! { <super::idea_detail::IdeaDetail id={id.clone()} /> },
    };
    let notice = app.notice.clone().map(|(ok, text)| {
        html! { <p class={if ok { "notice ok" } else { "notice error" }} role={if ok { "status" } else { "alert" }}>{ text }</p> }
    });
    html! {
        <ContextProvider<Ctx> context={app.clone()}>
            <a class="skip" href="#main" onclick={skip}>{ t(lang, "nav.skip") }</a>
            <header class="top">
                <span class="brand"><img src="icon.svg" alt="" width="28" height="28" />{ t(lang, "app") }
                    if !app.community_name.is_empty() {
                        <span class="current-community"><span class="visually-hidden">{ t(lang, "header.community") }{ ": " }</span>{ app.community_name.clone() }</span>
                    }
                </span>
                <SyncBadge />
                <button class="lang" onclick={switch} aria-label={t(lang, "lang.switch.label")}>{ t(lang, "lang.switch") }</button>
            </header>
            <nav aria-label={t(lang, "nav.label")}>
                <ul class="navlist primary">
                    { nav(Route::Home, "nav.home") }
                    { nav(Route::Ideas, "nav.ideas") }
                    { nav(Route::Projects, "nav.projects") }
                    { nav(Route::Volunteer, "nav.volunteer") }
                    <li class="more-toggle"><button class={classes!("nav", (in_more && !*more_open).then_some("active"))}
                        aria-expanded={if *more_open { "true" } else { "false" }} aria-controls="nav-more"
                        onclick={toggle_more}>{ t(lang, if *more_open { "nav.less" } else { "nav.more" }) }</button></li>
                </ul>
                <ul id="nav-more" class={classes!("navlist", "more", more_open.then_some("open"))}>
                    { nav(Route::Calendar, "nav.calendar") }
                    { nav(Route::Directory, "nav.directory") }
                    { nav(Route::News, "nav.news") }
                    { nav(Route::TownHall, "nav.townhall") }
                    { nav(Route::Members, "nav.members") }
                    { nav(Route::Moderation, "nav.moderation") }
                    { nav(Route::Dashboard, "nav.dashboard") }
                    { nav(Route::Profile, "nav.profile") }
                    { nav(Route::Communities, "nav.communities") }
                    { nav(Route::Sync, "nav.sync") }
                    { nav(Route::About, "nav.about") }
                </ul>
            </nav>
            <main id="main" tabindex="-1">
                { for notice }
                { screen }
            </main>
        </ContextProvider<Ctx>>
    }
}
