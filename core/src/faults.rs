//! Why a token a person brings (an invite, a class code) cannot be used, with the message
//! in both languages. Pure data: the peer's error type carries these.

use crate::Lang;

/// Why an invite token cannot be used, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteFault {
    /// The text is not an invite at all.
    NotAnInvite,
    /// The text was cut off or changed on the way.
    Damaged,
    /// Made by a newer Allmende.
    NewerVersion(u8),
    /// The invite names no relay and none was given.
    NoRelay,
    /// The relay does not (or no longer) let the invite in: not there yet, used, or withdrawn.
    NotOnRelay,
    /// The invited member was removed from the community.
    MemberGone,
    /// The invite held until this day (`YYYY-MM-DD`) and has expired.
    Expired(String),
}

impl InviteFault {
    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let (de, en) = match self {
            InviteFault::NotAnInvite => (
                "Das ist keine Allmende-Einladung. Sie beginnt mit „allmende-invite:“.".to_string(),
                "This is not an Allmende invite. It starts with \"allmende-invite:\".".to_string(),
            ),
            InviteFault::Damaged => (
                "Die Einladung ist beschädigt (unvollständig kopiert?). Bitte neu kopieren oder den QR-Code fotografieren.".to_string(),
                "The invite is damaged (copied only in part?). Copy it again or photograph the QR code.".to_string(),
            ),
            InviteFault::NewerVersion(v) => (
                format!("Die Einladung stammt von einer neueren Allmende-Version ({v}). Bitte Allmende aktualisieren."),
                format!("The invite comes from a newer Allmende (version {v}). Please update Allmende."),
            ),
            InviteFault::NoRelay => (
                "Die Einladung nennt keinen Relay-Server. Bitte eine Einladung mit Relay verwenden.".to_string(),
                "The invite names no relay server. Use an invite that names one.".to_string(),
            ),
            InviteFault::NotOnRelay => (
                "Der Relay-Server lässt diese Einladung nicht ein: noch nicht angekommen (gleich noch einmal versuchen), schon benutzt, abgelaufen oder zurückgezogen.".to_string(),
                "The relay does not let this invite in: not arrived yet (try again in a moment), already used, expired, or withdrawn.".to_string(),
            ),
            InviteFault::Expired(day) => (
                format!("Diese Einladung galt bis zum {day} und ist abgelaufen. Bitte um eine neue."),
                format!("This invite held until {day} and has expired. Ask for a new one."),
            ),
            InviteFault::MemberGone => (
                "Die eingeladene Person ist nicht mehr Mitglied der Gemeinschaft.".to_string(),
                "The invited person is no longer a member of the community.".to_string(),
            ),
        };
        match lang {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

impl std::fmt::Display for InviteFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// Why a class code does not let a browser in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClassCodeFault {
    Unknown,
    Expired,
    Revoked,
    /// As many browsers have joined as the code allows.
    Full(u32),
    /// Too many tries from one browser in a short time (guessing codes).
    TooManyAttempts,
}

impl ClassCodeFault {
    /// A stable code for programs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ClassCodeFault::Unknown => "unknown_class_code",
            ClassCodeFault::Expired => "expired_class_code",
            ClassCodeFault::Revoked => "revoked_class_code",
            ClassCodeFault::Full(_) => "full_class_code",
            ClassCodeFault::TooManyAttempts => "too_many_attempts",
        }
    }

    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let de = matches!(lang, Lang::De);
        match (self, de) {
            (ClassCodeFault::Unknown, true) => {
                "Diesen Klassencode gibt es nicht. Bitte genau abtippen.".into()
            }
            (ClassCodeFault::Unknown, false) => {
                "There is no such class code. Please type it exactly.".into()
            }
            (ClassCodeFault::Expired, true) => {
                "Dieser Klassencode ist abgelaufen. Bitte um einen neuen.".into()
            }
            (ClassCodeFault::Expired, false) => {
                "This class code has expired. Ask for a new one.".into()
            }
            (ClassCodeFault::Revoked, true) => {
                "Dieser Klassencode wurde zurückgezogen. Bitte um einen neuen.".into()
            }
            (ClassCodeFault::Revoked, false) => {
                "This class code was withdrawn. Ask for a new one.".into()
            }
            (ClassCodeFault::Full(n), true) => format!(
                "Mit diesem Klassencode sind schon {n} Geräte beigetreten. Bitte um einen neuen."
            ),
            (ClassCodeFault::TooManyAttempts, true) => {
                "Zu viele Versuche. Bitte eine Minute warten und den Code dann genau abtippen."
                    .into()
            }
            (ClassCodeFault::TooManyAttempts, false) => {
                "Too many tries. Please wait a minute, then type the code exactly.".into()
            }
            (ClassCodeFault::Full(n), false) => {
                format!("{n} devices have already joined with this class code. Ask for a new one.")
            }
        }
    }
}
