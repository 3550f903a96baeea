//! `allmende template`: process templates (built-in, from a file, to a file, applied to a
//! project).

use std::path::PathBuf;

use allmende_core::model::DocKind;
use allmende_core::query::ListFilter;
use allmende_core::templates::{builtin, TemplateSpec, BUILTIN};
use allmende_core::Command;
use clap::Subcommand;

use super::print::Printer;
use allmende_service::Service;
use allmende_store::error::{PeerError, Result};

#[derive(Debug, Subcommand)]
pub enum TemplateCmd {
    /// The community's templates.
    List,
    Show {
        id: String,
    },
    /// Add a template: a built-in one (village, school) or one from a file.
    Add {
        #[arg(long, conflicts_with = "file")]
        builtin: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Write a template to a file (to import into another community).
    Export {
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a template's steps, tasks and milestones to a project.
    Apply {
        id: String,
        #[arg(long)]
        project: String,
    },
}

pub(super) fn run(
    svc: &mut Service,
    out: &Printer,
    community: &str,
    cmd: TemplateCmd,
) -> Result<()> {
    match cmd {
        TemplateCmd::List => {
            let page = svc.list(&ListFilter {
                community: Some(community.to_string()),
                kind: Some(DocKind::Template),
                ..ListFilter::default()
            })?;
            out.page(&page)
        }
        TemplateCmd::Show { id } => {
            let detail = svc.show(&id)?;
            out.detail(&detail)
        }
        TemplateCmd::Add {
            builtin: name,
            file,
        } => {
            let spec = match (name, file) {
                (Some(n), _) => builtin(&n).ok_or_else(|| {
                    PeerError::BadInput(format!(
                        "unknown built-in template '{n}' (known: {})",
                        BUILTIN.join(", ")
                    ))
                })?,
                (None, Some(f)) => TemplateSpec::from_file(&std::fs::read_to_string(f)?)?,
                (None, None) => {
                    return Err(PeerError::BadInput(
                        "name a template: --builtin village|school or --file FILE".into(),
                    ))
                }
            };
            let outcome = svc.execute(Command::AddTemplate {
                community: community.to_string(),
                template: spec,
            })?;
            out.outcome(&outcome)
        }
        TemplateCmd::Export { id, out: path } => {
            let detail = svc.show(&id)?;
            let spec = TemplateSpec::of(detail.item.template()?);
            std::fs::write(&path, spec.to_file())?;
            Ok(())
        }
        TemplateCmd::Apply { id, project } => {
            let template = svc.resolve(&id)?;
            let project = svc.resolve(&project)?;
            let outcome = svc.execute(Command::ApplyTemplate { project, template })?;
            out.outcome(&outcome)
        }
    }
}
