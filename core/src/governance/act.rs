//! The protected changes of a community (what a signed log entry says). How each one changes
//! the community, and who may make it, is [`super::transition`].

use serde::{Deserialize, Serialize};

use crate::model::{CommunityKind, Role};

/// A protected change of the community document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Act {
    /// The first entry: its device is the root of authority. The community's document id is
    /// derived from that device key and the nonce, so nobody can write a second genesis.
    Genesis {
        nonce: String,
        name: String,
        kind: CommunityKind,
        description: String,
        member: String,
        profile: String,
    },
    Settings {
        name: Option<String>,
        description: Option<String>,
        code_of_conduct: Option<String>,
        hold_first_posts: Option<bool>,
    },
    AddCategory {
        key: String,
        label_de: String,
        label_en: String,
    },
    EditCategory {
        key: String,
        label_de: Option<String>,
        label_en: Option<String>,
        archived: Option<bool>,
    },
    AddMember {
        member: String,
        role: Role,
        profile: String,
    },
    SetRole {
        member: String,
        role: Role,
    },
    RemoveMember {
        member: String,
    },
    AddDevice {
        member: String,
        device: String,
        /// For an invite key: until when it may be used (after that it opens nothing, and
        /// an act it signs later is refused).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<crate::time::Millis>,
    },
    RemoveDevice {
        member: String,
        device: String,
    },
    /// Approve a new member: their posts are no longer held for review.
    Trust {
        member: String,
    },
    /// Hide or restore an item (or `item/comment`).
    Moderate {
        key: String,
        hidden: bool,
        reason: String,
    },
}

impl Act {
    /// A short description for flags and the audit log.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Act::Genesis { name, .. } => format!("create community {name}"),
            Act::Settings { .. } => "change settings".into(),
            Act::AddCategory { key, .. } => format!("add category {key}"),
            Act::EditCategory { key, .. } => format!("edit category {key}"),
            Act::AddMember { member, role, .. } => format!("add member {member} as {role}"),
            Act::SetRole { member, role } => format!("make {member} {role}"),
            Act::RemoveMember { member } => format!("remove member {member}"),
            Act::AddDevice { member, device, .. } => {
                format!("add device {} to {member}", short(device))
            }
            Act::RemoveDevice { member, device } => {
                format!("remove device {} from {member}", short(device))
            }
            Act::Moderate { key, hidden, .. } => {
                format!("{} {key}", if *hidden { "hide" } else { "restore" })
            }
            Act::Trust { member } => format!("approve {member}"),
        }
    }

    /// Whether the change concerns the roster (members, roles, devices).
    #[must_use]
    pub fn touches_roster(&self) -> bool {
        matches!(
            self,
            Act::Genesis { .. }
                | Act::AddMember { .. }
                | Act::SetRole { .. }
                | Act::RemoveMember { .. }
                | Act::AddDevice { .. }
                | Act::RemoveDevice { .. }
                | Act::Trust { .. }
        )
    }
}

fn short(device: &str) -> &str {
    device.get(..8).unwrap_or(device)
}
