//! From parsed arguments to service calls.

use allmende_core::command::ProgressInput;
use allmende_core::model::{DocKind, TeamRole};
use allmende_core::query::{ListFilter, Outcome};
use allmende_core::{Command, Lang};

use super::args::{
    BundleCmd, Cli, Cmd, CommunityCmd, DevCmd, EventCmd, IdeaCmd, ListArgs, MemberCmd,
    OpportunityCmd, OrgCmd, PostCmd, ProjectCmd, RequestCmd,
};
use super::print::Printer;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

pub(super) struct Ctx {
    svc: Service,
    out: Printer,
    community: Option<String>,
}

impl Ctx {
    fn community(&self) -> Result<String> {
        let given = match &self.community {
            Some(c) => Some(self.svc.resolve(c)?),
            None => self.svc.current_community()?,
        };
        given.ok_or_else(|| {
            PeerError::BadInput(
                "no community yet: create one with `allmende init` or `allmende demo`".into(),
            )
        })
    }

    fn id(&self, text: &str) -> Result<String> {
        self.svc.resolve(text)
    }

    fn member(&self, text: &str) -> Result<String> {
        let community = self.community()?;
        let members = self.svc.members(&community)?;
        if let Some(m) = members.iter().find(|m| m.id == text) {
            return Ok(m.id.clone());
        }
        // A prefix of the id (as everywhere) or of the name; one member, or it is asked again.
        let lower = text.to_lowercase();
        let found: Vec<_> = members
            .iter()
            .filter(|m| {
                (!text.is_empty() && m.id.starts_with(text))
                    || m.display_name.to_lowercase().starts_with(&lower)
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(allmende_core::DomainError::NotFound {
                what: "member",
                id: text.to_string(),
            }
            .into()),
            _ => Err(PeerError::BadInput(format!(
                "'{text}' matches several members"
            ))),
        }
    }

    fn exec(&mut self, command: Command) -> Result<()> {
        let outcome = self.svc.execute(command)?;
        self.out.outcome(&outcome)
    }

    fn list(&mut self, kind: DocKind, args: &ListArgs, running: Option<bool>) -> Result<()> {
        let filter = self.filter(kind, args, running)?;
        let page = self.svc.list(&filter)?;
        self.out.page(&page)
    }

    fn filter(&self, kind: DocKind, args: &ListArgs, running: Option<bool>) -> Result<ListFilter> {
        Ok(ListFilter {
            community: Some(self.community()?),
            kind: Some(kind),
            category: args.category.clone(),
            status: args.status.clone(),
            running,
            from: args.from.clone(),
            to: args.to.clone(),
            text: args.search.clone(),
            limit: args.limit,
            offset: args.offset,
            ..ListFilter::default()
        })
    }

    fn show(&mut self, id: &str) -> Result<()> {
        let detail = self.svc.show(id)?;
        self.out.detail(&detail)
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn run(cli: Cli, lang: Lang) -> Result<()> {
    let dir = cli.data.clone().unwrap_or_else(super::default_data_dir);
    let clock = allmende_service::clock::from_env().map_err(PeerError::BadInput)?;
    // A restore must not open (and so create) the database it is about to put in place.
    if let Cmd::RestoreBackup { file, replace } = &cli.command {
        let report = allmende_store::backup::restore(&dir, file, *replace)?;
        return Printer::new(cli.json, lang).restored(&report);
    }
    let mut svc = Service::open_with_clock(&dir, clock)?;
    svc.set_lang(lang);
    let mut ctx = Ctx {
        svc,
        out: Printer::new(cli.json, lang),
        community: cli.community.clone(),
    };
    match cli.command {
        Cmd::Init {
            name,
            kind,
            description,
            admin_name,
        } => {
            let outcome = ctx.svc.execute(Command::CreateCommunity {
                name,
                kind: kind.parse()?,
                description,
                admin_name,
            })?;
            ctx.svc.set_current_community(&outcome.id)?;
            ctx.out.outcome(&outcome)
        }
        Cmd::Demo => {
            let id = allmende_service::demo::ensure_demo(&mut ctx.svc)?;
            ctx.svc.set_current_community(&id)?;
            let overview = ctx.svc.overview(&id)?;
            ctx.out.overview(&overview)
        }
        Cmd::Community(c) => community(&mut ctx, c),
        Cmd::Member(m) => member(&mut ctx, m),
        Cmd::Idea(i) => idea(&mut ctx, i),
        Cmd::Project(p) => project(&mut ctx, p),
        Cmd::Request(r) => request(&mut ctx, r),
        Cmd::Event(e) => event(&mut ctx, e),
        Cmd::Org(o) => org(&mut ctx, o),
        Cmd::Opportunity(o) => opportunity(&mut ctx, o),
        Cmd::Post(p) => post(&mut ctx, p),
        Cmd::ClassCode {
            days,
            uses,
            list,
            revoke,
        } => {
            if let Some(code) = revoke {
                let code = ctx.svc.revoke_class_code(&code)?;
                return ctx.out.class_codes(&[code]);
            }
            let community = ctx.community()?;
            if list {
                let codes = ctx.svc.class_codes(&community)?;
                return ctx.out.class_codes(&codes);
            }
            let code = ctx.svc.create_class_code(&community, days, uses)?;
            ctx.out.class_code(&code)
        }
        Cmd::Peer(p) => super::peer_cmd::run(&mut ctx.svc, &ctx.out, p),
        Cmd::Template(t) => {
            let community = ctx.community()?;
            super::template_cmd::run(&mut ctx.svc, &ctx.out, &community, t)
        }
        Cmd::Comment { item, text } => {
            let item = ctx.id(&item)?;
            ctx.exec(Command::AddComment { item, text })
        }
        Cmd::Report {
            item,
            reason,
            comment,
        } => {
            let item = ctx.id(&item)?;
            ctx.exec(Command::ReportItem {
                item,
                comment,
                reason,
            })
        }
        Cmd::Hide {
            item,
            reason,
            comment,
        } => {
            let item = ctx.id(&item)?;
            ctx.exec(Command::Hide {
                item,
                comment,
                reason,
            })
        }
        Cmd::Restore {
            item,
            reason,
            comment,
        } => {
            let item = ctx.id(&item)?;
            ctx.exec(Command::Restore {
                item,
                comment,
                reason,
            })
        }
        Cmd::Flags => {
            let community = ctx.community()?;
            let flags = ctx.svc.flags(&community)?;
            ctx.out.flags(&flags)
        }
        Cmd::Dashboard { csv } => {
            let community = ctx.community()?;
            let d = ctx.svc.dashboard(&community)?;
            ctx.out.dashboard(&d, csv)
        }
        Cmd::Digest { days, format } => {
            let community = ctx.community()?;
            let text = ctx.svc.digest(&community, days, format.parse()?)?;
            print!("{text}");
            Ok(())
        }
        Cmd::Audit => {
            let community = ctx.community()?;
            let log = ctx.svc.moderation_log(&community)?;
            ctx.out.audit(&log)
        }
        Cmd::Search { text, limit } => {
            let community = ctx.community()?;
            let hits = ctx.svc.search(Some(&community), &text.join(" "), limit)?;
            ctx.out.items(&hits)
        }
        Cmd::Export { format, out } => {
            let community = ctx.community()?;
            let text = match format.as_str() {
                "json" => ctx.svc.export_json(&community)?,
                "ics" | "ical" => ctx.svc.export_ics(&community)?,
                "md" | "markdown" => ctx.svc.export_markdown(&community)?,
                other => {
                    return Err(PeerError::BadInput(format!(
                        "unknown export format '{other}' (json, ics or md)"
                    )))
                }
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, text)?;
                    ctx.out.note(&path.display().to_string())
                }
                None => {
                    print!("{text}");
                    Ok(())
                }
            }
        }
        Cmd::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| PeerError::BadInput(format!("{}: {e}", file.display())))?;
            let report = ctx.svc.import_json(&text)?;
            ctx.out.import(&report)
        }
        Cmd::Sync {
            relay,
            watch,
            status,
            timeout,
            fetch,
        } => super::sync_cmd::run(&mut ctx.svc, &ctx.out, relay, watch, status, timeout, fetch),
        Cmd::Invite {
            name,
            role,
            relay,
            qr,
        } => {
            let community = ctx.community()?;
            // The invite names the relay the community syncs through.
            let relay = match relay {
                Some(r) => Some(r),
                None => match ctx.svc.relays_of(&community)?.into_iter().next() {
                    Some(r) => Some(r),
                    None => ctx.svc.store().setting("relay")?,
                },
            };
            let invite = ctx
                .svc
                .create_invite(&community, &name, role.parse()?, relay)?;
            if ctx.out.is_json() {
                return ctx.out.value(
                    &serde_json::json!({ "token": invite.token(), "member": invite.member }),
                );
            }
            println!("{}", invite.token());
            if qr {
                println!("{}", allmende_service::qr::terminal(&invite.token())?);
            }
            Ok(())
        }
        Cmd::Join {
            token,
            relay,
            timeout,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            let community = rt.block_on(allmende_net::join::join(
                &mut ctx.svc,
                &token,
                relay,
                std::time::Duration::from_secs(timeout.max(1)),
            ))?;
            let overview = ctx.svc.overview(&community)?;
            ctx.out.overview(&overview)?;
            ctx.out.code_of_conduct(&overview.settings.code_of_conduct)
        }
        Cmd::Serve {
            listen,
            guests_only,
            allow_hosts,
            offline,
        } => {
            let _background = (!offline).then(|| {
                allmende_net::background::start(
                    &ctx.svc.data_dir(),
                    allmende_net::background::Options {
                        relay: true,
                        lan: true,
                    },
                )
            });
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            let ui = allmende_serve::find_ui();
            rt.block_on(allmende_serve::serve(
                ctx.svc,
                listen,
                ui,
                guests_only,
                &allow_hosts,
            ))
        }
        Cmd::Bundle(BundleCmd::Export { file }) => {
            let community = ctx.community()?;
            let bytes = ctx.svc.export_bundle(&community)?;
            std::fs::write(&file, bytes)?;
            ctx.out.note(&file.display().to_string())
        }
        Cmd::Bundle(BundleCmd::Import { file }) => {
            let bytes = std::fs::read(&file)
                .map_err(|e| PeerError::BadInput(format!("{}: {e}", file.display())))?;
            let report = ctx.svc.import_bundle(&bytes)?;
            ctx.out.import(&report)
        }
        Cmd::Backup { file } => {
            let report = ctx.svc.store().backup_to(&file)?;
            ctx.out.backed_up(&report)
        }
        Cmd::RestoreBackup { .. } => Ok(()),
        Cmd::Check => {
            let problems = ctx.svc.check()?;
            ctx.out.problems(&problems)?;
            if problems.is_empty() {
                Ok(())
            } else {
                Err(PeerError::CorruptDocument {
                    id: problems[0].0.clone(),
                    reason: problems[0].1.clone(),
                })
            }
        }
        Cmd::Reindex => {
            let problems = ctx.svc.rebuild_index()?;
            ctx.out.problems(&problems)
        }
        Cmd::Dev(DevCmd::WriteIdeas { count }) => {
            let community = ctx.community()?;
            for n in 0..count {
                let o = ctx.svc.execute(Command::AddIdea {
                    community: community.clone(),
                    title: format!("Idee Nummer {n}"),
                    text: "Geschrieben für den Absturztest.".into(),
                    category: "energy".into(),
                })?;
                println!("{}", o.id);
            }
            Ok(())
        }
    }
}

