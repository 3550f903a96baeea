//! Every change a person can make to a community workspace, as data.
//!
//! Front doors (CLI, HTTP, Tauri) build a [`Command`]; the runtime loads the documents it
//! [`needs`](Command::needs), and [`crate::apply::execute`] validates and applies it.
//! In JSON a command is an object with a `type` field, e.g.
//! `{"type": "add_idea", "community": "…", "title": "…", "text": "…", "category": "energy"}`.

use serde::{Deserialize, Serialize};

use crate::model::{
    CommunityKind, ContactVisibility, NeedKind, PostKind, RequestStatus, Role, Stage, TeamRole,
    Term, Visibility,
};

/// A project's progress: set by the team, or computed from its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressInput {
    Auto,
    Percent(u64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    // --- community, members, profiles
    CreateCommunity {
        name: String,
        kind: CommunityKind,
        #[serde(default)]
        description: String,
        /// The creator's display name; the creator becomes the first admin.
        admin_name: String,
    },
    EditCommunity {
        community: String,
        name: Option<String>,
        description: Option<String>,
        code_of_conduct: Option<String>,
        hold_first_posts: Option<bool>,
    },
    AddCategory {
        community: String,
        key: String,
        label_de: String,
        label_en: String,
    },
    EditCategory {
        community: String,
        key: String,
        label_de: Option<String>,
        label_en: Option<String>,
        archived: Option<bool>,
    },
    /// An admin registers a person (for example at a workshop, before they have a device).
    AddMember {
        community: String,
        display_name: String,
        role: Role,
    },
    SetRole {
        community: String,
        member: String,
        role: Role,
    },
    RemoveMember {
        community: String,
        member: String,
    },
    /// Approves a new member whose first posts are held for review (moderators).
    ApproveMember {
        community: String,
        member: String,
    },
    /// Adds a device key (hex) to a member: admins for anyone, a member for themselves.
    /// With `until`, an invite key usable until then.
    AddDevice {
        community: String,
        member: String,
        device: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<crate::time::Millis>,
    },
    /// Removes a device key from a member (a lost phone, a used invite key).
    RemoveDevice {
        community: String,
        member: String,
        device: String,
    },
    /// Withdraws an invite not used yet (admins): its key opens nothing any more, and the
    /// person it registered is removed unless they have a device of their own.
    WithdrawInvite {
        community: String,
        member: String,
    },
    EditProfile {
        community: String,
        /// Default: the acting member. Admins may edit others.
        member: Option<String>,
        display_name: Option<String>,
        about: Option<String>,
        interests: Option<Vec<String>>,
        organisation: Option<String>,
        contact: Option<String>,
        contact_visibility: Option<ContactVisibility>,
    },
    // --- ideas
    AddIdea {
        community: String,
        title: String,
        #[serde(default)]
        text: String,
        category: String,
    },
    EditIdea {
        idea: String,
        title: Option<String>,
        text: Option<String>,
        category: Option<String>,
        status: Option<crate::model::IdeaStatus>,
    },
    SupportIdea {
        idea: String,
    },
    WithdrawSupport {
        idea: String,
    },
    // --- anything with comments
    AddComment {
        item: String,
        text: String,
    },
    ReportItem {
        item: String,
        comment: Option<String>,
        reason: String,
    },
    Hide {
        item: String,
        comment: Option<String>,
        reason: String,
    },
    Restore {
        item: String,
        comment: Option<String>,
        reason: String,
    },
    // --- project workspaces
    CreateProject {
        community: String,
        title: String,
        #[serde(default)]
        summary: String,
        /// Default: the idea's category, required without an idea.
        category: Option<String>,
        from_idea: Option<String>,
        visibility: Option<Visibility>,
        stage: Option<Stage>,
    },
    EditProject {
        project: String,
        title: Option<String>,
        summary: Option<String>,
        category: Option<String>,
        stage: Option<Stage>,
        visibility: Option<Visibility>,
        progress: Option<ProgressInput>,
    },
    AddTeamMember {
        project: String,
        member: String,
        role: TeamRole,
    },
    RemoveTeamMember {
        project: String,
        member: String,
    },
    AddStep {
        project: String,
        title: String,
    },
    /// Publish `project` into community `to` on this device: the runtime reads the project
    /// and turns this into [`Command::PublishProject`] (it spans two communities).
    Publish {
        project: String,
        to: String,
    },
    /// Publishes a read-only showcase of a project into another community (a class's project
    /// in its town, a village's project at a project fair). With `existing`, updates that
    /// showcase instead.
    PublishProject {
        community: String,
        existing: Option<String>,
        showcase: Showcase,
    },
    /// Adds a process template to the community (from a file or a built-in one).
    AddTemplate {
        community: String,
        template: crate::templates::TemplateSpec,
    },
    /// Adds a template's steps (with their tasks) and milestones to a project.
    ApplyTemplate {
        project: String,
        template: String,
    },
    EditStep {
        project: String,
        step: String,
        title: Option<String>,
        done: Option<bool>,
        position: Option<i64>,
    },
    AddTask {
        project: String,
        title: String,
        step: Option<String>,
        assignee: Option<String>,
        due: Option<String>,
    },
    EditTask {
        project: String,
        task: String,
        title: Option<String>,
        step: Option<String>,
        assignee: Option<String>,
        due: Option<String>,
        done: Option<bool>,
    },
    /// Replaces the notes; the runtime turns this into character-level edits.
    SetNotes {
        project: String,
        text: String,
    },
    AddMilestone {
        project: String,
        title: String,
        due: Option<String>,
    },
    EditMilestone {
        project: String,
        milestone: String,
        title: Option<String>,
        due: Option<String>,
        reached: Option<bool>,
    },
    AddNeed {
        project: String,
        kind: NeedKind,
        description: String,
    },
    EditNeed {
        project: String,
        need: String,
        description: Option<String>,
        met: Option<bool>,
    },
    // --- the municipal path
    CreateRequest {
        /// The idea or project this asks support for.
        target: String,
        title: String,
        #[serde(default)]
        text: String,
        #[serde(default)]
        department: String,
    },
    AnswerRequest {
        request: String,
        status: RequestStatus,
        #[serde(default)]
        message: String,
        #[serde(default)]
        reason: String,
        contact: Option<String>,
        promised_by: Option<String>,
        department: Option<String>,
    },
    FollowRequest {
        request: String,
    },
    // --- directory
    AddOrganisation {
        community: String,
        name: String,
        #[serde(default)]
        description: String,
        categories: Vec<String>,
        #[serde(default)]
        contact: String,
        #[serde(default)]
        website: String,
    },
    EditOrganisation {
        organisation: String,
        name: Option<String>,
        description: Option<String>,
        categories: Option<Vec<String>>,
        contact: Option<String>,
        website: Option<String>,
    },
    AddOrgProject {
        organisation: String,
        title: String,
        running: bool,
        project: Option<String>,
    },
    EditOrgProject {
        organisation: String,
        entry: String,
        title: Option<String>,
        running: Option<bool>,
    },
    // --- volunteering
    AddOpportunity {
        community: String,
        title: String,
        #[serde(default)]
        description: String,
        term: Term,
        #[serde(default)]
        commitment: String,
        category: String,
        #[serde(default)]
        contact: String,
        organisation: Option<String>,
        date: Option<String>,
    },
    EditOpportunity {
        opportunity: String,
        title: Option<String>,
        description: Option<String>,
        term: Option<Term>,
        commitment: Option<String>,
        category: Option<String>,
        contact: Option<String>,
        date: Option<String>,
        open: Option<bool>,
    },
    SignUp {
        opportunity: String,
        #[serde(default)]
        note: String,
    },
    WithdrawSignUp {
        opportunity: String,
    },
    // --- calendar
    AddEvent {
        community: String,
        title: String,
        #[serde(default)]
        description: String,
        start: String,
        end: String,
        time_zone: Option<String>,
        #[serde(default)]
        place: String,
        #[serde(default)]
        online_link: String,
        category: String,
        #[serde(default)]
        organiser: String,
        #[serde(default)]
        capacity: u64,
    },
    EditEvent {
        event: String,
        title: Option<String>,
        description: Option<String>,
        start: Option<String>,
        end: Option<String>,
        time_zone: Option<String>,
        place: Option<String>,
        online_link: Option<String>,
        category: Option<String>,
        organiser: Option<String>,
        capacity: Option<u64>,
        cancelled: Option<bool>,
    },
    Register {
        event: String,
    },
    Unregister {
        event: String,
    },
    // --- news, tips, support offers
    AddPost {
        community: String,
        kind: PostKind,
        title: String,
        #[serde(default)]
        text: String,
        category: String,
        #[serde(default)]
        offered_by: String,
    },
    EditPost {
        post: String,
        title: Option<String>,
        text: Option<String>,
        category: Option<String>,
        offered_by: Option<String>,
    },
}

