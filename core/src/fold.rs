//! Search folding for German: `Bäume`, `baeume` and `BAUME` all become `baume`.
//!
//! The index stores folded text and queries are folded the same way, so people find words
//! however they type umlauts (ä, ae, a) and ß (ss). Folding both sides identically keeps
//! matching consistent; the rare extra match (`Feuer`/`Fur`) is an acceptable price.

/// Folds text for the search index and for queries.
#[must_use]
pub fn fold(text: &str) -> String {
    let mut lowered = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            'ä' | 'Ä' | 'à' | 'á' | 'â' | 'À' | 'Á' | 'Â' => lowered.push('a'),
            'ö' | 'Ö' | 'ò' | 'ó' | 'ô' | 'Ò' | 'Ó' | 'Ô' => lowered.push('o'),
            'ü' | 'Ü' | 'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => lowered.push('u'),
            'ß' | 'ẞ' => lowered.push_str("ss"),
            'é' | 'è' | 'ê' | 'É' | 'È' | 'Ê' => lowered.push('e'),
            other => lowered.extend(other.to_lowercase()),
        }
    }
    // Transcribed umlauts (ae, oe, ue) fold to the plain vowel, like the umlauts above.
    let mut out = String::with_capacity(lowered.len());
    let mut chars = lowered.chars().peekable();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if matches!(ch, 'a' | 'o' | 'u') {
            while chars.peek() == Some(&'e') {
                chars.next();
            }
        }
    }
    out
}

/// Turns what a person typed into an FTS5 query: every word folded, quoted and matched as a
/// prefix, all words required. Returns `None` when nothing searchable is left.
#[must_use]
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = fold(input)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{t}\"*"))
        .collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn umlaut_spellings_fold_alike() {
        assert_eq!(fold("Bäume"), "baume");
        assert_eq!(fold("baeume"), "baume");
        assert_eq!(fold("BAUME"), "baume");
        assert_eq!(fold("BÄUME"), "baume");
        assert_eq!(fold("Straße"), fold("STRASSE"));
        assert_eq!(fold("Grünfläche"), fold("gruenflaeche"));
    }

    #[test]
    fn queries_are_quoted_prefixes() {
        assert_eq!(
            fts_query("Bäume pflanzen"),
            Some("\"baume\"* \"pflanzen\"*".to_string())
        );
        assert_eq!(fts_query("  \"*  "), None);
        assert_eq!(
            fts_query("AND OR NOT"),
            Some("\"and\"* \"or\"* \"not\"*".to_string())
        );
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn any_input_gives_a_safe_query(s in "\\PC{0,60}") {
            if let Some(q) = fts_query(&s) {
                prop_assert!(q.split(' ').all(|t| t.starts_with('"') && t.ends_with("\"*")));
            }
        }
    }
}
