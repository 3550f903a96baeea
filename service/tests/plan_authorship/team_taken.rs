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
    commit_dated(&mut doc, by, id, n);
    doc.save()
}

/// The operation number after every one `doc` holds (where a hand-built change starts).
fn next_op(doc: &mut AutoCommit) -> u64 {
    doc.document()
        .get_changes(&[])
        .iter()
        .map(|c| c.max_op())
        .max()
        .unwrap_or(0)
        + 1
}

/// Applies `operations`, a change of `by`'s device built by hand (dated after everyone
/// joined, starting at [`next_op`]), to `doc`, and signs it as the app would.
fn apply_signed(
    doc: &mut AutoCommit,
    by: &Service,
    id: &str,
    operations: Vec<automerge::legacy::Op>,
) {
    let change = automerge::Change::from(automerge::ExpandedChange {
        operations,
        actor_id: by.device().actor(),
        hash: None,
        seq: 1,
        start_op: std::num::NonZeroU64::new(next_op(doc)).expect("from 1"),
        time: super::common::T0 / 1000 + 61,
        message: None,
        deps: doc.get_heads(),
        extra_bytes: Vec::new(),
        author: None,
    });
    let hash = change.hash();
    doc.apply_changes([change]).expect("apply");
    doc.empty_change(
        automerge::transaction::CommitOptions::default().with_message(signature_message(
            by.device(),
            id,
            &hash,
        )),
    );
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

/// From a review of the first fix: a table written over Ben's entry made the next honest
/// edit of the project (autosurgeon writes a new map over a table) count as taking him off:
/// a writing-over by someone entitled ended the search. Writing over is no taking off.
#[test]
fn a_table_written_over_an_entry_keeps_its_member_through_the_next_edit() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| {
        let team = child(doc, &ROOT, "team");
        doc.put_object(&team, ben.as_str(), ObjType::Table)
            .expect("entry");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
    anna.svc
        .execute(Command::AddStep {
            project: id.clone(),
            title: "Kompost".into(),
        })
        .expect("Anna plans");
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
    hand(&mut anna.svc, &mut mallory.svc, &id);
    assert!(project(&mut mallory.svc, &id).team.contains_key(&ben));
}

/// From the same review: an operation that is no put, make or delete (an increment naming
/// Ben's entry as its predecessor, which Automerge reads as writing over it) hid his entry
/// without anyone noticing that it was taken out.
#[test]
fn an_entry_hidden_by_an_increment_keeps_its_member() {
    use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let team = child(&doc, &ROOT, "team");
    let entry = child(&doc, &team, &ben);
    let (automerge::ObjId::Id(tc, ta, _), automerge::ObjId::Id(ec, ea, _)) = (&team, &entry) else {
        panic!("objects");
    };
    let increment = Op {
        action: OpType::Increment(1),
        obj: ObjectId::Id(OpId(*tc, ta.clone())),
        key: Key::Map(ben.as_str().into()),
        pred: vec![OpId(*ec, ea.clone())].into(),
        insert: false,
    };
    apply_signed(&mut doc, &mallory.svc, &id, vec![increment]);
    hand_bytes(&mut anna.svc, &id, doc.save());
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// `by`'s client puts a new, empty team map in place of the one shown.
fn replace_team_map(by: &mut Service, id: &str, n: i64) -> Vec<u8> {
    forge_dated(by, id, n, |doc| {
        doc.put_object(ROOT, "team", ObjType::Map).expect("map");
    })
}

/// From the same review: only the creator's map and the one shown were read, so a member
/// added into a map someone had put in place of the first was dropped when that map was
/// replaced again.
#[test]
fn a_member_added_into_a_replaced_map_stays_when_it_is_replaced_again() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let forged = replace_team_map(&mut mallory.svc, &id, 1);
    hand_bytes(&mut anna.svc, &id, forged);
    let cara = anna
        .svc
        .execute(Command::AddMember {
            community: community.clone(),
            display_name: "Cara".into(),
            role: allmende_core::model::Role::Member,
        })
        .expect("Cara")
        .id;
    anna.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: cara.clone(),
            role: allmende_core::model::TeamRole::Member,
        })
        .expect("Cara on the team");
    let community_bytes = anna.svc.doc_bytes(&community).expect("community");
    hand_bytes(&mut mallory.svc, &community, community_bytes);
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let forged = replace_team_map(&mut mallory.svc, &id, 2);
    hand_bytes(&mut anna.svc, &id, forged);
    let team = project(&mut anna.svc, &id).team;
    assert!(team.contains_key(&cara), "{team:?}");
}

