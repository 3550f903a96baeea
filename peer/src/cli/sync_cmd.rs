//! `allmende sync`: one-shot, watching, status, and fetching a raw document.

use std::time::Duration;

use allmende_core::Lang;

use super::print::Printer;
use crate::error::{PeerError, Result};
use crate::service::Service;
use crate::sync;

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub(super) fn run(
    svc: &mut Service,
    out: &Printer,
    relay: Option<String>,
    watch: bool,
    status: bool,
    timeout: u64,
    fetch: Option<String>,
) -> Result<()> {
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
    let relay = match relay {
        Some(r) => r,
        None => svc.store().setting("relay")?.ok_or_else(|| {
            PeerError::BadInput("no relay given: use --relay ws://HOST:PORT".into())
        })?,
    };
    let timeout = Duration::from_secs(timeout.max(1));
    let rt = runtime()?;
    if let Some(id) = fetch {
        let value = rt.block_on(sync::fetch(svc, &relay, &id, timeout))?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    if watch {
        let json = out.is_json();
        rt.block_on(sync::watch(
            svc,
            &relay,
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
    let report = rt.block_on(sync::sync_once(svc, &relay, timeout))?;
    svc.remember_relay(&relay)?;
    if out.is_json() {
        return out.value(&report);
    }
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
    Ok(())
}
