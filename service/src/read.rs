//! Queries: lists, details, search, the home overview; and index upkeep.

use allmende_core::apply::Item;
use allmende_core::index::project;
use allmende_core::model::{DocKind, Role};
use allmende_core::query::{
    waiting_days, CommunitySummary, ItemDetail, ListFilter, ListPage, MemberSummary, Overview,
    Query, TaskSummary,
};
use allmende_core::time::millis_to_date;
use allmende_core::DomainError;
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::judge::checked_item;
use super::Service;
use crate::cache::{load_cached, load_community};
use crate::docs;
use allmende_store::error::{PeerError, Result};
use allmende_store::index::{self, ListQuery};

/// What [`Service::query`] returns, for front doors that dispatch generically.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum QueryResult {
    Communities(Vec<CommunitySummary>),
    Overview(Box<Overview>),
    List(ListPage),
    Detail(Box<ItemDetail>),
    History(allmende_core::query::History),
    Search(Vec<allmende_core::query::ItemSummary>),
    Members(Vec<MemberSummary>),
    Devices(Vec<String>),
    Invites(Vec<allmende_core::query::OpenInvite>),
    Flags(Vec<allmende_core::governance::Flag>),
    ModerationLog(Vec<allmende_core::model::Moderation>),
    TownHall(Vec<allmende_core::figures::DepartmentFigures>),
    Dashboard(Box<allmende_core::figures::Dashboard>),
    Text(String),
    Notifications(Vec<allmende_core::query::Notification>),
}

impl Service {
    /// Answers any [`Query`].
    ///
    /// # Errors
    /// Not found, storage and document errors.
    pub fn query(&mut self, mut query: Query) -> Result<QueryResult> {
        self.guard_query(&mut query)?;
        Ok(match query {
            Query::Communities => QueryResult::Communities(self.communities()?),
            Query::Overview { community } => {
                QueryResult::Overview(Box::new(self.overview(&community)?))
            }
            Query::List(filter) => QueryResult::List(self.list(&filter)?),
            Query::Show { id } => QueryResult::Detail(Box::new(self.show(&id)?)),
            Query::History { id } => QueryResult::History(self.history(&id)?),
            Query::Search {
                community,
                text,
                limit,
            } => QueryResult::Search(self.search(community.as_deref(), &text, limit)?),
            Query::Members { community } => QueryResult::Members(self.members(&community)?),
            Query::Devices { community, member } => {
                QueryResult::Devices(self.devices(&community, &member)?)
            }
            Query::Invites { community } => QueryResult::Invites(self.open_invites(&community)?),
            Query::Flags { community } => QueryResult::Flags(self.flags(&community)?),
            Query::ModerationLog { community } => {
                QueryResult::ModerationLog(self.moderation_log(&community)?)
            }
            Query::TownHall { community } => {
                QueryResult::TownHall(self.town_hall_figures(&community)?)
            }
            Query::Dashboard { community } => {
                QueryResult::Dashboard(Box::new(self.dashboard(&community)?))
            }
            Query::Digest {
                community,
                days,
                format,
            } => {
                let format = format.as_deref().unwrap_or("md").parse()?;
                QueryResult::Text(self.digest(&community, days.unwrap_or(7), format)?)
            }
            Query::Notifications { community } => {
                QueryResult::Notifications(self.notifications(&community)?)
            }
            _ => return Err(PeerError::BadInput("unknown query".to_string())),
        })
    }