/// Which documents a command reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needs {
    /// Creates a new community: no existing document.
    Nothing,
    /// The community document only.
    Community(String),
    /// An item document (and, through it, its community).
    Item(String),
    /// An item document plus a second one (e.g. the project an organisation entry links to).
    Items(String, String),
    /// The community and a member's profile (`None`: the acting member's).
    Profile {
        community: String,
        member: Option<String>,
    },
}

/// What a showcase shows of its project: no team, no notes, no tasks, no names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Showcase {
    pub origin: crate::model::Origin,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub stage: crate::model::Stage,
    pub progress: u64,
    pub milestones: Vec<crate::model::Milestone>,
}

impl Command {
    /// Whether the command decides on counted or compared marks (one support each, places
    /// left, whose item it is: the author or creator by the signed first header), which the
    /// runtime must check first (see [`crate::apply::Workspace::checked`]).
    #[must_use]
    pub fn reads_marks(&self) -> bool {
        matches!(
            self,
            Command::SupportIdea { .. }
                | Command::Register { .. }
                | Command::SignUp { .. }
                | Command::EditIdea { .. }
                | Command::EditPost { .. }
                | Command::EditEvent { .. }
                | Command::EditOrganisation { .. }
                | Command::AddOrgProject { .. }
                | Command::EditOrgProject { .. }
                | Command::EditOpportunity { .. }
        )
    }

