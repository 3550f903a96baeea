//! The bodies of the front doors' calls beside `Command` and `Query` (`invite`, `join`,
//! `enroll`, `class-code`), typed
//! once for the desktop app and `allmende serve`: a body that does not fit is refused with a
//! clear error instead of being read as empty fields.

use serde::{Deserialize, Serialize};

/// `invite`: registers a member and returns an invite for them (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// The new member's display name.
    pub name: String,
    /// Their role (`member` unless given).
    #[serde(default = "member")]
    pub role: String,
    /// The community the person has open (else the device's current one).
    #[serde(default)]
    pub community: Option<String>,
    /// How many days the invite holds (default 14, at most 90).
    #[serde(default)]
    pub days: Option<u32>,
}

fn member() -> String {
    "member".into()
}

/// `join`: joins a community with an invite token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub token: String,
}

/// `enroll`: a browser joins a class with a class code and a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
    pub name: String,
}

/// `class-code`: a class code for a community (the device's current one unless given),
/// valid for `days` and `uses` browsers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassCodeRequest {
    #[serde(default)]
    pub community: Option<String>,
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub uses: Option<u32>,
}

/// `POST /api/class-code/revoke`: nobody joins with `code` any more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeClassCodeRequest {
    pub code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_does_not_fit_is_refused_not_read_as_empty() {
        assert!(serde_json::from_str::<InviteRequest>("{}").is_err());
        assert!(serde_json::from_str::<InviteRequest>(r#"{"name": 3}"#).is_err());
        assert!(serde_json::from_str::<JoinRequest>(r#"{"tokn": "x"}"#).is_err());
        let r: InviteRequest = serde_json::from_str(r#"{"name": "Ben"}"#).expect("invite");
        assert_eq!(r.role, "member");
        assert_eq!(r.community, None);
        assert!(serde_json::from_str::<EnrollRequest>(r#"{"code": "ABCD"}"#).is_err());
        assert!(serde_json::from_str::<ClassCodeRequest>(r#"{"days": -1}"#).is_err());
        assert_eq!(
            serde_json::from_str::<ClassCodeRequest>("{}").expect("defaults"),
            ClassCodeRequest::default()
        );
    }
}
