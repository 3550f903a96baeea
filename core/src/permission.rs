//! Who may do what. The rules are data-in, answer-out, so every peer (and later the relay)
//! applies the same ones.

use crate::error::DomainError;
use crate::model::Role;

string_enum! {
    /// Protected actions and the role each needs.
    pub enum Action {
        EditCommunity => "edit_community",
        EditCategories => "edit_categories",
        ManageMembers => "manage_members",
        Moderate => "moderate",
        AnswerRequests => "answer_requests",
        EditAnyContent => "edit_any_content",
    }
}

impl Action {
    fn needed(self) -> &'static str {
        match self {
            Action::EditCommunity | Action::EditCategories | Action::ManageMembers => "admin",
            Action::Moderate | Action::EditAnyContent => "moderator",
            Action::AnswerRequests => "municipal_staff",
        }
    }
}

/// Whether `role` may perform `action`.
#[must_use]
pub fn allows(role: Role, action: Action) -> bool {
    match action {
        Action::EditCommunity | Action::EditCategories | Action::ManageMembers => {
            role == Role::Admin
        }
        Action::Moderate | Action::EditAnyContent => matches!(role, Role::Admin | Role::Moderator),
        Action::AnswerRequests => matches!(role, Role::Admin | Role::MunicipalStaff),
    }
}

/// [`allows`] as a `Result` with a clear refusal.
///
/// # Errors
/// [`DomainError::Forbidden`] naming the action and the role it needs.
pub fn require(role: Role, action: Action) -> Result<(), DomainError> {
    if allows(role, action) {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            action: action.as_str(),
            needed: action.needed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_map_to_actions() {
        assert!(allows(Role::Admin, Action::ManageMembers));
        assert!(!allows(Role::Moderator, Action::ManageMembers));
        assert!(allows(Role::Moderator, Action::Moderate));
        assert!(allows(Role::MunicipalStaff, Action::AnswerRequests));
        assert!(!allows(Role::Member, Action::AnswerRequests));
        assert_eq!(
            require(Role::Member, Action::Moderate).map_err(|e| e.code()),
            Err("forbidden")
        );
    }
}
