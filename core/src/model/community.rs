//! The community document: settings, categories, the member roster and the item catalogue.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{DocKind, Header, Member, Role};
use crate::category::CategoryDef;
use crate::governance::{Entry, Flag};
use crate::time::Millis;

string_enum! {
    /// A town, a village or a school class.
    pub enum CommunityKind {
        Town => "town",
        Village => "village",
        School => "school",
    }
}

/// The community document as stored: its header, the signed log of protected changes
/// (see [`crate::governance`]) and, under `items`, the [`Catalog`].
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct CommunityDoc {
    pub header: Header,
    #[autosurgeon(missing = "Default::default")]
    pub log: BTreeMap<String, Entry>,
}

/// One community: a town, a village or a school class, as replayed from its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Community {
    pub header: Header,
    pub name: String,
    pub kind: CommunityKind,
    pub description: String,
    pub categories: Vec<CategoryDef>,
    pub settings: Settings,
    /// Member id -> roster entry (roles are protected changes).
    pub members: BTreeMap<String, Member>,
    /// Item id (or `item/comment`) -> the latest moderation decision.
    pub moderation: BTreeMap<String, Moderation>,
    /// Every accepted moderation decision, oldest first: the moderators' audit log.
    pub moderation_log: Vec<Moderation>,
    /// The roster after each accepted roster change, in replay order, with its time:
    /// how signed fields in item documents are checked against the roster of their time.
    pub history: super::MemberHistory,
    /// Device key -> the member it was first given to. A key belongs to one member for good
    /// (it signed their entries), also after it is taken off them.
    #[serde(default)]
    pub device_owners: BTreeMap<String, String>,
    /// Devices (lower-case hex) that signed an accepted entry of the log: a device that
    /// founded the community, joined it (a joining device takes its invite key off itself)
    /// or acted in it. No entry written by someone else can put a device here, so this is
    /// where a device took part, which a roster that merely lists its key is not.
    #[serde(default)]
    pub signers: std::collections::BTreeSet<String>,
    /// The log's latest entries (what a new entry has `seen`).
    pub heads: Vec<String>,
    /// Entries that were not accepted.
    pub flags: Vec<Flag>,
}

/// Community settings, editable by admins.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Settings {
    pub code_of_conduct: String,
    /// Hold a new member's first posts for review.
    pub hold_first_posts: bool,
}

/// The catalogue of item documents, kept under the key `items` of the community document.
///
/// It is written entry by entry (never hydrated whole on the write path), so adding an item
/// costs the same in a community of ten items as in one of ten thousand.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Catalog {
    /// Document id -> what it is.
    pub items: BTreeMap<String, ItemRef>,
}

/// A catalogue entry: an item document of the community.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ItemRef {
    pub kind: DocKind,
    pub created_at: Millis,
}

/// A moderation decision on an item or a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moderation {
    /// The item id, or `item/comment`.
    pub key: String,
    pub hidden: bool,
    pub reason: String,
    pub by: String,
    pub at: Millis,
}

impl Community {
    /// A community with nothing replayed yet.
    #[must_use]
    pub fn empty(header: Header) -> Self {
        Community {
            header,
            name: String::new(),
            kind: CommunityKind::Town,
            description: String::new(),
            categories: Vec::new(),
            settings: Settings::default(),
            members: BTreeMap::new(),
            moderation: BTreeMap::new(),
            moderation_log: Vec::new(),
            history: super::MemberHistory::default(),
            device_owners: BTreeMap::new(),
            signers: std::collections::BTreeSet::new(),
            heads: Vec::new(),
            flags: Vec::new(),
        }
    }

    /// Active (not removed) member with this id.
    #[must_use]
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.get(id).filter(|m| !m.removed)
    }

    /// Whether this member's posts are held for review: a plain member not yet approved,
    /// while the community holds new members' first posts.
    #[must_use]
    pub fn is_held(&self, member: &str) -> bool {
        self.settings.hold_first_posts
            && self
                .member(member)
                .is_some_and(|m| !m.trusted && m.role == Role::Member)
    }

    /// Whether an item (or `item/comment`) is hidden by moderation.
    #[must_use]
    pub fn is_hidden(&self, key: &str) -> bool {
        self.moderation.get(key).is_some_and(|m| m.hidden)
    }
}
