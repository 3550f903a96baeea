//! One component per file.

pub mod app;
pub mod calendar;
pub mod communities;
pub mod dashboard;
pub mod directory;
pub mod home;
pub mod idea_detail;
pub mod ideas;
pub mod inbox;
pub mod item_card;
pub mod list_screen;
pub mod load;
pub mod members;
pub mod moderation;
pub mod month;
pub mod news;
pub mod notifications;
pub mod oversight;
pub mod profile;
pub mod project_detail;
pub mod projects;
pub mod sync_badge;
pub mod sync_page;
pub mod townhall;
pub mod volunteer;
