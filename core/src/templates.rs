//! Process templates: the portable file format and the built-in ones (the coached village
//! process and a school-class workshop).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::limits::{optional, required, MAX_TEXT, MAX_TITLE};
use crate::model::{Stage, Template, TemplateMilestone, TemplateStep};

/// The `format` field of a template file.
pub const TEMPLATE_FORMAT: &str = "allmende-template";
/// The template file version this build writes and reads.
pub const TEMPLATE_VERSION: u32 = 1;
/// At most this many steps, tasks per step and milestones in a template.
pub const MAX_TEMPLATE_PARTS: usize = 100;

/// What a template holds, as a command carries it and a file stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub steps: Vec<TemplateStep>,
    #[serde(default)]
    pub milestones: Vec<TemplateMilestone>,
}

/// A template file: the spec with its format and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateFile {
    pub format: String,
    pub version: u32,
    #[serde(flatten)]
    pub spec: TemplateSpec,
}

impl TemplateSpec {
    /// Checks lengths and counts; returns the cleaned spec.
    ///
    /// # Errors
    /// Empty names or titles, oversize text, too many parts.
    pub fn validated(&self) -> Result<TemplateSpec, DomainError> {
        if self.steps.is_empty() {
            return Err(DomainError::Empty { field: "steps" });
        }
        if self.steps.len() > MAX_TEMPLATE_PARTS
            || self.milestones.len() > MAX_TEMPLATE_PARTS
            || self
                .steps
                .iter()
                .any(|s| s.tasks.len() > MAX_TEMPLATE_PARTS)
        {
            return Err(DomainError::Invalid(
                "a template holds at most 100 steps, tasks per step and milestones",
            ));
        }
        let steps = self
            .steps
            .iter()
            .map(|s| {
                Ok(TemplateStep {
                    title: required("title", &s.title, MAX_TITLE)?,
                    stage: s.stage,
                    tasks: s
                        .tasks
                        .iter()
                        .map(|t| required("title", t, MAX_TITLE))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, DomainError>>()?;
        let milestones = self
            .milestones
            .iter()
            .map(|m| {
                if !(0..=3650).contains(&m.after_days) {
                    return Err(DomainError::Invalid(
                        "a milestone is due 0 to 3650 days later",
                    ));
                }
                Ok(TemplateMilestone {
                    title: required("title", &m.title, MAX_TITLE)?,
                    after_days: m.after_days,
                })
            })
            .collect::<Result<_, DomainError>>()?;
        Ok(TemplateSpec {
            name: required("name", &self.name, MAX_TITLE)?,
            description: optional("description", &self.description, MAX_TEXT)?,
            steps,
            milestones,
        })
    }

    /// The spec of a stored template.
    #[must_use]
    pub fn of(t: &Template) -> TemplateSpec {
        TemplateSpec {
            name: t.name.clone(),
            description: t.description.clone(),
            steps: t.steps.clone(),
            milestones: t.milestones.clone(),
        }
    }

    /// The file text (pretty JSON).
    #[must_use]
    pub fn to_file(&self) -> String {
        serde_json::to_string_pretty(&TemplateFile {
            format: TEMPLATE_FORMAT.into(),
            version: TEMPLATE_VERSION,
            spec: self.clone(),
        })
        .unwrap_or_default()
    }

    /// Reads a template file.
    ///
    /// # Errors
    /// Not a template file, a newer version, or an invalid template.
    pub fn from_file(text: &str) -> Result<TemplateSpec, DomainError> {
        let file: TemplateFile = serde_json::from_str(text)
            .map_err(|_| DomainError::Invalid("this is not an Allmende template file"))?;
        if file.format != TEMPLATE_FORMAT {
            return Err(DomainError::Invalid(
                "this is not an Allmende template file",
            ));
        }
        if file.version > TEMPLATE_VERSION {
            return Err(DomainError::UnsupportedSchema {
                found: u64::from(file.version),
                supported: u64::from(TEMPLATE_VERSION),
            });
        }
        file.spec.validated()
    }
}

fn step(title: &str, stage: Stage, tasks: &[&str]) -> TemplateStep {
    TemplateStep {
        title: title.to_string(),
        stage,
        tasks: tasks.iter().map(|t| (*t).to_string()).collect(),
    }
}

fn milestone(title: &str, after_days: i64) -> TemplateMilestone {
    TemplateMilestone {
        title: title.to_string(),
        after_days,
    }
}

/// The names of the built-in templates.
pub const BUILTIN: [&str; 2] = ["village", "school"];

/// A built-in template by name (`village` or `school`).
#[must_use]
pub fn builtin(name: &str) -> Option<TemplateSpec> {
    use Stage as S;
    match name {
        "village" => Some(TemplateSpec {
            name: "Dorfwerkstatt: von der Idee zur Projektbörse".into(),
            description: "Der begleitete Prozess für Dorfgruppen: Ideenwerkstatt, Projektwerkstatt mit Projektschritten, Umsetzung und die Projektbörse, auf der sich die Dörfer ihre Fortschritte zeigen.".into(),
            steps: vec![
                step("Ideenwerkstatt: Ideen sammeln und auswählen", S::IdeaWorkshop, &["Einladung ins Dorf verteilen", "Ideen auf Karten sammeln", "Drei Ideen auswählen"]),
                step("Team finden", S::IdeaWorkshop, &["Wer macht mit? Namen sammeln", "Ansprechperson bestimmen"]),
                step("Projektwerkstatt: Ziel und Schritte planen", S::Planning, &["Ziel in einem Satz aufschreiben", "Schritte und Zuständige festlegen", "Kosten und Fördermöglichkeiten klären"]),
                step("Unterstützung anfragen", S::Planning, &["Gemeinde um Unterstützung bitten", "Vereine und Betriebe ansprechen"]),
                step("Umsetzung", S::Implementation, &["Ersten Schritt umsetzen", "Fotos für die Projektbörse machen"]),
                step("Projektbörse: Fortschritt zeigen", S::Implementation, &["Plakat oder Kurzvortrag vorbereiten", "Rückmeldungen der anderen Dörfer sammeln"]),
            ],
            milestones: vec![
                milestone("Ideenwerkstatt", 14),
                milestone("Projektwerkstatt", 42),
                milestone("Projektbörse", 120),
            ],
        }),
        "school" => Some(TemplateSpec {
            name: "Klassenprojekt Klimaschutz".into(),
            description: "Ein Workshop für Schulklassen: Thema wählen, Fakten sammeln, etwas tun und es der Stadt zeigen.".into(),
            steps: vec![
                step("Thema finden", S::IdeaWorkshop, &["Was stört uns? Sammeln", "Abstimmen"]),
                step("Fakten sammeln", S::Concept, &["Messen oder zählen", "Expertin oder Experten befragen"]),
                step("Aktion planen", S::Planning, &["Aufgaben verteilen", "Erlaubnis der Schulleitung holen"]),
                step("Aktion durchführen", S::Implementation, &["Aktion machen", "Fotos und Ergebnisse festhalten"]),
                step("Ergebnis zeigen", S::Implementation, &["In der Stadt veröffentlichen"]),
            ],
            milestones: vec![milestone("Aktionstag", 28), milestone("Präsentation", 42)],
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_and_foreign_files_are_refused() {
        let spec = builtin("village").expect("village");
        let text = spec.to_file();
        assert_eq!(
            TemplateSpec::from_file(&text),
            Ok(spec.validated().expect("valid"))
        );
        assert!(TemplateSpec::from_file("{\"format\":\"other\"}").is_err());
        assert!(TemplateSpec::from_file("not json").is_err());
        let newer = text.replace("\"version\": 1", "\"version\": 9");
        assert_eq!(
            TemplateSpec::from_file(&newer).map_err(|e| e.code()),
            Err("unsupported_schema")
        );
        for name in BUILTIN {
            assert!(builtin(name).expect("builtin").validated().is_ok());
        }
    }
}
