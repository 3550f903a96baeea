//! Ideas, town-hall requests, events, organisations, opportunities and posts.

use allmende_core::model::DocKind;
use allmende_core::Command;

use super::{split_list, Ctx};
use crate::args::{EventCmd, IdeaCmd, OpportunityCmd, OrgCmd, PostCmd, RequestCmd};
use allmende_store::error::Result;

pub(super) fn idea(ctx: &mut Ctx, cmd: IdeaCmd) -> Result<()> {
    match cmd {
        IdeaCmd::Add {
            title,
            text,
            category,
        } => {
            let community = ctx.community()?;
            ctx.exec(Command::AddIdea {
                community,
                title,
                text,
                category,
            })
        }
        IdeaCmd::List(args) => ctx.list(DocKind::Idea, &args, None),
        IdeaCmd::Show { id } => ctx.show(&id),
        IdeaCmd::Edit {
            id,
            title,
            text,
            category,
            status,
        } => {
            let idea = ctx.id(&id)?;
            ctx.exec(Command::EditIdea {
                idea,
                title,
                text,
                category,
                status: status.map(|s| s.parse()).transpose()?,
            })
        }
        IdeaCmd::Support { id, withdraw } => {
            let idea = ctx.id(&id)?;
            if withdraw {
                ctx.exec(Command::WithdrawSupport { idea })
            } else {
                ctx.exec(Command::SupportIdea { idea })
            }
        }
        IdeaCmd::Comment { id, text } => {
            let item = ctx.id(&id)?;
            ctx.exec(Command::AddComment { item, text })
        }
    }
}

pub(super) fn request(ctx: &mut Ctx, cmd: RequestCmd) -> Result<()> {
    match cmd {
        RequestCmd::Add {
            target,
            title,
            text,
            department,
        } => {
            let target = ctx.id(&target)?;
            ctx.exec(Command::CreateRequest {
                target,
                title,
                text,
                department,
            })
        }
        RequestCmd::List {
            list,
            overdue,
            department,
        } => {
            let mut filter = ctx.filter(DocKind::Request, &list, None)?;
            filter.overdue = overdue.then_some(true);
            filter.department = department;
            let page = ctx.svc.list(&filter)?;
            ctx.out.page(&page)
        }
        RequestCmd::Figures => {
            let community = ctx.community()?;
            let figures = ctx.svc.town_hall_figures(&community)?;
            ctx.out.town_hall(&figures)
        }
        RequestCmd::Notifications => {
            let community = ctx.community()?;
            let list = ctx.svc.notifications(&community)?;
            ctx.out.notifications(&list)
        }
        RequestCmd::Show { id } => ctx.show(&id),
        RequestCmd::Answer {
            id,
            status,
            message,
            reason,
            contact,
            promised_by,
            department,
        } => {
            let request = ctx.id(&id)?;
            ctx.exec(Command::AnswerRequest {
                request,
                status: status.parse()?,
                message,
                reason,
                contact,
                promised_by,
                department,
            })
        }
        RequestCmd::Follow { id } => {
            let request = ctx.id(&id)?;
            ctx.exec(Command::FollowRequest { request })
        }
    }
}

pub(super) fn event(ctx: &mut Ctx, cmd: EventCmd) -> Result<()> {
    match cmd {
        EventCmd::Add {
            title,
            description,
            start,
            end,
            time_zone,
            place,
            link,
            category,
            organiser,
            capacity,
        } => {
            let community = ctx.community()?;
            ctx.exec(Command::AddEvent {
                community,
                title,
                description,
                start,
                end,
                time_zone,
                place,
                online_link: link,
                category,
                organiser,
                capacity,
            })
        }
        EventCmd::List(args) => ctx.list(DocKind::Event, &args, None),
        EventCmd::Show { id } => ctx.show(&id),
        EventCmd::Edit {
            id,
            title,
            description,
            start,
            end,
            time_zone,
            place,
            link,
            category,
            organiser,
            capacity,
            cancelled,
        } => {
            let event = ctx.id(&id)?;
            ctx.exec(Command::EditEvent {
                event,
                title,
                description,
                start,
                end,
                time_zone,
                place,
                online_link: link,
                category,
                organiser,
                capacity,
                cancelled,
            })
        }
        EventCmd::Register { id, withdraw } => {
            let event = ctx.id(&id)?;
            if withdraw {
                ctx.exec(Command::Unregister { event })
            } else {
                ctx.exec(Command::Register { event })
            }
        }
    }
}

