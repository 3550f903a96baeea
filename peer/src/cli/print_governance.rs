//! Readable output of governance: flags for admins and the moderators' audit log.

use allmende_core::governance::Flag;
use allmende_core::model::Moderation;
use allmende_core::time::millis_to_date;
use allmende_core::Lang;

use super::print::Printer;
use crate::error::Result;

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
