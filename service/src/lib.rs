//! # allmende-service: the one service API every front door uses
//!
//! [`Service`] runs commands that change documents and queries that return what a screen
//! needs in one call, over the store of one data directory ([`allmende_store`]). Beside it:
//! [`docs`] (loading Automerge documents and converting them to and from the typed model),
//! [`device`] (this device's key), [`invite`] (invite tokens), [`bundle`] (files carried by
//! hand), [`qr`], [`clock`].
//!
//! A command goes: front door builds a [`allmende_core::Command`] → [`Service::execute`] opens
//! an immediate SQLite transaction, loads the documents the command needs (refreshing cached
//! ones another process changed), hydrates them, calls [`allmende_core::apply::execute`],
//! reconciles the changed typed documents back into Automerge, appends the incremental change
//! bytes, updates the index rows and commits. Only then is the write acknowledged; a crash
//! before the commit leaves the previous state.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod bundle;
pub mod clock;
pub mod device;
pub mod docs;
pub mod feed_mark;
pub mod invite;
pub mod peers;
pub mod qr;
pub mod relays;
pub mod sync_state;

mod cache;
mod calendar_feed;
mod classes;
pub mod demo;
mod exports;
mod figures;
mod governance;
mod guests;
mod history;
mod ids;
mod index_upkeep;
mod judge;
mod private_contact;
mod quarantine;
mod read;
mod repair;
mod restore_marks;
mod showcase;
mod transfer;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use allmende_core::Lang;
use automerge::AutoCommit;

pub use allmende_store::{ApiError, PeerError};
pub use guests::{ClassCode, ClassCodeFault, GuestSession, DEFAULT_CODE_USES};
pub use ids::RandomIds;
pub use quarantine::Quarantined;
pub use read::QueryResult;
pub use transfer::{ImportReport, Intake};

/// Where a device keeps its data unless told otherwise (`ALLMENDE_DIR` or `--dir`).
#[must_use]
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("allmende")
}

use crate::clock::{Clock, SystemClock};
use crate::device::DeviceKey;
use allmende_store::error::Result;
use allmende_store::Store;

/// A loaded document and the store version it was loaded at.
struct Cached {
    doc: AutoCommit,
    version: i64,
    /// For a community document: its replayed log at this version.
    /// Shared: an item is judged against it without copying 2,000 members each time.
    community: Option<std::sync::Arc<allmende_core::model::Community>>,
    /// What was read of its log's history (kept across versions, so a replay after a
    /// change reads only the new changes).
    history: allmende_core::governance::LogHistory,
}

/// A local peer's service: the store, this device's key, a clock and a document cache.
pub struct Service {
    store: Store,
    device: DeviceKey,
    clock: Box<dyn Clock>,
    ids: RandomIds,
    cache: HashMap<String, Cached>,
    lang: Lang,
    /// Device keys standing in for other members in simulations ([`Service::execute_as`]).
    stand_ins: HashMap<String, DeviceKey>,
    /// While a guest's request runs: who acts (see `guests.rs`).
    viewer: Option<Viewer>,
}

/// A guest of `allmende serve` acting as a member of one community with its own key.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub community: String,
    pub member: String,
    key: DeviceKey,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// Opens the peer of a data directory with the system clock.
    ///
    /// # Errors
    /// Storage errors, a damaged or newer database.
    pub fn open(dir: &Path) -> Result<Service> {
        Self::open_with_clock(dir, Box::new(SystemClock))
    }

    /// Opens the peer of a data directory with the given clock.
    ///
    /// # Errors
    /// As [`Service::open`].
    pub fn open_with_clock(dir: &Path, clock: Box<dyn Clock>) -> Result<Service> {
        let mut store = Store::open(dir)?;
        let secret = store.device_secret(|| DeviceKey::generate().secret_bytes())?;
        let salt = store
            .setting(allmende_store::backup::ACTOR_SALT)?
            .unwrap_or_default();
        let mut service = Service {
            store,
            device: DeviceKey::from_secret(&secret).with_actor_salt(salt),
            clock,
            ids: RandomIds,
            cache: HashMap::new(),
            lang: Lang::De,
            stand_ins: HashMap::new(),
            viewer: None,
        };
        service.ensure_index()?;
        Ok(service)
    }

    /// The language of error messages.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    #[must_use]
    pub fn lang(&self) -> Lang {
        self.lang
    }

    #[must_use]
    pub fn device(&self) -> &DeviceKey {
        &self.device
    }

    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The data directory (where `allmende.db` lives).
    #[must_use]
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.store
            .path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }

    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Milliseconds since the epoch, from the service's clock.
    #[must_use]
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The community of the guest being served, if any.
    #[must_use]
    pub fn viewer_community(&self) -> Option<&str> {
        self.viewer.as_ref().map(|v| v.community.as_str())
    }

    /// The member this device (or the guest being served) is in `community`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn me(&self, community: &str) -> Result<Option<String>> {
        match &self.viewer {
            Some(v) if v.community == community => Ok(Some(v.member.clone())),
            Some(_) => Ok(None),
            None => self.store.identity(community),
        }
    }

    /// The community commands and lists use when none is named.
    ///
    /// # Errors
    /// Storage errors.
    pub fn current_community(&self) -> Result<Option<String>> {
        if let Some(v) = &self.viewer {
            return Ok(Some(v.community.clone()));
        }
        if let Some(c) = self.store.setting("current_community")? {
            return Ok(Some(c));
        }
        Ok(self.communities()?.first().map(|c| c.id.clone()))
    }

    /// Chooses the community commands and lists use by default.
    ///
    /// # Errors
    /// Not found, or storage errors.
    pub fn set_current_community(&mut self, id: &str) -> Result<()> {
        let id = self.resolve(id)?;
        self.store.set_setting("current_community", &id)
    }
}
