//! The projected index: writing rows, and the list and search queries screens use.

use std::collections::HashMap;

use allmende_core::index::{CommunityRow, IndexRow};
use allmende_core::query::{ItemSummary, ListFilter};
use allmende_core::time::{date_start_millis, parse_date, DAY_MS};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Transaction};

use crate::error::Result;

/// Member id -> display name, for one community.
pub type NameMap = HashMap<String, String>;

fn joined(list: &[String]) -> String {
    if list.is_empty() {
        String::new()
    } else {
        format!(",{},", list.join(","))
    }
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Writes (or replaces) the index row of an item, and its search text.
///
/// # Errors
/// Storage errors.
pub fn put_item(tx: &Transaction<'_>, row: &IndexRow) -> Result<()> {
    // Prepared once per connection: a first sync writes thousands of rows.
    let rowid: i64 = tx.prepare_cached(
        "INSERT INTO items(id, community, kind, title, excerpt, category, categories, status, author,
            created_at, updated_at, start_at, end_at, running, team_only, team, parent,
            supporters, comments, reports, progress, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
         ON CONFLICT(id) DO UPDATE SET community = excluded.community, kind = excluded.kind,
            title = excluded.title, excerpt = excluded.excerpt, category = excluded.category,
            categories = excluded.categories, status = excluded.status, author = excluded.author,
            created_at = excluded.created_at, updated_at = excluded.updated_at,
            start_at = excluded.start_at, end_at = excluded.end_at, running = excluded.running,
            team_only = excluded.team_only, team = excluded.team, parent = excluded.parent,
            supporters = excluded.supporters, comments = excluded.comments,
            reports = excluded.reports, progress = excluded.progress, extra = excluded.extra
         RETURNING rowid",
    )?
    .query_row(
        params![
            row.id,
            row.community,
            row.kind.as_str(),
            row.title,
            row.excerpt,
            row.category,
            joined(&row.categories),
            row.status,
            row.author,
            row.created_at,
            row.updated_at,
            row.start_at,
            row.end_at,
            row.running,
            row.team_only,
            joined(&row.team),
            row.parent,
            i64::try_from(row.supporters).unwrap_or(i64::MAX),
            i64::try_from(row.comments).unwrap_or(i64::MAX),
            i64::try_from(row.reports).unwrap_or(i64::MAX),
            row.progress.map(|p| i64::try_from(p).unwrap_or(100)),
            row.extra.to_string(),
        ],
        |r| r.get(0),
    )?;
    tx.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?
        .execute([rowid])?;
    tx.prepare_cached("INSERT INTO items_fts(rowid, text) VALUES (?1, ?2)")?
        .execute(params![rowid, row.search_text])?;
    Ok(())
}

/// Writes a community's own row, its roster and its moderation state.
///
/// # Errors
/// Storage errors.
pub fn put_community(tx: &Transaction<'_>, row: &CommunityRow) -> Result<()> {
    tx.execute(
        "INSERT INTO communities(id, name, kind, description, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
            description = excluded.description, created_at = excluded.created_at",
        params![row.id, row.name, row.kind, row.description, row.created_at],
    )?;
    tx.execute("DELETE FROM members WHERE community = ?1", [&row.id])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO members(community, id, role, profile, removed) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (id, role, profile, removed) in &row.members {
        ins.execute(params![row.id, id, role, profile, removed])?;
    }
    tx.execute("DELETE FROM hidden WHERE community = ?1", [&row.id])?;
    let mut hide = tx.prepare_cached("INSERT INTO hidden(community, key) VALUES (?1, ?2)")?;
    for key in &row.hidden {
        hide.execute(params![row.id, key])?;
    }
    tx.execute("DELETE FROM held WHERE community = ?1", [&row.id])?;
    let mut hold = tx.prepare_cached("INSERT INTO held(community, member) VALUES (?1, ?2)")?;
    for member in &row.held {
        hold.execute(params![row.id, member])?;
    }
    Ok(())
}

/// Who asks, which decides what a list may show.
#[derive(Debug, Clone)]
pub struct ListQuery<'a> {
    pub filter: &'a ListFilter,
    /// The viewer's member id: team-only projects show only to their team.
    pub viewer: Option<&'a str>,
    /// Moderators see hidden items (marked as hidden); others do not see them at all.
    pub see_hidden: bool,
    /// The time "overdue" is judged at.
    pub now: i64,
}

const SUMMARY_COLUMNS: &str =
    "i.id, i.community, i.kind, i.title, i.excerpt, i.category, i.categories,
    i.status, i.author, coalesce(p.title, ''), i.created_at, i.updated_at, i.start_at, i.end_at,
    i.running, i.team_only, i.parent, i.supporters, i.comments, i.reports, i.progress,
    (h.key IS NOT NULL OR x.member IS NOT NULL), i.extra, x.member IS NOT NULL";

