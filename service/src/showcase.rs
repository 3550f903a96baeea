//! Publishing a project as a read-only showcase into another community on this device: a
//! class's finished project into its town, a village's project to a project fair.

use allmende_core::apply::Item;
use allmende_core::command::Showcase;
use allmende_core::model::{DocKind, Origin};
use allmende_core::query::{ListFilter, Outcome};
use allmende_core::{Command, DomainError};

use super::Service;
use allmende_store::error::{PeerError, Result};

impl Service {
    /// Publishes (or updates) the showcase of `project` in community `to`. Only the
    /// project's leads may; the showcase carries its title, summary, stage, progress and
    /// milestones, never its team, notes, tasks or anyone's name.
    ///
    /// # Errors
    /// Not found, not a lead, not a member of the target community, or a refusal.
    pub fn publish_project(&mut self, project: &str, to: &str) -> Result<Outcome> {
        let project = self.resolve(project)?;
        let to = self.resolve(to)?;
        let detail = self.show(&project)?;
        let Item::Project(p) = &detail.item else {
            return Err(DomainError::NotFound {
                what: "project",
                id: project,
            }
            .into());
        };
        let from = p.header.community.clone();
        if from == to {
            return Err(PeerError::BadInput(
                "a project is published into another community".into(),
            ));
        }
        let me = self.me(&from)?.unwrap_or_default();
        if !p.is_lead(&me) {
            return Err(DomainError::Forbidden {
                action: "publish",
                needed: "team lead",
            }
            .into());
        }
        if self.me(&to)?.is_none() {
            return Err(DomainError::Forbidden {
                action: "publish",
                needed: "member of the other community",
            }
            .into());
        }
        let community_name = self
            .communities()?
            .into_iter()
            .find(|c| c.id == from)
            .map(|c| c.name)
            .unwrap_or_default();
        let existing = self
            .list(&ListFilter {
                community: Some(to.clone()),
                kind: Some(DocKind::Project),
                showcase: Some(true),
                limit: Some(1000),
                ..ListFilter::default()
            })?
            .items
            .into_iter()
            .find(|i| i.extra["origin"] == project.as_str())
            .map(|i| i.id);
        let showcase = Showcase {
            origin: Origin {
                community: from,
                community_name,
                project: project.clone(),
                published_at: self.now(),
            },
            title: p.title.clone(),
            summary: p.summary.clone(),
            category: p.category.clone(),
            stage: p.stage,
            progress: p.effective_progress(),
            milestones: p.milestones.values().cloned().collect(),
        };
        self.execute(Command::PublishProject {
            community: to,
            existing,
            showcase,
        })
    }
}
