//! A volunteering opportunity, short-term or long-term, with sign-ups.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Comment, Header, Report};
use crate::time::Millis;

string_enum! {
    /// Short-term (a one-off action) or long-term (a regular commitment).
    pub enum Term {
        Short => "short",
        Long => "long",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Opportunity {
    pub header: Header,
    pub title: String,
    pub description: String,
    pub term: Term,
    /// In plain words, e.g. "Samstag, 3 Stunden" or "2 Stunden pro Woche".
    pub commitment: String,
    pub category: String,
    pub contact: String,
    /// The organisation offering it (directory id), or empty.
    pub organisation: String,
    /// For short-term ones: the date `YYYY-MM-DD`, or empty.
    pub date: String,
    pub open: bool,
    pub signups: BTreeMap<String, Signup>,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Signup {
    pub member: String,
    pub at: Millis,
    pub note: String,
    /// The device that wrote it and its signature (see [`crate::governance::content`]).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}
