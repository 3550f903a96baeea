//! Emits `changed` whenever stored documents change, whoever changed them, and announces
//! new town-hall answers as desktop notifications.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use allmende_service::Service;
use tauri::Emitter;

/// Watches document versions a few times a second on a background thread.
pub fn spawn(app: tauri::AppHandle, svc: Arc<Mutex<Service>>) {
    std::thread::spawn(move || {
        let mut known: HashMap<String, i64> = HashMap::new();
        let mut first = true;
        // Announce only answers that arrive while the app runs.
        let mut notified = svc.lock().map(|s| s.now()).unwrap_or(0);
        loop {
            let mut changed = false;
            let docs = svc
                .lock()
                .ok()
                .and_then(|s| s.store().docs(None).ok())
                .unwrap_or_default();
            for d in docs {
                if known.insert(d.id.clone(), d.version) != Some(d.version) && !first {
                    let _ = app.emit("changed", &d.id);
                    changed = true;
                }
            }
            first = false;
            if changed {
                if let Ok(mut s) = svc.lock() {
                    notified = crate::notify::announce(&app, &mut s, notified);
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
}
