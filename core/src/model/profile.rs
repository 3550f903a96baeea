//! A member's profile document: name, interests, organisation and contact details.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::Header;

string_enum! {
    /// Who may see a member's contact details.
    pub enum ContactVisibility {
        Everyone => "everyone",
        Members => "members",
        Nobody => "nobody",
    }
}

/// A member profile. Pupils may use a pseudonym as display name.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Profile {
    pub header: Header,
    pub member: String,
    pub display_name: String,
    pub about: String,
    /// Category keys this member cares about.
    pub interests: Vec<String>,
    pub organisation: String,
    pub contact: String,
    pub contact_visibility: ContactVisibility,
    pub updated_at: i64,
}
