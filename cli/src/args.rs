//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod community;
mod items;
mod project;

pub use community::{CommunityCmd, MemberCmd};
pub use items::{EventCmd, IdeaCmd, OpportunityCmd, OrgCmd, PostCmd, RequestCmd};
pub use project::ProjectCmd;

/// `allmende --version`: the release and the data format it reads and writes (kept equal to
/// the store's format by a test).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (data format 6)");

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
        /// Each community syncs only through its own relays; with --community, that
        /// community syncs through this one from now on too (a relay that moved).
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
        /// Print a progress line to standard error after every window of documents, also
        /// when it is not a terminal (a log, another program reading along).
        #[arg(long, conflicts_with_all = ["watch", "status", "fetch"])]
        progress: bool,
    },
    /// Invite a person: registers them and prints a token to pass on (admins). With
    /// `--list`, the invites not used yet; with `--withdraw MEMBER`, take one back.
    Invite {
        /// Their display name (pseudonyms are fine).
        #[arg(long, required_unless_present_any = ["list", "withdraw"])]
        name: Option<String>,
        /// How many days the invite holds (1 to 90); after that its token opens nothing.
        #[arg(long, default_value_t = allmende_service::invite::DEFAULT_INVITE_DAYS)]
        days: u32,
        /// List the invites not used yet, with until when they hold.
        #[arg(long, conflicts_with_all = ["name", "withdraw"])]
        list: bool,
        /// Withdraw the invite of this member (id or prefix): its token opens nothing, and
        /// the person is removed unless they already have a device.
        #[arg(long, value_name = "MEMBER", conflicts_with = "name")]
        withdraw: Option<String>,
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
        /// Progress lines also when standard error is no terminal.
        #[arg(long)]
        progress: bool,
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
    /// Write a generated town for sync at scale: ideas, events, posts, organisations and
    /// projects (a fifth each of `items`), a fifth as many members, twice as many comments.
    WriteTown {
        #[arg(long, default_value_t = 10_000)]
        items: u32,
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_line_names_this_data_format() {
        let named = format!("(data format {})", allmende_store::FORMAT_VERSION);
        assert!(super::VERSION.ends_with(&named), "{}", super::VERSION);
    }
}
