//! A process template: the steps of each stage (with their tasks) and milestones, for
//! example the coached village process from the idea workshop to the project fair.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Header, Stage};
use crate::time::Millis;

/// A template document of a community.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Template {
    pub header: Header,
    pub name: String,
    pub description: String,
    /// In order. A template is written once and not edited, so lists are safe here.
    pub steps: Vec<TemplateStep>,
    pub milestones: Vec<TemplateMilestone>,
    pub updated_at: Millis,
}

/// One step of a stage, with the tasks it usually takes.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct TemplateStep {
    pub title: String,
    pub stage: Stage,
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// A milestone, due a number of days after the template is applied.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct TemplateMilestone {
    pub title: String,
    pub after_days: i64,
}
