//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `allmende --version`: the release and the data format it reads and writes (kept equal to
/// the store's format by a test).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (data format 5)");

#[derive(Debug, Parser)]
#[command(
    name = "allmende",
    version = VERSION,
    args_override_self = true,
    about = "Allmende: der lokale Arbeitsraum für Klima-Engagement in Städten, Dörfern und Schulen. / The local-first workspace for local climate action."
)]
pub struct Cli {
    /// Data directory (default: the platform's data directory, e.g. ~/.local/share/allmende).
    #[arg(long, global = true, env = "ALLMENDE_DATA")]
    pub data: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Language of the output: de or en (default: from LANG, German otherwise).
    #[arg(long, global = true)]
    pub lang: Option<String>,
    /// The community to work in (id or unique prefix; default: the current one).
    #[arg(long, short = 'c', global = true)]
    pub community: Option<String>,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Create a new community (you become its admin).
    Init {
        #[arg(long)]
        name: String,
        /// town, village or school
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Your display name.
        #[arg(long = "admin-name", default_value = "Admin")]
        admin_name: String,
    },
    /// Create the German demo community "Grünhausen" (once) and show it.
    Demo,
    /// Communities on this device.
    #[command(subcommand)]
    Community(CommunityCmd),
    /// Members and profiles.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Ideas.
    #[command(subcommand)]
    Idea(IdeaCmd),
    /// Project workspaces.
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Requests for municipal support (the town-hall path).
    #[command(subcommand)]
    Request(RequestCmd),
    /// The events calendar.
    #[command(subcommand)]
    Event(EventCmd),
    /// The directory of organisations.
    #[command(subcommand)]
    Org(OrgCmd),
    /// Volunteering opportunities.
    #[command(subcommand)]
    Opportunity(OpportunityCmd),
    /// News, everyday tips and support offers.
    #[command(subcommand)]
    Post(PostCmd),
    /// A class code pupils type (or scan) in their browser to join this class through
    /// `allmende serve`: no e-mail address, a pseudonym is enough.
    ClassCode {
        /// How many days the code works (1 to 60).
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// How many browsers may join with it (1 to 500).
        #[arg(long, default_value_t = allmende_service::DEFAULT_CODE_USES)]
        uses: u32,
        /// List this community's class codes instead.
        #[arg(long, conflicts_with = "revoke")]
        list: bool,
        /// Withdraw a class code: nobody joins with it any more.
        #[arg(long, value_name = "CODE")]
        revoke: Option<String>,
    },
    /// Direct links between devices without any server (iroh): listen, ticket, connect, list.
    #[command(subcommand)]
    Peer(super::peer_cmd::PeerCmd),
    /// Process templates (the village workshop process, a class project, your own).
    #[command(subcommand)]
    Template(super::template_cmd::TemplateCmd),
    /// Comment on any item.
    Comment {
        item: String,
        #[arg(long)]
        text: String,
    },
    /// Report an item (or one of its comments) to the moderators.
    Report {
        item: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Hide an item or comment (moderators).
    Hide {
        item: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Restore a hidden item or comment (moderators).
    Restore {
        item: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Changes that were not accepted: written by someone whose role did not allow them,
    /// forged, or written around the app (for admins).
    Flags,
    /// The moderators' audit log: every hide and restore with its reason.
    Audit,
    /// Members, ideas, projects, organisations, events and opportunities over time.
    Dashboard {
        /// CSV (one row per month) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// The "Mach mit" digest: what is new and where help is needed.
    Digest {
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// md or html
        #[arg(long, default_value = "md")]
        format: String,
    },
    /// Full-text search (finds Bäume, baeume and BAUME alike).
    Search {
        text: Vec<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Export the community: json (re-importable), ics (events) or md (report).
    Export {
        #[arg(long, default_value = "json")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import a JSON export (merges; importing twice changes nothing).
    Import { file: PathBuf },
    /// Sync with a relay: every document this device holds or may have, until both sides
    /// are quiescent. With --watch, stay connected and move changes as they happen.
    Sync {
        /// The relay's WebSocket URL, e.g. ws://127.0.0.1:3030 (default: the last one used).
        #[arg(long, env = "ALLMENDE_RELAY")]
        relay: Option<String>,
        #[arg(long)]
        watch: bool,
        /// Show the sync state per community and relay instead of syncing.
        #[arg(long, conflicts_with = "watch")]
        status: bool,
        /// Seconds to wait for the connection, and for the next document while none
        /// arrives (a slow link is fine as long as documents keep coming).
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        /// Fetch one document (any automerge-repo document) from the relay and print it as JSON.
        #[arg(long, conflicts_with_all = ["watch", "status"])]
        fetch: Option<String>,
    },
    /// Invite a person: registers them and prints a token to pass on (admins).
    Invite {
        /// Their display name (pseudonyms are fine).
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "member")]
        role: String,
        /// The relay the new device will join through (default: the last one used).
        #[arg(long, env = "ALLMENDE_RELAY")]
        relay: Option<String>,
        /// Also print the token as a QR code.
        #[arg(long)]
        qr: bool,
    },
    /// Join a community with an invite token.
    Join {
        token: String,
        /// Use this relay instead of the one in the token.
        #[arg(long)]
        relay: Option<String>,
        /// Seconds to wait for the connection, and for the next document while none
        /// arrives.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
    },
    /// Serve the app and the service API to browsers on the local network.
    Serve {
        /// Address to listen on; 0.0.0.0:8080 lets phones on the same Wi-Fi connect.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Browsers on this machine must join with a class code too (kiosk use, tests).
        #[arg(long)]
        guests_only: bool,
        /// Another name browsers may use to reach this server (besides its own addresses),
        /// e.g. `schule.local`; repeatable.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_hosts: Vec<String>,
        /// Do not keep in step in the background (with the remembered relay and with devices
        /// of the same communities on the local network).
        #[arg(long)]
        offline: bool,
    },
    /// Sneakernet: a community in one file, and back.
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Write a backup of this data directory to FILE (consistent while the app runs).
    Backup { file: std::path::PathBuf },
    /// Restore a backup into the data directory (an empty one, or with --replace: stop the
    /// app first; the current database is kept beside it). (`restore` alone brings back
    /// hidden content.)
    RestoreBackup {
        file: std::path::PathBuf,
        #[arg(long)]
        replace: bool,
    },
    /// Check every document and the database for damage.
    Check,
    /// Rebuild the search index from the documents.
    Reindex,
    /// Developer tools.
    #[command(subcommand, hide = true)]
    Dev(DevCmd),
}

#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Write everything the community holds into FILE.
    Export { file: PathBuf },
    /// Merge a bundle (importing twice changes nothing).
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum DevCmd {
    /// Add ideas one by one, printing each id once it is durably written.
    WriteIdeas {
        #[arg(long, default_value_t = 1000)]
        count: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommunityCmd {
    List,
    /// Overview of a community (default: the current one).
    Show {
        id: Option<String>,
    },
    /// Make a community the current one.
    Use {
        id: String,
    },
    Edit {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long = "code-of-conduct")]
        code_of_conduct: Option<String>,
        #[arg(long = "hold-first-posts")]
        hold_first_posts: Option<bool>,
    },
    /// The category list.
    Categories,
    /// Add a category.
    AddCategory {
        key: String,
        #[arg(long)]
        de: String,
        #[arg(long)]
        en: String,
    },
    /// Rename or archive a category.
    EditCategory {
        key: String,
        #[arg(long)]
        de: Option<String>,
        #[arg(long)]
        en: Option<String>,
        #[arg(long)]
        archived: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    List,
    /// Register a person (admins).
    Add {
        #[arg(long)]
        name: String,
        /// member, moderator, municipal_staff or admin
        #[arg(long, default_value = "member")]
        role: String,
    },
    Role {
        member: String,
        role: String,
    },
    Remove {
        member: String,
    },
    /// Approve a new member whose first posts are held for review (moderators).
    Approve {
        member: String,
    },
    /// A member's device keys (phones, laptops, browser sessions).
    Devices {
        member: String,
    },
    /// Remove a device (a lost phone, a pupil's browser): peers and the relay stop syncing
    /// with it, a browser session on `allmende serve` ends.
    RemoveDevice {
        member: String,
        device: String,
    },
    /// Edit a profile (default: your own).
    Profile {
        #[arg(long)]
        member: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        about: Option<String>,
        /// Category keys, comma-separated.
        #[arg(long)]
        interests: Option<String>,
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        /// everyone, members or nobody
        #[arg(long = "contact-visibility")]
        contact_visibility: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub status: Option<String>,
    /// Full-text filter.
    #[arg(long)]
    pub search: Option<String>,
    /// From this day (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this day (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub limit: Option<u32>,
    #[arg(long)]
    pub offset: Option<u32>,
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_line_names_this_data_format() {
        let named = format!("(data format {})", allmende_store::FORMAT_VERSION);
        assert!(super::VERSION.ends_with(&named), "{}", super::VERSION);
    }
}