/// From the same review: Mallory deletes Ben's entry, Anna takes Ben off (her change lands
/// in the map shown then), and Mallory puts yet another map in place: Ben stays off.
#[test]
fn a_member_taken_off_stays_off_when_the_map_is_replaced_again() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| delete_entry(doc, &ben));
    hand_bytes(&mut mallory.svc, &id, forged);
    let forged = replace_team_map(&mut mallory.svc, &id, 2);
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben.clone(),
        })
        .expect("Anna takes Ben off");
    assert!(!project(&mut anna.svc, &id).team.contains_key(&ben));
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let forged = replace_team_map(&mut mallory.svc, &id, 3);
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(!project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// From a review: Mallory's 2,100 team entries under keys of her own (each signed as the app
/// signs one, written in a change of its own and deleted again) each asked whether she was
/// a lead when she wrote it, using up the 2,048 past-team reads of a judgement; Ben's
/// taking her off the team (he leads, he did not create the project) then counted as not
/// entitled, and she was back on it. Only who ever led is asked that now, a bounded number
/// of times.
#[test]
fn thousands_of_entries_made_and_deleted_do_not_undo_a_leads_removal() {
    use allmende_core::apply::Item;
    use allmende_core::model::{TeamMember, TeamRole};
    let (mut anna, mut ben, mut mallory, community, id, _step) = garden();
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    for (member, role) in [(&ben_id, TeamRole::Lead), (&mallory_id, TeamRole::Member)] {
        anna.svc
            .execute(Command::AddTeamMember {
                project: id.clone(),
                member: member.clone(),
                role,
            })
            .expect("on the team");
    }
    hand(&mut anna.svc, &mut ben.svc, &id);
    ben.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: mallory_id.clone(),
        })
        .expect("Ben takes Mallory off");
    hand(&mut ben.svc, &mut anna.svc, &id);
    hand(&mut ben.svc, &mut mallory.svc, &id);
    assert!(!project(&mut anna.svc, &id).team.contains_key(&mallory_id));
    let shape = project(&mut mallory.svc, &id);
    let device = mallory.svc.device().public_hex();
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let team = child(&doc, &ROOT, "team");
    for n in 0..2_100_i64 {
        let key = format!("!{n:04}");
        let before = Item::Project(allmende_core::model::Project {
            team: std::collections::BTreeMap::new(),
            ..shape.clone()
        });
        let mut item = Item::Project(allmende_core::model::Project {
            team: std::collections::BTreeMap::from([(
                key.clone(),
                TeamMember {
                    role: TeamRole::Member,
                    joined_at: super::common::T0 + n,
                    by: mallory_id.clone(),
                    device: device.clone(),
                    sig: String::new(),
                },
            )]),
            ..shape.clone()
        });
        allmende_core::governance::sign_item(&mut item, Some(&before), mallory.svc.device());
        let Item::Project(signed) = item else {
            panic!("a project");
        };
        let t = &signed.team[&key];
        let e = doc
            .put_object(&team, key.as_str(), ObjType::Map)
            .expect("entry");
        for (k, v) in [
            ("role", "member"),
            ("by", t.by.as_str()),
            ("device", t.device.as_str()),
            ("sig", t.sig.as_str()),
        ] {
            doc.put(&e, k, v).expect("field");
        }
        doc.put(&e, "joined_at", t.joined_at).expect("field");
        commit_dated(&mut doc, &mallory.svc, &id, 2 * n);
        doc.delete(&team, key.as_str()).expect("delete");
        commit_dated(&mut doc, &mallory.svc, &id, 2 * n + 1);
    }
    hand_bytes(&mut anna.svc, &id, doc.save());
    assert!(!project(&mut anna.svc, &id).team.contains_key(&mallory_id));
}

/// Commits what `by`'s client wrote into `doc` as its `n`-th forged change, dated after
/// everyone joined, and signs it as the app would.
fn commit_dated(doc: &mut AutoCommit, by: &Service, id: &str, n: i64) {
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
}

