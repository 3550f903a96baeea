//! Any item document, with the parts all of them share.

use std::collections::BTreeMap;

use crate::error::DomainError;
use crate::model::{
    Comment, DocKind, Event, Header, Idea, Opportunity, Organisation, Post, Profile, Project,
    Report, Request, Template,
};

/// A hydrated item document of any kind.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Profile(Profile),
    Idea(Idea),
    Project(Project),
    Request(Request),
    Organisation(Organisation),
    Opportunity(Opportunity),
    Event(Event),
    Post(Post),
    Template(Template),
}

macro_rules! each_item {
    ($self:expr, $bind:ident => $body:expr) => {
        match $self {
            Item::Profile($bind) => $body,
            Item::Idea($bind) => $body,
            Item::Project($bind) => $body,
            Item::Request($bind) => $body,
            Item::Organisation($bind) => $body,
            Item::Opportunity($bind) => $body,
            Item::Event($bind) => $body,
            Item::Post($bind) => $body,
            Item::Template($bind) => $body,
        }
    };
}

macro_rules! as_kind {
    ($name:ident, $name_mut:ident, $variant:ident, $ty:ty, $what:literal) => {
        /// This item as the given kind, or a not-found error naming the kind.
        ///
        /// # Errors
        /// [`DomainError::NotFound`] when the item is of another kind.
        pub fn $name(&self) -> Result<&$ty, DomainError> {
            match self {
                Item::$variant(x) => Ok(x),
                other => Err(DomainError::NotFound {
                    what: $what,
                    id: other.header().id.clone(),
                }),
            }
        }

        /// Mutable access as the given kind.
        ///
        /// # Errors
        /// [`DomainError::NotFound`] when the item is of another kind.
        pub fn $name_mut(&mut self) -> Result<&mut $ty, DomainError> {
            match self {
                Item::$variant(x) => Ok(x),
                other => Err(DomainError::NotFound {
                    what: $what,
                    id: other.header().id.clone(),
                }),
            }
        }
    };
}

impl Item {
    #[must_use]
    pub fn header(&self) -> &Header {
        each_item!(self, x => &x.header)
    }

    pub fn header_mut(&mut self) -> &mut Header {
        each_item!(self, x => &mut x.header)
    }

    #[must_use]
    pub fn kind(&self) -> DocKind {
        self.header().kind
    }

    /// The comments of items that have them (every kind but profiles).
    pub fn comments_mut(&mut self) -> Option<&mut BTreeMap<String, Comment>> {
        match self {
            Item::Profile(_) | Item::Template(_) => None,
            Item::Idea(x) => Some(&mut x.comments),
            Item::Project(x) => Some(&mut x.comments),
            Item::Request(x) => Some(&mut x.comments),
            Item::Organisation(x) => Some(&mut x.comments),
            Item::Opportunity(x) => Some(&mut x.comments),
            Item::Event(x) => Some(&mut x.comments),
            Item::Post(x) => Some(&mut x.comments),
        }
    }

    /// Read access to the comments.
    #[must_use]
    pub fn comments(&self) -> Option<&BTreeMap<String, Comment>> {
        match self {
            Item::Profile(_) | Item::Template(_) => None,
            Item::Idea(x) => Some(&x.comments),
            Item::Project(x) => Some(&x.comments),
            Item::Request(x) => Some(&x.comments),
            Item::Organisation(x) => Some(&x.comments),
            Item::Opportunity(x) => Some(&x.comments),
            Item::Event(x) => Some(&x.comments),
            Item::Post(x) => Some(&x.comments),
        }
    }

    /// Read access to the content reports.
    #[must_use]
    pub fn reports(&self) -> Option<&BTreeMap<String, Report>> {
        match self {
            Item::Profile(_) | Item::Template(_) => None,
            Item::Idea(x) => Some(&x.reports),
            Item::Project(x) => Some(&x.reports),
            Item::Request(x) => Some(&x.reports),
            Item::Organisation(x) => Some(&x.reports),
            Item::Opportunity(x) => Some(&x.reports),
            Item::Event(x) => Some(&x.reports),
            Item::Post(x) => Some(&x.reports),
        }
    }

    pub fn reports_mut(&mut self) -> Option<&mut BTreeMap<String, Report>> {
        match self {
            Item::Profile(_) | Item::Template(_) => None,
            Item::Idea(x) => Some(&mut x.reports),
            Item::Project(x) => Some(&mut x.reports),
            Item::Request(x) => Some(&mut x.reports),
            Item::Organisation(x) => Some(&mut x.reports),
            Item::Opportunity(x) => Some(&mut x.reports),
            Item::Event(x) => Some(&mut x.reports),
            Item::Post(x) => Some(&mut x.reports),
        }
    }

    /// Marks the item as updated at `now` (profiles and items alike).
    pub fn touch(&mut self, now: i64) {
        each_item!(self, x => x.updated_at = now);
    }

    as_kind!(profile, profile_mut, Profile, Profile, "member");
    as_kind!(idea, idea_mut, Idea, Idea, "idea");
    as_kind!(project, project_mut, Project, Project, "project");
    as_kind!(request, request_mut, Request, Request, "request");
    as_kind!(
        organisation,
        organisation_mut,
        Organisation,
        Organisation,
        "organisation"
    );
    as_kind!(
        opportunity,
        opportunity_mut,
        Opportunity,
        Opportunity,
        "opportunity"
    );
    as_kind!(event, event_mut, Event, Event, "event");
    as_kind!(post, post_mut, Post, Post, "post");
    as_kind!(template, template_mut, Template, Template, "template");
}
