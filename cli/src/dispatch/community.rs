//! `allmende community …` and `allmende member …`: the community, its settings and roster.

use allmende_core::query::Outcome;
use allmende_core::Command;

use super::{split_list, Ctx};
use crate::args::{CommunityCmd, MemberCmd};
use allmende_store::error::Result;

pub(super) fn community(ctx: &mut Ctx, cmd: CommunityCmd) -> Result<()> {
    match cmd {
        CommunityCmd::List => {
            let list = ctx.svc.communities()?;
            let current = ctx.svc.current_community()?;
            ctx.out.communities(&list, current.as_deref())
        }
        CommunityCmd::Show { id } => {
            let id = match id {
                Some(i) => ctx.id(&i)?,
                None => ctx.community()?,
            };
            let overview = ctx.svc.overview(&id)?;
            ctx.out.overview(&overview)
        }
        CommunityCmd::Use { id } => {
            let id = ctx.id(&id)?;
            ctx.svc.set_current_community(&id)?;
            ctx.out.outcome(&Outcome {
                id: id.clone(),
                community: id,
            })
        }
        CommunityCmd::Edit {
            name,
            description,
            code_of_conduct,
            hold_first_posts,
        } => {
            let community = ctx.community()?;
            ctx.exec(Command::EditCommunity {
                community,
                name,
                description,
                code_of_conduct,
                hold_first_posts,
            })
        }
        CommunityCmd::Categories => {
            let community = ctx.community()?;
            let overview = ctx.svc.overview(&community)?;
            ctx.out.categories(&overview.categories)
        }
        CommunityCmd::AddCategory { key, de, en } => {
            let community = ctx.community()?;
            ctx.exec(Command::AddCategory {
                community,
                key,
                label_de: de,
                label_en: en,
            })
        }
        CommunityCmd::EditCategory {
            key,
            de,
            en,
            archived,
        } => {
            let community = ctx.community()?;
            ctx.exec(Command::EditCategory {
                community,
                key,
                label_de: de,
                label_en: en,
                archived,
            })
        }
    }
}

pub(super) fn member(ctx: &mut Ctx, cmd: MemberCmd) -> Result<()> {
    let community = ctx.community()?;
    match cmd {
        MemberCmd::List => {
            let members = ctx.svc.members(&community)?;
            ctx.out.members(&members)
        }
        MemberCmd::Add { name, role } => ctx.exec(Command::AddMember {
            community,
            display_name: name,
            role: role.parse()?,
        }),
        MemberCmd::Role { member, role } => {
            let member = ctx.member(&member)?;
            ctx.exec(Command::SetRole {
                community,
                member,
                role: role.parse()?,
            })
        }
        MemberCmd::Remove { member } => {
            let member = ctx.member(&member)?;
            ctx.exec(Command::RemoveMember { community, member })
        }
        MemberCmd::Devices { member } => {
            let member = ctx.member(&member)?;
            let c = ctx.svc.community_view(&community)?;
            let devices: Vec<String> = c
                .member(&member)
                .map(|m| m.devices.keys().cloned().collect())
                .unwrap_or_default();
            if ctx.out.is_json() {
                println!("{}", serde_json::to_string(&devices)?);
            } else {
                for d in devices {
                    println!("{d}");
                }
            }
            Ok(())
        }
        MemberCmd::RemoveDevice { member, device } => {
            let member = ctx.member(&member)?;
            ctx.exec(Command::RemoveDevice {
                community,
                member,
                device,
            })
        }
        MemberCmd::Approve { member } => {
            let member = ctx.member(&member)?;
            ctx.exec(Command::ApproveMember { community, member })
        }
        MemberCmd::Profile {
            member,
            name,
            about,
            interests,
            organisation,
            contact,
            contact_visibility,
        } => {
            let member = member.map(|m| ctx.member(&m)).transpose()?;
            ctx.exec(Command::EditProfile {
                community,
                member,
                display_name: name,
                about,
                interests: interests.as_deref().map(split_list),
                organisation,
                contact,
                contact_visibility: contact_visibility.map(|v| v.parse()).transpose()?,
            })
        }
    }
}
