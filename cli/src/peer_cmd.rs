//! `allmende peer`: direct links between devices over iroh, without any server.

use std::time::Duration;

use allmende_core::Lang;
use clap::Subcommand;

use super::print::Printer;
use allmende_net::p2p::node::{NodeOptions, Ticket};
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

#[derive(Debug, Subcommand)]
pub enum PeerCmd {
    /// Accept peers (by ticket, or found on the local network) and keep in step with them
    /// until Ctrl-C. Prints this device's ticket first.
    Listen {
        /// Address to listen on (default: all interfaces, a random port).
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
        /// A self-hosted iroh relay URL (public relays are never used).
        #[arg(long, env = "ALLMENDE_IROH_RELAY")]
        relay: Option<String>,
        /// Do not look for peers on the local network (mDNS).
        #[arg(long)]
        no_discovery: bool,
    },
    /// The ticket of the running `allmende peer listen` (text and QR code).
    Ticket,
    /// Sync once, directly, with the device of a ticket.
    Connect {
        ticket: String,
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        #[arg(long, env = "ALLMENDE_IROH_RELAY")]
        relay: Option<String>,
        /// Print a progress line to standard error after every window of documents, also
        /// when it is not a terminal.
        #[arg(long)]
        progress: bool,
    },
    /// Known peers: how they were found, when they were last seen and synced, what waits.
    List,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub(super) fn run(svc: &mut Service, out: &Printer, cmd: PeerCmd) -> Result<()> {
    let de = svc.lang() == Lang::De;
    match cmd {
        PeerCmd::Listen {
            bind,
            relay,
            no_discovery,
        } => runtime()?.block_on(async {
            let endpoint =
                allmende_net::p2p::node::start(svc.device(), &NodeOptions { bind, relay }).await?;
            let ticket = allmende_net::p2p::node::ticket(&endpoint);
            svc.store_setting("peer_ticket", &ticket.text())?;
            println!("ticket {}", ticket.text());
            allmende_net::p2p::listen::listen_with(
                svc,
                endpoint.clone(),
                !no_discovery,
                Duration::from_secs(20),
                |line| println!("{line}"),
                async {
                    let _ = tokio::signal::ctrl_c().await;
                },
            )
            .await?;
            endpoint.close().await;
            Ok(())
        }),
        PeerCmd::Ticket => {
            let text = svc.setting("peer_ticket")?.ok_or_else(|| {
                PeerError::BadInput("no ticket yet: start `allmende peer listen` first".into())
            })?;
            println!("{text}");
            if !out.is_json() {
                if let Ok(code) = allmende_service::qr::terminal(&text) {
                    println!("{code}");
                }
            }
            Ok(())
        }
        PeerCmd::Connect {
            ticket,
            timeout,
            relay,
            progress,
        } => {
            let ticket = Ticket::parse(&ticket)?;
            let opts = NodeOptions { bind: None, relay };
            let mut bar = crate::sync_cmd::progress_bar(de, progress);
            let report = runtime()?.block_on(allmende_net::p2p::connect::connect(
                svc,
                &ticket,
                &opts,
                Duration::from_secs(timeout.max(1)),
                &mut bar,
            ))?;
            crate::sync_cmd::progress_done(&report);
            if out.is_json() {
                return out.json_out(&report);
            }
            println!(
                "{} {}: {} {}, {} {}",
                if de {
                    "✓ Abgeglichen mit"
                } else {
                    "✓ Synced with"
                },
                &ticket.device[..12.min(ticket.device.len())],
                report.documents,
                if de { "Dokumente" } else { "documents" },
                report.received + report.created,
                if de {
                    "neu oder geändert"
                } else {
                    "new or changed"
                },
            );
            for id in &report.not_synced {
                println!("  ✗ {id}");
            }
            Ok(())
        }
        PeerCmd::List => {
            let peers = svc.peers()?;
            if out.is_json() {
                return out.json_out(&peers);
            }
            for p in peers {
                let synced = p
                    .last_synced
                    .map_or("-".to_string(), allmende_core::time::millis_to_rfc3339);
                println!(
                    "{}  {:8} {} {synced}  {} {}",
                    &p.device[..12.min(p.device.len())],
                    p.how,
                    if de { "abgeglichen" } else { "synced" },
                    p.waiting,
                    if de { "warten" } else { "waiting" },
                );
            }
            Ok(())
        }
    }
}
