//! German first, English too: the language choice and the label tables shared by every front door.

use serde::{Deserialize, Serialize};

string_enum! {
    /// The language of everything a person reads.
    pub enum Lang {
        De => "de",
        En => "en",
    }
}

#[allow(clippy::derivable_impls)]
impl Default for Lang {
    fn default() -> Self {
        Lang::De
    }
}

impl Lang {
    /// Picks the language from a locale string such as `de_DE.UTF-8` or `en_GB`; German otherwise.
    #[must_use]
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::De
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub de: String,
    pub en: String,
}

impl Bilingual {
    #[must_use]
    pub fn new(de: &str, en: &str) -> Self {
        Self {
            de: de.to_string(),
            en: en.to_string(),
        }
    }

    #[must_use]
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.de,
            Lang::En => &self.en,
        }
    }
}

/// The German name of a field, entity or action used in error messages.
#[must_use]
pub fn field_de(name: &str) -> String {
    let de = match name {
        "title" => "Der Titel",
        "text" => "Der Text",
        "name" => "Der Name",
        "description" => "Die Beschreibung",
        "comment" => "Der Kommentar",
        "reason" => "Die Begründung",
        "message" => "Die Nachricht",
        "display_name" => "Der Anzeigename",
        "place" => "Der Ort",
        "contact" => "Der Kontakt",
        "website" => "Die Webseite",
        "notes" => "Die Notizen",
        "commitment" => "Der Zeitaufwand",
        "department" => "Die Abteilung",
        "label" => "Die Bezeichnung",
        "community" => "Gemeinschaft",
        "idea" => "Idee",
        "project" => "Projekt",
        "request" => "Anfrage",
        "organisation" => "Organisation",
        "opportunity" => "Engagement-Angebot",
        "event" => "Veranstaltung",
        "post" => "Beitrag",
        "template" => "Vorlage",
        "member" => "Mitglied",
        "task" => "Aufgabe",
        "step" => "Schritt",
        "milestone" => "Meilenstein",
        "need" => "Bedarf",
        "item" => "Eintrag",
        "document" => "Dokument",
        "admin" => "Admin",
        "moderator" => "Moderation",
        "municipal_staff" => "Rathaus",
        "team lead" => "Projektleitung",
        "team member" => "Team-Mitglied",
        "member of the community" => "Mitglied der Gemeinschaft",
        other => other,
    };
    de.to_string()
}

/// German for the few free-form invariant messages of [`crate::DomainError::Invalid`].
#[must_use]
pub fn sentence_de(text: &str) -> String {
    match text {
        "a member supports an idea only once" => "Jedes Mitglied unterstützt eine Idee nur einmal",
        "one does not support one's own idea" => "Die eigene Idee unterstützt man nicht selbst",
        "a promised date cannot lie in the past" => {
            "Ein zugesagtes Datum kann nicht in der Vergangenheit liegen"
        }
        "this template is applied to the project already" => {
            "Diese Vorlage ist für das Projekt schon angewendet"
        }
        "a showcase is a copy: change the project where it was published" => {
            "Eine Projektvorstellung ist eine Kopie: Ändern lässt sie sich nur im Projekt, aus dem sie veröffentlicht wurde"
        }
        "this idea already became a project" => "Aus dieser Idee ist schon ein Projekt geworden",
        "the last admin cannot be demoted" => "Die letzte Admin-Rolle kann nicht entzogen werden",
        "a declined request needs a reason" => "Eine Ablehnung braucht eine Begründung",
        "already signed up" => "Schon angemeldet",
        "already registered" => "Schon angemeldet",
        "the event is full" => "Die Veranstaltung ist ausgebucht",
        "an event needs a place or an online link" => {
            "Eine Veranstaltung braucht einen Ort oder einen Online-Link"
        }
        "a category key uses only a-z, digits and underscores" => {
            "Ein Kategorie-Schlüssel besteht nur aus a-z, Ziffern und Unterstrichen"
        }
        "the category exists already" => "Diese Kategorie gibt es schon",
        "progress is a percentage from 0 to 100" => {
            "Der Fortschritt ist ein Prozentwert von 0 bis 100"
        }
        "the team needs a lead" => "Das Team braucht eine Leitung",
        "nothing to change" => "Es gibt nichts zu ändern",
        "this device key belongs to another member" => {
            "Dieser Geräteschlüssel gehört schon einem anderen Mitglied"
        }
        other => other,
    }
    .to_string()
}

/// A plain-language label for a stored value (status, stage, kind, role, term).
#[must_use]
pub fn label(value: &str, lang: Lang) -> String {
    let (de, en) = match value {
        // idea status
        "new" => ("neu", "new"),
        "discussed" => ("wird diskutiert", "being discussed"),
        "team_forming" => ("Team bildet sich", "team forming"),
        "became_project" => ("wurde zum Projekt", "became a project"),
        "archived" => ("archiviert", "archived"),
        // project stage
        "idea_workshop" => ("Ideenwerkstatt", "idea workshop"),
        "concept" => ("Konzept", "concept"),
        "planning" => ("Projektwerkstatt / Planung", "project workshop / planning"),
        "implementation" => ("Umsetzung", "implementation"),
        "done" => ("abgeschlossen", "done"),
        "paused" => ("pausiert", "paused"),
        // request status
        "submitted" => ("eingereicht", "submitted"),
        "received" => ("eingegangen", "received"),
        "in_review" => ("in Prüfung", "in review"),
        "needs_information" => ("Rückfrage", "needs information"),
        "approved" => ("bewilligt", "approved"),
        "declined" => ("abgelehnt", "declined"),
        "in_implementation" => ("in Umsetzung", "in implementation"),
        // kinds
        "community" => ("Gemeinschaft", "community"),
        "profile" => ("Profil", "profile"),
        "idea" => ("Idee", "idea"),
        "project" => ("Projekt", "project"),
        "request" => ("Anfrage", "request"),
        "organisation" => ("Organisation", "organisation"),
        "opportunity" => ("Mitmach-Angebot", "volunteering"),
        "event" => ("Termin", "event"),
        "post" => ("Beitrag", "post"),
        "template" => ("Vorlage", "template"),
        "town" => ("Stadt", "town"),
        "village" => ("Dorf", "village"),
        "school" => ("Schulklasse", "school class"),
        // roles
        "member" => ("Mitglied", "member"),
        "moderator" => ("Moderation", "moderator"),
        "municipal_staff" => ("Rathaus", "town hall"),
        "admin" => ("Admin", "admin"),
        "lead" => ("Leitung", "lead"),
        // terms, post kinds, event state
        "short" => ("kurzfristig", "short-term"),
        "long" => ("langfristig", "long-term"),
        "news" => ("Neuigkeit", "news"),
        "tip" => ("Alltagstipp", "everyday tip"),
        "offer" => ("Unterstützungsangebot", "support offer"),
        "scheduled" => ("geplant", "scheduled"),
        "cancelled" => ("abgesagt", "cancelled"),
        "public" => ("öffentlich", "public"),
        "team" => ("nur Team", "team only"),
        "volunteers" => ("Helfende", "volunteers"),
        "money" => ("Geld", "money"),
        "municipal" => ("Unterstützung der Gemeinde", "municipal support"),
        "material" => ("Material", "material"),
        other => return other.replace('_', " "),
    };
    match lang {
        Lang::De => de.to_string(),
        Lang::En => en.to_string(),
    }
}