const SUMMARY_JOINS: &str = "FROM items i
    LEFT JOIN items p ON p.community = i.community AND p.kind = 'profile' AND p.author = i.author AND i.author <> ''
    LEFT JOIN hidden h ON h.community = i.community AND h.key = i.id
    LEFT JOIN held x ON x.community = i.community AND x.member = i.author AND i.kind <> 'profile'";

fn to_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemSummary> {
    let kind: String = r.get(2)?;
    let extra: String = r.get(22)?;
    Ok(ItemSummary {
        id: r.get(0)?,
        community: r.get(1)?,
        kind: kind.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, "kind".into())
        })?,
        title: r.get(3)?,
        excerpt: r.get(4)?,
        category: r.get(5)?,
        categories: split(&r.get::<_, String>(6)?),
        status: r.get(7)?,
        author: r.get(8)?,
        author_name: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        start_at: r.get(12)?,
        end_at: r.get(13)?,
        running: r.get(14)?,
        team_only: r.get(15)?,
        parent: r.get(16)?,
        supporters: r.get::<_, i64>(17)?.try_into().unwrap_or(0),
        comments: r.get::<_, i64>(18)?.try_into().unwrap_or(0),
        reports: r.get::<_, i64>(19)?.try_into().unwrap_or(0),
        progress: r
            .get::<_, Option<i64>>(20)?
            .map(|p| p.try_into().unwrap_or(0)),
        hidden: r.get(21)?,
        held: r.get(23)?,
        extra: serde_json::from_str(&extra).unwrap_or(serde_json::Value::Null),
    })
}

fn where_clause(q: &ListQuery<'_>, fts: Option<&str>) -> Result<(String, Vec<Value>)> {
    let f = q.filter;
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let push = |conds: &mut Vec<String>, args: &mut Vec<Value>, cond: &str, value: Value| {
        args.push(value);
        conds.push(cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(c) = &f.community {
        push(
            &mut conds,
            &mut args,
            "i.community = ?",
            Value::Text(c.clone()),
        );
    }
    match f.kind {
        Some(k) => push(
            &mut conds,
            &mut args,
            "i.kind = ?",
            Value::Text(k.as_str().to_string()),
        ),
        None => conds.push("i.kind <> 'profile'".to_string()),
    }
    if let Some(c) = &f.category {
        push(
            &mut conds,
            &mut args,
            "i.categories LIKE ?",
            Value::Text(format!("%,{},%", c.trim().to_lowercase())),
        );
    }
    if let Some(s) = &f.status {
        push(
            &mut conds,
            &mut args,
            "i.status = ?",
            Value::Text(s.trim().to_lowercase().replace('-', "_")),
        );
    }
    if let Some(r) = f.running {
        push(
            &mut conds,
            &mut args,
            "i.running = ?",
            Value::Integer(i64::from(r)),
        );
    }
    if let Some(from) = &f.from {
        let ms = date_start_millis(parse_date(from)?);
        push(
            &mut conds,
            &mut args,
            "coalesce(i.end_at, i.start_at, i.created_at) >= ?",
            Value::Integer(ms),
        );
    }
    if let Some(to) = &f.to {
        let ms = date_start_millis(parse_date(to)?) + DAY_MS;
        push(
            &mut conds,
            &mut args,
            "coalesce(i.start_at, i.created_at) < ?",
            Value::Integer(ms),
        );
    }
    if let Some(d) = &f.department {
        push(
            &mut conds,
            &mut args,
            "json_extract(i.extra, '$.department') = ?",
            Value::Text(d.trim().to_string()),
        );
    }
    if f.overdue == Some(true) {
        push(
            &mut conds,
            &mut args,
            "i.kind = 'request' AND i.status IN ('submitted', 'received', 'in_review')
             AND i.start_at IS NOT NULL AND i.start_at + 86400000 <= ?",
            Value::Integer(q.now),
        );
    }
    match f.showcase {
        Some(true) => conds.push("json_extract(i.extra, '$.origin') IS NOT NULL".to_string()),
        Some(false) => conds.push("json_extract(i.extra, '$.origin') IS NULL".to_string()),
        None => {}
    }
    match f.reported {
        // Held first posts of new members wait in the moderators' queue too.
        Some(true) => conds.push("(i.reports > 0 OR x.member IS NOT NULL)".to_string()),
        Some(false) => conds.push("i.reports = 0".to_string()),
        None => {}
    }
    if let Some(p) = &f.parent {
        push(
            &mut conds,
            &mut args,
            "i.parent = ?",
            Value::Text(p.clone()),
        );
    }
    if let Some(m) = fts {
        push(
            &mut conds,
            &mut args,
            "i.rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)",
            Value::Text(m.to_string()),
        );
    }
    match q.viewer {
        Some(me) => push(
            &mut conds,
            &mut args,
            "(i.team_only = 0 OR i.team LIKE ?)",
            Value::Text(format!("%,{me},%")),
        ),
        None => conds.push("i.team_only = 0".to_string()),
    }
    if !q.see_hidden {
        conds.push("h.key IS NULL".to_string());
        // Held posts of new members show only to their authors until approved (content by
        // nobody, author '', to nobody: a viewer is never '').
        match q.viewer.filter(|v| !v.is_empty()) {
            Some(me) => push(
                &mut conds,
                &mut args,
                "(x.member IS NULL OR i.author = ?)",
                Value::Text(me.to_string()),
            ),
            None => conds.push("x.member IS NULL".to_string()),
        }
    }
    Ok((conds.join(" AND "), args))
}

/// A page of items matching the filter, and how many match in all.
///
/// # Errors
/// Storage errors, or a bad date in the filter.
pub fn list(conn: &Connection, q: &ListQuery<'_>) -> Result<(Vec<ItemSummary>, u64)> {
    let text = q
        .filter
        .text
        .as_deref()
        .and_then(allmende_core::fold::fts_query);
    if q.filter.text.is_some() && text.is_none() {
        return Ok((Vec::new(), 0));
    }
    let (cond, mut args) = where_clause(q, text.as_deref())?;
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) {SUMMARY_JOINS} WHERE {cond}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let order = match q.filter.kind {
        Some(allmende_core::model::DocKind::Event) => "i.start_at ASC, i.id",
        Some(
            allmende_core::model::DocKind::Organisation | allmende_core::model::DocKind::Profile,
        ) => "i.title COLLATE NOCASE, i.id",
        _ => "i.created_at DESC, i.id",
    };
    let limit = i64::from(q.filter.limit.unwrap_or(50).min(1000));
    let offset = i64::from(q.filter.offset.unwrap_or(0));
    args.push(Value::Integer(limit));
    args.push(Value::Integer(offset));
    let n = args.len();
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} {SUMMARY_JOINS} WHERE {cond} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
        n - 1,
        n
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), to_summary)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((rows, total.try_into().unwrap_or(0)))
}

