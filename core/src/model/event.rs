//! An event in the community calendar, with registrations.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Comment, Header, Report};
use crate::time::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Event {
    pub header: Header,
    pub title: String,
    pub description: String,
    /// RFC 3339 with the organiser's UTC offset, e.g. `2026-12-03T18:00:00+01:00`.
    pub start: String,
    pub end: String,
    /// IANA zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub place: String,
    pub online_link: String,
    pub category: String,
    /// Who organises it, in words (an organisation's or a person's name).
    pub organiser: String,
    /// 0 means no limit.
    pub capacity: u64,
    pub cancelled: bool,
    pub registrations: BTreeMap<String, Registration>,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Registration {
    pub member: String,
    pub at: Millis,
    /// The device that wrote it and its signature (see [`crate::governance::content`]).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}
