//! School classes: a class is a community of kind `school`, created from the class template
//! (class rules as code of conduct, the class-project process).

use allmende_core::model::CommunityKind;
use allmende_core::query::Outcome;
use allmende_core::templates::builtin;
use allmende_core::Command;

use super::Service;
use allmende_store::error::Result;

/// The class rules every new class starts with (the teacher can change them).
pub const CLASS_RULES: &str = "Wir sind freundlich zueinander. Wir nutzen Spitznamen, keine vollen Namen, keine Adressen, keine Telefonnummern. Fotos nur ohne Gesichter. Was hier steht, bleibt in der Klasse, bis wir gemeinsam etwas veröffentlichen.";

impl Service {
    /// Creates a community; a school class also gets the class rules and the class-project
    /// template.
    pub(super) fn create_community(&mut self, command: Command) -> Result<Outcome> {
        let school = matches!(
            command,
            Command::CreateCommunity {
                kind: CommunityKind::School,
                ..
            }
        );
        let now = self.now();
        let outcome = self.run(None, now, command, None)?;
        if school {
            self.execute(Command::EditCommunity {
                community: outcome.id.clone(),
                name: None,
                description: None,
                code_of_conduct: Some(CLASS_RULES.to_string()),
                hold_first_posts: None,
            })?;
            if let Some(template) = builtin("school") {
                self.execute(Command::AddTemplate {
                    community: outcome.id.clone(),
                    template,
                })?;
            }
        }
        Ok(outcome)
    }
}
