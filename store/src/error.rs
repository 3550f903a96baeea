//! The peer's error type and the serialisable `{code, message}` every front door shows.

use allmende_core::{DomainError, Lang};

/// Everything that can go wrong in a peer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the data file {path} is damaged or not an Allmende database ({reason}); it was left untouched")]
    CorruptDatabase { path: String, reason: String },
    #[error("document {id} is damaged ({reason}); it was left untouched and is read-only")]
    CorruptDocument { id: String, reason: String },
    #[error("the data file {path} was written by a newer Allmende (format {found}, this build knows {supported})")]
    NewerDatabase {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{0}")]
    BadInput(String),
    /// An invite token that cannot be used.
    #[error("{0}")]
    Invite(allmende_core::faults::InviteFault),
    /// A class code that cannot be used (now).
    #[error("{}", .0.message(Lang::En))]
    ClassCode(allmende_core::faults::ClassCodeFault),
    /// A browser without a valid guest session (join with a class code first).
    #[error("{0}")]
    Unauthorised(String),
    /// A guest whose device the host removed from the community: its session is over.
    #[error("this device was removed from the community")]
    GuestRemoved,
    /// A guest asked for what only the host (the device `allmende serve` runs on) may do.
    #[error("only the host can do this: {0}")]
    HostOnly(String),
    /// Another machine could not be reached or did not answer (a relay, a peer, a socket
    /// that could not be opened). Nothing was lost; trying again later may work.
    #[error("network: {0}")]
    Network(String),
    /// This device's own service could not take the request (it stopped, or a thread
    /// working for it failed).
    #[error("the service is unavailable: {0}")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("document error: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    #[error("document shape error: {0}")]
    Hydrate(Box<autosurgeon::HydrateError>),
    #[error("document write error: {0}")]
    Reconcile(Box<autosurgeon::ReconcileError>),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

impl PeerError {
    /// A stable code for programs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            PeerError::Domain(e) => e.code(),
            PeerError::CorruptDatabase { .. } => "corrupt_database",
            PeerError::CorruptDocument { .. } => "corrupt_document",
            PeerError::NewerDatabase { .. } => "newer_database",
            PeerError::BadInput(_) => "bad_input",
            PeerError::Invite(_) => "bad_invite",
            PeerError::ClassCode(f) => f.code(),
            PeerError::Unauthorised(_) => "join_first",
            PeerError::GuestRemoved => "guest_removed",
            PeerError::HostOnly(_) => "host_only",
            PeerError::Network(_) => "network",
            PeerError::Unavailable(_) => "unavailable",
            PeerError::Storage(_) => "storage",
            PeerError::Automerge(_) | PeerError::Hydrate(_) | PeerError::Reconcile(_) => "document",
            PeerError::Io(_) => "io",
            PeerError::Json(_) => "json",
        }
    }

    /// Whether the person's input was refused (as opposed to a fault of the device or data).
    #[must_use]
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            PeerError::Domain(_)
                | PeerError::BadInput(_)
                | PeerError::Invite(_)
                | PeerError::ClassCode(_)
                | PeerError::Json(_)
        )
    }

    /// Whether another machine could not be reached (worth trying again later).
    #[must_use]
    pub fn is_network(&self) -> bool {
        matches!(self, PeerError::Network(_))
    }

    /// Whether stored data is damaged.
    #[must_use]
    pub fn is_corruption(&self) -> bool {
        matches!(
            self,
            PeerError::CorruptDatabase { .. } | PeerError::CorruptDocument { .. }
        )
    }

    /// A message for a person, in their language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PeerError::Domain(e), _) => e.message(lang),
            (PeerError::Invite(f), _) => f.message(lang),
            (PeerError::ClassCode(f), _) => f.message(lang),
            (PeerError::GuestRemoved, Lang::En) => {
                "This device was removed from the community. To take part again, join with a new class code."
                    .to_string()
            }
            (PeerError::HostOnly(_), Lang::En) => {
                "Only the device Allmende runs on (the teacher's or host's) can do this.".to_string()
            }
            (_, Lang::En) => self.to_string(),
            (PeerError::CorruptDatabase { path, reason }, Lang::De) => format!(
                "Die Datendatei {path} ist beschädigt oder keine Allmende-Datenbank ({reason}). Sie wurde nicht verändert."
            ),
            (PeerError::CorruptDocument { id, .. }, Lang::De) => format!(
                "Das Dokument {id} ist beschädigt. Es wurde nicht verändert und ist nur lesbar."
            ),
            (PeerError::NewerDatabase { path, .. }, Lang::De) => format!(
                "Die Datendatei {path} stammt von einer neueren Allmende-Version. Bitte Allmende aktualisieren."
            ),
            (PeerError::BadInput(m), Lang::De) => format!("Ungültige Eingabe: {m}"),
            (PeerError::Unauthorised(_), Lang::De) => {
                "Bitte zuerst mit dem Klassencode beitreten.".to_string()
            }
            (PeerError::GuestRemoved, Lang::De) => {
                "Dieses Gerät wurde aus der Gemeinschaft entfernt. Wer wieder mitmachen will, tritt mit einem neuen Klassencode bei."
                    .to_string()
            }
            (PeerError::HostOnly(_), Lang::De) => {
                "Das kann nur das Gerät, auf dem Allmende läuft (bei der Lehrkraft oder beim Gastgeber)."
                    .to_string()
            }
            (PeerError::Json(e), Lang::De) => format!("Ungültiges JSON: {e}"),
            (PeerError::Network(m), Lang::De) => format!(
                "Keine Verbindung ({m}). Es ging nichts verloren; bitte später noch einmal versuchen."
            ),
            (PeerError::Unavailable(m), Lang::De) => {
                format!("Der Dienst dieses Geräts ist gerade nicht verfügbar ({m}).")
            }
            (PeerError::Io(e), Lang::De) => format!("Dateifehler: {e}"),
            (other, Lang::De) => format!("Interner Fehler: {other}"),
        }
    }

    /// The serialisable form for the UI.
    #[must_use]
    pub fn to_api(&self, lang: Lang) -> ApiError {
        ApiError {
            code: self.code().to_string(),
            message: self.message(lang),
        }
    }
}

// Automerge's errors are large (about 120 bytes): boxed, so every `Result` of a peer stays small.
impl From<automerge::AutomergeError> for PeerError {
    fn from(e: automerge::AutomergeError) -> Self {
        PeerError::Automerge(Box::new(e))
    }
}

impl From<autosurgeon::HydrateError> for PeerError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        PeerError::Hydrate(Box::new(e))
    }
}

impl From<autosurgeon::ReconcileError> for PeerError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        PeerError::Reconcile(Box::new(e))
    }
}

/// A ticket that cannot be read is refused input.
impl From<allmende_core::ticket::TicketError> for PeerError {
    fn from(e: allmende_core::ticket::TicketError) -> Self {
        PeerError::BadInput(e.to_string())
    }
}

pub use allmende_core::ApiError;

pub type Result<T, E = PeerError> = std::result::Result<T, E>;