    /// The documents the runtime must load before applying this command.
    #[must_use]
    pub fn needs(&self) -> Needs {
        use Command as C;
        match self {
            C::CreateCommunity { .. } | C::Publish { .. } => Needs::Nothing,
            C::EditCommunity { community, .. }
            | C::AddCategory { community, .. }
            | C::EditCategory { community, .. }
            | C::AddMember { community, .. }
            | C::SetRole { community, .. }
            | C::RemoveMember { community, .. }
            | C::ApproveMember { community, .. }
            | C::AddDevice { community, .. }
            | C::RemoveDevice { community, .. }
            | C::WithdrawInvite { community, .. }
            | C::AddIdea { community, .. }
            | C::AddOrganisation { community, .. }
            | C::AddOpportunity { community, .. }
            | C::AddEvent { community, .. }
            | C::AddPost { community, .. }
            | C::AddTemplate { community, .. } => Needs::Community(community.clone()),
            C::PublishProject {
                community,
                existing,
                ..
            } => match existing {
                Some(id) => Needs::Item(id.clone()),
                None => Needs::Community(community.clone()),
            },
            C::ApplyTemplate { project, template } => {
                Needs::Items(project.clone(), template.clone())
            }
            C::CreateProject {
                community,
                from_idea,
                ..
            } => match from_idea {
                Some(idea) => Needs::Item(idea.clone()),
                None => Needs::Community(community.clone()),
            },
            C::EditProfile {
                community, member, ..
            } => Needs::Profile {
                community: community.clone(),
                member: member.clone(),
            },
            C::EditIdea { idea, .. } | C::SupportIdea { idea } | C::WithdrawSupport { idea } => {
                Needs::Item(idea.clone())
            }
            C::AddComment { item, .. }
            | C::ReportItem { item, .. }
            | C::Hide { item, .. }
            | C::Restore { item, .. }
            | C::CreateRequest { target: item, .. } => Needs::Item(item.clone()),
            C::EditProject { project, .. }
            | C::AddTeamMember { project, .. }
            | C::RemoveTeamMember { project, .. }
            | C::AddStep { project, .. }
            | C::EditStep { project, .. }
            | C::AddTask { project, .. }
            | C::EditTask { project, .. }
            | C::SetNotes { project, .. }
            | C::AddMilestone { project, .. }
            | C::EditMilestone { project, .. }
            | C::AddNeed { project, .. }
            | C::EditNeed { project, .. } => Needs::Item(project.clone()),
            C::AnswerRequest { request, .. } | C::FollowRequest { request } => {
                Needs::Item(request.clone())
            }
            C::EditOrganisation { organisation, .. } | C::EditOrgProject { organisation, .. } => {
                Needs::Item(organisation.clone())
            }
            C::AddOrgProject {
                organisation,
                project,
                ..
            } => match project {
                Some(p) => Needs::Items(organisation.clone(), p.clone()),
                None => Needs::Item(organisation.clone()),
            },
            C::EditOpportunity { opportunity, .. }
            | C::SignUp { opportunity, .. }
            | C::WithdrawSignUp { opportunity } => Needs::Item(opportunity.clone()),
            C::EditEvent { event, .. } | C::Register { event } | C::Unregister { event } => {
                Needs::Item(event.clone())
            }
            C::EditPost { post, .. } => Needs::Item(post.clone()),
        }
    }

    /// A short English name for logs and the change message stored with each Automerge change.
    #[must_use]
    pub fn name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_else(|| "command".to_string())
    }
}
