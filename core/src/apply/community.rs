//! Community, categories, members and profiles.

use super::{actor, check_member, community, require, Ctx, Effects, Item, Workspace};
use crate::category::{check_category, check_category_key};
use crate::command::Command;
use crate::error::DomainError;
use crate::governance::Act;
use crate::limits::{optional, required, MAX_NAME, MAX_SHORT, MAX_TEXT, MAX_TITLE};
use crate::model::{Community, ContactVisibility, DocKind, Header, ItemRef, Profile};
use crate::permission::Action;

pub(super) fn apply(
    command: &Command,
    ws: &mut Workspace,
    ctx: &mut Ctx<'_>,
) -> Result<Effects, DomainError> {
    use Command as C;
    match command {
        C::CreateCommunity {
            name,
            kind,
            description,
            admin_name,
        } => {
            let name = required("name", name, MAX_NAME)?;
            let description = optional("description", description, MAX_TEXT)?;
            let admin_name = required("display_name", admin_name, MAX_NAME)?;
            let (id, nonce) = super::derived_id(ctx);
            let member = ctx.ids.short_id();
            let mut head = super::header(ctx, DocKind::Community, &id, &id, &member);
            head.nonce.clone_from(&nonce);
            ws.community = Some(Community::empty(head));
            let profile_head = super::new_header(ctx, DocKind::Profile, &id, &member);
            let profile_id = profile_head.id.clone();
            super::govern(
                ws,
                ctx,
                Some(&member),
                Act::Genesis {
                    nonce,
                    name,
                    kind: *kind,
                    description,
                    member: member.clone(),
                    profile: profile_id.clone(),
                },
            )?;
            let profile = new_profile(ctx, profile_head, &member, &admin_name);
            ws.items.insert(profile_id.clone(), Item::Profile(profile));
            Ok(Effects {
                id: id.clone(),
                created_community: true,
                community_changed: true,
                created: vec![profile_id.clone()],
                catalog: vec![(
                    profile_id,
                    ItemRef {
                        kind: DocKind::Profile,
                        created_at: ctx.now,
                    },
                )],
                member: Some(member),
                ..Effects::default()
            })
        }
        C::EditCommunity {
            name,
            description,
            code_of_conduct,
            hold_first_posts,
            ..
        } => {
            require(ws, ctx, Action::EditCommunity)?;
            let act = Act::Settings {
                name: super::checked(name, |v| required("name", v, MAX_NAME))?,
                description: super::checked(description, |v| optional("description", v, MAX_TEXT))?,
                code_of_conduct: super::checked(code_of_conduct, |v| {
                    optional("text", v, MAX_TEXT)
                })?,
                hold_first_posts: *hold_first_posts,
            };
            super::govern(ws, ctx, None, act)?;
            Ok(community_changed(community(ws)?))
        }
        C::AddCategory {
            key,
            label_de,
            label_en,
            ..
        } => {
            require(ws, ctx, Action::EditCategories)?;
            let act = Act::AddCategory {
                key: check_category_key(key)?,
                label_de: required("label", label_de, MAX_TITLE)?,
                label_en: required("label", label_en, MAX_TITLE)?,
            };
            super::govern(ws, ctx, None, act)?;
            Ok(community_changed(community(ws)?))
        }
        C::EditCategory {
            key,
            label_de,
            label_en,
            archived,
            ..
        } => {
            require(ws, ctx, Action::EditCategories)?;
            if !community(ws)?.categories.iter().any(|cat| &cat.key == key) {
                return Err(DomainError::UnknownCategory {
                    key: key.clone(),
                    allowed: String::new(),
                });
            }
            let act = Act::EditCategory {
                key: key.clone(),
                label_de: super::checked(label_de, |v| required("label", v, MAX_TITLE))?,
                label_en: super::checked(label_en, |v| required("label", v, MAX_TITLE))?,
                archived: *archived,
            };
            super::govern(ws, ctx, None, act)?;
            Ok(community_changed(community(ws)?))
        }
        C::AddMember {
            display_name, role, ..
        } => {
            require(ws, ctx, Action::ManageMembers)?;
            let display_name = required("display_name", display_name, MAX_NAME)?;
            let member = ctx.ids.short_id();
            let community_id = community(ws)?.header.id.clone();
            let profile_head = super::new_header(ctx, DocKind::Profile, &community_id, &member);
            let profile_id = profile_head.id.clone();
            super::govern(
                ws,
                ctx,
                None,
                Act::AddMember {
                    member: member.clone(),
                    role: *role,
                    profile: profile_id.clone(),
                },
            )?;
            let profile = new_profile(ctx, profile_head, &member, &display_name);
            let mut fx = Effects {
                community_changed: true,
                ..Effects::default()
            };
            super::create(ws, &mut fx, ctx, Item::Profile(profile));
            fx.id = member;
            Ok(fx)
        }
        C::SetRole { member, role, .. } => {
            require(ws, ctx, Action::ManageMembers)?;
            let member = check_member(ws, member)?;
            let act = Act::SetRole {
                member: member.clone(),
                role: *role,
            };
            super::govern(ws, ctx, None, act)?;
            let mut fx = community_changed(community(ws)?);
            fx.id = member;
            Ok(fx)
        }
        C::RemoveMember { member, .. } => {
            let me = actor(ws, ctx)?.id.clone();
            if &me != member {
                require(ws, ctx, Action::ManageMembers)?;
            }
            let member = check_member(ws, member)?;
            let act = Act::RemoveMember {
                member: member.clone(),
            };
            super::govern(ws, ctx, None, act)?;
            let mut fx = community_changed(community(ws)?);
            fx.id = member;
            Ok(fx)
        }
        C::ApproveMember { member, .. } => {
            require(ws, ctx, Action::Moderate)?;
            let member = check_member(ws, member)?;
            super::govern(
                ws,
                ctx,
                None,
                Act::Trust {
                    member: member.clone(),
                },
            )?;
            let mut fx = community_changed(community(ws)?);
            fx.id = member;
            Ok(fx)
        }
        C::WithdrawInvite { member, .. } => {
            require(ws, ctx, Action::ManageMembers)?;
            let member = check_member(ws, member)?;
            let m = community(ws)?
                .member(&member)
                .ok_or_else(|| DomainError::NotFound {
                    what: "member",
                    id: member.clone(),
                })?
                .clone();
            if m.expires.is_empty() {
                return Err(DomainError::Invalid("this person has no open invite"));
            }
            for device in m.expires.keys() {
                let act = Act::RemoveDevice {
                    member: member.clone(),
                    device: device.clone(),
                };
                super::govern(ws, ctx, None, act)?;
            }
            if m.devices.len() == m.expires.len() {
                let act = Act::RemoveMember {
                    member: member.clone(),
                };
                super::govern(ws, ctx, None, act)?;
            }
            let mut fx = community_changed(community(ws)?);
            fx.id = member;
            Ok(fx)
        }
        C::AddDevice { member, device, .. } | C::RemoveDevice { member, device, .. } => {
            let me = actor(ws, ctx)?.id.clone();
            if &me != member {
                require(ws, ctx, Action::ManageMembers)?;
            }
            let member = check_member(ws, member)?;
            let device = check_device(device)?;
            let act = if matches!(command, C::AddDevice { .. }) {
                let owner = community(ws)?.device_owners.get(&device);
                if owner.is_some_and(|o| *o != member) {
                    return Err(DomainError::Invalid(
                        "this device key belongs to another member",
                    ));
                }
                let until = match command {
                    C::AddDevice { until, .. } => *until,
                    _ => None,
                };
                if until.is_some_and(|u| u <= ctx.now) {
                    return Err(DomainError::Invalid("an invite must be valid for a while"));
                }
                Act::AddDevice {
                    member: member.clone(),
                    device,
                    until,
                }
            } else {
                let known = community(ws)?
                    .member(&member)
                    .is_some_and(|m| m.devices.contains_key(&device));
                if !known {
                    return Err(DomainError::NotFound {
                        what: "device",
                        id: device,
                    });
                }
                Act::RemoveDevice {
                    member: member.clone(),
                    device,
                }
            };
            super::govern(ws, ctx, None, act)?;
            let mut fx = community_changed(community(ws)?);
            fx.id = member;
            Ok(fx)
        }
        C::EditProfile {
            member,
            display_name,
            about,
            interests,
            organisation,
            contact,
            contact_visibility,
            ..
        } => {
            let me = actor(ws, ctx)?.id.clone();
            let target = member.clone().unwrap_or_else(|| me.clone());
            if target != me {
                require(ws, ctx, Action::ManageMembers)?;
            }
            check_member(ws, &target)?;
            let c = community(ws)?;
            let categories = c.categories.clone();
            let profile_id = c
                .member(&target)
                .map(|m| m.profile.clone())
                .unwrap_or_default();
            let interests = interests
                .as_ref()
                .map(|list| {
                    list.iter()
                        .map(|k| check_category(&categories, k))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?;
            let profile = super::item_mut(ws, &profile_id)?.profile_mut()?;
            super::set(&mut profile.display_name, display_name, |v| {
                required("display_name", v, MAX_NAME)
            })?;
            super::set(&mut profile.about, about, |v| optional("text", v, MAX_TEXT))?;
            super::put(&mut profile.interests, interests);
            super::set(&mut profile.organisation, organisation, |v| {
                optional("name", v, MAX_NAME)
            })?;
            super::set(&mut profile.contact, contact, |v| {
                optional("contact", v, MAX_SHORT)
            })?;
            super::put(&mut profile.contact_visibility, *contact_visibility);
            // A contact nobody else may see stays off the shared document, which every
            // member's device holds: the member's own device keeps it.
            let private = profile.contact_visibility == ContactVisibility::Nobody;
            // Only the member's own devices can keep such a contact: set by anyone else, it
            // would be kept nowhere and lost.
            if private && target != me && (contact.is_some() || contact_visibility.is_some()) {
                return Err(DomainError::Invalid(
                    "only the member keeps a contact that nobody else sees",
                ));
            }
            // What this device keeps: the contact moved off the document (unless nothing was
            // given and nothing was there: then what it keeps stays); nothing once the member
            // shows it again with this command; otherwise unchanged.
            let kept = if private {
                let taken = std::mem::take(&mut profile.contact);
                (contact.is_some() || !taken.is_empty()).then_some(Some(taken))
            } else if contact_visibility.is_some() {
                Some(None)
            } else {
                None
            };
            profile.updated_at = ctx.now;
            let mut fx = super::changed(&profile_id);
            if target == me {
                fx.private_contact = kept.map(|k| (target, k));
            }
            Ok(fx)
        }
        _ => Err(DomainError::Invalid("nothing to change")),
    }
}

/// A device key is 32 bytes as 64 lowercase hex digits.
fn check_device(device: &str) -> Result<String, DomainError> {
    let d = device.trim().to_lowercase();
    if d.len() == 64 && d.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(d)
    } else {
        Err(DomainError::InvalidId {
            value: device.to_string(),
        })
    }
}

fn community_changed(c: &Community) -> Effects {
    Effects {
        id: c.header.id.clone(),
        community_changed: true,
        ..Effects::default()
    }
}

fn new_profile(ctx: &Ctx<'_>, header: Header, member: &str, name: &str) -> Profile {
    Profile {
        header,
        member: member.to_string(),
        display_name: name.to_string(),
        about: String::new(),
        interests: Vec::new(),
        organisation: String::new(),
        contact: String::new(),
        contact_visibility: ContactVisibility::Members,
        updated_at: ctx.now,
    }
}
