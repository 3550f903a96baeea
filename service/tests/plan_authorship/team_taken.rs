//! Team entries taken out of a project's team map by someone not entitled to take their
//! member off the team (issue 12, found in a review): deleted, or written over by another
//! object. Before, such a member was off the team for every reader and the relay; now the
//! entry counts until the member leaves, or a lead or a moderator takes them off.

use allmende_core::governance::body::signature_message;
use allmende_core::Command;
use allmende_service::Service;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};

use super::{child, garden, hand, hand_bytes, project};

/// `by`'s modified client changes its copy of `id` with `edit`, in change number `n` (dated
/// after everyone joined) signed as the app would; returns the bytes.
fn forge_dated(by: &mut Service, id: &str, n: i64, edit: impl FnOnce(&mut AutoCommit)) -> Vec<u8> {
    let bytes = by.doc_bytes(id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(by.device().actor());
    edit(&mut doc);
    let seconds = super::common::T0 / 1000 + 60 + n;
    let hash = doc
        .commit_with(automerge::transaction::CommitOptions::default().with_time(seconds))
        .expect("a change");
    doc.empty_change(
        automerge::transaction::CommitOptions::default().with_message(signature_message(
            by.device(),
            id,
            &hash,
        )),
    );
    doc.save()
}

/// Ben's member id, in Anna's project `id`.
fn ben_of(anna: &mut Service, community: &str, id: &str) -> String {
    let me = anna.me(community).expect("id");
    project(anna, id)
        .team
        .keys()
        .find(|m| Some(m.as_str()) != me.as_deref())
        .cloned()
        .expect("Ben on the team")
}

fn delete_entry(doc: &mut AutoCommit, member: &str) {
    let team = child(doc, &ROOT, "team");
    doc.delete(&team, member).expect("delete");
}

#[test]
fn a_team_entry_deleted_by_someone_off_the_team_keeps_its_member() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| delete_entry(doc, &ben));
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
    let flags = anna.svc.flags(&community).expect("flags");
    assert!(
        flags
            .iter()
            .any(|f| f.entry == format!("deleted:team:{ben}")),
        "{flags:?}"
    );
}

#[test]
fn a_team_entry_written_over_by_someone_off_the_team_keeps_its_member() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let mallory_device = mallory.svc.device().public_hex();
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| {
        let team = child(doc, &ROOT, "team");
        let e = doc
            .put_object(&team, ben.as_str(), ObjType::Map)
            .expect("entry");
        for (k, v) in [
            ("role", "member"),
            ("by", mallory_id.as_str()),
            ("device", mallory_device.as_str()),
            ("sig", "00"),
        ] {
            doc.put(&e, k, v).expect("field");
        }
        doc.put(&e, "joined_at", 1).expect("field");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// Mallory deletes Ben's entry, then makes an object under his key and deletes it again (a
/// newer taking-out of nothing): Ben stays.
#[test]
fn an_empty_entry_made_and_deleted_over_a_forged_deletion_changes_nothing() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| delete_entry(doc, &ben));
    hand_bytes(&mut mallory.svc, &id, forged);
    let forged = forge_dated(&mut mallory.svc, &id, 2, |doc| {
        let team = child(doc, &ROOT, "team");
        doc.put_object(&team, ben.as_str(), ObjType::Map)
            .expect("entry");
        doc.delete(&team, ben.as_str()).expect("delete");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// Guards that the fix keeps what a lead decides: after Mallory's deletion, Anna (a lead)
/// takes Ben off through the app; the document does not hold his entry any more, and he is
/// off the team for Anna and for Mallory.
#[test]
fn a_lead_takes_off_a_member_whose_entry_someone_deleted() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| delete_entry(doc, &ben));
    hand_bytes(&mut anna.svc, &id, forged);
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben.clone(),
        })
        .expect("Anna takes Ben off");
    assert!(!project(&mut anna.svc, &id).team.contains_key(&ben));
    hand(&mut anna.svc, &mut mallory.svc, &id);
    assert!(!project(&mut mallory.svc, &id).team.contains_key(&ben));
}

/// Guards: Anna takes Ben off while Mallory, apart, deletes his entry too; merged, Ben is
/// off (one entitled taking-out is enough).
#[test]
fn a_lead_taking_a_member_off_beside_a_forged_deletion_holds() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| delete_entry(doc, &ben));
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben.clone(),
        })
        .expect("Anna takes Ben off");
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(!project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// Guards: Ben leaves the team by himself; he stays off.
#[test]
fn a_member_who_leaves_stays_off_the_team() {
    let (mut anna, mut ben, _mallory, community, id, _step) = garden();
    let ben_id = ben_of(&mut anna.svc, &community, &id);
    ben.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
        })
        .expect("Ben leaves");
    hand(&mut ben.svc, &mut anna.svc, &id);
    assert!(!project(&mut anna.svc, &id).team.contains_key(&ben_id));
}
