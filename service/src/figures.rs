//! The community's figures and notifications, gathered from documents and the index and
//! computed by `allmende_core::figures`.

use allmende_core::apply::Item;
use allmende_core::figures::{
    dashboard, department_figures, digest, Dashboard, Dated, DepartmentFigures, Digest,
    DigestFormat,
};
use allmende_core::model::{DocKind, Request};
use allmende_core::query::{ListFilter, Notification};
use allmende_core::time::DAY_MS;

use super::judge::checked_item;
use super::Service;
use crate::cache::{load_cached, load_community};
use crate::docs;
use allmende_store::error::Result;

impl Service {
    /// Every request of a community as people see it (answers checked).
    fn requests(&mut self, community: &str) -> Result<Vec<Request>> {
        let key = self.device.actor();
        let mut out = Vec::new();
        for meta in self.store.docs(Some(community))? {
            if meta.kind != "request" {
                continue;
            }
            let raw = docs::item(load_cached(
                self.store.conn(),
                &mut self.cache,
                &key,
                &meta.id,
            )?)?;
            if let (Item::Request(r), _) =
                checked_item(self.store.conn(), &mut self.cache, &key, &meta.id, &raw)?
            {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// How each town-hall department answers: median days to a first answer, share of
    /// promised dates kept, open and overdue requests.
    ///
    /// # Errors
    /// Not found, damaged documents, storage errors.
    pub fn town_hall_figures(&mut self, community: &str) -> Result<Vec<DepartmentFigures>> {
        let community = self.resolve(community)?;
        let requests = self.requests(&community)?;
        Ok(department_figures(&requests, self.now()))
    }

    /// Members and items over time, month by month, and projects by stage.
    ///
    /// # Errors
    /// Not found, storage errors.
    pub fn dashboard(&mut self, community: &str) -> Result<Dashboard> {
        let community = self.resolve(community)?;
        let key = self.device.actor();
        let c = load_community(self.store.conn(), &mut self.cache, &key, &community)?;
        let mut things: Vec<Dated> = c
            .members
            .values()
            .filter(|m| !m.removed)
            .map(|m| Dated {
                kind: "member".into(),
                at: m.joined_at,
                status: String::new(),
            })
            .collect();
        let mut stmt = self.store.conn().prepare(
            "SELECT kind, created_at, status FROM items WHERE community = ?1 AND kind IN
             ('idea', 'project', 'organisation', 'event', 'opportunity')",
        )?;
        let rows = stmt.query_map([&community], |r| {
            Ok(Dated {
                kind: r.get(0)?,
                at: r.get(1)?,
                status: r.get(2)?,
            })
        })?;
        for row in rows {
            things.push(row?);
        }
        Ok(dashboard(&things, self.now()))
    }

    /// The "Mach mit" digest of the last `days` days, as Markdown or HTML.
    ///
    /// # Errors
    /// Not found, storage errors.
    pub fn digest(&mut self, community: &str, days: u32, format: DigestFormat) -> Result<String> {
        let community = self.resolve(community)?;
        let now = self.now();
        let from = now - i64::from(days.max(1)) * DAY_MS;
        let name = self
            .communities()?
            .into_iter()
            .find(|c| c.id == community)
            .map(|c| c.name)
            .unwrap_or_default();
        let base = ListFilter {
            community: Some(community.clone()),
            limit: Some(200),
            ..ListFilter::default()
        };
        let new_items: Vec<_> = self
            .list(&base)?
            .items
            .into_iter()
            .filter(|i| i.created_at >= from && i.kind != DocKind::Profile && !i.team_only)
            .collect();
        let help_wanted = self
            .list(&ListFilter {
                kind: Some(DocKind::Opportunity),
                running: Some(true),
                ..base.clone()
            })?
            .items;
        let upcoming = self
            .list(&ListFilter {
                kind: Some(DocKind::Event),
                from: Some(allmende_core::time::millis_to_date(now)),
                to: Some(allmende_core::time::millis_to_date(now + 14 * DAY_MS)),
                ..base.clone()
            })?
            .items;
        let mut needs = Vec::new();
        let projects = self.list(&ListFilter {
            kind: Some(DocKind::Project),
            running: Some(true),
            ..base
        })?;
        for p in projects.items.iter().filter(|p| !p.team_only) {
            if let Item::Project(project) = self.load_checked(&p.id)? {
                for n in project.needs.values().filter(|n| !n.met) {
                    needs.push((project.title.clone(), n.description.clone()));
                }
            }
        }
        let d = Digest {
            community: name,
            from,
            to: now,
            new_items,
            help_wanted,
            needs,
            upcoming,
        };
        Ok(digest(&d, format, self.lang()))
    }

    fn load_checked(&mut self, id: &str) -> Result<Item> {
        let key = self.device.actor();
        let raw = docs::item(load_cached(self.store.conn(), &mut self.cache, &key, id)?)?;
        Ok(checked_item(self.store.conn(), &mut self.cache, &key, id, &raw)?.0)
    }

    /// Answers from the town hall on requests this member wrote or follows, newest first.
    ///
    /// # Errors
    /// Not found, damaged documents, storage errors.
    pub fn notifications(&mut self, community: &str) -> Result<Vec<Notification>> {
        let community = self.resolve(community)?;
        let Some(me) = self.me(&community)? else {
            return Ok(Vec::new());
        };
        let names = allmende_store::index::names(self.store.conn(), &community)?;
        let mut out = Vec::new();
        for r in self.requests(&community)? {
            if r.author != me && !r.followers.contains_key(&me) {
                continue;
            }
            for change in r.timeline().into_iter().filter(|c| c.by != me) {
                out.push(Notification {
                    at: change.at,
                    request: r.header.id.clone(),
                    title: r.title.clone(),
                    status: change.status.as_str().to_string(),
                    // A decline speaks through its reason.
                    message: if change.message.is_empty() {
                        change.reason.clone()
                    } else {
                        change.message.clone()
                    },
                    by: names
                        .get(&change.by)
                        .cloned()
                        .unwrap_or_else(|| change.by.clone()),
                    promised_by: change.promised_by.clone(),
                });
            }
        }
        out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.request.cmp(&b.request)));
        Ok(out)
    }
}
