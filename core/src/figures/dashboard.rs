//! Activity over time: how many members, ideas, projects, organisations, events and
//! volunteering opportunities a community had at the end of each month.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::time::{millis_to_date, Millis};

/// One dated thing to count: a member joining, an item created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated {
    /// `member`, `idea`, `project`, `organisation`, `event`, `opportunity`, ...
    pub kind: String,
    pub at: Millis,
    /// Projects: their stage.
    pub status: String,
}

/// The dashboard: cumulative counts per month and kind, and projects by stage now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// `YYYY-MM`, oldest first, up to the current month.
    pub months: Vec<String>,
    /// Kind -> count at the end of each month (same length as `months`).
    pub series: BTreeMap<String, Vec<u64>>,
    /// Kind -> count now.
    pub totals: BTreeMap<String, u64>,
    pub projects_by_stage: BTreeMap<String, u64>,
}

/// The kinds the dashboard counts, in display order.
pub const DASHBOARD_KINDS: [&str; 6] = [
    "member",
    "idea",
    "project",
    "organisation",
    "event",
    "opportunity",
];

fn month(at: Millis) -> String {
    millis_to_date(at).get(..7).unwrap_or_default().to_string()
}

fn next_month(m: &str) -> String {
    let (y, mo) = m.split_once('-').unwrap_or(("1970", "01"));
    let (y, mo): (i32, u32) = (y.parse().unwrap_or(1970), mo.parse().unwrap_or(1));
    if mo >= 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    }
}

/// Counts `things` into monthly cumulative series from the first month to `now`'s month.
#[must_use]
pub fn dashboard(things: &[Dated], now: Millis) -> Dashboard {
    let last = month(now);
    let first = things
        .iter()
        .map(|t| month(t.at))
        .min()
        .unwrap_or_else(|| last.clone())
        .min(last.clone());
    let mut months = vec![first];
    while months.last().is_some_and(|m| *m < last) && months.len() < 1200 {
        let next = next_month(months.last().map_or("", String::as_str));
        months.push(next);
    }
    let mut series: BTreeMap<String, Vec<u64>> = DASHBOARD_KINDS
        .iter()
        .map(|k| ((*k).to_string(), vec![0; months.len()]))
        .collect();
    let mut totals: BTreeMap<String, u64> = DASHBOARD_KINDS
        .iter()
        .map(|k| ((*k).to_string(), 0))
        .collect();
    let mut projects_by_stage = BTreeMap::new();
    for t in things {
        let Some(counts) = series.get_mut(&t.kind) else {
            continue;
        };
        let m = month(t.at);
        let from = months.partition_point(|x| *x < m);
        for c in counts.iter_mut().skip(from) {
            *c += 1;
        }
        *totals.entry(t.kind.clone()).or_default() += 1;
        if t.kind == "project" {
            *projects_by_stage.entry(t.status.clone()).or_default() += 1;
        }
    }
    Dashboard {
        months,
        series,
        totals,
        projects_by_stage,
    }
}

/// The dashboard as CSV: one row per month, one column per kind.
#[must_use]
pub fn dashboard_csv(d: &Dashboard) -> String {
    let mut out = String::from("month");
    for k in DASHBOARD_KINDS {
        out.push(',');
        out.push_str(k);
    }
    out.push('\n');
    for (i, m) in d.months.iter().enumerate() {
        out.push_str(m);
        for k in DASHBOARD_KINDS {
            let v = d.series.get(k).and_then(|s| s.get(i)).copied().unwrap_or(0);
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{date_start_millis, parse_date};

    fn at(date: &str) -> Millis {
        date_start_millis(parse_date(date).expect("date"))
    }

    fn thing(kind: &str, date: &str, status: &str) -> Dated {
        Dated {
            kind: kind.into(),
            at: at(date),
            status: status.into(),
        }
    }

    #[test]
    fn cumulative_months_up_to_now_and_csv() {
        let things = [
            thing("member", "2026-10-03", ""),
            thing("idea", "2026-11-20", ""),
            thing("idea", "2026-12-01", ""),
            thing("project", "2026-12-05", "planning"),
            thing("project", "2027-01-09", "done"),
            thing("unknown", "2026-10-01", ""),
        ];
        let d = dashboard(&things, at("2027-01-10"));
        assert_eq!(d.months, ["2026-10", "2026-11", "2026-12", "2027-01"]);
        assert_eq!(d.series["idea"], [0, 1, 2, 2]);
        assert_eq!(d.series["project"], [0, 0, 1, 2]);
        assert_eq!(d.series["member"], [1, 1, 1, 1]);
        assert_eq!(d.totals["idea"], 2);
        assert_eq!(d.projects_by_stage["done"], 1);
        let csv = dashboard_csv(&d);
        assert!(csv.starts_with("month,member,idea,project,organisation,event,opportunity\n"));
        assert!(csv.contains("2026-12,1,2,1,0,0,0\n"), "{csv}");
    }
}
