//! The one function that applies a protected change: it checks that the entry's device and
//! member may make it in the community's state, then changes that state.
//!
//! [`apply_act`] is used twice: by the command path (to check and apply a change before it is
//! signed and written) and by every reader replaying the log ([`super::resolve`]). So a change
//! a device may make locally is exactly a change every other peer accepts.

use std::collections::BTreeMap;

use super::act::Act;
use super::entry::Body;
use crate::category::{default_categories, CategoryDef};
use crate::model::{Community, Member, Moderation, Role};

/// Why a protected change is refused.
pub type Refusal = &'static str;

/// Checks that the body's device and member may make this change in state `c`, then applies
/// it. Genesis is checked by the caller (it needs the document id).
///
/// # Errors
/// A short reason; `c` is unchanged then.
pub fn apply_act(c: &mut Community, body: &Body) -> Result<(), Refusal> {
    if let Act::Genesis {
        name,
        kind,
        description,
        member,
        profile,
        ..
    } = &body.act
    {
        if !c.members.is_empty() {
            return Err("a community has one beginning");
        }
        c.name.clone_from(name);
        c.kind = *kind;
        c.description.clone_from(description);
        c.categories = default_categories();
        let mut devices = BTreeMap::new();
        devices.insert(body.device.clone(), body.at);
        c.device_owners.insert(body.device.clone(), member.clone());
        c.members.insert(
            member.clone(),
            Member {
                id: member.clone(),
                role: Role::Admin,
                joined_at: body.at,
                profile: profile.clone(),
                devices,
                expires: BTreeMap::new(),
                removed: false,
                trusted: true,
            },
        );
        return Ok(());
    }
    let me = c
        .member(&body.member)
        .ok_or("the author is not a member (or was removed)")?;
    if !me.devices.contains_key(&body.device) {
        return Err("the device does not belong to the author");
    }
    if let Some(until) = me.expires.get(&body.device) {
        if body.at > *until {
            return Err("the invite key had expired");
        }
        // An invite key only joins: it adds another key of its own member, for good, and
        // retires itself. Whoever finds an old token can do nothing else with it.
        let joins = match &body.act {
            Act::AddDevice {
                member,
                device,
                until: None,
            } => *member == body.member && *device != body.device,
            Act::RemoveDevice { member, device } => {
                *member == body.member && *device == body.device
            }
            _ => false,
        };
        if !joins {
            return Err("an invite key only adds its member's own device and retires itself");
        }
    }
    let role = me.role;
    let admin = role == Role::Admin;
    let self_only = |m: &str| m == body.member;
    match &body.act {
        Act::Genesis { .. } => Err("a community has one beginning"),
        Act::Settings {
            name,
            description,
            code_of_conduct,
            hold_first_posts,
        } => {
            need(admin)?;
            if let Some(v) = name {
                c.name.clone_from(v);
            }
            if let Some(v) = description {
                c.description.clone_from(v);
            }
            if let Some(v) = code_of_conduct {
                c.settings.code_of_conduct.clone_from(v);
            }
            if let Some(v) = hold_first_posts {
                // Whoever is a member when holding starts (or stops) is trusted: only
                // members who join while it is on wait for approval.
                if *v != c.settings.hold_first_posts {
                    for m in c.members.values_mut() {
                        m.trusted = true;
                    }
                }
                c.settings.hold_first_posts = *v;
            }
            Ok(())
        }
        Act::AddCategory {
            key,
            label_de,
            label_en,
        } => {
            need(admin)?;
            if c.categories.iter().any(|cat| &cat.key == key) {
                return Err("the category exists already");
            }
            c.categories.push(CategoryDef {
                key: key.clone(),
                label_de: label_de.clone(),
                label_en: label_en.clone(),
                archived: false,
            });
            Ok(())
        }
        Act::EditCategory {
            key,
            label_de,
            label_en,
            archived,
        } => {
            need(admin)?;
            let cat = c
                .categories
                .iter_mut()
                .find(|cat| &cat.key == key)
                .ok_or("no such category")?;
            if let Some(v) = label_de {
                cat.label_de.clone_from(v);
            }
            if let Some(v) = label_en {
                cat.label_en.clone_from(v);
            }
            if let Some(v) = archived {
                cat.archived = *v;
            }
            Ok(())
        }
        Act::AddMember {
            member,
            role,
            profile,
        } => {
            need(admin)?;
            if c.members.contains_key(member) {
                return Err("the member exists already");
            }
            let trusted = !c.settings.hold_first_posts || *role != Role::Member;
            c.members.insert(
                member.clone(),
                Member {
                    id: member.clone(),
                    role: *role,
                    joined_at: body.at,
                    profile: profile.clone(),
                    devices: BTreeMap::new(),
                    expires: BTreeMap::new(),
                    removed: false,
                    trusted,
                },
            );
            Ok(())
        }
        Act::SetRole { member, role } => {
            need(admin)?;
            let last_admin = is_last_admin(c, member);
            let m = active_mut(c, member)?;
            if last_admin && *role != Role::Admin {
                return Err("the last admin cannot be demoted");
            }
            m.role = *role;
            Ok(())
        }
        Act::RemoveMember { member } => {
            need(admin || self_only(member))?;
            if is_last_admin(c, member) {
                return Err("the last admin cannot be removed");
            }
            active_mut(c, member)?.removed = true;
            Ok(())
        }
        Act::AddDevice {
            member,
            device,
            until,
        } => {
            need(admin || self_only(member))?;
            // One spelling per key: rosters compare keys in lower case, so an upper-case
            // spelling of another member's key would shadow that member's device.
            if !is_device_key(device) {
                return Err("a device key is 64 lower-case hexadecimal digits");
            }
            if c.device_owners
                .get(device)
                .is_some_and(|owner| owner != member)
            {
                return Err("the device key belongs to another member");
            }
            let m = active_mut(c, member)?;
            if m.devices.contains_key(device) {
                // A key already there keeps what it was: an invite key does not become a
                // device for good (nor a device an invite key) by being added again.
                return Err("the device key is on this member already");
            }
            m.devices.insert(device.clone(), body.at);
            if let Some(until) = until {
                m.expires.insert(device.clone(), *until);
            }
            c.device_owners.insert(device.clone(), member.clone());
            Ok(())
        }
        Act::RemoveDevice { member, device } => {
            need(admin || self_only(member))?;
            let m = active_mut(c, member)?;
            m.expires.remove(device);
            m.devices.remove(device).map(|_| ()).ok_or("no such device")
        }
        Act::Trust { member } => {
            need(matches!(role, Role::Admin | Role::Moderator))?;
            active_mut(c, member)?.trusted = true;
            Ok(())
        }
        Act::Moderate {
            key,
            hidden,
            reason,
        } => {
            need(matches!(role, Role::Admin | Role::Moderator))?;
            let decision = Moderation {
                key: key.clone(),
                hidden: *hidden,
                reason: reason.clone(),
                by: body.member.clone(),
                at: body.at,
            };
            c.moderation.insert(key.clone(), decision.clone());
            c.moderation_log.push(decision);
            Ok(())
        }
    }
}

/// A device key as the log holds it: 32 bytes as 64 lower-case hex digits.
fn is_device_key(device: &str) -> bool {
    device.len() == 64
        && device
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn need(allowed: bool) -> Result<(), Refusal> {
    if allowed {
        Ok(())
    } else {
        Err("the author's role does not allow this")
    }
}

fn is_last_admin(c: &Community, member: &str) -> bool {
    let admins: Vec<&String> = c
        .members
        .values()
        .filter(|m| !m.removed && m.role == Role::Admin)
        .map(|m| &m.id)
        .collect();
    admins.len() == 1 && admins[0] == member
}

fn active_mut<'c>(c: &'c mut Community, member: &str) -> Result<&'c mut Member, Refusal> {
    c.members
        .get_mut(member)
        .filter(|m| !m.removed)
        .ok_or("no such member")
}
