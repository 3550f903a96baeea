//! From parsed arguments to service calls.

use allmende_core::model::DocKind;
use allmende_core::query::ListFilter;
use allmende_core::{Command, Lang};

use super::args::{BundleCmd, Cli, Cmd, DevCmd, ListArgs};
use super::print::Printer;

mod community;
mod items;
mod project;
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
        Cmd::Community(c) => community::community(&mut ctx, c),
        Cmd::Member(m) => community::member(&mut ctx, m),
        Cmd::Idea(i) => items::idea(&mut ctx, i),
        Cmd::Project(p) => project::project(&mut ctx, p),
        Cmd::Request(r) => items::request(&mut ctx, r),
        Cmd::Event(e) => items::event(&mut ctx, e),
        Cmd::Org(o) => items::org(&mut ctx, o),
        Cmd::Opportunity(o) => items::opportunity(&mut ctx, o),
        Cmd::Post(p) => items::post(&mut ctx, p),
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
            progress,
        } => {
            // A community named with --community goes through the relay given from now on
            // too (its relay moved, or a second one is added); others stay where they are.
            if let (Some(r), Some(_)) = (&relay, &ctx.community) {
                let community = ctx.community()?;
                ctx.svc.bind_relay(&community, r)?;
            }
            super::sync_cmd::run(
                &mut ctx.svc,
                &ctx.out,
                &super::sync_cmd::SyncArgs {
                    relay,
                    watch,
                    status,
                    timeout,
                    fetch,
                    progress,
                },
            )
        }
        Cmd::Invite {
            name,
            days,
            list,
            withdraw,
            role,
            relay,
            qr,
        } => {
            let community = ctx.community()?;
            if list {
                let open = ctx.svc.open_invites(&community)?;
                if ctx.out.is_json() {
                    return ctx.out.value(&open);
                }
                let de = ctx.svc.lang() == allmende_core::Lang::De;
                for i in &open {
                    let day = allmende_core::time::millis_to_date(i.until);
                    let state = match (i.expired, de) {
                        (true, true) => format!("abgelaufen am {day}"),
                        (true, false) => format!("expired on {day}"),
                        (false, true) => format!("gültig bis {day}"),
                        (false, false) => format!("holds until {day}"),
                    };
                    println!("{}  {} ({})  {state}", &i.member, i.display_name, i.role);
                }
                return Ok(());
            }
            if let Some(member) = withdraw {
                let member = ctx.member(&member)?;
                return ctx.exec(Command::WithdrawInvite { community, member });
            }
            let name = name.unwrap_or_default();
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
                .create_invite(&community, &name, role.parse()?, relay, days)?;
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
            progress,
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            let de = ctx.svc.lang() == allmende_core::Lang::De;
            let mut bar = crate::sync_cmd::progress_bar(de, progress);
            let joined = rt.block_on(allmende_net::join::join(
                &mut ctx.svc,
                &token,
                relay,
                std::time::Duration::from_secs(timeout.max(1)),
                &mut bar,
            ))?;
            crate::sync_cmd::progress_done(&joined.report);
            if !ctx.out.is_json() {
                crate::sync_cmd::print_report(&joined.report, de);
            }
            let overview = ctx.svc.overview(&joined.community)?;
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
        Cmd::Dev(DevCmd::WriteTown { items }) => {
            let community = ctx.community()?;
            let ids = crate::dev_town::write_town(&mut ctx.svc, &community, items)?;
            println!("{} items", ids.len());
            Ok(())
        }
    }
}
