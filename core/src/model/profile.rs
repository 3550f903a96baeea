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

impl Profile {
    /// Whether `viewer` may see the contact details: the member themself always; with
    /// `Everyone` anyone (also in public exports); with `Members` a member of the community
    /// (`viewer` is `None` for someone who is not); with `Nobody` only the member.
    #[must_use]
    pub fn shows_contact_to(&self, viewer: Option<&str>) -> bool {
        match self.contact_visibility {
            ContactVisibility::Everyone => true,
            ContactVisibility::Members => viewer.is_some(),
            ContactVisibility::Nobody => viewer == Some(self.member.as_str()),
        }
    }

    /// The profile as `viewer` may see it: contact details blanked unless they may.
    #[must_use]
    pub fn as_seen_by(mut self, viewer: Option<&str>) -> Profile {
        if !self.shows_contact_to(viewer) {
            self.contact.clear();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocKind, SCHEMA_VERSION};

    fn profile(visibility: ContactVisibility) -> Profile {
        Profile {
            header: Header {
                schema: SCHEMA_VERSION,
                kind: DocKind::Profile,
                id: "p".into(),
                community: "c".into(),
                created_at: 0,
                created_by: "mia".into(),
                device: String::new(),
                nonce: String::new(),
                sig: String::new(),
            },
            member: "mia".into(),
            display_name: "Mia".into(),
            about: String::new(),
            interests: Vec::new(),
            organisation: String::new(),
            contact: "mia@example.org".into(),
            contact_visibility: visibility,
            updated_at: 0,
        }
    }

    /// Finding: `ContactVisibility` was read nowhere; every front door showed the contact.
    #[test]
    fn contact_is_shown_only_as_its_visibility_allows() {
        let nobody = profile(ContactVisibility::Nobody);
        assert_eq!(nobody.clone().as_seen_by(Some("ole")).contact, "");
        assert_eq!(nobody.clone().as_seen_by(None).contact, "");
        assert_eq!(nobody.as_seen_by(Some("mia")).contact, "mia@example.org");
        let members = profile(ContactVisibility::Members);
        assert_eq!(
            members.clone().as_seen_by(Some("ole")).contact,
            "mia@example.org"
        );
        assert_eq!(members.as_seen_by(None).contact, "");
        assert_eq!(
            profile(ContactVisibility::Everyone)
                .as_seen_by(None)
                .contact,
            "mia@example.org"
        );
    }
}
