//! Arguments of `allmende community …` and `allmende member …`.

use clap::Subcommand;

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
