//! A directory entry: an organisation or actor active for the climate, with its projects.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Comment, Header, Report};
use crate::time::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Organisation {
    pub header: Header,
    pub name: String,
    pub description: String,
    /// Category keys.
    pub categories: Vec<String>,
    pub contact: String,
    pub website: String,
    pub projects: BTreeMap<String, OrgProject>,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    pub updated_at: Millis,
}

/// A project an organisation runs or ran, optionally linked to a project workspace.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct OrgProject {
    pub id: String,
    pub title: String,
    pub running: bool,
    /// A project document of the community, or empty.
    pub project: String,
}
