//! Guests of `allmende serve`: pupils (or anyone) on phone browsers who join a class with a
//! short class code and a pseudonym, without an e-mail address and without an app.
//!
//! The host device (the teacher's laptop) registers each guest as a member of that one
//! community and keeps a device key for them; the browser holds only a random session token.
//! While a guest's request runs, the service acts as that member with that key
//! ([`Service::as_guest`]): commands are signed with the guest's key, and queries see only
//! the guest's community. Removing the guest's device from the roster ends the session.

use allmende_core::query::Query;
use allmende_core::{Command, DomainError};
use rand::RngCore;
use rusqlite::OptionalExtension;
use serde::Serialize;

pub use allmende_core::faults::ClassCodeFault;

use super::{Service, Viewer};
use crate::device::DeviceKey;
use allmende_store::error::{PeerError, Result};

/// Letters and digits people do not confuse (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A class code, to show on the board or as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassCode {
    pub code: String,
    pub community: String,
    pub expires_at: i64,
    /// How many browsers may join with it, and how many have.
    pub max_uses: u32,
    pub uses: u32,
    pub revoked: bool,
}

/// Most guests one class code lets in unless told otherwise (a large class).
pub const DEFAULT_CODE_USES: u32 = 40;
/// The most a class code may be made for.
pub const MAX_CODE_USES: u32 = 500;

