//! The weekly "Mach mit" digest: what is new and where help is needed, as Markdown or HTML
//! ready to post in a newsletter, a messenger group or the town's website.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::query::ItemSummary;
use crate::time::millis_to_date;

string_enum! {
    /// The digest's text format.
    pub enum DigestFormat {
        Markdown => "md",
        Html => "html",
    }
}

/// What goes into a digest; the runtime gathers it from the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub community: String,
    pub from: i64,
    pub to: i64,
    /// Items created in the period (ideas, projects, events, posts, ...).
    pub new_items: Vec<ItemSummary>,
    /// Open volunteering opportunities.
    pub help_wanted: Vec<ItemSummary>,
    /// Projects with open needs: (project title, what is needed).
    pub needs: Vec<(String, String)>,
    /// Events coming up.
    pub upcoming: Vec<ItemSummary>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the digest.
#[must_use]
pub fn digest(d: &Digest, format: DigestFormat, lang: Lang) -> String {
    let de = lang == Lang::De;
    let t = |a: &'static str, b: &'static str| if de { a } else { b };
    let title = format!(
        "{} {} ({} – {})",
        t("Mach mit in", "Join in at"),
        d.community,
        millis_to_date(d.from),
        millis_to_date(d.to)
    );
    let sections: Vec<(&str, Vec<String>)> = vec![
        (
            t("Neu diese Woche", "New this week"),
            d.new_items
                .iter()
                .map(|i| {
                    format!(
                        "{} ({})",
                        i.title,
                        crate::lang::label(i.kind.as_str(), lang)
                    )
                })
                .collect(),
        ),
        (
            t("Hilfe gesucht", "Help wanted"),
            d.help_wanted.iter().map(|i| i.title.clone()).collect(),
        ),
        (
            t("Projekte brauchen", "Projects need"),
            d.needs.iter().map(|(p, n)| format!("{p}: {n}")).collect(),
        ),
        (
            t("Termine", "Coming up"),
            d.upcoming
                .iter()
                .map(|i| {
                    let when = i.start_at.map(millis_to_date).unwrap_or_default();
                    format!("{when} {}", i.title)
                })
                .collect(),
        ),
    ];
    match format {
        DigestFormat::Markdown => {
            let mut out = format!("# {title}\n");
            for (head, lines) in sections.iter().filter(|(_, l)| !l.is_empty()) {
                out.push_str(&format!("\n## {head}\n\n"));
                for line in lines {
                    out.push_str(&format!("- {line}\n"));
                }
            }
            out
        }
        DigestFormat::Html => {
            let mut out = format!("<article>\n<h1>{}</h1>\n", escape(&title));
            for (head, lines) in sections.iter().filter(|(_, l)| !l.is_empty()) {
                out.push_str(&format!("<h2>{}</h2>\n<ul>\n", escape(head)));
                for line in lines {
                    out.push_str(&format!("<li>{}</li>\n", escape(line)));
                }
                out.push_str("</ul>\n");
            }
            out.push_str("</article>\n");
            out
        }
    }
}
