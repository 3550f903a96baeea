//! Readable output of backups and restores.

use allmende_core::Lang;

use super::print::Printer;
use allmende_store::backup::{BackupReport, RestoreReport};
use allmende_store::error::Result;

impl Printer {
    pub fn backed_up(&self, r: &BackupReport) -> Result<()> {
        if self.is_json() {
            return self.json_out(r);
        }
        if self.lang() == Lang::De {
            println!(
                "✓ Sicherung geschrieben: {} ({} Dokumente, {} B)",
                r.file, r.documents, r.bytes
            );
        } else {
            println!(
                "✓ Backup written: {} ({} documents, {} B)",
                r.file, r.documents, r.bytes
            );
        }
        Ok(())
    }

    pub fn restored(&self, r: &RestoreReport) -> Result<()> {
        if self.is_json() {
            return self.json_out(r);
        }
        let de = self.lang() == Lang::De;
        if de {
            println!(
                "✓ Wiederhergestellt: {} Dokumente. Beim nächsten Abgleich kommt dazu, was seit der Sicherung anderswo geändert wurde.",
                r.documents
            );
        } else {
            println!(
                "✓ Restored: {} documents. The next sync brings back what changed elsewhere since the backup.",
                r.documents
            );
        }
        if let Some(p) = &r.previous {
            println!(
                "  {} {p}",
                if de {
                    "Die bisherige Datenbank liegt unter"
                } else {
                    "The previous database is kept at"
                }
            );
        }
        Ok(())
    }
}
