//! Words for an item's history: the fields a change touched and what kind of change it was.

use allmende_core::Lang;

fn pick(lang: Lang, (de, en): (&str, &str)) -> String {
    match lang {
        Lang::De => de.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A field of an item as people call it (the key itself when it has no name here).
#[must_use]
pub fn field(lang: Lang, key: &str) -> String {
    let pair = match key {
        "title" => ("Titel", "title"),
        "text" => ("Text", "text"),
        "summary" => ("Zusammenfassung", "summary"),
        "category" | "categories" => ("Thema", "topic"),
        "status" => ("Status", "status"),
        "comments" => ("Kommentare", "comments"),
        "reports" => ("Meldungen", "reports"),
        "supporters" | "support_proofs" => ("Unterstützung", "support"),
        "stage" => ("Phase", "stage"),
        "visibility" => ("Sichtbarkeit", "visibility"),
        "team" => ("Team", "team"),
        "steps" => ("Schritte", "steps"),
        "tasks" => ("Aufgaben", "tasks"),
        "notes" => ("Notizen", "notes"),
        "milestones" => ("Meilensteine", "milestones"),
        "needs" => ("Bedarfe", "needs"),
        "progress" => ("Fortschritt", "progress"),
        "header" => ("Kopfdaten", "header"),
        "registrations" => ("Anmeldungen", "registrations"),
        "signups" => ("Zusagen", "sign-ups"),
        "history" => ("Verlauf", "history"),
        "name" => ("Name", "name"),
        "description" => ("Beschreibung", "description"),
        "project" => ("Projekt", "project"),
        "updated_at" => return String::new(),
        other => return other.replace('_', " "),
    };
    pick(lang, pair)
}

/// What a change did, from the kind of change its device recorded.
#[must_use]
pub fn change(lang: Lang, what: &str) -> String {
    let pair = match what {
        "add_idea" => ("hat die Idee eingebracht", "submitted the idea"),
        "edit_idea" => ("hat die Idee bearbeitet", "edited the idea"),
        "support_idea" => ("unterstützt die Idee", "supports the idea"),
        "withdraw_support" => ("hat die Unterstützung zurückgezogen", "withdrew support"),
        "add_comment" => ("hat kommentiert", "commented"),
        "report_item" => ("hat etwas gemeldet", "reported something"),
        "create_project" => ("hat das Projekt angelegt", "created the project"),
        "edit_project" => ("hat das Projekt bearbeitet", "edited the project"),
        "add_post" => ("hat den Beitrag geschrieben", "wrote the post"),
        "edit_post" => ("hat den Beitrag bearbeitet", "edited the post"),
        "create_request" => ("hat die Anfrage gestellt", "asked the town hall"),
        "answer_request" => ("hat geantwortet", "answered"),
        "" => ("hat etwas geändert", "changed something"),
        _ => ("hat geändert", "changed"),
    };
    pick(lang, pair)
}
