//! A project workspace: team, stage, steps and tasks, shared notes, milestones and needs.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};

use super::{Comment, Header, Report};
use crate::time::Millis;

string_enum! {
    /// The coached process a project goes through.
    pub enum Stage {
        IdeaWorkshop => "idea_workshop",
        Concept => "concept",
        Planning => "planning",
        Implementation => "implementation",
        Done => "done",
        Paused => "paused",
    }
}

impl Stage {
    /// Running projects are all but done ones (paused projects still count as running).
    #[must_use]
    pub fn is_running(self) -> bool {
        self != Stage::Done
    }
}

string_enum! {
    /// Who can read a project workspace.
    pub enum Visibility {
        Public => "public",
        Team => "team",
    }
}

string_enum! {
    /// A role in a project team.
    pub enum TeamRole {
        Lead => "lead",
        Member => "member",
    }
}

string_enum! {
    /// What a project needs.
    pub enum NeedKind {
        Volunteers => "volunteers",
        Money => "money",
        Municipal => "municipal",
        Material => "material",
    }
}

/// A project workspace.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Project {
    pub header: Header,
    pub title: String,
    pub summary: String,
    pub category: String,
    /// The idea it was started from, or empty.
    pub from_idea: String,
    pub stage: Stage,
    pub visibility: Visibility,
    pub team: BTreeMap<String, TeamMember>,
    pub steps: BTreeMap<String, Step>,
    pub tasks: BTreeMap<String, Task>,
    /// Shared notes as Automerge text: concurrent edits merge character by character.
    #[serde(with = "text_as_string")]
    pub notes: Text,
    pub milestones: BTreeMap<String, Milestone>,
    pub needs: BTreeMap<String, Need>,
    /// A percentage set by the team; `None` means "computed from the tasks".
    pub progress: Option<u64>,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    pub updated_at: Millis,
    /// For a showcase: the project it was published from (a class's project in its town, a
    /// village's project at a project fair). Showcases are read-only copies.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub origin: Option<Origin>,
}

/// Where a showcase comes from.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Origin {
    pub community: String,
    pub community_name: String,
    pub project: String,
    /// When it was last published.
    pub published_at: Millis,
}

impl Project {
    /// The progress shown to people: the team's figure, or the share of tasks done.
    #[must_use]
    pub fn effective_progress(&self) -> u64 {
        if let Some(p) = self.progress {
            return p.min(100);
        }
        let total = self.tasks.len() as u64;
        if total == 0 {
            return if self.stage == Stage::Done { 100 } else { 0 };
        }
        let done = self.tasks.values().filter(|t| t.done).count() as u64;
        done * 100 / total
    }

    /// Whether `member` is on the team.
    #[must_use]
    pub fn is_team_member(&self, member: &str) -> bool {
        self.team.contains_key(member)
    }

    /// Whether `member` leads the team.
    #[must_use]
    pub fn is_lead(&self, member: &str) -> bool {
        self.team
            .get(member)
            .is_some_and(|t| t.role == TeamRole::Lead)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct TeamMember {
    pub role: TeamRole,
    pub joined_at: Millis,
    /// Who added this member, with the signing device and its signature: a team-only
    /// project's team is protected (see [`crate::governance`]).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub by: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}

/// A project step (for example a step of the village project workshop).
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// Sort position; gaps allowed so steps can be inserted between others.
    pub position: i64,
    pub done: bool,
    /// The stage this step belongs to (steps from a template), or empty.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub stage: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    /// The step it belongs to, or empty.
    pub step: String,
    /// Member id, or empty.
    pub assignee: String,
    /// `YYYY-MM-DD`, or empty.
    pub due: String,
    pub done: bool,
    pub created_at: Millis,
    /// 0 while open.
    pub done_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`, or empty.
    pub due: String,
    pub reached: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Need {
    pub id: String,
    pub kind: NeedKind,
    pub description: String,
    pub met: bool,
}

mod text_as_string {
    use autosurgeon::Text;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(text: &Text, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        Ok(Text::with_value(String::deserialize(d)?))
    }
}