pub(super) fn org(ctx: &mut Ctx, cmd: OrgCmd) -> Result<()> {
    match cmd {
        OrgCmd::Add {
            name,
            description,
            categories,
            contact,
            website,
        } => {
            let community = ctx.community()?;
            ctx.exec(Command::AddOrganisation {
                community,
                name,
                description,
                categories: split_list(&categories),
                contact,
                website,
            })
        }
        OrgCmd::List { list, running } => {
            ctx.list(DocKind::Organisation, &list, running.then_some(true))
        }
        OrgCmd::Show { id } => ctx.show(&id),
        OrgCmd::Edit {
            id,
            name,
            description,
            categories,
            contact,
            website,
        } => {
            let organisation = ctx.id(&id)?;
            ctx.exec(Command::EditOrganisation {
                organisation,
                name,
                description,
                categories: categories.as_deref().map(split_list),
                contact,
                website,
            })
        }
        OrgCmd::ProjectAdd {
            id,
            title,
            finished,
            project,
        } => {
            let organisation = ctx.id(&id)?;
            let project = project.map(|p| ctx.id(&p)).transpose()?;
            ctx.exec(Command::AddOrgProject {
                organisation,
                title,
                running: !finished,
                project,
            })
        }
        OrgCmd::ProjectEdit {
            id,
            entry,
            title,
            running,
        } => {
            let organisation = ctx.id(&id)?;
            ctx.exec(Command::EditOrgProject {
                organisation,
                entry,
                title,
                running,
            })
        }
    }
}

pub(super) fn opportunity(ctx: &mut Ctx, cmd: OpportunityCmd) -> Result<()> {
    match cmd {
        OpportunityCmd::Add {
            title,
            description,
            term,
            commitment,
            category,
            contact,
            organisation,
            date,
        } => {
            let community = ctx.community()?;
            let organisation = organisation.map(|o| ctx.id(&o)).transpose()?;
            ctx.exec(Command::AddOpportunity {
                community,
                title,
                description,
                term: term.parse()?,
                commitment,
                category,
                contact,
                organisation,
                date,
            })
        }
        OpportunityCmd::List(args) => ctx.list(DocKind::Opportunity, &args, None),
        OpportunityCmd::Show { id } => ctx.show(&id),
        OpportunityCmd::Edit {
            id,
            title,
            description,
            term,
            commitment,
            category,
            contact,
            date,
            open,
        } => {
            let opportunity = ctx.id(&id)?;
            ctx.exec(Command::EditOpportunity {
                opportunity,
                title,
                description,
                term: term.map(|t| t.parse()).transpose()?,
                commitment,
                category,
                contact,
                date,
                open,
            })
        }
        OpportunityCmd::Signup { id, note, withdraw } => {
            let opportunity = ctx.id(&id)?;
            if withdraw {
                ctx.exec(Command::WithdrawSignUp { opportunity })
            } else {
                ctx.exec(Command::SignUp { opportunity, note })
            }
        }
    }
}

pub(super) fn post(ctx: &mut Ctx, cmd: PostCmd) -> Result<()> {
    match cmd {
        PostCmd::Add {
            kind,
            title,
            text,
            category,
            offered_by,
        } => {
            let community = ctx.community()?;
            ctx.exec(Command::AddPost {
                community,
                kind: kind.parse()?,
                title,
                text,
                category,
                offered_by,
            })
        }
        PostCmd::List(args) => ctx.list(DocKind::Post, &args, None),
        PostCmd::Show { id } => ctx.show(&id),
        PostCmd::Edit {
            id,
            title,
            text,
            category,
            offered_by,
        } => {
            let post = ctx.id(&id)?;
            ctx.exec(Command::EditPost {
                post,
                title,
                text,
                category,
                offered_by,
            })
        }
    }
}
