//! The typed documents of a community workspace.
//!
//! One Automerge document per community (settings, categories, the member roster with roles,
//! moderation decisions and the catalogue of all item documents), one per member profile, and
//! one per item: idea, project workspace, municipal request, organisation, volunteering
//! opportunity, event and post. ARCHITECTURE.md explains the partition.
//!
//! Collections inside a document are maps keyed by a short id, so concurrent additions on two
//! devices merge without loss. Every document starts with a [`Header`] carrying the schema
//! version; fields added later are declared with `#[autosurgeon(missing = "Default::default")]`
//! so older documents still hydrate.

mod common;
mod community;
mod event;
mod idea;
mod member;
mod opportunity;
mod organisation;
mod post;
mod profile;
mod project;
mod request;
mod template;

pub use common::{Comment, Header, Proof, Report};
pub use community::{
    Catalog, Community, CommunityDoc, CommunityKind, ItemRef, Moderation, Settings,
};
pub use event::{Event, Registration};
pub use idea::{Idea, IdeaStatus};
pub use member::{Member, MemberHistory, Role};
pub use opportunity::{Opportunity, Signup, Term};
pub use organisation::{OrgProject, Organisation};
pub use post::{Post, PostKind};
pub use profile::{ContactVisibility, Profile};
pub use project::{
    Milestone, Need, NeedKind, Origin, Project, Stage, Step, Task, TeamMember, TeamRole, Visibility,
};
pub use request::{Request, RequestStatus, StatusChange};
pub use template::{Template, TemplateMilestone, TemplateStep};

use crate::error::DomainError;

/// The schema version this build writes. See ARCHITECTURE.md, "Migrations".
pub const SCHEMA_VERSION: u64 = 1;

string_enum! {
    /// What a document holds.
    pub enum DocKind {
        Community => "community",
        Profile => "profile",
        Idea => "idea",
        Project => "project",
        Request => "request",
        Organisation => "organisation",
        Opportunity => "opportunity",
        Event => "event",
        Post => "post",
        Template => "template",
    }
}

/// Refuses documents written by a newer schema than this build understands.
///
/// # Errors
/// [`DomainError::UnsupportedSchema`].
pub fn check_schema(found: u64) -> Result<(), DomainError> {
    if found > SCHEMA_VERSION {
        return Err(DomainError::UnsupportedSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}
