//! Arguments of `allmende project …`.

use std::path::PathBuf;

use clap::Subcommand;

use super::ListArgs;

#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Publish a read-only showcase of a project into another community on this device (a
    /// class's project in its town, a village's project at a project fair); again to update.
    Publish {
        id: String,
        /// The community to publish into.
        #[arg(long)]
        to: String,
    },
    /// The project fair: showcases published into this community, by where they come from.
    Fair,
    Add {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        summary: String,
        #[arg(long)]
        category: Option<String>,
        #[arg(long = "from-idea")]
        from_idea: Option<String>,
        /// Only the team can read it.
        #[arg(long = "team-only")]
        team_only: bool,
        #[arg(long)]
        stage: Option<String>,
    },
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long, conflicts_with = "finished")]
        running: bool,
        #[arg(long)]
        finished: bool,
    },
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        summary: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        stage: Option<String>,
        /// public or team
        #[arg(long)]
        visibility: Option<String>,
        /// A percentage, or "auto" to compute it from the tasks.
        #[arg(long)]
        progress: Option<String>,
    },
    /// Join the team of a public project.
    Join {
        id: String,
    },
    /// Add a member to the team (leads).
    TeamAdd {
        id: String,
        member: String,
        #[arg(long)]
        lead: bool,
    },
    TeamRemove {
        id: String,
        member: String,
    },
    StepAdd {
        id: String,
        #[arg(long)]
        title: String,
    },
    StepEdit {
        id: String,
        step: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        done: Option<bool>,
        #[arg(long)]
        position: Option<i64>,
    },
    TaskAdd {
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        step: Option<String>,
        #[arg(long)]
        assignee: Option<String>,
        #[arg(long)]
        due: Option<String>,
    },
    TaskEdit {
        id: String,
        task: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        step: Option<String>,
        #[arg(long)]
        assignee: Option<String>,
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        done: Option<bool>,
    },
    /// Mark a task done.
    TaskDone {
        id: String,
        task: String,
    },
    /// Print the shared notes, or replace them with --set or --file.
    Notes {
        id: String,
        #[arg(long, conflicts_with = "file")]
        set: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    MilestoneAdd {
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        due: Option<String>,
    },
    MilestoneEdit {
        id: String,
        milestone: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        reached: Option<bool>,
    },
    NeedAdd {
        id: String,
        /// volunteers, money, municipal or material
        #[arg(long)]
        kind: String,
        #[arg(long)]
        description: String,
    },
    NeedEdit {
        id: String,
        need: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        met: Option<bool>,
    },
}
