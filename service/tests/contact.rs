//! A contact nobody else may see stays on the member's own device (issue 12, finding 5): the
//! shared profile document, which every member's device and the relay hold, never has it.

mod common;

use allmende_core::apply::Item;
use allmende_core::model::ContactVisibility;
use allmende_core::Command;
use allmende_service::Service;
use common::village;

fn edit(svc: &mut Service, community: &str, contact: Option<&str>, v: ContactVisibility) {
    svc.execute(Command::EditProfile {
        community: community.into(),
        member: None,
        display_name: None,
        about: None,
        interests: None,
        organisation: None,
        contact: contact.map(Into::into),
        contact_visibility: Some(v),
    })
    .expect("edit profile");
}

fn profile_of(svc: &mut Service, community: &str, member: &str) -> String {
    svc.community_view(community)
        .expect("community")
        .members
        .get(member)
        .expect("member")
        .profile
        .clone()
}

fn contact_seen(svc: &mut Service, profile: &str) -> String {
    match svc.show(profile).expect("show").item {
        Item::Profile(p) => p.contact,
        other => panic!("not a profile: {other:?}"),
    }
}

/// Whether any change of the document ever held `text` (uncompressed, so nothing hides it).
fn ever_held(bytes: &[u8], text: &str) -> bool {
    let mut doc = automerge::AutoCommit::load(bytes).expect("load");
    let plain = doc.save_nocompress();
    plain.windows(text.len()).any(|w| w == text.as_bytes())
}

#[test]
fn a_contact_for_nobody_never_enters_the_shared_profile_and_comes_back_when_shown() {
    let (mut anna, mut ben, _mallory, community) = village();
    let me = ben
        .svc
        .store()
        .identity(&community)
        .expect("id")
        .expect("Ben");
    let profile = profile_of(&mut ben.svc, &community, &me);
    edit(
        &mut ben.svc,
        &community,
        Some("ben@dorf.example"),
        ContactVisibility::Nobody,
    );
    let bytes = ben.svc.doc_bytes(&profile).expect("bytes");
    assert!(
        !ever_held(&bytes, "ben@dorf.example"),
        "the shared profile document never held the contact"
    );
    assert_eq!(contact_seen(&mut ben.svc, &profile), "ben@dorf.example");
    anna.svc
        .receive_many(&[(profile.clone(), bytes)])
        .expect("receive");
    assert_eq!(contact_seen(&mut anna.svc, &profile), "");
    // Shown to members again without retyping it: it goes into the shared profile.
    edit(&mut ben.svc, &community, None, ContactVisibility::Members);
    let bytes = ben.svc.doc_bytes(&profile).expect("bytes");
    anna.svc
        .receive_many(&[(profile.clone(), bytes)])
        .expect("receive");
    assert_eq!(contact_seen(&mut anna.svc, &profile), "ben@dorf.example");
    // For nobody again: taken off the document (its history keeps what was shown).
    edit(&mut ben.svc, &community, None, ContactVisibility::Nobody);
    let bytes = ben.svc.doc_bytes(&profile).expect("bytes");
    anna.svc
        .receive_many(&[(profile.clone(), bytes)])
        .expect("receive");
    assert_eq!(contact_seen(&mut anna.svc, &profile), "");
    assert_eq!(contact_seen(&mut ben.svc, &profile), "ben@dorf.example");
    // Other edits keep it where it is kept.
    ben.svc
        .execute(Command::EditProfile {
            community: community.clone(),
            member: None,
            display_name: Some("Ben B.".into()),
            about: None,
            interests: None,
            organisation: None,
            contact: None,
            contact_visibility: None,
        })
        .expect("rename");
    assert_eq!(contact_seen(&mut ben.svc, &profile), "ben@dorf.example");
}

#[test]
fn an_admin_cannot_give_someone_a_contact_that_only_they_would_keep() {
    let (mut anna, ben, _mallory, community) = village();
    let ben_id = ben
        .svc
        .store()
        .identity(&community)
        .expect("id")
        .expect("Ben");
    let refused = anna.svc.execute(Command::EditProfile {
        community: community.clone(),
        member: Some(ben_id),
        display_name: None,
        about: None,
        interests: None,
        organisation: None,
        contact: Some("ben@dorf.example".into()),
        contact_visibility: Some(ContactVisibility::Nobody),
    });
    assert!(refused.is_err(), "{refused:?}");
    // Nor hide the one a member has: it would be kept nowhere.
    let ben_id = ben
        .svc
        .store()
        .identity(&community)
        .expect("id")
        .expect("Ben");
    let hidden = anna.svc.execute(Command::EditProfile {
        community: community.clone(),
        member: Some(ben_id),
        display_name: None,
        about: None,
        interests: None,
        organisation: None,
        contact: None,
        contact_visibility: Some(ContactVisibility::Nobody),
    });
    assert!(hidden.is_err(), "{hidden:?}");
}
