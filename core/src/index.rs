//! The projection of documents into flat index rows: what lists, filters and search need.
//!
//! The runtime stores these rows in SQLite (with FTS5 over [`IndexRow::search_text`]) and can
//! rebuild them from the documents at any time, so the index is never the source of truth.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::apply::Item;
use crate::fold::fold;
use crate::model::{Community, DocKind, Visibility};
use crate::time::{date_start_millis, parse_date, parse_datetime, Millis, DAY_MS};

/// One item as lists and search see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    pub id: String,
    pub community: String,
    pub kind: DocKind,
    pub title: String,
    /// The first characters of the main text.
    pub excerpt: String,
    /// The main category (the first, for organisations).
    pub category: String,
    /// All categories (organisations have several; interests for profiles).
    pub categories: Vec<String>,
    /// Idea status, project stage, request status, post kind, opportunity term, event state.
    pub status: String,
    pub author: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Events: start and end; opportunities: their date; requests: the promised date.
    pub start_at: Option<Millis>,
    pub end_at: Option<Millis>,
    /// Projects: not done; opportunities: open; organisations: has running projects.
    pub running: Option<bool>,
    /// Team-only projects list their team here; everything else is public to members.
    pub team_only: bool,
    pub team: Vec<String>,
    /// Requests: the idea or project; projects: the idea they came from.
    pub parent: String,
    pub supporters: u64,
    pub comments: u64,
    pub reports: u64,
    pub progress: Option<u64>,
    /// Kind-specific figures for list screens (contact, department, sign-ups, ...).
    pub extra: serde_json::Value,
    /// Folded text for full-text search: title, text and comments.
    pub search_text: String,
}

const EXCERPT: usize = 160;

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        out.push('…');
    }
    out
}

fn searchable(parts: &[&str], item: &Item) -> String {
    let mut text = parts.join(" \n");
    if let Some(comments) = item.comments() {
        for c in comments.values() {
            text.push_str(" \n");
            text.push_str(&c.text);
        }
    }
    fold(&text)
}

fn date_ms(text: &str) -> Option<Millis> {
    parse_date(text).ok().map(date_start_millis)
}

