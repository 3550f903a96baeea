//! Queries and the views they return: one call gives a screen what it needs.
//!
//! Shared by every front door: the CLI prints them, the HTTP API sends them as JSON, the Yew
//! interface deserialises them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::category::CategoryDef;
use crate::model::{DocKind, Request, Settings};
use crate::time::{date_start_millis, days_between, parse_date, Millis, DAY_MS};

/// Filters for item lists. Every field is optional; unset means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListFilter {
    pub community: Option<String>,
    pub kind: Option<DocKind>,
    pub category: Option<String>,
    pub status: Option<String>,
    /// Projects: running or finished; opportunities: open; organisations: with running projects.
    pub running: Option<bool>,
    /// `YYYY-MM-DD`: items whose date range (events, opportunities, promised dates) or, without
    /// one, creation date falls on or after this day.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// Only items about this parent (requests of an idea, projects from an idea).
    pub parent: Option<String>,
    /// Only items with content reports (the moderators' queue).
    #[serde(default)]
    pub reported: Option<bool>,
    /// Requests: only those of this town-hall department.
    #[serde(default)]
    pub department: Option<String>,
    /// Requests: only those waiting past their promised date (`true`).
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Projects: only showcases published from elsewhere (`true`, the project fair), or
    /// only the community's own (`false`).
    #[serde(default)]
    pub showcase: Option<bool>,
    /// Full-text filter.
    pub text: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// Every read a front door can make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Query {
    Communities,
    Overview {
        community: String,
    },
    List(ListFilter),
    Show {
        id: String,
    },
    /// Who changed an item when, and fields two people changed apart.
    History {
        id: String,
    },
    Search {
        community: Option<String>,
        text: String,
        limit: Option<u32>,
    },
    Members {
        community: String,
    },
    /// A member's device keys (hex), from the signed roster.
    Devices {
        community: String,
        member: String,
    },
    /// Invites not used yet, with until when they hold (admins).
    Invites {
        community: String,
    },
    /// Changes that were not accepted (see [`crate::governance`]).
    Flags {
        community: String,
    },
    /// The moderators' audit log.
    ModerationLog {
        community: String,
    },
    /// Town-hall figures per department.
    TownHall {
        community: String,
    },
    /// Members and items over time.
    Dashboard {
        community: String,
    },
    /// The weekly digest, rendered (`md` or `html`).
    Digest {
        community: String,
        #[serde(default)]
        days: Option<u32>,
        #[serde(default)]
        format: Option<String>,
    },
    /// Answers on requests I wrote or follow.
    Notifications {
        community: String,
    },
}

/// An invite not used yet: the person it registered and until when it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenInvite {
    pub member: String,
    pub display_name: String,
    pub role: String,
    /// The latest of its keys' ends of validity.
    pub until: Millis,
    pub expired: bool,
}

/// One change of an item, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: Millis,
    /// The member whose device wrote the change ("" when the device is on nobody's roster,
    /// or wrote under an actor id that names no key, as a restored device does).
    pub member: String,
    pub name: String,
    /// What was done (the kind of change, such as `edit_idea`, or "" when not said).
    pub what: String,
    /// The item's fields the change touched.
    pub fields: Vec<String>,
}

/// One of the values a field holds after two people changed it apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictValue {
    pub value: String,
    pub member: String,
    pub name: String,
    /// Whether this is the value shown (Automerge's pick, the same on every device).
    pub shown: bool,
}

/// A text field two people changed apart: every value it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    pub values: Vec<ConflictValue>,
}

/// An item's history: every change, oldest first, and the fields in conflict now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub entries: Vec<HistoryEntry>,
    pub conflicts: Vec<Conflict>,
}

/// A town-hall answer on a request the member wrote or follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub at: Millis,
    pub request: String,
    pub title: String,
    pub status: String,
    pub message: String,
    /// The answering person's display name.
    pub by: String,
    pub promised_by: String,
}

/// A community in the switcher and at the top of every screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunitySummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub members: u64,
    /// The local device's member id and role in this community.
    pub me: Option<String>,
    pub my_role: Option<String>,
    /// Item counts by kind.
    pub counts: BTreeMap<String, u64>,
}

/// The home screen of a community.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub community: CommunitySummary,
    pub categories: Vec<CategoryDef>,
    pub settings: Settings,
    pub latest: Vec<ItemSummary>,
    pub upcoming_events: Vec<ItemSummary>,
    pub overdue_requests: Vec<ItemSummary>,
    pub my_open_tasks: Vec<TaskSummary>,
}

/// One row of any list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub id: String,
    pub community: String,
    pub kind: DocKind,
    pub title: String,
    pub excerpt: String,
    pub category: String,
    pub categories: Vec<String>,
    pub status: String,
    pub author: String,
    pub author_name: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub start_at: Option<Millis>,
    pub end_at: Option<Millis>,
    pub running: Option<bool>,
    pub team_only: bool,
    pub parent: String,
    pub supporters: u64,
    pub comments: u64,
    pub reports: u64,
    pub progress: Option<u64>,
    pub hidden: bool,
    /// A new member's post waiting for a moderator's approval.
    #[serde(default)]
    pub held: bool,
    pub extra: serde_json::Value,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListPage {
    pub items: Vec<ItemSummary>,
    pub total: u64,
}

/// Everything the detail screen of one item shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub summary: ItemSummary,
    /// The full typed document.
    pub item: crate::apply::Item,
    /// Display names of every member the item mentions.
    pub names: BTreeMap<String, String>,
    /// Municipal requests about this idea or project.
    pub requests: Vec<ItemSummary>,
    /// Comment ids hidden by moderation.
    pub hidden_comments: Vec<String>,
    /// For requests past their promised date: days waited since.
    pub waiting_days: Option<i64>,
}

/// An open task assigned to someone, for "what needs me".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub project: String,
    pub project_title: String,
    pub task: String,
    pub title: String,
    pub due: String,
}

/// A member as the member list shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub id: String,
    pub display_name: String,
    pub role: String,
    pub profile: String,
    pub interests: Vec<String>,
    pub organisation: String,
}

/// What a command returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The id created or acted on.
    pub id: String,
    /// The community the command touched.
    pub community: String,
}

/// Days a request has waited since its promised answer date passed without an answer, or
/// `None` when it is not overdue.
#[must_use]
pub fn waiting_days(request: &Request, now: Millis) -> Option<i64> {
    let status = request.status();
    if status.is_closed() || !status.awaits_town_hall() {
        return None;
    }
    let promised = parse_date(request.promised_by()).ok()?;
    let deadline = date_start_millis(promised) + DAY_MS;
    if now < deadline {
        return None;
    }
    Some(days_between(deadline, now).max(0) + 1)
}
