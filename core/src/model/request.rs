//! A request for municipal support, with the dated history of every status change.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Comment, DocKind, Header, Report};
use crate::time::Millis;

string_enum! {
    /// Where a request stands on the municipal path.
    pub enum RequestStatus {
        Submitted => "submitted",
        Received => "received",
        InReview => "in_review",
        NeedsInformation => "needs_information",
        Approved => "approved",
        Declined => "declined",
        InImplementation => "in_implementation",
        Done => "done",
    }
}

impl RequestStatus {
    /// Whether the town hall still owes an answer.
    #[must_use]
    pub fn awaits_town_hall(self) -> bool {
        matches!(self, Self::Submitted | Self::Received | Self::InReview)
    }

    /// Whether the path has ended.
    #[must_use]
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Declined | Self::Done)
    }
}

/// A request for municipal support on an idea or project.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Request {
    pub header: Header,
    /// The idea or project document this request is about.
    pub target: String,
    pub target_kind: DocKind,
    pub title: String,
    pub text: String,
    pub author: String,
    pub department: String,
    /// Every status change, keyed by short id. The current state is the latest entry.
    pub history: BTreeMap<String, StatusChange>,
    /// Members who get notified of changes.
    pub followers: BTreeMap<String, Millis>,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    pub updated_at: Millis,
}

/// One dated status change.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct StatusChange {
    pub id: String,
    pub at: Millis,
    pub by: String,
    pub status: RequestStatus,
    pub message: String,
    /// Required when declined.
    pub reason: String,
    /// The responsible contact at the town hall from now on (empty: unchanged).
    pub contact: String,
    /// The next promised answer date `YYYY-MM-DD` (empty: unchanged).
    pub promised_by: String,
    /// The signing device (hex) and its signature: see [`crate::governance`].
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}

impl Request {
    /// The history oldest first (ties broken by id, so every peer orders alike).
    #[must_use]
    pub fn timeline(&self) -> Vec<&StatusChange> {
        let mut entries: Vec<&StatusChange> = self.history.values().collect();
        entries.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        entries
    }

    /// The current status: the latest history entry.
    #[must_use]
    pub fn status(&self) -> RequestStatus {
        self.timeline()
            .last()
            .map_or(RequestStatus::Submitted, |c| c.status)
    }

    /// The responsible contact: the latest one named.
    #[must_use]
    pub fn contact(&self) -> &str {
        self.timeline()
            .iter()
            .rev()
            .find(|c| !c.contact.is_empty())
            .map_or("", |c| c.contact.as_str())
    }

    /// The promised answer date: the latest one given.
    #[must_use]
    pub fn promised_by(&self) -> &str {
        self.timeline()
            .iter()
            .rev()
            .find(|c| !c.promised_by.is_empty())
            .map_or("", |c| c.promised_by.as_str())
    }

    /// When the town hall first answered (the first entry by someone other than the author).
    #[must_use]
    pub fn first_answer_at(&self) -> Option<Millis> {
        self.timeline()
            .iter()
            .find(|c| c.status != RequestStatus::Submitted)
            .map(|c| c.at)
    }
}
