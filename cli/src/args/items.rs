//! Arguments of the item commands: ideas, town-hall requests, events, organisations,
//! opportunities and posts.

use clap::Subcommand;

use super::ListArgs;

#[derive(Debug, Subcommand)]
pub enum IdeaCmd {
    Add {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        text: String,
        #[arg(long)]
        category: String,
    },
    List(ListArgs),
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        text: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
    Support {
        id: String,
        #[arg(long)]
        withdraw: bool,
    },
    Comment {
        id: String,
        #[arg(long)]
        text: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestCmd {
    Add {
        /// The idea or project.
        #[arg(long)]
        target: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        text: String,
        #[arg(long, default_value = "")]
        department: String,
    },
    List {
        #[command(flatten)]
        list: ListArgs,
        /// Only requests past their promised answer date.
        #[arg(long)]
        overdue: bool,
        /// Only requests of this town-hall department.
        #[arg(long)]
        department: Option<String>,
    },
    /// How each department answers: median days to a first answer, promises kept.
    Figures,
    /// Answers on requests you wrote or follow, newest first.
    Notifications,
    Show {
        id: String,
    },
    /// Answer as town-hall staff.
    Answer {
        id: String,
        #[arg(long)]
        status: String,
        #[arg(long, default_value = "")]
        message: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long = "promised-by")]
        promised_by: Option<String>,
        #[arg(long)]
        department: Option<String>,
    },
    Follow {
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventCmd {
    Add {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// RFC 3339 with offset, e.g. 2026-12-03T18:00:00+01:00
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
        #[arg(long = "tz")]
        time_zone: Option<String>,
        #[arg(long, default_value = "")]
        place: String,
        #[arg(long, default_value = "")]
        link: String,
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "")]
        organiser: String,
        #[arg(long, default_value_t = 0)]
        capacity: u64,
    },
    List(ListArgs),
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        start: Option<String>,
        #[arg(long)]
        end: Option<String>,
        #[arg(long = "tz")]
        time_zone: Option<String>,
        #[arg(long)]
        place: Option<String>,
        #[arg(long)]
        link: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        organiser: Option<String>,
        #[arg(long)]
        capacity: Option<u64>,
        #[arg(long)]
        cancelled: Option<bool>,
    },
    Register {
        id: String,
        #[arg(long)]
        withdraw: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Category keys, comma-separated.
        #[arg(long)]
        categories: String,
        #[arg(long, default_value = "")]
        contact: String,
        #[arg(long, default_value = "")]
        website: String,
    },
    List {
        #[command(flatten)]
        list: ListArgs,
        /// Only organisations with running projects.
        #[arg(long)]
        running: bool,
    },
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        categories: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        website: Option<String>,
    },
    /// Add a project the organisation runs (or ran, with --finished).
    ProjectAdd {
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        finished: bool,
        /// Link to a project workspace.
        #[arg(long)]
        project: Option<String>,
    },
    ProjectEdit {
        id: String,
        entry: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        running: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OpportunityCmd {
    Add {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// short or long
        #[arg(long)]
        term: String,
        #[arg(long, default_value = "")]
        commitment: String,
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "")]
        contact: String,
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        date: Option<String>,
    },
    List(ListArgs),
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        term: Option<String>,
        #[arg(long)]
        commitment: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        open: Option<bool>,
    },
    Signup {
        id: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        withdraw: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PostCmd {
    Add {
        /// news, tip or offer
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        text: String,
        #[arg(long)]
        category: String,
        #[arg(long = "offered-by", default_value = "")]
        offered_by: String,
    },
    List(ListArgs),
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        text: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long = "offered-by")]
        offered_by: Option<String>,
    },
}
