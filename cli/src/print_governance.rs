//! Readable output of governance and figures: flags for admins, the moderators' audit log,
//! town-hall figures, notifications and the dashboard.

use allmende_core::figures::{dashboard_csv, Dashboard, DepartmentFigures};
use allmende_core::governance::Flag;
use allmende_core::model::Moderation;
use allmende_core::query::Notification;
use allmende_core::time::millis_to_date;
use allmende_core::Lang;

use super::print::Printer;
use allmende_store::error::Result;

impl Printer {
    pub fn flags(&self, flags: &[Flag]) -> Result<()> {
        if self.is_json() {
            return self.json_out(&flags);
        }
        let de = self.lang() == Lang::De;
        if flags.is_empty() {
            println!(
                "{}",
                if de {
                    "Keine abgelehnten Änderungen."
                } else {
                    "No refused changes."
                }
            );
        }
        for f in flags {
            let who = if f.member.is_empty() { "?" } else { &f.member };
            let device = f.device.get(..8).unwrap_or(&f.device);
            let when = if f.at > 0 {
                millis_to_date(f.at)
            } else {
                "-".into()
            };
            println!(
                "{when}  {who} ({} {device}): {}  [{}: {}]",
                if de { "Gerät" } else { "device" },
                f.what,
                if de { "abgelehnt" } else { "refused" },
                f.reason
            );
        }
        Ok(())
    }

    pub fn audit(&self, log: &[Moderation]) -> Result<()> {
        if self.is_json() {
            return self.json_out(&log);
        }
        let de = self.lang() == Lang::De;
        for m in log {
            let what = match (m.hidden, de) {
                (true, true) => "verborgen",
                (true, false) => "hidden",
                (false, true) => "wiederhergestellt",
                (false, false) => "restored",
            };
            println!(
                "{}  {}  {what} {}: {}",
                millis_to_date(m.at),
                m.by,
                m.key,
                m.reason
            );
        }
        Ok(())
    }
}

impl Printer {
    pub fn town_hall(&self, figures: &[DepartmentFigures]) -> Result<()> {
        if self.is_json() {
            return self.json_out(&figures);
        }
        let de = self.lang() == Lang::De;
        for f in figures {
            let dept = if f.department.is_empty() {
                if de {
                    "(ohne Amt)"
                } else {
                    "(no department)"
                }
            } else {
                &f.department
            };
            let median = f
                .median_days_to_first_answer
                .map_or("-".into(), |d| format!("{d:.1}"));
            let share = f
                .on_time_share
                .map_or("-".into(), |s| format!("{:.0} %", s * 100.0));
            if de {
                println!(
                    "{dept}: {} Anliegen, {} offen, {} überfällig; erste Antwort nach {median} Tagen (Median); Zusagen eingehalten: {share}",
                    f.requests, f.open, f.overdue
                );
            } else {
                println!(
                    "{dept}: {} requests, {} open, {} overdue; first answer after {median} days (median); promises kept: {share}",
                    f.requests, f.open, f.overdue
                );
            }
        }
        Ok(())
    }

    pub fn notifications(&self, list: &[Notification]) -> Result<()> {
        if self.is_json() {
            return self.json_out(&list);
        }
        for n in list {
            println!(
                "{}  {}: {} — {} {}",
                millis_to_date(n.at),
                n.title,
                allmende_core::lang::label(&n.status, self.lang()),
                n.by,
                n.message
            );
        }
        Ok(())
    }

    pub fn dashboard(&self, d: &Dashboard, csv: bool) -> Result<()> {
        if csv {
            print!("{}", dashboard_csv(d));
            return Ok(());
        }
        if self.is_json() {
            return self.json_out(d);
        }
        for (kind, total) in &d.totals {
            println!(
                "{:14} {total}",
                allmende_core::lang::label(kind, self.lang())
            );
        }
        for (stage, n) in &d.projects_by_stage {
            println!(
                "  {:12} {n}",
                allmende_core::lang::label(stage, self.lang())
            );
        }
        Ok(())
    }
}

impl Printer {
    /// The community's code of conduct, shown when joining.
    pub fn code_of_conduct(&self, text: &str) -> Result<()> {
        if self.is_json() || text.trim().is_empty() {
            return Ok(());
        }
        let de = self.lang() == Lang::De;
        println!(
            "\n{}\n{text}",
            if de {
                "Unsere Regeln für ein gutes Miteinander:"
            } else {
                "Our code of conduct:"
            }
        );
        Ok(())
    }
}

impl Printer {
    pub fn class_code(&self, code: &allmende_service::ClassCode) -> Result<()> {
        if self.is_json() {
            return self.json_out(code);
        }
        let de = self.lang() == Lang::De;
        println!("{}", code.code);
        println!(
            "{} {}, {} {}",
            if de { "Gültig bis" } else { "Valid until" },
            millis_to_date(code.expires_at),
            if de { "für Geräte:" } else { "for devices:" },
            code.max_uses
        );
        println!(
            "{}",
            if de {
                "Mit `allmende serve --listen 0.0.0.0:8080` öffnen die Kinder die angezeigte Adresse im Browser und geben den Code und einen Spitznamen ein."
            } else {
                "With `allmende serve --listen 0.0.0.0:8080`, pupils open the shown address in a browser and enter the code and a nickname."
            }
        );
        Ok(())
    }

    /// Class codes with their state, one per line.
    pub fn class_codes(&self, codes: &[allmende_service::ClassCode]) -> Result<()> {
        if self.is_json() {
            return self.json_out(&codes);
        }
        let de = self.lang() == Lang::De;
        if codes.is_empty() {
            println!(
                "{}",
                if de {
                    "Keine Klassencodes."
                } else {
                    "No class codes."
                }
            );
        }
        for c in codes {
            let state = match (c.revoked, de) {
                (true, true) => "zurückgezogen".to_string(),
                (true, false) => "withdrawn".to_string(),
                (false, true) => format!("bis {}", millis_to_date(c.expires_at)),
                (false, false) => format!("until {}", millis_to_date(c.expires_at)),
            };
            println!(
                "{}  {state}  {}/{} {}",
                c.code,
                c.uses,
                c.max_uses,
                if de { "beigetreten" } else { "joined" }
            );
        }
        Ok(())
    }
}
