//! An item's history (issue 16, "never-silent merges"): who changed what when, read from
//! the Automerge changes, and a title two people changed apart shown with both values.

mod common;

use allmende_core::query::History;
use allmende_core::Command;
use common::{idea, village};

#[test]
fn the_history_names_who_changed_what_and_shows_both_titles_written_apart() {
    let (mut anna, mut ben, _mallory, community) = village();
    let id = idea(&mut anna.svc, &community, "Trinkbrunnen");
    let bytes = anna.svc.doc_bytes(&id).expect("bytes");
    ben.svc.receive_many(&[(id.clone(), bytes)]).expect("idea");
    // Apart: Anna (the author) retitles it, Ben comments and his device writes a title too
    // (the app lets only the author retitle; for the document it is the same as a second
    // device of Anna's doing it).
    anna.svc
        .execute(Command::EditIdea {
            idea: id.clone(),
            title: Some("Trinkbrunnen am Markt".into()),
            text: None,
            category: None,
            status: None,
        })
        .expect("edit");
    ben.svc
        .execute(Command::AddComment {
            item: id.clone(),
            text: "Gute Idee".into(),
        })
        .expect("comment");
    let mut theirs =
        automerge::AutoCommit::load(&ben.svc.doc_bytes(&id).expect("bytes")).expect("load");
    theirs.set_actor(ben.svc.device().actor());
    automerge::transaction::Transactable::put(&mut theirs, automerge::ROOT, "title", "Brunnen")
        .expect("put");
    // Signed as the app signs its changes: the history names whoever signed a change, not
    // the actor id it claims.
    let hash = theirs.commit().expect("a change");
    theirs.empty_change(
        automerge::transaction::CommitOptions::default().with_message(
            allmende_core::governance::body::signature_message(ben.svc.device(), &id, &hash),
        ),
    );
    anna.svc
        .receive_many(&[(id.clone(), theirs.save())])
        .expect("merge");
    let History { entries, conflicts } = anna.svc.history(&id).expect("history");
    let by = |name: &str, what: &str| {
        entries
            .iter()
            .any(|e| e.name == name && e.what == what && !e.fields.is_empty())
    };
    assert!(by("Anna", "add_idea"), "{entries:?}");
    assert!(by("Anna", "edit_idea"), "{entries:?}");
    assert!(by("Ben", "add_comment"), "{entries:?}");
    assert!(
        entries.iter().any(|e| e.name == "Anna"
            && e.what == "edit_idea"
            && e.fields.contains(&"title".to_string())),
        "{entries:?}"
    );
    let title = conflicts
        .iter()
        .find(|c| c.field == "title")
        .expect("the title is in conflict");
    let values: Vec<(&str, &str, bool)> = title
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.name.as_str(), v.shown))
        .collect();
    assert_eq!(values.len(), 2, "{values:?}");
    assert!(values
        .iter()
        .any(|(v, n, _)| *v == "Trinkbrunnen am Markt" && *n == "Anna"));
    assert!(values
        .iter()
        .any(|(v, n, _)| *v == "Brunnen" && *n == "Ben"));
    assert_eq!(values.iter().filter(|(_, _, shown)| *shown).count(), 1);
    // Taking one value settles it: no conflict is left.
    anna.svc
        .execute(Command::EditIdea {
            idea: id.clone(),
            title: Some("Brunnen".into()),
            text: None,
            category: None,
            status: None,
        })
        .expect("take Ben's");
    assert!(anna.svc.history(&id).expect("history").conflicts.is_empty());
    // Also where Automerge had picked Ben's version while the page showed Anna's (Ben may
    // not retitle her idea): taking it settles the title to it for every reader.
    assert_eq!(anna.svc.show(&id).expect("show").summary.title, "Brunnen");
}
