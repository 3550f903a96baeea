//! # allmende-app: the Tauri v2 shell
//!
//! Thin front door over [`allmende_service::Service`]: three commands (`command`, `query`,
//! `session`) take and return the same JSON as `allmende serve`, errors reach the UI as
//! `{code, message}`, and a watcher emits `changed` whenever stored documents change (this
//! window, the CLI, a sync), so the open screen reloads without a restart.
//!
//! In the background the app keeps in step with the remembered relay and with devices of its
//! communities on the local network (`ALLMENDE_NO_LAN=1` turns the latter off).
//!
//! `ALLMENDE_DATA` picks the data directory (default: the platform's, as for the CLI);
//! `ALLMENDE_SMOKE=1` makes the window report what it rendered on standard output and exit,
//! for a cheap real-window test.

mod commands;
mod notify;
mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use allmende_service::Service;

/// The service shared by all commands.
pub struct AppState(pub Arc<Mutex<Service>>);

/// Keeps the background sync (relay, local network) running while the app runs.
struct BackgroundSync(#[allow(dead_code)] allmende_net::background::Background);

fn data_dir() -> PathBuf {
    std::env::var_os("ALLMENDE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(allmende_service::default_data_dir)
}

/// Starts the app.
///
/// # Panics
/// When the data directory cannot be opened (the error is shown on standard error first).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("ALLMENDE_LOG").unwrap_or_else(|_| allmende_net::LOG_DEFAULT.into()),
        ))
        .init();
    let service = match Service::open(&data_dir()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Allmende: {}", e.message(allmende_core::Lang::De));
            std::process::exit(3);
        }
    };
    let background = allmende_net::background::start(
        &service.data_dir(),
        allmende_net::background::Options {
            relay: true,
            lan: std::env::var_os("ALLMENDE_NO_LAN").is_none(),
        },
    );
    let shared = Arc::new(Mutex::new(service));
    let smoke = std::env::var("ALLMENDE_SMOKE").is_ok();
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(AppState(shared.clone()))
        .manage(BackgroundSync(background))
        .manage(allmende_net::join::Joining::default())
        .invoke_handler(tauri::generate_handler![
            commands::command,
            commands::query,
            commands::session,
            commands::invite,
            commands::join,
            commands::join_progress,
            commands::smoke_report
        ])
        .setup(move |app| {
            watch::spawn(app.handle().clone(), shared.clone());
            if smoke {
                commands::arm_smoke(app.handle().clone());
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Allmende: {e}");
            std::process::exit(1);
        });
}
