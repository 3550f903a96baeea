//! Community, categories, members and profiles.

use std::collections::BTreeMap;

use super::{
    actor, check_member, community, community_mut, require, Ctx, Effects, Item, Workspace,
};
use crate::category::{check_category, check_category_key, default_categories, CategoryDef};
use crate::command::Command;
use crate::error::DomainError;
use crate::limits::{optional, required, MAX_NAME, MAX_SHORT, MAX_TEXT, MAX_TITLE};
use crate::model::{
    Community, ContactVisibility, DocKind, ItemRef, Member, Profile, Role, Settings,
};
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
            let id = ctx.ids.doc_id().to_string();
            let member = ctx.ids.short_id();
            let profile_id = ctx.ids.doc_id().to_string();
            let mut members = BTreeMap::new();
            members.insert(
                member.clone(),
                new_member(ctx, &member, Role::Admin, &profile_id, true),
            );
            ws.community = Some(Community {
                header: super::header(ctx, DocKind::Community, &id, &id, &member),
                name,
                kind: *kind,
                description,
                categories: default_categories(),
                settings: Settings::default(),
                members,
                moderation: BTreeMap::new(),
            });
            let profile = new_profile(ctx, &profile_id, &id, &member, &admin_name);
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
            let c = community_mut(ws)?;
            if let Some(v) = name {
                c.name = required("name", v, MAX_NAME)?;
            }
            if let Some(v) = description {
                c.description = optional("description", v, MAX_TEXT)?;
            }
            if let Some(v) = code_of_conduct {
                c.settings.code_of_conduct = optional("text", v, MAX_TEXT)?;
            }
            if let Some(v) = hold_first_posts {
                c.settings.hold_first_posts = *v;
            }
            Ok(community_changed(c))
        }
        C::AddCategory {
            key,
            label_de,
            label_en,
            ..
        } => {
            require(ws, ctx, Action::EditCategories)?;
            let key = check_category_key(key)?;
            let label_de = required("label", label_de, MAX_TITLE)?;
            let label_en = required("label", label_en, MAX_TITLE)?;
            let c = community_mut(ws)?;
            if c.categories.iter().any(|cat| cat.key == key) {
                return Err(DomainError::Invalid("the category exists already"));
            }
            c.categories.push(CategoryDef {
                key,
                label_de,
                label_en,
                archived: false,
            });
            Ok(community_changed(c))
        }
        C::EditCategory {
            key,
            label_de,
            label_en,
            archived,
            ..
        } => {
            require(ws, ctx, Action::EditCategories)?;
            let c = community_mut(ws)?;
            let cat = c
                .categories
                .iter_mut()
                .find(|cat| &cat.key == key)
                .ok_or_else(|| DomainError::UnknownCategory {
                    key: key.clone(),
                    allowed: String::new(),
                })?;
            if let Some(v) = label_de {
                cat.label_de = required("label", v, MAX_TITLE)?;
            }
            if let Some(v) = label_en {
                cat.label_en = required("label", v, MAX_TITLE)?;
            }
            if let Some(v) = archived {
                cat.archived = *v;
            }
            Ok(community_changed(c))
        }
        C::AddMember {
            display_name, role, ..
        } => {
            require(ws, ctx, Action::ManageMembers)?;
            let display_name = required("display_name", display_name, MAX_NAME)?;
            let member = ctx.ids.short_id();
            let profile_id = ctx.ids.doc_id().to_string();
            let c = community_mut(ws)?;
            let community_id = c.header.id.clone();
            c.members.insert(
                member.clone(),
                new_member(ctx, &member, *role, &profile_id, false),
            );
            let profile = new_profile(ctx, &profile_id, &community_id, &member, &display_name);
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
            let c = community_mut(ws)?;
            let admins = c
                .members
                .values()
                .filter(|m| !m.removed && m.role == Role::Admin)
                .count();
            let entry = c.members.get_mut(&member).ok_or(DomainError::NotFound {
                what: "member",
                id: member.clone(),
            })?;
            if entry.role == Role::Admin && *role != Role::Admin && admins <= 1 {
                return Err(DomainError::Invalid("the last admin cannot be demoted"));
            }
            entry.role = *role;
            let mut fx = community_changed(c);
            fx.id = member;
            Ok(fx)
        }
        C::RemoveMember { member, .. } => {
            let me = actor(ws, ctx)?.id.clone();
            if &me != member {
                require(ws, ctx, Action::ManageMembers)?;
            }
            let member = check_member(ws, member)?;
            let c = community_mut(ws)?;
            let admins = c
                .members
                .values()
                .filter(|m| !m.removed && m.role == Role::Admin)
                .count();
            let entry = c.members.get_mut(&member).ok_or(DomainError::NotFound {
                what: "member",
                id: member.clone(),
            })?;
            if entry.role == Role::Admin && admins <= 1 {
                return Err(DomainError::Invalid("the last admin cannot be demoted"));
            }
            entry.removed = true;
            let mut fx = community_changed(c);
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
            let now = ctx.now;
            let c = community_mut(ws)?;
            let entry = c.members.get_mut(&member).ok_or(DomainError::NotFound {
                what: "member",
                id: member.clone(),
            })?;
            if matches!(command, C::AddDevice { .. }) {
                entry.devices.insert(device, now);
            } else if entry.devices.remove(&device).is_none() {
                return Err(DomainError::NotFound {
                    what: "device",
                    id: device,
                });
            }
            let mut fx = community_changed(c);
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
            if let Some(v) = display_name {
                profile.display_name = required("display_name", v, MAX_NAME)?;
            }
            if let Some(v) = about {
                profile.about = optional("text", v, MAX_TEXT)?;
            }
            if let Some(v) = interests {
                profile.interests = v;
            }
            if let Some(v) = organisation {
                profile.organisation = optional("name", v, MAX_NAME)?;
            }
            if let Some(v) = contact {
                profile.contact = optional("contact", v, MAX_SHORT)?;
            }
            if let Some(v) = contact_visibility {
                profile.contact_visibility = *v;
            }
            profile.updated_at = ctx.now;
            Ok(super::changed(&profile_id))
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

fn new_member(ctx: &Ctx<'_>, id: &str, role: Role, profile: &str, with_device: bool) -> Member {
    let mut devices = BTreeMap::new();
    if with_device && !ctx.device.is_empty() {
        devices.insert(ctx.device.clone(), ctx.now);
    }
    Member {
        id: id.to_string(),
        role,
        joined_at: ctx.now,
        profile: profile.to_string(),
        devices,
        removed: false,
    }
}

fn new_profile(ctx: &Ctx<'_>, id: &str, community: &str, member: &str, name: &str) -> Profile {
    Profile {
        header: super::header(ctx, DocKind::Profile, id, community, member),
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
