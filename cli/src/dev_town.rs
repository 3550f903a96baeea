//! `allmende dev write-town`: a generated town for sync at scale (issue 15): per 10,000
//! items, 2,000 ideas, events, posts, organisations and projects each, 2,000 members and
//! 20,000 comments, written through the same commands a person's device runs.

use allmende_core::Command;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};
use serde_json::json;

const CATEGORIES: [&str; 4] = ["energy", "mobility", "nature", "consumption"];

/// What one generated item is, by its number.
fn item(community: &str, n: u32) -> serde_json::Value {
    let category = CATEGORIES[n as usize % CATEGORIES.len()];
    match n % 5 {
        0 => json!({"type": "add_idea", "community": community,
            "title": format!("Idee {n}"), "text": "Ein Vorschlag aus dem Ort.", "category": category}),
        1 => json!({"type": "add_event", "community": community,
            "title": format!("Treffen {n}"),
            "start": format!("2030-{:02}-{:02}T18:00:00+01:00", n % 12 + 1, n % 28 + 1),
            "end": format!("2030-{:02}-{:02}T20:00:00+01:00", n % 12 + 1, n % 28 + 1),
            "place": "Rathaus", "category": category}),
        2 => json!({"type": "add_post", "community": community, "kind": "tip",
            "title": format!("Tipp {n}"), "text": "Licht aus, wenn niemand im Raum ist.",
            "category": category}),
        3 => json!({"type": "add_organisation", "community": community,
            "name": format!("Verein {n}"), "categories": [category]}),
        _ => json!({"type": "create_project", "community": community,
            "title": format!("Projekt {n}"), "summary": "Gemeinsam umsetzen.",
            "category": category}),
    }
}

fn command(value: serde_json::Value) -> Result<Command> {
    serde_json::from_value(value).map_err(|e| PeerError::BadInput(format!("generated: {e}")))
}

/// Writes a town of `items` items into `community`, with a fifth as many members and twice
/// as many comments (on the items, in turn). Returns the ids of the items.
///
/// # Errors
/// As the commands.
pub fn write_town(svc: &mut Service, community: &str, items: u32) -> Result<Vec<String>> {
    for n in 0..items / 5 {
        svc.execute(command(
            json!({"type": "add_member", "community": community,
            "display_name": format!("Mitglied {n}"), "role": "member"}),
        )?)?;
    }
    let mut ids = Vec::with_capacity(items as usize);
    for n in 0..items {
        ids.push(svc.execute(command(item(community, n))?)?.id);
    }
    for n in 0..items.saturating_mul(2) {
        let on = &ids[n as usize % ids.len()];
        svc.execute(Command::AddComment {
            item: on.clone(),
            text: format!("Kommentar {n}"),
        })?;
    }
    Ok(ids)
}
