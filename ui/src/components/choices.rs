//! The choices a form offers, as (value, label) in the person's language: categories, roles,
//! stages and the other fixed lists of the domain, and the community's members.

use allmende_core::category::CategoryDef;
use allmende_core::lang::label;
use allmende_core::model::{
    IdeaStatus, NeedKind, PostKind, Role, Stage, TeamRole, Term, Visibility,
};
use allmende_core::Lang;

pub type Choices = Vec<(String, String)>;

/// The community's categories that are in use (not archived).
#[must_use]
pub fn categories(lang: Lang, all: &[CategoryDef]) -> Choices {
    all.iter()
        .filter(|c| !c.archived)
        .map(|c| (c.key.clone(), c.label(lang).to_string()))
        .collect()
}

fn labelled(values: impl IntoIterator<Item = &'static str>, lang: Lang) -> Choices {
    values
        .into_iter()
        .map(|v| (v.to_string(), label(v, lang)))
        .collect()
}

#[must_use]
pub fn roles(lang: Lang) -> Choices {
    labelled(Role::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn team_roles(lang: Lang) -> Choices {
    labelled(TeamRole::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn stages(lang: Lang) -> Choices {
    labelled(Stage::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn visibilities(lang: Lang) -> Choices {
    labelled(Visibility::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn terms(lang: Lang) -> Choices {
    labelled(Term::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn post_kinds(lang: Lang) -> Choices {
    labelled(PostKind::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn need_kinds(lang: Lang) -> Choices {
    labelled(NeedKind::ALL.iter().map(|r| r.as_str()), lang)
}

#[must_use]
pub fn idea_states(lang: Lang) -> Choices {
    labelled(IdeaStatus::ALL.iter().map(|r| r.as_str()), lang)
}

/// The list with a first choice for "none" (an optional field).
#[must_use]
pub fn with_none(none: &str, mut choices: Choices) -> Choices {
    choices.insert(0, (String::new(), none.to_string()));
    choices
}
