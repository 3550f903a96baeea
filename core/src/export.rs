//! Exports: the whole community as JSON (re-importable), events as iCalendar, a Markdown report.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::apply::Item;
use crate::error::DomainError;
use crate::lang::Lang;
use crate::model::{check_schema, Community, Event};
use crate::time::{millis_to_date, parse_datetime, Millis};

/// The format tag of a JSON export.
pub const EXPORT_FORMAT: &str = "allmende-export";
/// The version of the JSON export layout.
pub const EXPORT_VERSION: u64 = 1;

/// A whole community as one JSON file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub version: u64,
    pub exported_at: Millis,
    pub community: Community,
    pub items: Vec<Item>,
}

impl ExportFile {
    /// Checks an export read from a file before anything is written.
    ///
    /// # Errors
    /// A [`DomainError`] for a foreign format, a newer version or a schema, or items that
    /// belong to another community.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.format != EXPORT_FORMAT {
            return Err(DomainError::UnknownValue {
                field: "format",
                value: self.format.clone(),
                allowed: EXPORT_FORMAT.to_string(),
            });
        }
        if self.version > EXPORT_VERSION {
            return Err(DomainError::UnsupportedSchema {
                found: self.version,
                supported: EXPORT_VERSION,
            });
        }
        check_schema(self.community.header.schema)?;
        crate::ids::DocId::parse(&self.community.header.id)?;
        for item in &self.items {
            let h = item.header();
            check_schema(h.schema)?;
            crate::ids::DocId::parse(&h.id)?;
            if h.community != self.community.header.id {
                return Err(DomainError::Invalid(
                    "an item of the export belongs to another community",
                ));
            }
        }
        Ok(())
    }
}

/// Renders events as an iCalendar file (RFC 5545), times in UTC.
#[must_use]
pub fn ics(calendar_name: &str, events: &[&Event], now: Millis) -> String {
    ics_with(calendar_name, events, now, None)
}

/// The same as a subscribed calendar: calendar apps are asked to fetch it again every hour,
/// and each event's description ends with `link(event id)`, the event in the app. UIDs stay
/// the event ids, so an edited event replaces its old version in the subscriber's calendar.
#[must_use]
pub fn ics_feed(
    calendar_name: &str,
    events: &[&Event],
    now: Millis,
    link: &dyn Fn(&str) -> String,
) -> String {
    ics_with(calendar_name, events, now, Some(link))
}

fn ics_with(
    calendar_name: &str,
    events: &[&Event],
    now: Millis,
    link: Option<&dyn Fn(&str) -> String>,
) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Allmende//Allmende 0.1//DE");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(calendar_name)));
    if link.is_some() {
        line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        line(&mut out, "X-PUBLISHED-TTL:PT1H");
    }
    for e in events {
        let (Ok(start), Ok(end)) = (parse_datetime(&e.start), parse_datetime(&e.end)) else {
            continue;
        };
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@allmende", e.header.id));
        line(&mut out, &format!("DTSTAMP:{}", ics_time(now)));
        line(&mut out, &format!("DTSTART:{}", ics_time(start)));
        line(&mut out, &format!("DTEND:{}", ics_time(end)));
        line(&mut out, &format!("SUMMARY:{}", escape(&e.title)));
        let description = match link {
            Some(link) if e.description.is_empty() => link(&e.header.id),
            Some(link) => format!("{}\n\n{}", e.description, link(&e.header.id)),
            None => e.description.clone(),
        };
        if !description.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", escape(&description)));
        }
        if !e.place.is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(&e.place)));
        }
        if !e.online_link.is_empty() {
            line(&mut out, &format!("URL:{}", e.online_link));
        }
        line(&mut out, &format!("CATEGORIES:{}", escape(&e.category)));
        if !e.organiser.is_empty() {
            line(
                &mut out,
                &format!("X-ALLMENDE-ORGANISER:{}", escape(&e.organiser)),
            );
        }
        if e.cancelled {
            line(&mut out, "STATUS:CANCELLED");
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn ics_time(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Appends a content line folded at 75 octets, with CRLF, as RFC 5545 asks.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for ch in content.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

/// A readable Markdown report of the whole community.
#[must_use]
pub fn markdown(community: &Community, items: &[Item], lang: Lang) -> String {
    let de = lang == Lang::De;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", community.name);
    if !community.description.is_empty() {
        let _ = writeln!(out, "{}\n", community.description);
    }
    let label = |key: &str| {
        community
            .categories
            .iter()
            .find(|c| c.key == key)
            .map_or(key.to_string(), |c| c.label(lang).to_string())
    };
    let sections: [(crate::model::DocKind, &str, &str); 7] = [
        (crate::model::DocKind::Idea, "Ideen", "Ideas"),
        (crate::model::DocKind::Project, "Projekte", "Projects"),
        (
            crate::model::DocKind::Request,
            "Anfragen ans Rathaus",
            "Requests to the town hall",
        ),
        (crate::model::DocKind::Event, "Veranstaltungen", "Events"),
        (
            crate::model::DocKind::Opportunity,
            "Mitmachen",
            "Volunteering",
        ),
        (
            crate::model::DocKind::Organisation,
            "Verzeichnis",
            "Directory",
        ),
        (
            crate::model::DocKind::Post,
            "Neuigkeiten, Tipps & Angebote",
            "News, tips & offers",
        ),
    ];
    for (kind, title_de, title_en) in sections {
        let rows: Vec<_> = items
            .iter()
            .filter(|i| i.kind() == kind && !community.is_hidden(&i.header().id))
            .map(crate::index::project)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", if de { title_de } else { title_en });
        for r in rows {
            let mut facts = Vec::new();
            if !r.category.is_empty() {
                facts.push(label(&r.category));
            }
            if !r.status.is_empty() {
                facts.push(r.status.replace('_', " "));
            }
            if let Some(p) = r.progress {
                facts.push(format!("{p} %"));
            }
            if let Some(s) = r.start_at {
                facts.push(millis_to_date(s));
            }
            let _ = writeln!(out, "- **{}** ({})", r.title, facts.join(", "));
            if !r.excerpt.is_empty() {
                let _ = writeln!(out, "  {}", r.excerpt.replace('\n', " "));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_lines_are_folded_and_escaped() {
        let mut out = String::new();
        line(&mut out, &"x".repeat(200));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(escape("a,b;c\nd"), "a\\,b\\;c\\nd");
    }
}
