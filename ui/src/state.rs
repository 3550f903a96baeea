//! The interface's state as a reducer: which screen, which community, which language, and a
//! tick that makes every open screen reload when documents change.

use std::rc::Rc;

use allmende_core::category::CategoryDef;
use allmende_core::Lang;
use yew::Reducible;

/// The screens.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Home,
    Ideas,
    Idea(String),
    Projects,
    Project(String),
    Directory,
    Volunteer,
    Calendar,
    News,
    TownHall,
    Members,
    Moderation,
    Dashboard,
    Profile,
    Sync,
    Communities,
    Item(String),
    /// "Über Allmende": what it is in plain language, the version, accessibility.
    About,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub lang: Lang,
    pub route: Route,
    pub community: Option<String>,
    /// The open community's name, for the header.
    pub community_name: String,
    pub categories: Vec<CategoryDef>,
    /// Bumped when documents change (live updates, own commands).
    pub tick: u64,
    /// A short message after a command ("Gespeichert" or an error).
    pub notice: Option<(bool, String)>,
    /// A guest of `allmende serve` (a pupil's browser), or a browser that must join first.
    pub guest: Guest,
}

/// Whether this browser acts as the host's member, a guest, or must join with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Guest {
    #[default]
    Host,
    Joined,
    MustJoin,
    /// The host removed this browser's device: it must join again, and is told why.
    Removed,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            lang: Lang::De,
            route: Route::Home,
            community: None,
            community_name: String::new(),
            categories: Vec::new(),
            tick: 0,
            notice: None,
            guest: Guest::Host,
        }
    }
}

pub enum Action {
    Go(Route),
    /// The address changed (browser back and forward): go there unless already there.
    Address(Route),
    SetLang(Lang),
    /// The community's id, categories and name.
    SetCommunity(String, Vec<CategoryDef>, String),
    Changed,
    Notice(bool, String),
    SetGuest(Guest),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Go(route) => {
                next.route = route;
                next.notice = None;
            }
            Action::Address(route) => {
                if next.route != route {
                    next.route = route;
                    next.notice = None;
                }
            }
            Action::SetLang(lang) => next.lang = lang,
            Action::SetCommunity(id, categories, name) => {
                next.community = Some(id);
                next.categories = categories;
                next.community_name = name;
            }
            Action::Changed => next.tick += 1,
            Action::Notice(ok, text) => next.notice = Some((ok, text)),
            Action::SetGuest(g) => next.guest = g,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_clears_notices_and_changes_tick() {
        let s = Rc::new(AppState::default());
        let s = s.reduce(Action::Notice(true, "ok".into()));
        assert!(s.notice.is_some());
        let s = s.reduce(Action::Go(Route::Ideas));
        assert_eq!(s.route, Route::Ideas);
        assert!(s.notice.is_none());
        let s = s.reduce(Action::Changed);
        assert_eq!(s.tick, 1);
    }
}
