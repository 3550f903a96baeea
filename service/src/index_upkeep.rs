//! Index upkeep: the index rebuilt from every document when its layout changed (or on
//! request), and checked against a fresh projection.

use allmende_core::index::{project, project_community};

use crate::cache::{load_cached, load_community};
use crate::docs;
use crate::judge::{checked_item, item_for_index};
use crate::Service;
use allmende_store::error::Result;
use allmende_store::index;

impl Service {
    /// Rebuilds the index when its layout version changed (or it was never built).
    pub(super) fn ensure_index(&mut self) -> Result<()> {
        let current = self.store.setting("index_version")?;
        if current.as_deref() != Some(allmende_store::index::INDEX_VERSION_TEXT) {
            self.rebuild_index()?;
        }
        Ok(())
    }

    /// Drops the index and projects it anew from every document. Damaged documents are
    /// skipped and reported; the rest is indexed.
    ///
    /// # Errors
    /// Storage errors.
    pub fn rebuild_index(&mut self) -> Result<Vec<(String, String)>> {
        let docs_list = self.store.docs(None)?;
        let key = self.device.actor();
        let mut problems = Vec::new();
        let mut communities = Vec::new();
        let mut items = Vec::new();
        for meta in docs_list {
            if meta.kind == "community" {
                match load_community(self.store.conn(), &mut self.cache, &key, &meta.id) {
                    Ok(c) => communities.push(project_community(&c)),
                    Err(e) => problems.push((meta.id.clone(), e.to_string())),
                }
                continue;
            }
            let loaded = load_cached(self.store.conn(), &mut self.cache, &key, &meta.id);
            let doc = match loaded {
                Ok(d) => d,
                Err(e) => {
                    problems.push((meta.id.clone(), e.to_string()));
                    continue;
                }
            };
            {
                // Read under the id and community it is stored as (its header may say otherwise).
                let checked = docs::item_at(doc, &meta.id, &meta.community).and_then(|i| {
                    item_for_index(self.store.conn(), &mut self.cache, &key, &meta.id, &i)
                });
                match checked {
                    Ok((i, parties)) => items.push((project(&i), parties)),
                    Err(e) => problems.push((meta.id.clone(), e.to_string())),
                }
            }
        }
        self.store.write(|tx| {
            tx.execute_batch(allmende_store::index::DROP_INDEX_SQL)?;
            tx.execute_batch(allmende_store::index::INDEX_TABLES_SQL)?;
            for c in &communities {
                index::put_community(tx, c)?;
            }
            for (row, parties) in &items {
                index::put_item(tx, row)?;
                allmende_store::parties::put(tx, &row.id, &row.community, parties)?;
            }
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('index_version', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [allmende_store::index::INDEX_VERSION_TEXT],
            )?;
            Ok(())
        })?;
        for (id, why) in &problems {
            tracing::warn!(%id, %why, "document skipped while rebuilding the index");
        }
        Ok(problems)
    }

    /// Compares the stored index with a fresh projection of every document; returns the ids
    /// whose rows disagree (empty when the index is faithful).
    ///
    /// # Errors
    /// Storage errors; damaged documents are reported as disagreeing.
    pub fn verify_index(&mut self) -> Result<Vec<String>> {
        let key = self.device.actor();
        let mut wrong = Vec::new();
        let docs_list = self.store.docs(None)?;
        let mut items = 0_i64;
        for meta in docs_list {
            if meta.kind == "community" {
                continue;
            }
            items += 1;
            let doc = match load_cached(self.store.conn(), &mut self.cache, &key, &meta.id) {
                Ok(d) => d,
                Err(_) => {
                    wrong.push(meta.id);
                    continue;
                }
            };
            let checked = docs::item_at(doc, &meta.id, &meta.community)
                .and_then(|i| checked_item(self.store.conn(), &mut self.cache, &key, &meta.id, &i));
            let Ok((item, _)) = checked else {
                wrong.push(meta.id);
                continue;
            };
            let row = project(&item);
            let stored = index::summary(self.store.conn(), &meta.id)?;
            let agrees = stored.is_some_and(|s| {
                s.kind == row.kind
                    && s.title == row.title
                    && s.excerpt == row.excerpt
                    && s.category == row.category
                    && s.categories == row.categories
                    && s.status == row.status
                    && s.author == row.author
                    && s.created_at == row.created_at
                    && s.updated_at == row.updated_at
                    && s.start_at == row.start_at
                    && s.end_at == row.end_at
                    && s.running == row.running
                    && s.team_only == row.team_only
                    && s.parent == row.parent
                    && s.supporters == row.supporters
                    && s.comments == row.comments
                    && s.reports == row.reports
                    && s.progress == row.progress
                    && s.extra == row.extra
            });
            if !agrees {
                wrong.push(meta.id);
            }
        }
        let (indexed, searchable): (i64, i64) = self.store.conn().query_row(
            "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM items_fts)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if indexed != items || searchable != items {
            wrong.push(format!(
                "index holds {indexed} rows and {searchable} search entries for {items} documents"
            ));
        }
        Ok(wrong)
    }
}