/// Full-text search, best matches first.
///
/// # Errors
/// Storage errors.
pub fn search(conn: &Connection, q: &ListQuery<'_>, text: &str) -> Result<Vec<ItemSummary>> {
    let Some(m) = allmende_core::fold::fts_query(text) else {
        return Ok(Vec::new());
    };
    let (cond, mut args) = where_clause(q, None)?;
    args.push(Value::Text(m));
    let n = args.len();
    args.push(Value::Integer(i64::from(
        q.filter.limit.unwrap_or(20).min(200),
    )));
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM (SELECT rowid AS r, rank FROM items_fts WHERE items_fts MATCH ?{n}) f
         JOIN items i ON i.rowid = f.r
         LEFT JOIN items p ON p.community = i.community AND p.kind = 'profile' AND p.author = i.author AND i.author <> ''
         LEFT JOIN hidden h ON h.community = i.community AND h.key = i.id
         LEFT JOIN held x ON x.community = i.community AND x.member = i.author AND i.kind <> 'profile'
         WHERE {cond} ORDER BY f.rank LIMIT ?{}",
        n + 1
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), to_summary)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One item's summary, if indexed.
///
/// # Errors
/// Storage errors.
pub fn summary(conn: &Connection, id: &str) -> Result<Option<ItemSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} {SUMMARY_JOINS} WHERE i.id = ?1"
    ))?;
    let mut rows = stmt.query_map([id], to_summary)?;
    Ok(rows.next().transpose()?)
}

/// Display names of every member of a community.
///
/// # Errors
/// Storage errors.
pub fn names(conn: &Connection, community: &str) -> Result<NameMap> {
    let mut stmt = conn.prepare_cached(
        "SELECT author, title FROM items WHERE community = ?1 AND kind = 'profile' AND author <> ''",
    )?;
    let rows = stmt
        .query_map([community], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<HashMap<_, _>, _>>()?;
    Ok(rows)
}

/// Item ids that start with `prefix` (for short ids typed on the command line).
///
/// # Errors
/// Storage errors.
pub fn resolve_prefix(conn: &Connection, prefix: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM docs WHERE id >= ?1 AND id < ?1 || x'7f' ORDER BY id LIMIT 3",
    )?;
    let rows = stmt
        .query_map([prefix], |r| r.get(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The index layout version (see `schema.rs`).
pub const INDEX_VERSION_TEXT: &str = super::schema::INDEX_VERSION;
/// Drops the index tables.
pub const DROP_INDEX_SQL: &str = super::schema::DROP_INDEX;
/// Creates the index tables.
pub const INDEX_TABLES_SQL: &str = super::schema::INDEX_TABLES;