/// Projects an item document into its index row.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn project(item: &Item) -> IndexRow {
    let h = item.header();
    let mut row = IndexRow {
        id: h.id.clone(),
        community: h.community.clone(),
        kind: h.kind,
        title: String::new(),
        excerpt: String::new(),
        category: String::new(),
        categories: Vec::new(),
        status: String::new(),
        author: h.created_by.clone(),
        created_at: h.created_at,
        updated_at: h.created_at,
        start_at: None,
        end_at: None,
        running: None,
        team_only: false,
        team: Vec::new(),
        parent: String::new(),
        supporters: 0,
        comments: item.comments().map_or(0, |c| c.len() as u64),
        reports: 0,
        progress: None,
        extra: json!({}),
        search_text: String::new(),
    };
    match item {
        Item::Profile(p) => {
            row.title.clone_from(&p.display_name);
            row.excerpt = excerpt(&p.about);
            row.categories.clone_from(&p.interests);
            row.author.clone_from(&p.member);
            row.updated_at = p.updated_at;
            row.extra = json!({ "member": p.member, "organisation": p.organisation });
            row.search_text = searchable(&[&p.display_name, &p.about, &p.organisation], item);
        }
        Item::Idea(x) => {
            row.title.clone_from(&x.title);
            row.excerpt = excerpt(&x.text);
            row.category.clone_from(&x.category);
            row.status = x.status.as_str().to_string();
            row.author.clone_from(&x.author);
            row.updated_at = x.updated_at;
            row.supporters = x.supporters.len() as u64;
            row.reports = x.reports.len() as u64;
            row.extra = json!({ "project": x.project });
            row.search_text = searchable(&[&x.title, &x.text], item);
        }
        Item::Project(p) => {
            row.title.clone_from(&p.title);
            row.excerpt = excerpt(&p.summary);
            row.category.clone_from(&p.category);
            row.status = p.stage.as_str().to_string();
            row.updated_at = p.updated_at;
            row.running = Some(p.stage.is_running());
            row.team_only = p.visibility == Visibility::Team;
            row.team = p.team.keys().cloned().collect();
            row.parent.clone_from(&p.from_idea);
            row.reports = p.reports.len() as u64;
            row.progress = Some(p.effective_progress());
            let open_tasks = p.tasks.values().filter(|t| !t.done).count();
            row.extra = json!({
                "tasks": p.tasks.len(),
                "open_tasks": open_tasks,
                "milestones": p.milestones.len(),
                "milestones_reached": p.milestones.values().filter(|m| m.reached).count(),
                "open_needs": p.needs.values().filter(|n| !n.met).count(),
                "team": p.team.len(),
                "origin": p.origin.as_ref().map(|o| &o.project),
                "origin_community": p.origin.as_ref().map(|o| &o.community_name),
            });
            let notes = p.notes.as_str().to_string();
            let tasks: Vec<&str> = p.tasks.values().map(|t| t.title.as_str()).collect();
            row.search_text = searchable(&[&p.title, &p.summary, &notes, &tasks.join(" ")], item);
        }
        Item::Request(r) => {
            row.title.clone_from(&r.title);
            row.excerpt = excerpt(&r.text);
            row.status = r.status().as_str().to_string();
            row.author.clone_from(&r.author);
            row.updated_at = r.updated_at;
            row.parent.clone_from(&r.target);
            row.reports = r.reports.len() as u64;
            row.start_at = date_ms(r.promised_by());
            row.running = Some(!r.status().is_closed());
            row.extra = json!({
                "department": r.department,
                "contact": r.contact(),
                "promised_by": r.promised_by(),
                "target_kind": r.target_kind,
                "first_answer_at": r.first_answer_at(),
                "awaits_town_hall": r.status().awaits_town_hall(),
            });
            row.search_text = searchable(&[&r.title, &r.text, &r.department], item);
        }
        Item::Organisation(o) => {
            row.title.clone_from(&o.name);
            row.excerpt = excerpt(&o.description);
            row.category = o.categories.first().cloned().unwrap_or_default();
            row.categories.clone_from(&o.categories);
            row.updated_at = o.updated_at;
            row.running = Some(o.projects.values().any(|p| p.running));
            row.reports = o.reports.len() as u64;
            row.extra = json!({
                "website": o.website,
                "contact": o.contact,
                "running_projects": o.projects.values().filter(|p| p.running).count(),
                "finished_projects": o.projects.values().filter(|p| !p.running).count(),
            });
            let projects: Vec<&str> = o.projects.values().map(|p| p.title.as_str()).collect();
            row.search_text = searchable(&[&o.name, &o.description, &projects.join(" ")], item);
        }
        Item::Opportunity(o) => {
            row.title.clone_from(&o.title);
            row.excerpt = excerpt(&o.description);
            row.category.clone_from(&o.category);
            row.status = o.term.as_str().to_string();
            row.updated_at = o.updated_at;
            row.running = Some(o.open);
            row.start_at = date_ms(&o.date);
            row.end_at = row.start_at.map(|s| s + DAY_MS);
            row.reports = o.reports.len() as u64;
            row.extra = json!({
                "commitment": o.commitment,
                "contact": o.contact,
                "signups": o.signups.len(),
            });
            row.search_text = searchable(&[&o.title, &o.description, &o.commitment], item);
        }
        Item::Event(e) => {
            row.title.clone_from(&e.title);
            row.excerpt = excerpt(&e.description);
            row.category.clone_from(&e.category);
            row.status = if e.cancelled {
                "cancelled"
            } else {
                "scheduled"
            }
            .to_string();
            row.updated_at = e.updated_at;
            row.start_at = parse_datetime(&e.start).ok();
            row.end_at = parse_datetime(&e.end).ok();
            row.reports = e.reports.len() as u64;
            row.extra = json!({
                "start": e.start,
                "end": e.end,
                "time_zone": e.time_zone,
                "place": e.place,
                "online_link": e.online_link,
                "organiser": e.organiser,
                "registrations": e.registrations.len(),
                "capacity": e.capacity,
            });
            row.search_text = searchable(&[&e.title, &e.description, &e.place, &e.organiser], item);
        }
        Item::Post(p) => {
            row.title.clone_from(&p.title);
            row.excerpt = excerpt(&p.text);
            row.category.clone_from(&p.category);
            row.status = p.kind.as_str().to_string();
            row.author.clone_from(&p.author);
            row.updated_at = p.updated_at;
            row.reports = p.reports.len() as u64;
            row.extra = json!({ "offered_by": p.offered_by });
            row.search_text = searchable(&[&p.title, &p.text, &p.offered_by], item);
        }
        Item::Template(t) => {
            row.title.clone_from(&t.name);
            row.excerpt = excerpt(&t.description);
            row.updated_at = t.updated_at;
            row.extra = json!({ "steps": t.steps.len(), "milestones": t.milestones.len() });
            row.search_text = searchable(&[&t.name, &t.description], item);
        }
    }
    if row.category.is_empty() {
        if let Some(first) = row.categories.first() {
            row.category.clone_from(first);
        }
    } else if row.categories.is_empty() {
        row.categories.push(row.category.clone());
    }
    row
}

/// A community as the index sees it: its roster and moderation state, flattened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub created_at: Millis,
    /// (member id, role, profile document, removed)
    pub members: Vec<(String, String, String, bool)>,
    /// Hidden item ids or `item/comment` keys.
    pub hidden: Vec<String>,
    /// Members whose posts are held for review (new members, while the community holds
    /// first posts).
    pub held: Vec<String>,
}

/// Projects a community document.
#[must_use]
pub fn project_community(c: &Community) -> CommunityRow {
    CommunityRow {
        id: c.header.id.clone(),
        name: c.name.clone(),
        kind: c.kind.as_str().to_string(),
        description: c.description.clone(),
        created_at: c.header.created_at,
        members: c
            .members
            .values()
            .map(|m| {
                (
                    m.id.clone(),
                    m.role.as_str().to_string(),
                    m.profile.clone(),
                    m.removed,
                )
            })
            .collect(),
        hidden: c
            .moderation
            .iter()
            .filter(|(_, m)| m.hidden)
            .map(|(k, _)| k.clone())
            .collect(),
        // Content by nobody (its authorship did not hold) is held like a new member's.
        held: c
            .members
            .values()
            .filter(|m| c.is_held(&m.id))
            .map(|m| m.id.clone())
            .chain(c.settings.hold_first_posts.then(String::new))
            .collect(),
    }
}