/// From a second review: an object written at Ben's key concurrently with his entry (no
/// predecessor named, a higher operation number) hides his entry without taking it out:
/// Automerge shows the higher one. Ben stays.
#[test]
fn an_entry_hidden_by_a_concurrent_object_keeps_its_member() {
    use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let team = child(&doc, &ROOT, "team");
    let automerge::ObjId::Id(tc, ta, _) = &team else {
        panic!("a map");
    };
    // A well-formed entry (so no repair touches it), of Mallory's own device.
    let me = mallory.svc.device().actor();
    let made = ObjectId::Id(OpId(next_op(&mut doc), me));
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    let device = mallory.svc.device().public_hex();
    let mut operations = vec![Op {
        action: OpType::Make(ObjType::Map),
        obj: ObjectId::Id(OpId(*tc, ta.clone())),
        key: Key::Map(ben.as_str().into()),
        pred: Vec::new().into(),
        insert: false,
    }];
    for (k, v) in [
        ("role", "member"),
        ("by", mallory_id.as_str()),
        ("device", device.as_str()),
        ("sig", "00"),
    ] {
        operations.push(Op {
            action: OpType::Put(v.into()),
            obj: made.clone(),
            key: Key::Map(k.into()),
            pred: Vec::new().into(),
            insert: false,
        });
    }
    operations.push(Op {
        action: OpType::Put(automerge::ScalarValue::Int(1)),
        obj: made,
        key: Key::Map("joined_at".into()),
        pred: Vec::new().into(),
        insert: false,
    });
    apply_signed(&mut doc, &mallory.svc, &id, operations);
    hand_bytes(&mut anna.svc, &id, doc.save());
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// From a second review: Mallory writes her own device and a signature of hers into Ben's
/// entry, in place. The entry then read as signed by her (and did not hold); Ben's own
/// version counts on.
#[test]
fn an_entry_signed_over_in_place_with_another_device_keeps_its_member() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let device = mallory.svc.device().public_hex();
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| {
        let team = child(doc, &ROOT, "team");
        let e = child(doc, &team, &ben);
        doc.put(&e, "device", device.as_str()).expect("device");
        doc.put(&e, "sig", "00").expect("sig");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// From a second review: a newer team map holding an entry for Ben that reads (signed by
/// Mallory's own device) but does not hold was read over his entry in the older map.
#[test]
fn a_junk_entry_in_a_newer_map_keeps_the_member_of_the_older_one() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben = ben_of(&mut anna.svc, &community, &id);
    let device = mallory.svc.device().public_hex();
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    let forged = forge_dated(&mut mallory.svc, &id, 1, |doc| {
        let team = doc.put_object(ROOT, "team", ObjType::Map).expect("map");
        let e = doc
            .put_object(&team, ben.as_str(), ObjType::Map)
            .expect("entry");
        for (k, v) in [
            ("role", "member"),
            ("by", mallory_id.as_str()),
            ("device", device.as_str()),
            ("sig", "00"),
        ] {
            doc.put(&e, k, v).expect("field");
        }
        doc.put(&e, "joined_at", super::common::T0).expect("field");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben));
}

/// From a second review: who may take a member off was asked the costly question of
/// whether they led then only if a team entry of theirs still read as a lead's; Ben, a lead
/// demoted in place after taking Mallory off, no longer counted, and his removal was
/// undone. Ben's removal stands.
#[test]
fn a_lead_demoted_after_taking_someone_off_leaves_them_off() {
    let (mut anna, mut ben, mallory, community, id, _step) = garden();
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    for (member, role) in [
        (&ben_id, allmende_core::model::TeamRole::Lead),
        (&mallory_id, allmende_core::model::TeamRole::Member),
    ] {
        anna.svc
            .execute(Command::AddTeamMember {
                project: id.clone(),
                member: member.clone(),
                role,
            })
            .expect("on the team");
    }
    hand(&mut anna.svc, &mut ben.svc, &id);
    ben.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: mallory_id.clone(),
        })
        .expect("Ben takes Mallory off");
    hand(&mut ben.svc, &mut anna.svc, &id);
    anna.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
            role: allmende_core::model::TeamRole::Member,
        })
        .expect("Anna makes Ben a member");
    let team = project(&mut anna.svc, &id).team;
    assert!(!team.contains_key(&mallory_id), "{team:?}");
}
