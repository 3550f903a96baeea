//! `allmende sync`: one-shot, watching, status, and fetching a raw document.

use std::time::Duration;

use allmende_core::Lang;

use super::print::Printer;
use allmende_net::sync;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// What `allmende sync` was asked.
pub(super) struct SyncArgs {
    pub relay: Option<String>,
    pub watch: bool,
    pub status: bool,
    pub timeout: u64,
    pub fetch: Option<String>,
    /// Progress lines also when standard error is no terminal.
    pub progress: bool,
}

pub(super) fn run(svc: &mut Service, out: &Printer, args: &SyncArgs) -> Result<()> {
    let SyncArgs {
        relay,
        watch,
        status,
        timeout,
        fetch,
        progress,
    } = args;
    let (relay, watch, status, timeout, fetch) =
        (relay.clone(), *watch, *status, *timeout, fetch.clone());
    let de = svc.lang() == Lang::De;
    if status {
        let rows = svc.sync_status()?;
        if out.is_json() {
            return out.value(&rows);
        }
        if rows.is_empty() {
            println!(
                "{}",
                if de {
                    "Noch nie synchronisiert. Alles ist auf diesem Gerät gespeichert."
                } else {
                    "Never synced. Everything is saved on this device."
                }
            );
        }
        // The key a relay's operator lists to let this device found communities there.
        println!(
            "{}: {}",
            if de {
                "Schlüssel dieses Geräts"
            } else {
                "This device's key"
            },
            svc.device().public_hex()
        );
        for r in rows {
            let when = r
                .last_synced
                .map_or("-".to_string(), allmende_core::time::millis_to_rfc3339);
            println!(
                "{}  {}  {}: {when}  {}: {}",
                r.community,
                r.relay,
                if de { "zuletzt" } else { "last" },
                if de { "wartend" } else { "waiting" },
                r.waiting
            );
        }
        return Ok(());
    }
    // Without --relay: every relay a community here syncs through (each gets only its own
    // communities), the remembered one first.
    let explicit = relay.is_some();
    let relays: Vec<String> = match relay {
        Some(r) => vec![r],
        None => {
            let mut all = svc.known_relays()?;
            if let Some(default) = svc.store().setting("relay")? {
                all.retain(|r| *r != default);
                all.insert(0, default);
            }
            all
        }
    };
    let Some(first) = relays.first().cloned() else {
        return Err(PeerError::BadInput(
            "no relay given: use --relay ws://HOST:PORT".into(),
        ));
    };
    let timeout = Duration::from_secs(timeout.max(1));
    let rt = runtime()?;
    if let Some(id) = fetch {
        let value = rt.block_on(sync::fetch(svc, &first, &id, timeout))?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    if watch {
        let json = out.is_json();
        rt.block_on(sync::watch(
            svc,
            &first,
            timeout,
            |line| {
                if json {
                    println!("{}", serde_json::json!({ "event": line }));
                } else {
                    println!("{line}");
                }
            },
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        ))?;
        return Ok(());
    }
    let mut reports = Vec::new();
    for relay in &relays {
        let mut bar = progress_bar(de, *progress);
        let report = rt.block_on(sync::sync_once_showing(svc, relay, timeout, &mut bar))?;
        progress_done(&report);
        reports.push(report);
    }
    if explicit {
        svc.remember_relay(&first)?;
    }
    if out.is_json() {
        return match reports.as_slice() {
            [one] => out.value(one),
            all => out.value(&all),
        };
    }
    for report in &reports {
        print_report(report, de);
    }
    Ok(())
}

/// Shows how far a sync has come on standard error: one line rewritten in place on a
/// terminal, a line per step elsewhere when `lines` is asked for.
pub(crate) fn progress_bar(de: bool, lines: bool) -> impl FnMut(sync::Progress) {
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    move |p: sync::Progress| {
        if terminal {
            eprint!("\r  {}", progress_line(p, de));
        } else if lines {
            eprintln!("{}", progress_line(p, de));
        }
    }
}

/// Ends the progress line on a terminal once the sync is done.
pub(crate) fn progress_done(report: &sync::SyncReport) {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) && report.offered > 0 {
        eprintln!();
    }
}

pub(crate) fn print_report(report: &sync::SyncReport, de: bool) {
    println!(
        "{} {}: {} {}, {} {}, {} {}, {} B {}, {} B {}",
        if de {
            "✓ Synchronisiert mit"
        } else {
            "✓ Synced with"
        },
        report.relay,
        report.documents,
        if de { "Dokumente" } else { "documents" },
        report.received,
        if de {
            "mit neuen Änderungen"
        } else {
            "with new changes"
        },
        report.created,
        if de { "neu" } else { "new" },
        report.bytes_sent,
        if de { "gesendet" } else { "sent" },
        report.bytes_received,
        if de { "empfangen" } else { "received" },
    );
    for id in &report.not_synced {
        println!(
            "  ✗ {id} {}",
            if de {
                "(verweigert oder nicht rechtzeitig)"
            } else {
                "(refused or timed out)"
            }
        );
    }
    for q in &report.quarantined {
        println!(
            "  ✗ {} {}: {}",
            q.id,
            if de {
                "(in Quarantäne, der Rest ist gespeichert)"
            } else {
                "(in quarantine, the rest is stored)"
            },
            q.reason
        );
    }
}

/// "1200 / 10000 Dokumente (12 %), 3.4 MB empfangen" for a progress line.
fn progress_line(p: sync::Progress, de: bool) -> String {
    let percent = (p.done * 100).checked_div(p.total).unwrap_or(100);
    #[allow(clippy::cast_precision_loss)]
    let mb = p.bytes_received as f64 / 1_000_000.0;
    if de {
        format!(
            "{} / {} Dokumente ({percent} %), {} MB empfangen",
            p.done,
            p.total,
            format!("{mb:.1}").replace('.', ",")
        )
    } else {
        format!(
            "{} / {} documents ({percent} %), {mb:.1} MB received",
            p.done, p.total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_reads_in_both_languages() {
        let p = sync::Progress {
            done: 1200,
            total: 10_000,
            bytes_received: 3_400_000,
        };
        assert_eq!(
            progress_line(p, true),
            "1200 / 10000 Dokumente (12 %), 3,4 MB empfangen"
        );
        assert_eq!(
            progress_line(p, false),
            "1200 / 10000 documents (12 %), 3.4 MB received"
        );
        assert!(progress_line(sync::Progress::default(), false).contains("(100 %)"));
    }
}