    /// Resolves a full id or a unique prefix of one (as printed by the CLI).
    ///
    /// # Errors
    /// Not found, or an ambiguous prefix.
    pub fn resolve(&self, id: &str) -> Result<String> {
        let id = id.trim().trim_start_matches("automerge:");
        let found = index::resolve_prefix(self.store.conn(), id)?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(DomainError::NotFound {
                what: "item",
                id: id.to_string(),
            }
            .into()),
            many => {
                if many.iter().any(|m| m == id) {
                    Ok(id.to_string())
                } else {
                    Err(PeerError::BadInput(format!(
                        "'{id}' is ambiguous: {} ...",
                        many.join(", ")
                    )))
                }
            }
        }
    }

    /// This device's (or the served guest's) member id and role in `community`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn role_in(&self, community: &str) -> Result<(Option<String>, Option<Role>)> {
        self.my_role(community)
    }

    fn my_role(&self, community: &str) -> Result<(Option<String>, Option<Role>)> {
        let me = self.me(community)?;
        let role: Option<String> = match &me {
            Some(m) => self
                .store
                .conn()
                .query_row(
                    "SELECT role FROM members WHERE community = ?1 AND id = ?2 AND removed = 0",
                    [community, m.as_str()],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        Ok((me, role.and_then(|r| r.parse().ok())))
    }

    /// Every community on this device.
    ///
    /// # Errors
    /// Storage errors.
    pub fn communities(&self) -> Result<Vec<CommunitySummary>> {
        let conn = self.store.conn();
        let mut stmt = conn.prepare(
            "SELECT c.id, c.name, c.kind, c.description,
                (SELECT count(*) FROM members m WHERE m.community = c.id AND m.removed = 0)
             FROM communities c ORDER BY c.name COLLATE NOCASE",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<std::result::Result<Vec<(String, String, String, String, i64)>, _>>()?;
        let mut out = Vec::new();
        for (id, name, kind, description, members) in rows {
            if self.viewer.as_ref().is_some_and(|v| v.community != id) {
                continue;
            }
            let (me, role) = self.my_role(&id)?;
            let mut counts = std::collections::BTreeMap::new();
            let mut c = conn.prepare_cached(
                "SELECT kind, count(*) FROM items WHERE community = ?1 AND kind <> 'profile' GROUP BY kind",
            )?;
            for row in c.query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                let (k, n) = row?;
                counts.insert(k, u64::try_from(n).unwrap_or(0));
            }
            out.push(CommunitySummary {
                id,
                name,
                kind,
                description,
                members: u64::try_from(members).unwrap_or(0),
                me,
                my_role: role.map(|r| r.as_str().to_string()),
                counts,
            });
        }
        Ok(out)
    }

    fn list_query<'f>(&self, filter: &'f ListFilter) -> Result<ListQuery<'f>> {
        Ok(ListQuery {
            filter,
            viewer: None,
            see_hidden: false,
            now: self.now(),
        })
    }

    /// A page of a list; team-only projects only for their team, hidden items only for
    /// moderators (marked).
    ///
    /// # Errors
    /// Storage errors, a bad date filter.
    pub fn list(&self, filter: &ListFilter) -> Result<ListPage> {
        let mut q = self.list_query(filter)?;
        let (me, role) = match &filter.community {
            Some(c) => self.my_role(c)?,
            None => (None, None),
        };
        q.viewer = me.as_deref();
        q.see_hidden = matches!(role, Some(Role::Admin | Role::Moderator));
        let (items, total) = index::list(self.store.conn(), &q)?;
        Ok(ListPage { items, total })
    }

    /// Full-text search across a community (or all), best matches first.
    ///
    /// # Errors
    /// Storage errors.
    pub fn search(
        &self,
        community: Option<&str>,
        text: &str,
        limit: Option<u32>,
    ) -> Result<Vec<allmende_core::query::ItemSummary>> {
        let filter = ListFilter {
            community: community.map(str::to_string),
            limit,
            ..ListFilter::default()
        };
        let (me, role) = match community {
            Some(c) => self.my_role(c)?,
            None => (None, None),
        };
        let q = ListQuery {
            filter: &filter,
            viewer: me.as_deref(),
            see_hidden: matches!(role, Some(Role::Admin | Role::Moderator)),
            now: self.now(),
        };
        index::search(self.store.conn(), &q, text)
    }

    fn load_item(&mut self, id: &str) -> Result<Item> {
        let key = self.device.actor();
        let stored =
            allmende_store::chunks_api::doc_meta(self.store.conn(), id)?.map(|m| m.community);
        let doc = load_cached(self.store.conn(), &mut self.cache, &key, id)?;
        let raw = match stored {
            Some(c) => docs::item_at(doc, id, &c)?,
            None => docs::item(doc)?,
        };
        Ok(checked_item(self.store.conn(), &mut self.cache, &key, id, &raw)?.0)
    }

    /// Everything the detail screen of an item shows.
    ///
    /// # Errors
    /// Not found (also for team-only projects of other teams), storage and document errors.
    pub fn show(&mut self, id: &str) -> Result<ItemDetail> {
        let id = self.resolve(id)?;
        let mut item = self.load_item(&id)?;
        let community = item.header().community.clone();
        if self
            .viewer
            .as_ref()
            .is_some_and(|v| v.community != community)
        {
            return Err(DomainError::NotFound { what: "item", id }.into());
        }
        let (me, role) = self.my_role(&community)?;
        if let Item::Project(p) = &item {
            let member = me.clone().unwrap_or_default();
            if p.visibility == allmende_core::model::Visibility::Team && !p.is_team_member(&member)
            {
                return Err(DomainError::NotFound {
                    what: "project",
                    id,
                }
                .into());
            }
        }
        if let Item::Profile(p) = item {
            let mut p = p.as_seen_by(me.as_deref());
            if me.as_deref() == Some(p.member.as_str()) && p.contact.is_empty() {
                p.contact = crate::private_contact::kept(self.store.conn(), &community, &p.member)?
                    .unwrap_or_default();
            }
            item = Item::Profile(p);
        }
        let moderator = matches!(role, Some(Role::Admin | Role::Moderator));
        let conn = self.store.conn();
        let mut summary = index::summary(conn, &id)?.ok_or_else(|| DomainError::NotFound {
            what: "item",
            id: id.clone(),
        })?;
        let held: Vec<String> = conn
            .prepare_cached("SELECT member FROM held WHERE community = ?1")?
            .query_map([&community], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // A new member's held post is still shown to its author, marked as waiting.
        let own_held = held.contains(&summary.author) && me.as_deref() == Some(&summary.author);
        if summary.hidden && !moderator && !own_held {
            return Err(DomainError::NotFound { what: "item", id }.into());
        }
        let row = project(&item);
        summary.title = row.title;
        let names = index::names(conn, &community)?.into_iter().collect();
        let filter = ListFilter {
            community: Some(community.clone()),
            kind: Some(DocKind::Request),
            parent: Some(id.clone()),
            ..ListFilter::default()
        };
        let requests = if matches!(item, Item::Idea(_) | Item::Project(_)) {
            self.list(&filter)?.items
        } else {
            Vec::new()
        };
        let mut stmt =
            conn.prepare_cached("SELECT key FROM hidden WHERE community = ?1 AND key LIKE ?2")?;
        let prefix = format!("{id}/%");
        let mut hidden_comments: Vec<String> = stmt
            .query_map([&community, &prefix], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .filter_map(|k| k.split('/').nth(1).map(str::to_string))
            .collect();
        if let Some(comments) = item.comments() {
            for c in comments.values() {
                if held.contains(&c.author) && me.as_deref() != Some(c.author.as_str()) {
                    hidden_comments.push(c.id.clone());
                }
            }
        }
        if !moderator {
            // What moderation hides (or holds) does not leave the service for other members.
            if let Some(comments) = item.comments_mut() {
                for id in &hidden_comments {
                    if let Some(c) = comments.get_mut(id) {
                        c.text.clear();
                    }
                }
            }
        }
        let waiting = match &item {
            Item::Request(r) => waiting_days(r, self.now()),
            _ => None,
        };
        Ok(ItemDetail {
            summary,
            item,
            names,
            requests,
            hidden_comments,
            waiting_days: waiting,
        })
    }

    /// The members of a community with their profiles.
    ///
    /// # Errors
    /// Storage errors.
    pub fn members(&self, community: &str) -> Result<Vec<MemberSummary>> {
        let mut stmt = self.store.conn().prepare(
            "SELECT m.id, coalesce(p.title, ''), m.role, m.profile, coalesce(p.categories, ''),
                coalesce(json_extract(p.extra, '$.organisation'), '')
             FROM members m LEFT JOIN items p ON p.id = m.profile
             WHERE m.community = ?1 AND m.removed = 0
             ORDER BY p.title COLLATE NOCASE",
        )?;
        let rows = stmt
            .query_map([community], |r| {
                Ok(MemberSummary {
                    id: r.get(0)?,
                    display_name: r.get(1)?,
                    role: r.get(2)?,
                    profile: r.get(3)?,
                    interests: r
                        .get::<_, String>(4)?
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    organisation: r.get(5)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The home screen: latest items, upcoming events, overdue requests, my open tasks.
    ///
    /// # Errors
    /// Not found, storage and document errors.
    pub fn overview(&mut self, community: &str) -> Result<Overview> {
        let community = self.resolve(community)?;
        let key = self.device.actor();
        let c = load_community(self.store.conn(), &mut self.cache, &key, &community)?;
        let summary = self
            .communities()?
            .into_iter()
            .find(|s| s.id == community)
            .ok_or_else(|| DomainError::NotFound {
                what: "community",
                id: community.clone(),
            })?;
        let now = self.now();
        let base = ListFilter {
            community: Some(community.clone()),
            ..ListFilter::default()
        };
        let latest = self
            .list(&ListFilter {
                limit: Some(8),
                ..base.clone()
            })?
            .items;
        let upcoming_events = self
            .list(&ListFilter {
                kind: Some(DocKind::Event),
                from: Some(millis_to_date(now)),
                limit: Some(5),
                ..base.clone()
            })?
            .items;
        let mut overdue_requests = Vec::new();
        let open = self.list(&ListFilter {
            kind: Some(DocKind::Request),
            running: Some(true),
            limit: Some(1000),
            ..base.clone()
        })?;
        for r in open.items {
            if let Item::Request(req) = self.load_item(&r.id)? {
                if waiting_days(&req, now).is_some() {
                    overdue_requests.push(r);
                }
            }
        }
        let mut my_open_tasks = Vec::new();
        if let Some(me) = summary.me.clone() {
            let projects = self.list(&ListFilter {
                kind: Some(DocKind::Project),
                running: Some(true),
                limit: Some(1000),
                ..base
            })?;
            for p in projects.items {
                if let Item::Project(project) = self.load_item(&p.id)? {
                    for t in project
                        .tasks
                        .values()
                        .filter(|t| !t.done && t.assignee == me)
                    {
                        my_open_tasks.push(TaskSummary {
                            project: p.id.clone(),
                            project_title: project.title.clone(),
                            task: t.id.clone(),
                            title: t.title.clone(),
                            due: t.due.clone(),
                        });
                    }
                }
            }
            my_open_tasks
                .sort_by(|a, b| (a.due.is_empty(), &a.due).cmp(&(b.due.is_empty(), &b.due)));
        }
        Ok(Overview {
            community: summary,
            categories: c.categories.clone(),
            settings: c.settings.clone(),
            latest,
            upcoming_events,
            overdue_requests,
            my_open_tasks,
        })
    }
}

impl Service {
    /// The typed community and all its items, ordered by id (for exports and comparisons).
    ///
    /// # Errors
    /// Not found, damaged documents.
    pub fn snapshot(
        &mut self,
        community: &str,
    ) -> Result<(allmende_core::model::Community, Vec<Item>)> {
        let (c, mut items) = self.community_and_items(community)?;
        items.sort_by(|a, b| a.header().id.cmp(&b.header().id));
        Ok((c, items))
    }
}
