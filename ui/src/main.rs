//! Allmende's interface: a Yew app that runs in the Tauri window and in any browser.
//!
//! Everything it shows comes from the one service API: through Tauri's IPC in the desktop
//! app, or over HTTP from `allmende serve` in a browser ([`api`]). UI state lives in a
//! reducer ([`state`]); one component per file under [`components`]; texts in German and
//! English ([`i18n`]).

mod api;
mod components;
mod hash;
mod i18n;
mod i18n_actions;
mod i18n_dates;
mod i18n_history;
mod scan;
mod state;

fn main() {
    yew::Renderer::<components::app::App>::new().render();
}
