//! # allmende-core: the pure domain of Allmende
//!
//! Allmende keeps a community's whole workspace (ideas, projects, the town-hall path, the
//! directory, volunteering, events, posts) as Automerge documents on every device. This crate
//! holds everything about that workspace that does not need IO:
//!
//! - [`model`]: the typed documents (via `autosurgeon`), one Rust type per document kind,
//!   each carrying a [`model::Header`] with the schema version.
//! - [`command`]: every change a person can make, as data ([`Command`]).
//! - [`apply`]: pure functions that validate a command against the current typed state and
//!   the acting member's role, and mutate the typed state. Time and fresh ids come in through
//!   [`apply::Ctx`]; nothing here reads a clock, a random source, a disk or a socket.
//! - [`index`]: the projection of documents into flat rows for lists, filters and search,
//!   including the German-aware search folding ([`fold`]).
//! - [`query`]: the request and view types every front door (CLI, HTTP, Tauri) shares.
//! - [`export`]: iCalendar and Markdown renderings.
//! - [`demo`]: the German demo community as a script of commands.
//!
//! The runtime (`allmende-service`) loads documents, hydrates them into these types, calls
//! [`apply`], reconciles the result back into the Automerge document and persists it.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

#[macro_use]
mod string_enum;

pub mod access;
pub mod apply;
pub mod bundle;
pub mod category;
pub mod command;
pub mod demo;
pub mod error;
pub mod export;
pub mod export_json;
pub mod faults;
pub mod figures;
pub mod fold;
pub mod governance;
pub mod ids;
pub mod index;
pub mod invite;
pub mod lang;
pub mod limits;
pub mod model;
pub mod permission;
pub mod query;
pub mod requests;
pub mod templates;
pub mod ticket;
pub mod time;
pub mod wire;

pub use command::Command;
pub use error::{ApiError, DomainError};
pub use ids::{DocId, IdSource};
pub use lang::Lang;
