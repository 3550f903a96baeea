//! An idea document: a citizen's proposal with its supporters and comments.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Comment, Header, Proof, Report};
use crate::time::Millis;

string_enum! {
    /// Where an idea stands.
    pub enum IdeaStatus {
        New => "new",
        Discussed => "discussed",
        TeamForming => "team_forming",
        BecameProject => "became_project",
        Archived => "archived",
    }
}

/// An idea.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Idea {
    pub header: Header,
    pub title: String,
    pub text: String,
    pub category: String,
    pub author: String,
    pub status: IdeaStatus,
    /// Member id -> when they supported it: one support per member by construction.
    pub supporters: BTreeMap<String, Millis>,
    /// Member id -> the signature of the device they supported it with: a support counts
    /// only with one (see [`crate::governance::content`]).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub support_proofs: BTreeMap<String, Proof>,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    /// The project started from this idea, or empty.
    pub project: String,
    pub updated_at: Millis,
}
