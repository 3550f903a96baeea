//! Dates, times and decimals as people read them: "6. Dezember 2026, 17:00" and "3,0" in
//! German, "6 December 2026, 17:00" and "3.0" in English (never "2026-12-06T17:00").

use allmende_core::time::millis_to_date;
use allmende_core::Lang;

/// Month names, for dates and the calendar.
pub const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar date (`2026-12-06`), optionally with a time (`2026-12-06T17:00` or with a
/// space), as people read it. Anything else is shown as it is.
#[must_use]
pub fn date(lang: Lang, text: &str) -> String {
    let text = text.trim();
    let (day_part, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = day_part.splitn(3, '-');
    let parsed = (|| {
        let y: u32 = parts.next()?.parse().ok()?;
        let m: usize = parts.next()?.parse().ok()?;
        let d: u32 = parts.next()?.parse().ok()?;
        let month = match lang {
            Lang::De => MONTHS_DE.get(m.checked_sub(1)?)?,
            Lang::En => MONTHS_EN.get(m.checked_sub(1)?)?,
        };
        (1..=31).contains(&d).then_some((y, month, d))
    })();
    let Some((y, month, d)) = parsed else {
        return text.to_string();
    };
    let day = match lang {
        Lang::De => format!("{d}. {month} {y}"),
        Lang::En => format!("{d} {month} {y}"),
    };
    match time.map(|t| t.get(..5).unwrap_or(t)) {
        Some(t) if !t.is_empty() => format!("{day}, {t}"),
        _ => day,
    }
}

/// The day of a point in time (milliseconds, UTC) as people read it.
#[must_use]
pub fn day(lang: Lang, ms: i64) -> String {
    date(lang, &millis_to_date(ms))
}

/// A number with one decimal, with the language's decimal mark ("3,0" in German).
#[must_use]
pub fn decimal(lang: Lang, x: f64) -> String {
    let s = format!("{x:.1}");
    match lang {
        Lang::De => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(date(Lang::De, "2030-04-01"), "1. April 2030");
        assert_eq!(date(Lang::En, "2030-04-01"), "1 April 2030");
        assert_eq!(date(Lang::De, "2030-06-06T17:00"), "6. Juni 2030, 17:00");
        assert_eq!(date(Lang::En, "2030-06-06 17:00:00"), "6 June 2030, 17:00");
        assert_eq!(date(Lang::De, "2030-12-31"), "31. Dezember 2030");
        assert_eq!(date(Lang::De, "bald"), "bald");
        assert_eq!(date(Lang::De, "2030-13-01"), "2030-13-01");
        assert_eq!(date(Lang::De, ""), "");
        assert_eq!(day(Lang::De, 1_790_000_000_000), "21. September 2026");
    }

    #[test]
    fn decimals_use_the_languages_mark() {
        assert_eq!(decimal(Lang::De, 3.0), "3,0");
        assert_eq!(decimal(Lang::En, 2.26), "2.3");
        assert_eq!(decimal(Lang::De, 12.46), "12,5");
    }
}
