//! Size limits for what people type, and the checks that enforce them.

use crate::error::DomainError;

pub const MAX_TITLE: usize = 200;
pub const MAX_NAME: usize = 120;
pub const MAX_TEXT: usize = 20_000;
pub const MAX_NOTES: usize = 200_000;
pub const MAX_COMMENT: usize = 5_000;
pub const MAX_SHORT: usize = 500;

/// Trims `value` and checks it is non-empty and at most `max` characters.
///
/// # Errors
/// [`DomainError::Empty`] or [`DomainError::TooLong`].
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::Empty { field });
    }
    optional(field, trimmed, max)
}

/// Trims `value` and checks it is at most `max` characters (empty is fine).
///
/// # Errors
/// [`DomainError::TooLong`].
pub fn optional(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    let actual = trimmed.chars().count();
    if actual > max {
        return Err(DomainError::TooLong { field, max, actual });
    }
    Ok(trimmed.to_string())
}

/// Checks a web address: empty, or starting with `http://` or `https://`.
///
/// # Errors
/// [`DomainError::UnknownValue`] for other schemes.
pub fn url(field: &'static str, value: &str) -> Result<String, DomainError> {
    let v = optional(field, value, MAX_SHORT)?;
    if v.is_empty() || v.starts_with("https://") || v.starts_with("http://") {
        Ok(v)
    } else {
        Err(DomainError::UnknownValue {
            field,
            value: v,
            allowed: "https://… or http://…".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert_eq!(required("title", "  Bäume  ", 5), Ok("Bäume".to_string()));
        assert_eq!(
            required("title", "   ", 5),
            Err(DomainError::Empty { field: "title" })
        );
        assert_eq!(
            required("title", "Bäumee", 5).map_err(|e| e.code()),
            Err("too_long")
        );
        assert!(url("website", "ftp://x").is_err());
    }
}
