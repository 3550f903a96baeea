//! How the town hall answers, per department: how long the first answer takes and how often
//! promised dates are kept.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Request;
use crate::query::waiting_days;
use crate::time::{date_start_millis, parse_date, Millis, DAY_MS};

/// The answering record of one department (empty name: requests without a department).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentFigures {
    pub department: String,
    pub requests: u64,
    /// Not yet declined or done.
    pub open: u64,
    /// Waiting past a promised date.
    pub overdue: u64,
    /// Requests with at least one answer.
    pub answered: u64,
    /// Median days from submission to the first answer, over answered requests.
    pub median_days_to_first_answer: Option<f64>,
    /// Promised dates that were kept (the next answer came by the end of that day).
    pub promises_kept: u64,
    /// Promised dates that passed without an answer, or were answered late.
    pub promises_missed: u64,
    /// `promises_kept / (kept + missed)`; `None` when no promised date has come due.
    pub on_time_share: Option<f64>,
}

/// Figures per department, sorted by department name.
#[must_use]
pub fn department_figures(requests: &[Request], now: Millis) -> Vec<DepartmentFigures> {
    let mut by_dept: BTreeMap<String, Vec<&Request>> = BTreeMap::new();
    for r in requests {
        by_dept
            .entry(r.department.trim().to_string())
            .or_default()
            .push(r);
    }
    by_dept
        .into_iter()
        .map(|(department, list)| figures_of(department, &list, now))
        .collect()
}

fn figures_of(department: String, list: &[&Request], now: Millis) -> DepartmentFigures {
    let mut days = Vec::new();
    let (mut kept, mut missed) = (0_u64, 0_u64);
    for r in list {
        let timeline = r.timeline();
        if let (Some(first), Some(answer)) = (timeline.first(), r.first_answer_at()) {
            #[allow(clippy::cast_precision_loss)]
            days.push((answer - first.at) as f64 / DAY_MS as f64);
        }
        for (i, change) in timeline.iter().enumerate() {
            let Ok(date) = parse_date(&change.promised_by) else {
                continue;
            };
            let deadline = date_start_millis(date) + DAY_MS;
            match timeline.get(i + 1) {
                Some(next) if next.at < deadline => kept += 1,
                Some(_) => missed += 1,
                None if now >= deadline && r.status().awaits_town_hall() => missed += 1,
                None => {}
            }
        }
    }
    days.sort_by(f64::total_cmp);
    #[allow(clippy::cast_precision_loss)]
    let on_time_share = (kept + missed > 0).then(|| kept as f64 / (kept + missed) as f64);
    DepartmentFigures {
        department,
        requests: list.len() as u64,
        open: list.iter().filter(|r| !r.status().is_closed()).count() as u64,
        overdue: list
            .iter()
            .filter(|r| waiting_days(r, now).is_some())
            .count() as u64,
        answered: days.len() as u64,
        median_days_to_first_answer: median(&days),
        promises_kept: kept,
        promises_missed: missed,
        on_time_share,
    }
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(f64::midpoint(sorted[n / 2 - 1], sorted[n / 2])),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{DocKind, Header, RequestStatus, StatusChange};

    fn request(dept: &str, changes: &[(i64, RequestStatus, &str)]) -> Request {
        let mut history = BTreeMap::new();
        for (n, (day, status, promised)) in changes.iter().enumerate() {
            let id = format!("c{n}");
            history.insert(
                id.clone(),
                StatusChange {
                    id,
                    at: day * DAY_MS,
                    by: "x".into(),
                    status: *status,
                    message: String::new(),
                    reason: String::new(),
                    contact: String::new(),
                    promised_by: (*promised).to_string(),
                    device: String::new(),
                    sig: String::new(),
                },
            );
        }
        Request {
            header: Header {
                schema: 1,
                kind: DocKind::Request,
                id: "r".into(),
                community: "c".into(),
                created_at: 0,
                created_by: "x".into(),
                device: String::new(),
                nonce: String::new(),
                sig: String::new(),
            },
            target: String::new(),
            target_kind: DocKind::Idea,
            title: String::new(),
            text: String::new(),
            author: "x".into(),
            department: dept.into(),
            history,
            followers: BTreeMap::new(),
            comments: BTreeMap::new(),
            reports: BTreeMap::new(),
            updated_at: 0,
        }
    }

    #[test]
    fn medians_and_kept_promises_per_department() {
        use RequestStatus as S;
        // Day 0 is 1970-01-01; "1970-01-11" is day 10.
        let all = vec![
            request(
                "Umwelt",
                &[
                    (0, S::Submitted, ""),
                    (2, S::Received, "1970-01-11"),
                    (9, S::Approved, ""),
                ],
            ),
            request(
                "Umwelt",
                &[
                    (0, S::Submitted, ""),
                    (4, S::InReview, "1970-01-06"),
                    (8, S::Done, ""),
                ],
            ),
            request(
                "Umwelt",
                &[(0, S::Submitted, ""), (6, S::Received, "1970-01-08")],
            ),
            request("Bau", &[(1, S::Submitted, "")]),
        ];
        let figures = department_figures(&all, 20 * DAY_MS);
        assert_eq!(figures.len(), 2);
        let bau = &figures[0];
        assert_eq!(
            (bau.department.as_str(), bau.requests, bau.answered),
            ("Bau", 1, 0)
        );
        assert_eq!(bau.median_days_to_first_answer, None);
        let umwelt = &figures[1];
        assert_eq!(umwelt.requests, 3);
        assert_eq!(umwelt.answered, 3);
        assert_eq!(umwelt.median_days_to_first_answer, Some(4.0));
        // Kept: answer on day 9 for the 10th; missed: day 8 for the 5th, and day 7 passed
        // with nothing.
        assert_eq!((umwelt.promises_kept, umwelt.promises_missed), (1, 2));
        assert_eq!(umwelt.overdue, 1);
        assert_eq!(umwelt.open, 2);
    }
}
