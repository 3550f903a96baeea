//! A member's contact that nobody else may see (`ContactVisibility::Nobody`): kept in this
//! device's own store, never in the shared profile document that every member's device (and
//! the relay) holds.

use allmende_core::model::ContactVisibility;
use allmende_core::Command;
use rusqlite::{Connection, OptionalExtension};

use allmende_store::error::Result;

fn key(community: &str, member: &str) -> String {
    format!("private_contact:{community}:{member}")
}

/// Keeps `contact` for `member` of `community` on this device, or forgets it (`None`).
///
/// # Errors
/// Storage errors.
pub(crate) fn keep(
    conn: &Connection,
    community: &str,
    member: &str,
    contact: Option<&str>,
) -> Result<()> {
    match contact {
        Some(c) => conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            [key(community, member), c.to_string()],
        )?,
        None => conn.execute("DELETE FROM meta WHERE key = ?1", [key(community, member)])?,
    };
    Ok(())
}

/// The contact this device keeps for `member` of `community`, if any.
///
/// # Errors
/// Storage errors.
pub(crate) fn kept(conn: &Connection, community: &str, member: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [key(community, member)],
            |r| r.get(0),
        )
        .optional()?)
}

/// A member who shows their contact to others again without retyping it: the contact this
/// device kept goes into the command, and so into the shared profile. `viewer` is the guest
/// acting through `serve`, if any (else the device's own member acts).
///
/// # Errors
/// Storage errors.
pub(crate) fn shown_again(
    conn: &Connection,
    viewer: Option<&str>,
    command: Command,
) -> Result<Command> {
    let Command::EditProfile {
        community,
        member,
        display_name,
        about,
        interests,
        organisation,
        contact: None,
        contact_visibility: Some(visibility),
    } = command
    else {
        return Ok(command);
    };
    let me: Option<String> = match viewer {
        Some(v) => Some(v.to_string()),
        None => conn
            .query_row(
                "SELECT member FROM identities WHERE community = ?1",
                [&community],
                |r| r.get(0),
            )
            .optional()?,
    };
    let own = member.is_none() || member == me;
    let contact = match (&me, own, visibility) {
        (Some(m), true, v) if v != ContactVisibility::Nobody => kept(conn, &community, m)?,
        _ => None,
    };
    Ok(Command::EditProfile {
        community,
        member,
        display_name,
        about,
        interests,
        organisation,
        contact,
        contact_visibility: Some(visibility),
    })
}
