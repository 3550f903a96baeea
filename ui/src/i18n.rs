//! The interface's texts in German and English.

use allmende_core::Lang;

/// The text for `key` in `lang` (German first; the key itself if unknown).
#[must_use]
pub fn t(lang: Lang, key: &str) -> &'static str {
    let (de, en) = match key {
        "app" => ("Allmende", "Allmende"),
        "nav.home" => ("Start", "Home"),
        "nav.label" => ("Hauptnavigation", "Main navigation"),
        "nav.about" => ("Über Allmende", "About Allmende"),
        "nav.more" => ("Mehr", "More"),
        "nav.less" => ("Weniger", "Less"),
        "nav.skip" => ("Zum Inhalt springen", "Skip to content"),
        "nav.ideas" => ("Ideen", "Ideas"),
        "nav.projects" => ("Projekte", "Projects"),
        "nav.directory" => ("Verzeichnis", "Directory"),
        "nav.volunteer" => ("Mitmachen", "Volunteer"),
        "nav.calendar" => ("Kalender", "Calendar"),
        "nav.news" => ("Neuigkeiten", "News"),
        "nav.townhall" => ("Rathaus", "Town hall"),
        "nav.members" => ("Menschen", "People"),
        "nav.profile" => ("Mein Profil", "My profile"),
        "nav.sync" => ("Abgleich", "Sync"),
        "profile.name" => ("Anzeigename", "Display name"),
        "profile.about" => ("Über mich", "About me"),
        "profile.interests" => ("Was mich interessiert", "What I care about"),
        "profile.organisation" => ("Organisation", "Organisation"),
        "profile.contact" => ("Kontakt", "Contact"),
        "profile.visibility" => ("Wer sieht meinen Kontakt?", "Who sees my contact?"),
        "profile.vis.members" => ("Mitglieder", "Members"),
        "profile.vis.everyone" => ("Alle", "Everyone"),
        "profile.vis.nobody" => ("Niemand", "Nobody"),
        "profile.save" => ("Profil speichern", "Save profile"),
        "sync.local_long" => ("Alles, was du hier tust, ist sofort auf diesem Gerät gespeichert – auch ohne Internet.", "Everything you do here is saved on this device at once, also without internet."),
        "sync.device" => ("Dieses Gerät", "This device"),
        "sync.never" => ("Noch nie mit einem Relais abgeglichen.", "Never synced with a relay yet."),
        "sync.relay" => ("Relais", "Relay"),
        "sync.last" => ("Zuletzt", "Last"),
        "sync.how" => ("Abgleichen: allmende sync --relay ws://… (oder per USB-Stick: allmende bundle export).", "To sync: allmende sync --relay ws://… (or by USB stick: allmende bundle export)."),
        "nav.moderation" => ("Moderation", "Moderation"),
        "moderation.reason" => ("Begründung (für das Protokoll)", "Reason (for the log)"),
        "moderation.empty" => ("Keine Meldungen. Alles ruhig.", "No reports. All calm."),
        "moderation.reports" => ("Meldungen", "reports"),
        "moderation.hide" => ("Ausblenden", "Hide"),
        "moderation.restore" => ("Wieder einblenden", "Restore"),
        "nav.communities" => ("Gemeinschaften", "Communities"),
        "header.community" => ("Geöffnete Gemeinschaft", "Open community"),
        "invite.title" => ("Jemanden einladen", "Invite someone"),
        "invite.name" => ("Name (auch ein Spitzname)", "Name (a nickname is fine)"),
        "invite.create" => ("Einladung erstellen", "Create invite"),
        "invite.qr" => ("QR-Code der Einladung", "QR code of the invite"),
        "invite.days" => ("Gültig für (Tage)", "Valid for (days)"),
        "invite.open" => ("Offene Einladungen", "Open invites"),
        "invite.none" => ("Keine offenen Einladungen.", "No open invites."),
        "invite.until" => ("gültig bis", "valid until"),
        "invite.expired" => ("abgelaufen am", "expired on"),
        "invite.withdraw" => ("Zurückziehen", "Withdraw"),
        "invite.withdraw_q" => ("Einladung zurückziehen für", "Withdraw the invite for"),
        "invite.token" => ("Einladung zum Weitergeben (wie einen Schlüssel behandeln)", "Invite to pass on (treat it like a key)"),
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
        "joininv.title" => ("Mit einer Einladung beitreten", "Join with an invite"),
        "joininv.explain" => (
            "Jemand aus der Gemeinschaft hat dir eine Einladung geschickt? Füge den Text ein oder mach ein Foto vom QR-Code.",
            "Someone from the community sent you an invite? Paste the text or take a photo of the QR code.",
        ),
        "joininv.token" => ("Einladung (Text)", "Invite (text)"),
        "joininv.scan" => ("QR-Code fotografieren oder Bild wählen", "Photograph the QR code or pick a picture"),
        "joininv.scanned" => ("QR-Code gelesen. Jetzt prüfen.", "QR code read. Now check it."),
        "joininv.check" => ("Einladung prüfen", "Check the invite"),
        "joininv.confirm" => ("Dieser Gemeinschaft beitreten?", "Join this community?"),
        "joininv.community" => ("Gemeinschaft", "Community"),
        "joininv.relay" => ("Über den Relay-Server", "Through the relay server"),
        "joininv.relay_note" => (
            "Wer diesen Server betreibt, sieht alles, was die Gemeinschaft dort teilt. Tritt nur bei, wenn du die Einladung von jemandem aus der Gemeinschaft hast.",
            "Whoever runs this server sees everything the community shares there. Join only if the invite came from someone in the community.",
        ),
        "joininv.until" => ("Gilt bis", "Valid until"),
        "joininv.cancel" => ("Abbrechen", "Cancel"),
        "joininv.not_picture" => ("Diese Datei ist kein Bild.", "This file is not a picture."),
        "joininv.no_code" => (
            "Auf dem Bild ist kein lesbarer QR-Code. Versuch es näher und mit mehr Licht.",
            "No readable QR code in the picture. Try closer and with more light.",
        ),
        "joininv.busy" => ("Verbinde mit der Gemeinschaft …", "Connecting to the community …"),
        "joininv.join" => ("Beitreten", "Join"),
        "joininv.welcome" => ("Willkommen bei", "Welcome to"),
        "joininv.open" => ("Zur Gemeinschaft", "Go to the community"),
        "lang.switch" => ("English", "Deutsch"),
        "lang.switch.label" => ("Sprache wechseln", "Switch language"),
        "loading" => ("Lädt …", "Loading …"),
        "empty" => ("Noch nichts hier.", "Nothing here yet."),
        // What to do next, in a new community.
        "empty.ideas" => (
            "Noch keine Ideen. Schreib die erste: Was würde euren Ort besser fürs Klima machen?",
            "No ideas yet. Write the first: what would make your place better for the climate?",
        ),
        "empty.projects" => (
            "Noch keine Projekte. Ein Projekt beginnt mit einer Idee: Öffne eine Idee und starte daraus ein Projekt.",
            "No projects yet. A project starts from an idea: open an idea and start a project from it.",
        ),
        "empty.events" => (
            "Noch keine Termine. Trag den ersten ein: ein Treffen, eine Aktion oder eine Werkstatt.",
            "No dates yet. Add the first: a meeting, an action or a workshop.",
        ),
        "empty.organisations" => (
            "Noch keine Organisationen. Trag eure ein, damit andere euch finden.",
            "No organisations yet. Add yours so that others can find you.",
        ),
        "empty.requests" => (
            "Keine Anfragen. Wenn jemand die Gemeinde um Unterstützung bittet, steht es hier.",
            "No requests. When someone asks the town hall for support, it shows here.",
        ),
        "empty.opportunities" => (
            "Noch keine Angebote zum Mitmachen. Sucht ihr Hilfe? Schreibt, wofür.",
            "No ways to help yet. Do you need help? Say what for.",
        ),
        "empty.posts" => (
            "Noch keine Beiträge. Teilt eine Neuigkeit, einen Alltagstipp oder ein Angebot.",
            "Nothing posted yet. Share some news, an everyday tip or an offer.",
        ),
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
        "idea.withdraw_support" => ("Unterstützung zurückziehen", "Withdraw support"),
        "idea.yours" => ("Deine Idee: Unterstützung kommt von den anderen.", "Your idea: support comes from the others."),
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
        "idea.implementation" => ("Stand der Umsetzung", "Implementation so far"),
        "milestone.reached" => ("erreicht", "reached"),
        "milestone.open" => ("offen", "open"),
        "project.requests" => ("Anfragen ans Rathaus", "Requests to the town hall"),
        "request.waiting" => ("wartet seit", "waiting for"),
        "request.days" => ("Tagen", "days"),
        "request.history" => ("Verlauf", "History"),
        "request.answer" => ("Antworten (Rathaus)", "Answer (town hall)"),
        "request.message" => ("Nachricht", "Message"),
        "request.send" => ("Antwort senden", "Send answer"),
        "request.contact" => ("Ansprechperson", "Contact"),
        "request.promised" => ("Antwort versprochen bis", "Answer promised by"),
        "calendar.month" => ("Monat", "Month"),
        "calendar.list" => ("Liste", "List"),
        "calendar.prev" => ("Voriger Monat", "Previous month"),
        "calendar.next" => ("Nächster Monat", "Next month"),
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
        "sync.guest" => (
            "Gespeichert beim Gastgeber",
            "Saved with the host",
        ),
        "sync.guest_long" => (
            "Was du hier tust, wird auf dem Gerät gespeichert, das diese Seite bereitstellt (zum Beispiel dem Laptop der Lehrkraft), nicht auf deinem Gerät.",
            "What you do here is saved on the device that serves this page (for example the teacher's laptop), not on your device.",
        ),
        "sync.waiting" => ("Änderungen warten", "changes waiting"),
        "sync.synced" => ("Synchronisiert", "Synced"),
        "saved" => ("Gespeichert", "Saved"),
        "nav.dashboard" => ("Zahlen", "Figures"),
        "sync.nearby" => ("Geräte in der Nähe", "devices nearby"),
        "sync.peers" => ("Direkt verbundene Geräte", "Directly linked devices"),
        "sync.how_found" => ("Gefunden über", "Found by"),
        "sync.peer_device" => ("Gerät", "Device"),
        "join.title" => ("Mitmachen mit einem Code", "Join with a code"),
        "join.removed" => (
            "Dieses Gerät wurde aus der Klasse entfernt. Wenn du wieder mitmachen sollst, gib einen neuen Code ein.",
            "This device was removed from the class. If you are to take part again, enter a new code.",
        ),
        "join.explain" => ("Gib den Code von der Tafel ein und einen Spitznamen. Du brauchst keine E-Mail-Adresse.", "Enter the code from the board and a nickname. You need no e-mail address."),
        "join.code" => ("Code", "Code"),
        "join.name" => ("Dein Spitzname", "Your nickname"),
        "join.submit" => ("Beitreten", "Join"),
        "join.welcome" => ("Willkommen!", "Welcome!"),
        "join.rules" => ("Unsere Regeln", "Our rules"),
        "join.start" => ("Los geht's", "Let's go"),
        "classcode.title" => ("Klassencode", "Class code"),
        "classcode.explain" => ("Für Handys im selben WLAN: Sie öffnen die Adresse (oder scannen den QR-Code) und geben den Code und einen Spitznamen ein.", "For phones on the same Wi-Fi: they open the address (or scan the QR code) and enter the code and a nickname."),
        "classcode.create" => ("Klassencode erstellen", "Create class code"),
        "classcode.code" => ("Der Klassencode", "The class code"),
        "classcode.qr" => ("QR-Code mit dem Link zum Beitreten", "QR code with the join link"),
        "classcode.uses" => ("Für wie viele Geräte", "For how many devices"),
        "classcode.days" => ("Wie viele Tage gültig", "Valid for how many days"),
        "classcode.list" => ("Klassencodes dieser Gemeinschaft", "Class codes of this community"),
        "classcode.joined" => ("beigetreten", "joined"),
        "classcode.until" => ("gültig bis", "valid until"),
        "classcode.revoked" => ("zurückgezogen", "withdrawn"),
        "classcode.revoke" => ("Zurückziehen", "Withdraw"),
        "classcode.revoke_done" => ("Der Klassencode ist zurückgezogen: Niemand tritt mehr damit bei. Wer schon beigetreten ist, bleibt, bis du das Gerät entfernst.", "The class code is withdrawn: nobody joins with it any more. Those who joined stay until you remove their device."),
        "projects.fair" => ("Projektbörse", "Project fair"),
        "projects.fair.hint" => ("Projekte, die andere Dörfer, Klassen und Gruppen hier zeigen. Öffne eines, um einen Kommentar zu hinterlassen.", "Projects other villages, classes and groups show here. Open one to leave a comment."),
        "tools.title" => ("Vorlagen und Veröffentlichen", "Templates and publishing"),
        "tools.template" => ("Ablauf aus einer Vorlage übernehmen", "Add steps from a template"),
        "tools.apply" => ("Vorlage anwenden", "Apply template"),
        "tools.publish_to" => ("Projekt zeigen in", "Show this project in"),
        "tools.publish" => ("Veröffentlichen", "Publish"),
        "tools.applied" => ("Übernommen:", "Added:"),
        "tools.published" => ("Gezeigt in", "Shown in"),
        "tools.publish_hint" => ("Gezeigt werden Titel, Beschreibung, Phase, Fortschritt und Meilensteine – keine Namen, keine Notizen, keine Aufgaben. Noch einmal veröffentlichen bringt das Schaufenster auf den neuen Stand.", "Shown are title, summary, stage, progress and milestones – no names, no notes, no tasks. Publishing again brings the showcase up to date."),
        "moderation.approve" => ("Neues Mitglied freigeben", "Approve new member"),
        "moderation.held" => ("Wartet auf Freigabe", "Waiting for approval"),
        "inbox.filters" => ("Anliegen filtern", "Filter requests"),
        "inbox.department" => ("Amt", "Department"),
        "inbox.overdue" => ("Überfällig", "Overdue"),
        "inbox.figures" => ("So antwortet das Rathaus", "How the town hall answers"),
        "inbox.requests" => ("Anliegen", "Requests"),
        "inbox.open" => ("Offen", "Open"),
        "inbox.median" => ("Tage bis zur ersten Antwort (Median)", "Days to first answer (median)"),
        "inbox.ontime" => ("Zusagen eingehalten", "Promises kept"),
        "inbox.nodept" => ("Ohne Amt", "No department"),
        "notifications" => ("Antworten auf deine Anliegen", "Answers to your requests"),
        "notifications.new" => ("neu", "new"),
        "notifications.mark" => ("Als gelesen markieren", "Mark as read"),
        "dashboard.over_time" => ("Entwicklung (Monatsende)", "Over time (end of month)"),
        "dashboard.csv" => ("Als CSV herunterladen", "Download as CSV"),
        "dashboard.stages" => ("Projekte nach Phase", "Projects by stage"),
        "dashboard.digest" => ("Mach-mit-Wochenbrief", "Weekly join-in digest"),
        "dashboard.copy" => ("Zum Kopieren", "Ready to copy"),
        "audit.title" => ("Protokoll der Moderation", "Moderation log"),
        "audit.hidden" => ("Verborgen", "Hidden"),
        "audit.restored" => ("Wiederhergestellt", "Restored"),
        "flags.title" => ("Abgelehnte Änderungen", "Refused changes"),
        "flags.explain" => ("Änderungen, die jemand ohne die nötige Rolle oder an der App vorbei geschrieben hat. Sie gelten nirgends.", "Changes written without the needed role, or around the app. They count nowhere."),
        "flags.none" => ("Keine – alles in Ordnung.", "None – all in order."),
        "error" => ("Das hat nicht geklappt", "That did not work"),
        "required" => ("Pflichtfeld", "required"),
        _ => crate::i18n_actions::pair(key),
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

/// A number with its noun, singular or plural as the language says ("1 Mitglied",
/// "3 Mitglieder"; "1 change waiting"). Unknown nouns fall back to the plural label.
#[must_use]
pub fn count(lang: Lang, n: u64, noun: &str) -> String {
    let (one_de, many_de, one_en, many_en) = match noun {
        "members" => ("Mitglied", "Mitglieder", "member", "members"),
        "comments" => ("Kommentar", "Kommentare", "comment", "comments"),
        "supporters" => (
            "Unterstützende Person",
            "Unterstützende",
            "supporter",
            "supporters",
        ),
        "moderation.reports" => ("Meldung", "Meldungen", "report", "reports"),
        "sync.waiting" => (
            "Änderung wartet",
            "Änderungen warten",
            "change waiting",
            "changes waiting",
        ),
        _ => return format!("{n} {}", t(lang, noun)),
    };
    let word = match (lang, n == 1) {
        (Lang::De, true) => one_de,
        (Lang::De, false) => many_de,
        (Lang::En, true) => one_en,
        (Lang::En, false) => many_en,
    };
    format!("{n} {word}")
}

/// A whole number grouped as the language writes it ("10.000"; "10,000").
#[must_use]
pub fn grouped(lang: Lang, n: usize) -> String {
    let digits = n.to_string();
    let sep = if lang == Lang::De { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// How far joining `name` has come: "12 % von Grünhausen empfangen (1.200 von 10.000
/// Einträgen)"; before anything is known, that the app is connecting.
#[must_use]
pub fn joining(lang: Lang, name: &str, done: usize, total: usize) -> String {
    if total == 0 {
        return t(lang, "joininv.busy").to_string();
    }
    let pct = done.min(total) * 100 / total;
    let (d, n) = (grouped(lang, done.min(total)), grouped(lang, total));
    match lang {
        Lang::De => format!("{pct} % von {name} empfangen ({d} von {n} Einträgen)"),
        Lang::En => format!("{pct} % of {name} received ({d} of {n} entries)"),
    }
}

#[cfg(test)]
mod count_tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        assert_eq!(count(Lang::De, 1, "members"), "1 Mitglied");
        assert_eq!(count(Lang::De, 0, "members"), "0 Mitglieder");
        assert_eq!(count(Lang::De, 3, "members"), "3 Mitglieder");
        assert_eq!(count(Lang::De, 1, "sync.waiting"), "1 Änderung wartet");
        assert_eq!(count(Lang::En, 2, "sync.waiting"), "2 changes waiting");
        assert_eq!(count(Lang::En, 1, "comments"), "1 comment");
    }

    #[test]
    fn joining_says_how_far_in_the_reader_s_numbers() {
        assert_eq!(
            joining(Lang::De, "Grünhausen", 1200, 10_000),
            "12 % von Grünhausen empfangen (1.200 von 10.000 Einträgen)"
        );
        assert_eq!(
            joining(Lang::En, "Grünhausen", 999, 1000),
            "99 % of Grünhausen received (999 of 1,000 entries)"
        );
        assert_eq!(joining(Lang::De, "X", 0, 0), t(Lang::De, "joininv.busy"));
        assert_eq!(
            joining(Lang::De, "X", 12, 10),
            "100 % von X empfangen (10 von 10 Einträgen)",
            "discovery can lag behind: never past the whole"
        );
        assert_eq!(grouped(Lang::De, 1_234_567), "1.234.567");
        assert_eq!(grouped(Lang::En, 999), "999");
    }
}
