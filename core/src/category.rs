//! The eight default fields of climate action, and a community's own editable category list.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::lang::Lang;

/// One category of a community: a stable key (used in every item) and labels in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct CategoryDef {
    #[key]
    pub key: String,
    pub label_de: String,
    pub label_en: String,
    /// Archived categories keep their items but are not offered for new ones.
    pub archived: bool,
}

impl CategoryDef {
    #[must_use]
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.label_de,
            Lang::En => &self.label_en,
        }
    }
}

/// The eight default categories every new community starts with.
pub const DEFAULT_CATEGORIES: [(&str, &str, &str); 8] = [
    (
        "education",
        "Bildung, Bewusstsein & Wissenschaft",
        "Education, awareness & science",
    ),
    ("energy", "Energie", "Energy"),
    ("buildings", "Gebäude", "Buildings"),
    ("health", "Gesundheit", "Health"),
    ("mobility", "Mobilität", "Mobility"),
    (
        "politics",
        "Politik & Öffentlichkeitsarbeit",
        "Politics & public relations",
    ),
    (
        "consumption",
        "Produktion, Konsum & Recycling",
        "Production, consumption & recycling",
    ),
    (
        "nature",
        "Stadtgrün & Artenvielfalt",
        "Urban green & biodiversity",
    ),
];

/// The default category list for a new community.
#[must_use]
pub fn default_categories() -> Vec<CategoryDef> {
    DEFAULT_CATEGORIES
        .iter()
        .map(|(key, de, en)| CategoryDef {
            key: (*key).to_string(),
            label_de: (*de).to_string(),
            label_en: (*en).to_string(),
            archived: false,
        })
        .collect()
}

/// Checks that `key` names an active category of the list.
///
/// # Errors
/// [`DomainError::UnknownCategory`] listing the allowed keys.
pub fn check_category(categories: &[CategoryDef], key: &str) -> Result<String, DomainError> {
    let key = key.trim().to_lowercase();
    if categories.iter().any(|c| c.key == key && !c.archived) {
        return Ok(key);
    }
    Err(DomainError::UnknownCategory {
        key,
        allowed: categories
            .iter()
            .filter(|c| !c.archived)
            .map(|c| c.key.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Checks the shape of a new category key: `a-z`, digits and underscores.
///
/// # Errors
/// [`DomainError::Invalid`] for anything else.
pub fn check_category_key(key: &str) -> Result<String, DomainError> {
    let ok = !key.is_empty()
        && key.len() <= 32
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(key.to_string())
    } else {
        Err(DomainError::Invalid(
            "a category key uses only a-z, digits and underscores",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_defaults_and_clear_errors() {
        let cats = default_categories();
        assert_eq!(cats.len(), 8);
        assert_eq!(check_category(&cats, "Energy"), Ok("energy".to_string()));
        let err = check_category(&cats, "space").expect_err("unknown");
        assert_eq!(err.code(), "unknown_category");
        assert!(err.message(Lang::De).contains("Unbekannte Kategorie"));
    }
}
