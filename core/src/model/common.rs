//! Parts every document shares: the header, comments and content reports.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::DocKind;
use crate::time::Millis;

/// The first field of every document: what it is, which community it belongs to, its schema.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Header {
    pub schema: u64,
    pub kind: DocKind,
    /// The document's own id (automerge-repo document id).
    pub id: String,
    /// The community document this belongs to (its own id for a community document).
    pub community: String,
    pub created_at: Millis,
    /// The member who created it.
    pub created_by: String,
    /// The creating device's public key (hex); with `nonce` it derives the id of documents
    /// whose creator has authority (communities, projects). Empty in older documents.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub nonce: String,
    /// The creating device's signature over the header: who made the item, when, where
    /// (see [`crate::governance::content`]). Empty in older documents.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}

/// A comment on any item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub text: String,
    pub created_at: Millis,
    /// 0 when never edited.
    pub edited_at: Millis,
    /// The writing device (hex) and its signature over the comment: a comment counts only
    /// when that device belonged to its author then.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}

/// A member's report of an item or one of its comments, for the moderators' queue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Report {
    pub id: String,
    pub reporter: String,
    pub reason: String,
    /// Empty for the item itself, otherwise the id of the reported comment.
    pub comment: String,
    pub created_at: Millis,
    /// The reporting device and its signature, as for comments.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub device: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub sig: String,
}

/// A device's signature on a mark a member sets on an item (their support of an idea).
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Proof {
    pub device: String,
    pub sig: String,
}
