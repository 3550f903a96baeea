//! The interface's texts in German and English.

use allmende_core::Lang;

/// The text for `key` in `lang` (German first; the key itself if unknown).
#[must_use]
pub fn t(lang: Lang, key: &str) -> &'static str {
    let (de, en) = match key {
        "app" => ("Allmende", "Allmende"),
        "nav.home" => ("Start", "Home"),
        "nav.ideas" => ("Ideen", "Ideas"),
        "nav.projects" => ("Projekte", "Projects"),
        "nav.directory" => ("Verzeichnis", "Directory"),
        "nav.volunteer" => ("Mitmachen", "Volunteer"),
        "nav.calendar" => ("Kalender", "Calendar"),
        "nav.news" => ("Neuigkeiten", "News"),
        "nav.townhall" => ("Rathaus", "Town hall"),
        "nav.members" => ("Menschen", "People"),
        "nav.moderation" => ("Moderation", "Moderation"),
        "moderation.reason" => ("Begründung (für das Protokoll)", "Reason (for the log)"),
        "moderation.empty" => ("Keine Meldungen. Alles ruhig.", "No reports. All calm."),
        "moderation.reports" => ("Meldungen", "reports"),
        "moderation.hide" => ("Ausblenden", "Hide"),
        "moderation.restore" => ("Wieder einblenden", "Restore"),
        "nav.communities" => ("Gemeinschaften", "Communities"),
        "community.current" => ("Aktuell geöffnet", "Open now"),
        "community.switch" => ("Öffnen", "Open"),
        "community.new" => ("Neue Gemeinschaft", "New community"),
        "community.name" => ("Name", "Name"),
        "community.kind" => ("Art", "Kind"),
        "community.your_name" => (
            "Dein Name (auch ein Spitzname)",
            "Your name (a nickname is fine)",
        ),
        "community.create" => ("Gemeinschaft gründen", "Create community"),
        "community.join_hint" => (
            "Einladung bekommen? Beitreten: allmende join EINLADUNG",
            "Got an invite? Join: allmende join INVITE",
        ),
        "lang.switch" => ("English", "Deutsch"),
        "lang.switch.label" => ("Sprache wechseln", "Switch language"),
        "loading" => ("Lädt …", "Loading …"),
        "empty" => ("Noch nichts hier.", "Nothing here yet."),
        "needs_me" => ("Was dich braucht", "What needs you"),
        "overdue" => ("Warten auf das Rathaus", "Waiting for the town hall"),
        "upcoming" => ("Demnächst", "Coming up"),
        "latest" => ("Neu in der Gemeinschaft", "New in the community"),
        "members" => ("Mitglieder", "members"),
        "filter.category" => ("Kategorie", "Category"),
        "filter.status" => ("Stand", "Status"),
        "filter.all" => ("Alle", "All"),
        "search" => ("Suchen", "Search"),
        "search.placeholder" => ("z. B. Bäume, Solar, Rad", "e.g. trees, solar, bike"),
        "idea.new" => ("Neue Idee", "New idea"),
        "idea.title" => ("Titel", "Title"),
        "idea.text" => ("Beschreibung", "Description"),
        "idea.submit" => ("Idee einreichen", "Submit idea"),
        "idea.support" => ("Unterstützen", "Support"),
        "idea.supported" => ("Unterstützt", "Supported"),
        "idea.start_team" => ("Team gründen", "Start a team"),
        "comments" => ("Kommentare", "Comments"),
        "supporters" => ("Unterstützende", "supporters"),
        "comment.add" => ("Kommentieren", "Comment"),
        "comment.placeholder" => ("Dein Kommentar", "Your comment"),
        "back" => ("Zurück", "Back"),
        "projects.running" => ("Laufend", "Running"),
        "projects.finished" => ("Abgeschlossen", "Finished"),
        "project.progress" => ("Fortschritt", "Progress"),
        "project.tasks" => ("Schritte und Aufgaben", "Steps and tasks"),
        "project.task.add" => ("Aufgabe hinzufügen", "Add task"),
        "project.task.new" => ("Neue Aufgabe", "New task"),
        "project.task.done" => ("Erledigt", "Done"),
        "project.task.open" => ("Offen", "Open"),
        "project.notes" => ("Gemeinsame Notizen", "Shared notes"),
        "project.notes.save" => ("Notizen speichern", "Save notes"),
        "project.milestones" => ("Meilensteine", "Milestones"),
        "project.team" => ("Team", "Team"),
        "project.needs" => ("Bedarf", "Needs"),
        "project.requests" => ("Anfragen ans Rathaus", "Requests to the town hall"),
        "request.waiting" => ("wartet seit", "waiting for"),
        "request.days" => ("Tagen", "days"),
        "request.history" => ("Verlauf", "History"),
        "request.answer" => ("Antworten (Rathaus)", "Answer (town hall)"),
        "request.message" => ("Nachricht", "Message"),
        "request.send" => ("Antwort senden", "Send answer"),
        "request.contact" => ("Ansprechperson", "Contact"),
        "request.promised" => ("Antwort versprochen bis", "Answer promised by"),
        "event.new" => ("Neuer Termin", "New event"),
        "event.start" => ("Beginn", "Start"),
        "event.end" => ("Ende", "End"),
        "event.place" => ("Ort", "Place"),
        "event.create" => ("Termin anlegen", "Create event"),
        "event.ics" => ("Als iCal-Datei exportieren", "Export as iCal file"),
        "directory.running" => ("mit laufenden Projekten", "with running projects"),
        "volunteer.short" => ("Kurzfristig", "Short-term"),
        "volunteer.long" => ("Langfristig", "Long-term"),
        "sync.local" => (
            "Alles auf diesem Gerät gespeichert",
            "All saved on this device",
        ),
        "sync.waiting" => ("Änderungen warten", "changes waiting"),
        "sync.synced" => ("Synchronisiert", "Synced"),
        "saved" => ("Gespeichert", "Saved"),
        "error" => ("Das hat nicht geklappt", "That did not work"),
        "required" => ("Pflichtfeld", "required"),
        _ => ("", ""),
    };
    if de.is_empty() {
        return "?";
    }
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// The label of a category key in the community's list (falls back to the key).
#[must_use]
pub fn category(
    lang: Lang,
    categories: &[allmende_core::category::CategoryDef],
    key: &str,
) -> String {
    categories
        .iter()
        .find(|c| c.key == key)
        .map_or_else(|| key.to_string(), |c| c.label(lang).to_string())
}
