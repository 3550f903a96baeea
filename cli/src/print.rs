//! Output: readable text in German or English, or JSON with `--json`.

use allmende_core::apply::Item;
use allmende_core::category::{CategoryDef, DEFAULT_CATEGORIES};
use allmende_core::lang::label;
use allmende_core::query::{
    CommunitySummary, ItemDetail, ItemSummary, ListPage, MemberSummary, Outcome, Overview,
};
use allmende_core::time::millis_to_date;
use allmende_core::Lang;
use serde::Serialize;

use allmende_service::ImportReport;
use allmende_store::error::Result;

pub struct Printer {
    json: bool,
    lang: Lang,
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

impl Printer {
    pub fn new(json: bool, lang: Lang) -> Self {
        Printer { json, lang }
    }

    fn de(&self) -> bool {
        self.lang == Lang::De
    }

    fn t<'a>(&self, de: &'a str, en: &'a str) -> &'a str {
        if self.de() {
            de
        } else {
            en
        }
    }

    pub(super) fn json_out<T: Serialize>(&self, value: &T) -> Result<()> {
        self.json(value)
    }

    fn json<T: Serialize>(&self, value: &T) -> Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }

    fn category(&self, key: &str) -> String {
        DEFAULT_CATEGORIES
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(key.to_string(), |(_, de, en)| {
                (if self.de() { *de } else { *en }).to_string()
            })
    }

