//! # allmende-cli: the `allmende` command line
//!
//! A thin front door over [`allmende_service::Service`], the network ([`allmende_net`]) and
//! `allmende serve` ([`allmende_serve`]).
//!
//! Every command prints readable text (German by default, English with `--lang en`) or, with
//! `--json`, the service's own JSON. Exit codes: 0 done; 2 refused input (unknown id, empty
//! title, bad date, unknown category, oversize text, malformed file), nothing written;
//! 3 damaged or newer data, left untouched; 4 another machine (a relay, a peer) could not be
//! reached, nothing lost; 1 anything else.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod args;
mod dev_town;
mod dispatch;
mod peer_cmd;
mod print;
mod print_backup;
mod print_detail;
mod print_governance;
mod sync_cmd;
mod template_cmd;

use std::process::ExitCode;

use allmende_core::Lang;
use clap::Parser;

pub use args::{Cli, VERSION};

use allmende_store::error::PeerError;

/// The platform's data directory for Allmende.
pub use allmende_service::default_data_dir;

/// Parses the arguments, runs the command and maps errors to exit codes.
#[must_use]
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli
        .lang
        .as_deref()
        .map(|l| l.parse().unwrap_or(Lang::De))
        .unwrap_or_else(|| Lang::from_locale(&std::env::var("LANG").unwrap_or_default()));
    let json = cli.json;
    match dispatch::run(cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                let api = e.to_api(lang);
                eprintln!("{}", serde_json::to_string(&api).unwrap_or_default());
            } else {
                let label = if lang == Lang::De { "Fehler" } else { "Error" };
                eprintln!("{label}: {}", e.message(lang));
            }
            ExitCode::from(exit_code(&e))
        }
    }
}

fn exit_code(e: &PeerError) -> u8 {
    if e.is_input_error() {
        2
    } else if e.is_corruption() || matches!(e, PeerError::NewerDatabase { .. }) {
        3
    } else if e.is_network() {
        4
    } else {
        1
    }
}
