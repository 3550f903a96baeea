//! The domain's error type: every refusal has a stable code and a message in German and English.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// Why the domain refused a command or could not read a document.
///
/// Every variant has a stable [`code`](DomainError::code) for programs and a
/// [`message`](DomainError::message) a person understands, in German or English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is too long: {actual} characters, at most {max}")]
    TooLong {
        field: &'static str,
        max: usize,
        actual: usize,
    },
    #[error("unknown {field} '{value}' (allowed: {allowed})")]
    UnknownValue {
        field: &'static str,
        value: String,
        allowed: String,
    },
    #[error("unknown category '{key}' (allowed: {allowed})")]
    UnknownCategory { key: String, allowed: String },
    #[error("not a valid date or time: '{value}' (expected {expected})")]
    BadDate {
        value: String,
        expected: &'static str,
    },
    #[error("the end lies before the start")]
    EndBeforeStart,
    #[error("{what} '{id}' was not found")]
    NotFound { what: &'static str, id: String },
    #[error("not allowed: {action} needs the role {needed}")]
    Forbidden {
        action: &'static str,
        needed: &'static str,
    },
    #[error("'{value}' is not a valid id")]
    InvalidId { value: String },
    #[error("document schema version {found} is newer than this app supports ({supported}); please update Allmende")]
    UnsupportedSchema { found: u64, supported: u64 },
    #[error("{0}")]
    Invalid(&'static str),
}

impl DomainError {
    /// A stable machine-readable code, e.g. `empty_field`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty_field",
            Self::TooLong { .. } => "too_long",
            Self::UnknownValue { .. } => "unknown_value",
            Self::UnknownCategory { .. } => "unknown_category",
            Self::BadDate { .. } => "bad_date",
            Self::EndBeforeStart => "end_before_start",
            Self::NotFound { .. } => "not_found",
            Self::Forbidden { .. } => "forbidden",
            Self::InvalidId { .. } => "invalid_id",
            Self::UnsupportedSchema { .. } => "unsupported_schema",
            Self::Invalid(_) => "invalid",
        }
    }

    /// The message for a person, in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::De => self.german(),
        }
    }

    fn german(&self) -> String {
        match self {
            Self::Empty { field } => format!("{} darf nicht leer sein", crate::lang::field_de(field)),
            Self::TooLong { field, max, actual } => format!(
                "{} ist zu lang: {actual} Zeichen, höchstens {max}",
                crate::lang::field_de(field)
            ),
            Self::UnknownValue {
                field,
                value,
                allowed,
            } => format!(
                "Unbekannter Wert für {}: „{value}“ (möglich: {allowed})",
                crate::lang::field_de(field)
            ),
            Self::UnknownCategory { key, allowed } => {
                format!("Unbekannte Kategorie „{key}“ (möglich: {allowed})")
            }
            Self::BadDate { value, expected } => {
                format!("Kein gültiges Datum: „{value}“ (erwartet: {expected})")
            }
            Self::EndBeforeStart => "Das Ende liegt vor dem Beginn".to_string(),
            Self::NotFound { what, id } => {
                format!("{} „{id}“ wurde nicht gefunden", crate::lang::field_de(what))
            }
            Self::Forbidden { action, needed } => format!(
                "Nicht erlaubt: {} braucht die Rolle {}",
                crate::lang::field_de(action),
                crate::lang::field_de(needed)
            ),
            Self::InvalidId { value } => format!("„{value}“ ist keine gültige Kennung"),
            Self::UnsupportedSchema { found, supported } => format!(
                "Dieses Dokument hat Schema-Version {found}, diese App kennt nur bis {supported}. Bitte Allmende aktualisieren."
            ),
            Self::Invalid(text) => crate::lang::sentence_de(text),
        }
    }
}

/// The error every front door shows: a stable code and a message a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}