    pub fn outcome(&self, o: &Outcome) -> Result<()> {
        if self.json {
            return self.json(o);
        }
        println!("{} {}", self.t("✓ Gespeichert:", "✓ Saved:"), o.id);
        Ok(())
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    pub fn value<T: Serialize>(&self, value: &T) -> Result<()> {
        self.json(value)
    }

    pub fn note(&self, text: &str) -> Result<()> {
        if self.json {
            return self.json(&serde_json::json!({ "written": text }));
        }
        println!("{} {text}", self.t("✓ Geschrieben:", "✓ Written:"));
        Ok(())
    }

    fn line(&self, i: &ItemSummary) -> String {
        let mut facts = Vec::new();
        if !i.category.is_empty() {
            facts.push(self.category(&i.category));
        }
        if !i.status.is_empty() {
            facts.push(label(&i.status, self.lang));
        }
        if let Some(p) = i.progress {
            facts.push(format!("{p} %"));
        }
        if let Some(s) = i.start_at {
            facts.push(millis_to_date(s));
        }
        if i.supporters > 0 {
            facts.push(format!("♥ {}", i.supporters));
        }
        if i.comments > 0 {
            facts.push(format!("💬 {}", i.comments));
        }
        if i.team_only {
            facts.push(label("team", self.lang));
        }
        if i.hidden {
            facts.push(self.t("AUSGEBLENDET", "HIDDEN").to_string());
        }
        format!("{}  {}  [{}]", short(&i.id), i.title, facts.join(" · "))
    }

    pub fn items(&self, items: &[ItemSummary]) -> Result<()> {
        if self.json {
            return self.json(&items);
        }
        if items.is_empty() {
            println!("{}", self.t("Nichts gefunden.", "Nothing found."));
        }
        for i in items {
            println!("{} {}", label(i.kind.as_str(), self.lang), self.line(i));
        }
        Ok(())
    }

    pub fn page(&self, page: &ListPage) -> Result<()> {
        if self.json {
            return self.json(page);
        }
        if page.items.is_empty() {
            println!("{}", self.t("Noch keine Einträge.", "No entries yet."));
        }
        for i in &page.items {
            println!("{}", self.line(i));
        }
        if page.total > page.items.len() as u64 {
            println!(
                "… {} {} {}",
                page.items.len(),
                self.t("von", "of"),
                page.total
            );
        }
        Ok(())
    }

    pub fn communities(&self, list: &[CommunitySummary], current: Option<&str>) -> Result<()> {
        if self.json {
            return self.json(&list);
        }
        if list.is_empty() {
            println!(
                "{}",
                self.t(
                    "Noch keine Gemeinschaft. Lege eine an mit `allmende init` oder probiere `allmende demo`.",
                    "No community yet. Create one with `allmende init` or try `allmende demo`."
                )
            );
        }
        for c in list {
            let mark = if Some(c.id.as_str()) == current {
                "*"
            } else {
                " "
            };
            println!(
                "{mark} {}  {} ({}, {} {})",
                c.id,
                c.name,
                label(&c.kind, self.lang),
                c.members,
                self.t("Mitglieder", "members")
            );
        }
        Ok(())
    }

    pub fn overview(&self, o: &Overview) -> Result<()> {
        if self.json {
            return self.json(o);
        }
        let c = &o.community;
        println!("{} — {} ({})", c.name, label(&c.kind, self.lang), c.id);
        if !c.description.is_empty() {
            println!("{}", c.description);
        }
        let counts: Vec<String> = c
            .counts
            .iter()
            .map(|(k, n)| format!("{n} × {}", label(k, self.lang)))
            .collect();
        println!(
            "{} {} · {}",
            c.members,
            self.t("Mitglieder", "members"),
            counts.join(" · ")
        );
        if let Some(role) = &c.my_role {
            println!(
                "{} {}",
                self.t("Deine Rolle:", "Your role:"),
                label(role, self.lang)
            );
        }
        if !o.my_open_tasks.is_empty() {
            println!("\n{}", self.t("Was dich braucht:", "What needs you:"));
            for t in &o.my_open_tasks {
                println!("  ☐ {} — {} {}", t.title, t.project_title, t.due);
            }
        }
        if !o.overdue_requests.is_empty() {
            println!(
                "\n{}",
                self.t(
                    "Warten auf das Rathaus (überfällig):",
                    "Waiting for the town hall (overdue):"
                )
            );
            for r in &o.overdue_requests {
                println!("  {}", self.line(r));
            }
        }
        if !o.upcoming_events.is_empty() {
            println!("\n{}", self.t("Demnächst:", "Coming up:"));
            for e in &o.upcoming_events {
                println!("  {}", self.line(e));
            }
        }
        if !o.latest.is_empty() {
            println!("\n{}", self.t("Neu:", "New:"));
            for i in &o.latest {
                println!("  {} {}", label(i.kind.as_str(), self.lang), self.line(i));
            }
        }
        Ok(())
    }

    pub fn categories(&self, cats: &[CategoryDef]) -> Result<()> {
        if self.json {
            return self.json(&cats);
        }
        for c in cats {
            let archived = if c.archived {
                self.t(" (archiviert)", " (archived)")
            } else {
                ""
            };
            println!("{:12} {}{archived}", c.key, c.label(self.lang));
        }
        Ok(())
    }

    pub fn members(&self, members: &[MemberSummary]) -> Result<()> {
        if self.json {
            return self.json(&members);
        }
        for m in members {
            let interests: Vec<String> = m.interests.iter().map(|i| self.category(i)).collect();
            println!(
                "{:12} {}  [{}]  {}",
                m.id,
                m.display_name,
                label(&m.role, self.lang),
                interests.join(", ")
            );
        }
        Ok(())
    }

    pub fn import(&self, r: &ImportReport) -> Result<()> {
        if self.json {
            return self.json(r);
        }
        println!(
            "{} {}: {} {}, {} {}, {} {}",
            self.t("✓ Importiert in", "✓ Imported into"),
            r.community,
            r.created,
            self.t("neu", "new"),
            r.merged,
            self.t("ergänzt", "merged"),
            r.unchanged,
            self.t("unverändert", "unchanged")
        );
        Ok(())
    }

    pub fn problems(&self, problems: &[(String, String)]) -> Result<()> {
        if self.json {
            return self.json(&problems);
        }
        if problems.is_empty() {
            println!("{}", self.t("✓ Alles in Ordnung.", "✓ All good."));
        }
        for (id, why) in problems {
            println!("✗ {id}: {why}");
        }
        Ok(())
    }

    pub fn notes(&self, d: &ItemDetail) -> Result<()> {
        let notes = match &d.item {
            Item::Project(p) => p.notes.as_str().to_string(),
            _ => String::new(),
        };
        if self.json {
            return self.json(&serde_json::json!({ "notes": notes }));
        }
        print!("{notes}");
        Ok(())
    }

    pub(super) fn lang(&self) -> Lang {
        self.lang
    }

    pub(super) fn label_category(&self, key: &str) -> String {
        self.category(key)
    }

    pub(super) fn summary_line(&self, i: &ItemSummary) -> String {
        self.line(i)
    }
}