fn community(ctx: &mut Ctx, cmd: CommunityCmd) -> Result<()> {
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

fn member(ctx: &mut Ctx, cmd: MemberCmd) -> Result<()> {
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

fn idea(ctx: &mut Ctx, cmd: IdeaCmd) -> Result<()> {
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

#[allow(clippy::too_many_lines)]
fn project(ctx: &mut Ctx, cmd: ProjectCmd) -> Result<()> {
    match cmd {
        ProjectCmd::Add {
            title,
            summary,
            category,
            from_idea,
            team_only,
            stage,
        } => {
            let community = ctx.community()?;
            let from_idea = from_idea.map(|i| ctx.id(&i)).transpose()?;
            ctx.exec(Command::CreateProject {
                community,
                title,
                summary,
                category,
                from_idea,
                visibility: team_only.then_some(allmende_core::model::Visibility::Team),
                stage: stage.map(|s| s.parse()).transpose()?,
            })
        }
        ProjectCmd::List {
            list,
            running,
            finished,
        } => {
            let filter = if running {
                Some(true)
            } else if finished {
                Some(false)
            } else {
                None
            };
            ctx.list(DocKind::Project, &list, filter)
        }
        ProjectCmd::Show { id } => ctx.show(&id),
        ProjectCmd::Edit {
            id,
            title,
            summary,
            category,
            stage,
            visibility,
            progress,
        } => {
            let project = ctx.id(&id)?;
            let progress = match progress.as_deref() {
                None => None,
                Some("auto") => Some(ProgressInput::Auto),
                Some(n) => Some(ProgressInput::Percent(
                    n.trim_end_matches('%').parse().map_err(|_| {
                        PeerError::BadInput(format!(
                            "progress '{n}' is not a number from 0 to 100 or 'auto'"
                        ))
                    })?,
                )),
            };
            ctx.exec(Command::EditProject {
                project,
                title,
                summary,
                category,
                stage: stage.map(|s| s.parse()).transpose()?,
                visibility: visibility.map(|s| s.parse()).transpose()?,
                progress,
            })
        }
        ProjectCmd::Publish { id, to } => {
            let outcome = ctx.svc.publish_project(&id, &to)?;
            ctx.out.outcome(&outcome)
        }
        ProjectCmd::Fair => {
            let filter = ListFilter {
                community: Some(ctx.community()?),
                kind: Some(DocKind::Project),
                showcase: Some(true),
                limit: Some(1000),
                ..ListFilter::default()
            };
            let page = ctx.svc.list(&filter)?;
            ctx.out.page(&page)
        }
        ProjectCmd::Join { id } => {
            let project = ctx.id(&id)?;
            let community = ctx.svc.show(&project)?.summary.community;
            let me = ctx.svc.store().identity(&community)?.unwrap_or_default();
            ctx.exec(Command::AddTeamMember {
                project,
                member: me,
                role: TeamRole::Member,
            })
        }
        ProjectCmd::TeamAdd { id, member, lead } => {
            let project = ctx.id(&id)?;
            let member = ctx.member(&member)?;
            ctx.exec(Command::AddTeamMember {
                project,
                member,
                role: if lead {
                    TeamRole::Lead
                } else {
                    TeamRole::Member
                },
            })
        }
        ProjectCmd::TeamRemove { id, member } => {
            let project = ctx.id(&id)?;
            let member = ctx.member(&member)?;
            ctx.exec(Command::RemoveTeamMember { project, member })
        }
        ProjectCmd::StepAdd { id, title } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::AddStep { project, title })
        }
        ProjectCmd::StepEdit {
            id,
            step,
            title,
            done,
            position,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditStep {
                project,
                step,
                title,
                done,
                position,
            })
        }
        ProjectCmd::TaskAdd {
            id,
            title,
            step,
            assignee,
            due,
        } => {
            let project = ctx.id(&id)?;
            let assignee = assignee.map(|a| ctx.member(&a)).transpose()?;
            ctx.exec(Command::AddTask {
                project,
                title,
                step,
                assignee,
                due,
            })
        }
        ProjectCmd::TaskEdit {
            id,
            task,
            title,
            step,
            assignee,
            due,
            done,
        } => {
            let project = ctx.id(&id)?;
            let assignee = assignee
                .map(|a| if a.is_empty() { Ok(a) } else { ctx.member(&a) })
                .transpose()?;
            ctx.exec(Command::EditTask {
                project,
                task,
                title,
                step,
                assignee,
                due,
                done,
            })
        }
        ProjectCmd::TaskDone { id, task } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditTask {
                project,
                task,
                title: None,
                step: None,
                assignee: None,
                due: None,
                done: Some(true),
            })
        }
        ProjectCmd::Notes { id, set, file } => {
            let project = ctx.id(&id)?;
            let text = match (set, file) {
                (Some(t), _) => Some(t),
                (None, Some(f)) => Some(
                    std::fs::read_to_string(&f)
                        .map_err(|e| PeerError::BadInput(format!("{}: {e}", f.display())))?,
                ),
                (None, None) => None,
            };
            match text {
                Some(text) => ctx.exec(Command::SetNotes { project, text }),
                None => {
                    let detail = ctx.svc.show(&project)?;
                    ctx.out.notes(&detail)
                }
            }
        }
        ProjectCmd::MilestoneAdd { id, title, due } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::AddMilestone {
                project,
                title,
                due,
            })
        }
        ProjectCmd::MilestoneEdit {
            id,
            milestone,
            title,
            due,
            reached,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditMilestone {
                project,
                milestone,
                title,
                due,
                reached,
            })
        }
        ProjectCmd::NeedAdd {
            id,
            kind,
            description,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::AddNeed {
                project,
                kind: kind.parse()?,
                description,
            })
        }
        ProjectCmd::NeedEdit {
            id,
            need,
            description,
            met,
        } => {
            let project = ctx.id(&id)?;
            ctx.exec(Command::EditNeed {
                project,
                need,
                description,
                met,
            })
        }
    }
}

fn request(ctx: &mut Ctx, cmd: RequestCmd) -> Result<()> {
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

fn event(ctx: &mut Ctx, cmd: EventCmd) -> Result<()> {
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

fn org(ctx: &mut Ctx, cmd: OrgCmd) -> Result<()> {
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

fn opportunity(ctx: &mut Ctx, cmd: OpportunityCmd) -> Result<()> {
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

fn post(ctx: &mut Ctx, cmd: PostCmd) -> Result<()> {
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
