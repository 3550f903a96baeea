//! The readable detail view of one item, per kind.

use allmende_core::apply::Item;
use allmende_core::lang::label;
use allmende_core::model::Comment;
use allmende_core::query::ItemDetail;
use allmende_core::time::{millis_to_date, millis_to_rfc3339};
use allmende_core::Lang;

use super::print::Printer;
use allmende_store::error::Result;

fn name<'a>(d: &'a ItemDetail, member: &'a str) -> &'a str {
    d.names.get(member).map_or(member, String::as_str)
}

impl Printer {
    /// One item in full: JSON with `--json`, else the readable view of its kind.
    ///
    /// # Errors
    /// Output errors.
    pub fn detail(&self, d: &ItemDetail) -> Result<()> {
        if self.is_json() {
            return self.json_out(d);
        }
        detail(self, d);
        Ok(())
    }
}

fn detail(p: &Printer, d: &ItemDetail) {
    let lang = p.lang();
    let de = lang == Lang::De;
    let t = |a: &'static str, b: &'static str| if de { a } else { b };
    let s = &d.summary;
    println!("{} · {}", label(s.kind.as_str(), lang), s.id);
    println!("{}", s.title);
    if !s.category.is_empty() {
        println!(
            "{} {}",
            t("Kategorie:", "Category:"),
            p.label_category(&s.category)
        );
    }
    if !s.status.is_empty() {
        println!("{} {}", t("Stand:", "Status:"), label(&s.status, lang));
    }
    if !s.author_name.is_empty() {
        println!(
            "{} {} · {}",
            t("Von:", "By:"),
            s.author_name,
            millis_to_date(s.created_at)
        );
    }
    match &d.item {
        Item::Profile(x) => {
            println!("{}", x.about);
            let interests: Vec<String> = x.interests.iter().map(|i| p.label_category(i)).collect();
            println!(
                "{} {}",
                t("Interessen:", "Interests:"),
                interests.join(", ")
            );
            if !x.organisation.is_empty() {
                println!("{} {}", t("Organisation:", "Organisation:"), x.organisation);
            }
        }
        Item::Idea(x) => {
            println!("\n{}\n", x.text);
            let names: Vec<&str> = x.supporters.keys().map(|m| name(d, m)).collect();
            println!(
                "♥ {} {}: {}",
                x.supporters.len(),
                t("Unterstützung", "supporters"),
                names.join(", ")
            );
            if !x.project.is_empty() {
                println!("{} {}", t("Projekt:", "Project:"), x.project);
            }
        }
        Item::Project(x) => {
            println!("\n{}\n", x.summary);
            println!(
                "{} {} % · {}",
                t("Fortschritt:", "Progress:"),
                x.effective_progress(),
                label(x.visibility.as_str(), lang)
            );
            let team: Vec<String> = x
                .team
                .iter()
                .map(|(m, r)| format!("{} ({})", name(d, m), label(r.role.as_str(), lang)))
                .collect();
            println!("{} {}", t("Team:", "Team:"), team.join(", "));
            let mut steps: Vec<_> = x.steps.values().collect();
            steps.sort_by_key(|s| (s.position, s.id.clone()));
            let mut sections: Vec<(String, String)> = steps
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        if s.stage.is_empty() {
                            format!("{} {}", if s.done { "☑" } else { "☐" }, s.title)
                        } else {
                            format!(
                                "{} {} ({})",
                                if s.done { "☑" } else { "☐" },
                                s.title,
                                label(&s.stage, lang)
                            )
                        },
                    )
                })
                .collect();
            sections.push((String::new(), t("Ohne Schritt", "No step").to_string()));
            println!("\n{}", t("Schritte und Aufgaben:", "Steps and tasks:"));
            for (id, title) in sections {
                let tasks: Vec<_> = x.tasks.values().filter(|task| task.step == id).collect();
                if tasks.is_empty() && id.is_empty() {
                    continue;
                }
                println!("  {title}  [{id}]");
                for task in tasks {
                    let who = if task.assignee.is_empty() {
                        ""
                    } else {
                        name(d, &task.assignee)
                    };
                    println!(
                        "    {} {}  {} {}  [{}]",
                        if task.done { "☑" } else { "☐" },
                        task.title,
                        who,
                        task.due,
                        task.id
                    );
                }
            }
            if !x.milestones.is_empty() {
                println!("\n{}", t("Meilensteine:", "Milestones:"));
                for m in x.milestones.values() {
                    println!(
                        "  {} {} {}  [{}]",
                        if m.reached { "◆" } else { "◇" },
                        m.title,
                        m.due,
                        m.id
                    );
                }
            }
            if !x.needs.is_empty() {
                println!("\n{}", t("Bedarf:", "Needs:"));
                for n in x.needs.values() {
                    println!(
                        "  {} {}: {}  [{}]",
                        if n.met { "☑" } else { "☐" },
                        label(n.kind.as_str(), lang),
                        n.description,
                        n.id
                    );
                }
            }
            if !x.notes.as_str().is_empty() {
                println!("\n{}\n{}", t("Notizen:", "Notes:"), x.notes.as_str());
            }
        }
        Item::Request(x) => {
            println!("\n{}\n", x.text);
            println!("{} {}", t("Abteilung:", "Department:"), x.department);
            println!("{} {}", t("Ansprechperson:", "Contact:"), x.contact());
            println!(
                "{} {}",
                t("Antwort versprochen bis:", "Answer promised by:"),
                x.promised_by()
            );
            if let Some(days) = d.waiting_days {
                println!(
                    "⏰ {} {days} {}",
                    t("wartet seit", "waiting for"),
                    t("Tagen", "days")
                );
            }
            println!("\n{}", t("Verlauf:", "History:"));
            for c in x.timeline() {
                let mut line = format!(
                    "  {}  {}  {}",
                    millis_to_rfc3339(c.at),
                    label(c.status.as_str(), lang),
                    name(d, &c.by)
                );
                if !c.message.is_empty() {
                    line.push_str(&format!(" — {}", c.message));
                }
                if !c.reason.is_empty() {
                    line.push_str(&format!(" ({}: {})", t("Begründung", "reason"), c.reason));
                }
                println!("{line}");
            }
        }
        Item::Organisation(x) => {
            println!("\n{}\n", x.description);
            let cats: Vec<String> = x.categories.iter().map(|c| p.label_category(c)).collect();
            println!("{} {}", t("Bereiche:", "Fields:"), cats.join(", "));
            println!("{} {}  {}", t("Kontakt:", "Contact:"), x.contact, x.website);
            for pr in x.projects.values() {
                println!(
                    "  {} {}  [{}]",
                    if pr.running {
                        t("läuft", "running")
                    } else {
                        t("abgeschlossen", "finished")
                    },
                    pr.title,
                    pr.id
                );
            }
        }
        Item::Opportunity(x) => {
            println!("\n{}\n", x.description);
            println!("{} · {}", label(x.term.as_str(), lang), x.commitment);
            if !x.date.is_empty() {
                println!("{} {}", t("Datum:", "Date:"), x.date);
            }
            println!("{} {}", t("Kontakt:", "Contact:"), x.contact);
            println!("{} {}", x.signups.len(), t("Anmeldungen", "sign-ups"));
        }
        Item::Event(x) => {
            println!("\n{}\n", x.description);
            println!("{} – {} ({})", x.start, x.end, x.time_zone);
            if !x.place.is_empty() {
                println!("{} {}", t("Ort:", "Place:"), x.place);
            }
            if !x.online_link.is_empty() {
                println!("{} {}", t("Online:", "Online:"), x.online_link);
            }
            println!(
                "{} {}",
                t("Veranstaltet von:", "Organised by:"),
                x.organiser
            );
            println!(
                "{} {}",
                x.registrations.len(),
                t("Anmeldungen", "registrations")
            );
        }
        Item::Post(x) => {
            println!("\n{}\n", x.text);
            if !x.offered_by.is_empty() {
                println!("{} {}", t("Angeboten von:", "Offered by:"), x.offered_by);
            }
        }
        Item::Template(x) => {
            println!("\n{}\n", x.description);
            for s in &x.steps {
                println!("  {} ({})", s.title, label(s.stage.as_str(), lang));
                for task in &s.tasks {
                    println!("    ☐ {task}");
                }
            }
            for m in &x.milestones {
                println!("  ◆ {} (+{} {})", m.title, m.after_days, t("Tage", "days"));
            }
        }
    }
    if !d.requests.is_empty() {
        println!(
            "\n{}",
            t("Anfragen ans Rathaus:", "Requests to the town hall:")
        );
        for r in &d.requests {
            println!("  {}", p.summary_line(r));
        }
    }
    if let Some(comments) = d.item.comments() {
        let mut list: Vec<&Comment> = comments.values().collect();
        list.sort_by_key(|c| (c.created_at, c.id.clone()));
        if !list.is_empty() {
            println!("\n{}", t("Kommentare:", "Comments:"));
        }
        for c in list {
            if d.hidden_comments.contains(&c.id) {
                println!("  [{}]", t("ausgeblendet", "hidden"));
                continue;
            }
            println!(
                "  {} ({}): {}",
                name(d, &c.author),
                millis_to_date(c.created_at),
                c.text
            );
        }
    }
}