fn shown(code: &str) -> String {
    if code.len() == 8 {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// What a browser keeps after joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuestSession {
    pub token: String,
    pub community: String,
    pub member: String,
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Service {
    /// Refused unless this device's member in `community` is an admin or a moderator.
    fn may_manage_class_codes(&mut self, community: &str) -> Result<()> {
        let (_, role) = self.role_in(community)?;
        if !matches!(
            role,
            Some(allmende_core::model::Role::Admin | allmende_core::model::Role::Moderator)
        ) {
            return Err(DomainError::Forbidden {
                action: "class code",
                needed: "admin",
            }
            .into());
        }
        Ok(())
    }

    /// A new class code for `community`, valid for `days` days (1 to 60) and for `max_uses`
    /// browsers (1 to [`MAX_CODE_USES`]; admins and moderators).
    ///
    /// # Errors
    /// Not found, not allowed, storage errors.
    pub fn create_class_code(
        &mut self,
        community: &str,
        days: u32,
        max_uses: u32,
    ) -> Result<ClassCode> {
        let community = self.resolve(community)?;
        self.may_manage_class_codes(&community)?;
        let max_uses = max_uses.clamp(1, MAX_CODE_USES);
        let mut rng = rand::rngs::OsRng;
        let code: String = (0..8)
            .map(|_| {
                let i = (rng.next_u32() as usize) % CODE_ALPHABET.len();
                char::from(CODE_ALPHABET[i])
            })
            .collect();
        let expires_at = self.now() + i64::from(days.clamp(1, 60)) * allmende_core::time::DAY_MS;
        let row = (code.clone(), community.clone(), expires_at);
        self.store_mut().write(|tx| {
            tx.execute(
                "INSERT INTO class_codes(code, community, expires_at, max_uses) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![row.0, row.1, row.2, max_uses],
            )?;
            Ok(())
        })?;
        Ok(ClassCode {
            code: shown(&code),
            community,
            expires_at,
            max_uses,
            uses: 0,
            revoked: false,
        })
    }

    /// The class codes of `community`, newest first (admins and moderators).
    ///
    /// # Errors
    /// Not found, not allowed, storage errors.
    pub fn class_codes(&mut self, community: &str) -> Result<Vec<ClassCode>> {
        let community = self.resolve(community)?;
        self.may_manage_class_codes(&community)?;
        let mut stmt = self.store.conn().prepare(
            "SELECT code, expires_at, max_uses, uses, revoked FROM class_codes
             WHERE community = ?1 ORDER BY expires_at DESC",
        )?;
        let rows = stmt.query_map([&community], |r| {
            Ok(ClassCode {
                code: shown(&r.get::<_, String>(0)?),
                community: community.clone(),
                expires_at: r.get(1)?,
                max_uses: r.get(2)?,
                uses: r.get(3)?,
                revoked: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Withdraws a class code: nobody joins with it any more; guests who joined stay until
    /// their device is removed (admins and moderators of its community).
    ///
    /// # Errors
    /// An unknown code, not allowed, storage errors.
    pub fn revoke_class_code(&mut self, code: &str) -> Result<ClassCode> {
        let code = normalise(code);
        let community: Option<String> = self
            .store
            .conn()
            .query_row(
                "SELECT community FROM class_codes WHERE code = ?1",
                [&code],
                |r| r.get(0),
            )
            .optional()?;
        let community = community.ok_or(PeerError::ClassCode(ClassCodeFault::Unknown))?;
        self.may_manage_class_codes(&community)?;
        let key = code.clone();
        self.store_mut().write(|tx| {
            tx.execute("UPDATE class_codes SET revoked = 1 WHERE code = ?1", [&key])?;
            Ok(())
        })?;
        self.class_codes(&community)?
            .into_iter()
            .find(|c| normalise(&c.code) == code)
            .ok_or(PeerError::ClassCode(ClassCodeFault::Unknown))
    }

    /// Joins the community of a class code as a new member named `name` (a pseudonym is
    /// fine): registers the member and a device key kept by this host, and opens a session.
    ///
    /// # Errors
    /// An unknown, expired, withdrawn or used-up code, an empty or oversize name, storage
    /// errors.
    pub fn enroll(&mut self, code: &str, name: &str) -> Result<GuestSession> {
        let code = normalise(code);
        let found: Option<(String, i64, u32, u32, bool)> = self
            .store
            .conn()
            .query_row(
                "SELECT community, expires_at, max_uses, uses, revoked FROM class_codes WHERE code = ?1",
                [&code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let fault = |f| Err(PeerError::ClassCode(f));
        let community = match found {
            None => return fault(ClassCodeFault::Unknown),
            Some((.., true)) => return fault(ClassCodeFault::Revoked),
            Some((_, expires, ..)) if expires <= self.now() => {
                return fault(ClassCodeFault::Expired)
            }
            Some((_, _, max, uses, _)) if uses >= max => return fault(ClassCodeFault::Full(max)),
            Some((c, ..)) => c,
        };
        let member = self
            .execute(Command::AddMember {
                community: community.clone(),
                display_name: name.to_string(),
                role: allmende_core::model::Role::Member,
            })?
            .id;
        let key = DeviceKey::generate();
        self.execute(Command::AddDevice {
            community: community.clone(),
            member: member.clone(),
            device: key.public_hex(),
            until: None,
        })?;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let now = self.now();
        let row = (
            token.clone(),
            community.clone(),
            member.clone(),
            key.secret_bytes(),
        );
        self.store_mut().write(|tx| {
            tx.execute(
                "INSERT INTO guest_sessions(token, community, member, secret, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![row.0, row.1, row.2, row.3.to_vec(), now],
            )?;
            tx.execute(
                "UPDATE class_codes SET uses = uses + 1 WHERE code = ?1",
                [&code],
            )?;
            Ok(())
        })?;
        Ok(GuestSession {
            token,
            community,
            member,
        })
    }

    /// The guest behind a session token, if the session exists and its device is still
    /// in the roster (a teacher removing the device ends it).
    ///
    /// # Errors
    /// [`PeerError::Unauthorised`] for unknown or ended sessions; storage errors.
    pub fn guest(&mut self, token: &str) -> Result<Viewer> {
        let found: Option<(String, String, Vec<u8>)> = self
            .store
            .conn()
            .query_row(
                "SELECT community, member, secret FROM guest_sessions WHERE token = ?1",
                [token],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((community, member, secret)) = found else {
            return Err(PeerError::Unauthorised(
                "unknown session: join with a class code".into(),
            ));
        };
        let secret: [u8; 32] = secret
            .try_into()
            .map_err(|_| PeerError::Unauthorised("damaged session".into()))?;
        let key = DeviceKey::from_secret(&secret);
        let c = self.community_view(&community)?;
        let active = c
            .member(&member)
            .is_some_and(|m| m.devices.contains_key(&key.public_hex()));
        if !active {
            return Err(PeerError::GuestRemoved);
        }
        Ok(Viewer {
            community,
            member,
            key,
        })
    }

    /// Runs `f` as the guest: commands signed with the guest's key as the guest's member,
    /// queries limited to the guest's community.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn as_guest<T>(
        &mut self,
        guest: Viewer,
        f: impl FnOnce(&mut Service) -> Result<T>,
    ) -> Result<T> {
        self.viewer = Some(guest);
        let out = f(self);
        self.viewer = None;
        self.cache.clear();
        out
    }

    /// For a guest: the query limited to the guest's community (or refused).
    pub(super) fn guard_query(&self, query: &mut Query) -> Result<()> {
        let Some(v) = &self.viewer else {
            return Ok(());
        };
        let mut value = serde_json::to_value(&*query)?;
        match value.get("community") {
            Some(serde_json::Value::String(c)) if *c != v.community => {
                return Err(forbidden());
            }
            Some(serde_json::Value::Null) => {
                value["community"] = serde_json::Value::String(v.community.clone());
                *query = serde_json::from_value(value)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// For a guest: the command must concern the guest's community.
    pub(super) fn guard_command(&mut self, command: &Command) -> Result<()> {
        let Some(community) = self.viewer.as_ref().map(|v| v.community.clone()) else {
            return Ok(());
        };
        // A guest's key is kept by the host; a key the guest's browser brought would make it
        // a device of its own, beyond the host's reach.
        if matches!(
            command,
            Command::CreateCommunity { .. } | Command::Publish { .. } | Command::AddDevice { .. }
        ) || self.community_of(command)? != community
        {
            return Err(forbidden());
        }
        Ok(())
    }
}

fn forbidden() -> PeerError {
    DomainError::Forbidden {
        action: "this",
        needed: "member of that community",
    }
    .into()
}
