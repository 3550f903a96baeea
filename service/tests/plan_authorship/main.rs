//! Who wrote a project's plan and a request's text (issue 12: "the unsigned parts of projects
//! and requests"). A member's modified client can write any Automerge value into a project
//! it is not on the team of, or into someone else's request. It cannot sign for another
//! device: what nobody entitled signed is put back (or, for a plan entry nobody entitled
//! made, left out) and flagged with the device that wrote it.

#[path = "../common/mod.rs"]
mod common;
mod long_forgeries;

use allmende_core::apply::Item;
use allmende_core::governance::body::signature_message;
use allmende_core::model::{RequestStatus, TeamRole};
use allmende_core::Command;
use allmende_service::Service;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};
use common::{idea, village};

/// Mallory's modified client changes her copy of `id` with `edit` and signs the change as
/// the app would; returns the bytes.
fn forge(mallory: &mut Service, id: &str, edit: impl FnOnce(&mut AutoCommit)) -> Vec<u8> {
    let bytes = mallory.doc_bytes(id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.device().actor());
    edit(&mut doc);
    let hash = doc.commit().expect("a change");
    doc.empty_change(
        automerge::transaction::CommitOptions::default().with_message(signature_message(
            mallory.device(),
            id,
            &hash,
        )),
    );
    doc.save()
}

fn hand(from: &mut Service, to: &mut Service, id: &str) {
    let bytes = from.doc_bytes(id).expect("bytes");
    hand_bytes(to, id, bytes);
}

fn hand_bytes(to: &mut Service, id: &str, bytes: Vec<u8>) {
    let (_, held) = to
        .receive_each(&[(id.to_string(), bytes)])
        .expect("receive");
    assert!(held.is_empty(), "held in quarantine: {held:?}");
}

fn project(svc: &mut Service, id: &str) -> allmende_core::model::Project {
    match svc.show(id).expect("show").item {
        Item::Project(p) => p,
        other => panic!("a project: {other:?}"),
    }
}

/// The object at `key` of map `obj`.
fn child(doc: &AutoCommit, obj: &automerge::ObjId, key: &str) -> automerge::ObjId {
    doc.get(obj, key).expect("read").expect("there").1
}

/// Puts a task `id` titled "Bäume fällen" into the tasks map `tasks`, as Mallory's client
/// writes one.
fn put_task(doc: &mut AutoCommit, tasks: &automerge::ObjId, id: &str) {
    let t = doc.put_object(tasks, id, ObjType::Map).expect("task");
    for (k, v) in [("id", id), ("title", "Bäume fällen"), ("step", "")] {
        doc.put(&t, k, v).expect("field");
    }
    for k in ["assignee", "due"] {
        doc.put(&t, k, "").expect("field");
    }
    doc.put(&t, "done", false).expect("field");
    doc.put(&t, "created_at", 0).expect("field");
    doc.put(&t, "done_at", 0).expect("field");
}

/// Anna's team-only project "Geheimplan", held by Mallory too (a copy from when she could
/// read it, or an import).
fn secret_held_by(anna: &mut Service, mallory: &mut Service, community: &str) -> String {
    let secret = anna
        .execute(Command::CreateProject {
            community: community.to_string(),
            title: "Geheimplan".into(),
            summary: String::new(),
            category: Some("energy".into()),
            from_idea: None,
            visibility: Some(allmende_core::model::Visibility::Team),
            stage: None,
        })
        .expect("project")
        .id;
    hand(anna, mallory, &secret);
    secret
}

/// Anna's project "Dorfgarten" with Ben on its team and one step, held by all three.
fn garden() -> (
    common::Device,
    common::Device,
    common::Device,
    String,
    String,
    String,
) {
    let (mut anna, mut ben, mut mallory, community) = village();
    let id = anna
        .svc
        .execute(Command::CreateProject {
            community: community.clone(),
            title: "Dorfgarten".into(),
            summary: "Ein Garten für alle".into(),
            category: Some("energy".into()),
            from_idea: None,
            visibility: None,
            stage: None,
        })
        .expect("project")
        .id;
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    anna.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: ben_id,
            role: TeamRole::Member,
        })
        .expect("Ben on the team");
    let step = anna
        .svc
        .execute(Command::AddStep {
            project: id.clone(),
            title: "Beete anlegen".into(),
        })
        .expect("step")
        .id;
    hand(&mut anna.svc, &mut ben.svc, &id);
    hand(&mut anna.svc, &mut mallory.svc, &id);
    (anna, ben, mallory, community, id, step)
}

#[test]
fn a_plan_written_by_someone_off_the_team_is_put_back_left_out_and_flagged() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    let forged = forge(&mut mallory.svc, &id, |doc| {
        doc.put(ROOT, "title", "Parkplatz").expect("title");
        doc.put(ROOT, "visibility", "team").expect("visibility");
        let steps = child(doc, &ROOT, "steps");
        let s = child(doc, &steps, &step);
        doc.put(&s, "title", "Asphalt gießen").expect("step title");
        doc.put(&s, "done", true).expect("step done");
        let tasks = child(doc, &ROOT, "tasks");
        put_task(doc, &tasks, "t-mallory");
    });
    let key = mallory.svc.device().public_hex();
    for d in [&mut anna.svc, &mut ben.svc] {
        hand_bytes(d, &id, forged.clone());
        let p = project(d, &id);
        assert_eq!(p.title, "Dorfgarten");
        assert_eq!(p.visibility, allmende_core::model::Visibility::Public);
        assert_eq!(p.steps[&step].title, "Beete anlegen");
        assert!(!p.steps[&step].done);
        assert!(
            !p.tasks.contains_key("t-mallory"),
            "a task nobody on the team made is left out"
        );
        let listed = d
            .query(allmende_core::query::Query::Search {
                community: Some(community.clone()),
                text: "Dorfgarten".into(),
                limit: None,
            })
            .expect("search");
        assert!(
            format!("{listed:?}").contains("Dorfgarten"),
            "the index keeps the team's title"
        );
    }
    let flags = anna.svc.flags(&community).expect("flags");
    for entry in [
        "field:title".to_string(),
        "field:visibility".to_string(),
        format!("steps:{step}:title"),
        format!("steps:{step}:done"),
        "tasks:t-mallory".to_string(),
    ] {
        let flag = flags
            .iter()
            .find(|f| f.doc == id && f.entry == entry)
            .unwrap_or_else(|| panic!("{entry} flagged: {flags:?}"));
        assert_eq!(flag.device, key, "{entry}");
    }

    // Ben, on the team, edits the step and adds a task: that counts, on Anna's device too.
    ben.svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Hochbeete bauen".into()),
            done: None,
            position: None,
        })
        .expect("Ben edits the step");
    let task = ben
        .svc
        .execute(Command::AddTask {
            project: id.clone(),
            title: "Holz holen".into(),
            step: Some(step.clone()),
            assignee: None,
            due: None,
        })
        .expect("Ben adds a task")
        .id;
    hand(&mut ben.svc, &mut anna.svc, &id);
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.steps[&step].title, "Hochbeete bauen");
    assert_eq!(p.tasks[&task].title, "Holz holen");
    assert_eq!(
        p.title, "Dorfgarten",
        "Ben's edit did not launder Mallory's"
    );
    let raw = AutoCommit::load(&anna.svc.doc_bytes(&id).expect("bytes")).expect("load");
    let tasks = child(&raw, &ROOT, "tasks");
    assert!(
        raw.get(&tasks, "t-mallory").expect("read").is_some(),
        "an honest edit leaves an entry it did not touch in the document (a device not known \
         here yet may have made it)"
    );
}

#[test]
fn a_member_who_left_the_team_keeps_what_they_wrote_while_on_it() {
    let (mut anna, mut ben, _mallory, community, id, step) = garden();
    ben.svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Hochbeete bauen".into()),
            done: Some(true),
            position: None,
        })
        .expect("Ben edits the step");
    hand(&mut ben.svc, &mut anna.svc, &id);
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id,
        })
        .expect("Ben leaves the team");
    let p = project(&mut anna.svc, &id);
    assert!(p.team.len() == 1, "Anna alone is on the team");
    assert_eq!(
        p.steps[&step].title, "Hochbeete bauen",
        "what Ben wrote while on the team stands"
    );
    assert!(p.steps[&step].done);

    // After leaving, Ben's client writes the step again (signed by his device).
    hand(&mut anna.svc, &mut ben.svc, &id);
    let after = forge(&mut ben.svc, &id, |doc| {
        let steps = child(doc, &ROOT, "steps");
        let s = child(doc, &steps, &step);
        doc.put(&s, "title", "Beete abreißen").expect("step title");
    });
    hand_bytes(&mut anna.svc, &id, after);
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.steps[&step].title, "Hochbeete bauen");
    let flags = anna.svc.flags(&community).expect("flags");
    assert!(
        flags
            .iter()
            .any(|f| f.doc == id && f.entry == format!("steps:{step}:title")),
        "{flags:?}"
    );
}

#[test]
fn a_request_text_written_by_another_member_is_put_back_and_the_town_hall_sets_the_department() {
    let (mut anna, mut ben, mut mallory, community) = village();
    let target = idea(&mut ben.svc, &community, "Bänke am Dorfplatz");
    let request = ben
        .svc
        .execute(Command::CreateRequest {
            target: target.clone(),
            title: "Bänke aufstellen".into(),
            text: "Drei Bänke unter der Linde".into(),
            department: "Bauamt".into(),
        })
        .expect("request")
        .id;
    for id in [&target, &request] {
        hand(&mut ben.svc, &mut anna.svc, id);
        hand(&mut ben.svc, &mut mallory.svc, id);
    }
    let forged = forge(&mut mallory.svc, &request, |doc| {
        doc.put(ROOT, "text", "Keine Bänke").expect("text");
        doc.put(ROOT, "department", "Niemand").expect("department");
    });
    hand_bytes(&mut anna.svc, &request, forged);
    let shown = |svc: &mut Service| match svc.show(&request).expect("show").item {
        Item::Request(r) => (r.text, r.department),
        other => panic!("a request: {other:?}"),
    };
    assert_eq!(
        shown(&mut anna.svc),
        ("Drei Bänke unter der Linde".into(), "Bauamt".into())
    );
    let flags = anna.svc.flags(&community).expect("flags");
    for entry in ["field:text", "field:department"] {
        assert!(
            flags.iter().any(|f| f.doc == request && f.entry == entry),
            "{entry}: {flags:?}"
        );
    }
    // Anna (an admin, who answers requests) moves it to another department.
    anna.svc
        .execute(Command::AnswerRequest {
            request: request.clone(),
            status: RequestStatus::InReview,
            message: "Wir prüfen das".into(),
            reason: String::new(),
            contact: None,
            promised_by: None,
            department: Some("Grünflächenamt".into()),
        })
        .expect("answer");
    hand(&mut anna.svc, &mut ben.svc, &request);
    assert_eq!(
        shown(&mut ben.svc),
        ("Drei Bänke unter der Linde".into(), "Grünflächenamt".into())
    );
}

#[test]
fn a_plan_entry_deleted_by_anyone_comes_back_where_the_deletion_arrives() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    let task = anna
        .svc
        .execute(Command::AddTask {
            project: id.clone(),
            title: "Holz holen".into(),
            step: Some(step.clone()),
            assignee: None,
            due: None,
        })
        .expect("task")
        .id;
    hand(&mut anna.svc, &mut mallory.svc, &id);
    hand(&mut anna.svc, &mut ben.svc, &id);
    // Mallory (off the team) deletes the step; Ben (on it) deletes the task: the app never
    // deletes a plan entry, so neither is a change the app makes.
    let by_mallory = forge(&mut mallory.svc, &id, |doc| {
        let steps = child(doc, &ROOT, "steps");
        doc.delete(&steps, step.as_str()).expect("delete");
    });
    let by_ben = forge(&mut ben.svc, &id, |doc| {
        let tasks = child(doc, &ROOT, "tasks");
        doc.delete(&tasks, task.as_str()).expect("delete");
    });
    hand_bytes(&mut anna.svc, &id, by_mallory);
    hand_bytes(&mut anna.svc, &id, by_ben);
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.steps[&step].title, "Beete anlegen", "the step is back");
    assert_eq!(p.tasks[&task].title, "Holz holen", "the task is back");
    let flags = anna.svc.flags(&community).expect("flags");
    for (entry, device) in [
        (
            format!("deleted:steps:{step}"),
            mallory.svc.device().public_hex(),
        ),
        (
            format!("deleted:tasks:{task}"),
            ben.svc.device().public_hex(),
        ),
    ] {
        let flag = flags
            .iter()
            .find(|f| f.doc == id && f.entry == entry)
            .unwrap_or_else(|| panic!("{entry} flagged: {flags:?}"));
        assert_eq!(flag.device, device);
    }
    // What Anna's device put back reaches Ben.
    hand(&mut anna.svc, &mut ben.svc, &id);
    let p = project(&mut ben.svc, &id);
    assert!(p.steps.contains_key(&step) && p.tasks.contains_key(&task));
}

/// A self-join team entry for `member`, signed by `by`'s device: (device, signature, time).
fn self_join(by: &Service, id: &str, member: &str) -> (String, String, i64) {
    use allmende_core::governance::entry::{signing_bytes, Signer};
    let device = by.device().public_hex();
    let joined_at = common::T0 + 1;
    let payload = serde_json::json!([member, "member", joined_at, member, device]).to_string();
    let sig = hex::encode(by.device().sign(&signing_bytes("team", id, &payload)));
    (device, sig, joined_at)
}

/// Puts the team entry `self_join` made into `doc`.
fn put_team_entry(
    doc: &mut AutoCommit,
    member: &str,
    (device, sig, joined_at): &(String, String, i64),
) {
    let team = child(doc, &ROOT, "team");
    let e = doc.put_object(&team, member, ObjType::Map).expect("entry");
    doc.put(&e, "role", "member").expect("role");
    doc.put(&e, "joined_at", *joined_at).expect("joined_at");
    for (k, v) in [
        ("by", member),
        ("device", device.as_str()),
        ("sig", sig.as_str()),
    ] {
        doc.put(&e, k, v).expect("field");
    }
}

/// From a review: a project made a showcase afterwards (which turned all judging off and
/// locked the team out) and a progress forged over "from the tasks" (an empty value, which
/// was not put back).
#[test]
fn a_late_showcase_and_a_forged_progress_change_nothing() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    let forged = forge(&mut mallory.svc, &id, |doc| {
        doc.put(ROOT, "progress", automerge::ScalarValue::Uint(100))
            .expect("progress");
        let origin = doc
            .put_object(ROOT, "origin", ObjType::Map)
            .expect("origin");
        for (k, v) in [
            ("community", "elsewhere"),
            ("community_name", "Anderswo"),
            ("project", "p"),
        ] {
            doc.put(&origin, k, v).expect("field");
        }
        doc.put(&origin, "published_at", 0).expect("field");
        let steps = child(doc, &ROOT, "steps");
        let s = child(doc, &steps, &step);
        doc.put(&s, "title", "Asphalt gießen").expect("step title");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.progress, None, "an empty progress is put back");
    assert!(p.origin.is_none(), "a project is not a showcase afterwards");
    assert_eq!(p.steps[&step].title, "Beete anlegen");
    let flags = anna.svc.flags(&community).expect("flags");
    for entry in ["field:origin", "field:progress"] {
        let flag = flags
            .iter()
            .find(|f| f.doc == id && f.entry == entry)
            .unwrap_or_else(|| panic!("{entry}: {flags:?}"));
        assert_eq!(flag.device, mallory.svc.device().public_hex(), "{entry}");
    }
    // The team still plans: Anna's device is not locked out as from a showcase.
    anna.svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Hochbeete bauen".into()),
            done: None,
            position: None,
        })
        .expect("Anna still edits her project");
    hand(&mut anna.svc, &mut ben.svc, &id);
    let p = project(&mut ben.svc, &id);
    assert_eq!(p.steps[&step].title, "Hochbeete bauen");
    assert!(p.origin.is_none());
}

/// From a review: who may join a project by themselves depends on its visibility, which
/// only its leads set. Mallory turning a public project team-only drops no one who joined
/// it; Mallory turning a team-only project public (and joining it) gains her nothing.
#[test]
fn a_forged_visibility_neither_drops_who_joined_nor_lets_mallory_in() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    // Mallory joins the public project by herself, as anyone may, and edits its step.
    mallory
        .svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: mallory.svc.me(&community).expect("id").expect("Mallory"),
            role: TeamRole::Member,
        })
        .expect("Mallory joins");
    mallory
        .svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Beete und Wege".into()),
            done: None,
            position: None,
        })
        .expect("Mallory edits as a team member");
    hand(&mut mallory.svc, &mut anna.svc, &id);
    // Ben (a member, not a lead) forges the visibility: everyone who joined stays.
    let hidden = forge(&mut ben.svc, &id, |doc| {
        doc.put(ROOT, "visibility", "team").expect("visibility");
    });
    hand_bytes(&mut anna.svc, &id, hidden);
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.visibility, allmende_core::model::Visibility::Public);
    assert_eq!(
        p.team.len(),
        3,
        "Anna, Ben and Mallory: {:?}",
        p.team.keys()
    );
    assert_eq!(p.steps[&step].title, "Beete und Wege");
}

/// From a review: a team-only project, held by Mallory (a copy from when she could read it,
/// or an import), made public and joined in one change, then edited in the next.
#[test]
fn making_a_team_only_project_public_and_joining_it_gains_mallory_nothing() {
    let (mut anna, _ben, mut mallory, community, _id, _step) = garden();
    let secret = secret_held_by(&mut anna.svc, &mut mallory.svc, &community);
    let me = mallory.svc.me(&community).expect("id").expect("Mallory");
    let entry = self_join(&mallory.svc, &secret, &me);
    let opened = forge(&mut mallory.svc, &secret, |doc| {
        doc.put(ROOT, "visibility", "public").expect("visibility");
        put_team_entry(doc, &me, &entry);
    });
    hand_bytes(&mut mallory.svc, &secret, opened);
    let edited = forge(&mut mallory.svc, &secret, |doc| {
        doc.put(ROOT, "title", "Offener Plan").expect("title");
    });
    hand_bytes(&mut anna.svc, &secret, edited);
    let p = project(&mut anna.svc, &secret);
    assert_eq!(p.visibility, allmende_core::model::Visibility::Team);
    assert_eq!(p.title, "Geheimplan");
    assert!(!p.team.contains_key(&me), "Mallory is not on the team");
}

/// From a review: Ben, taken off the team, pastes back the entry that once added him
/// (signed by Anna, byte for byte) and then edits the plan.
#[test]
fn a_team_entry_pasted_back_by_someone_else_puts_nobody_on_the_team() {
    let (mut anna, mut ben, _mallory, community, id, step) = garden();
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    let old = project(&mut ben.svc, &id).team[&ben_id].clone();
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
        })
        .expect("Ben is taken off the team");
    hand(&mut anna.svc, &mut ben.svc, &id);
    let pasted = forge(&mut ben.svc, &id, |doc| {
        let team = child(doc, &ROOT, "team");
        let e = doc
            .put_object(&team, ben_id.as_str(), ObjType::Map)
            .expect("entry");
        doc.put(&e, "role", old.role.as_str()).expect("role");
        doc.put(&e, "joined_at", old.joined_at).expect("joined_at");
        for (k, v) in [("by", &old.by), ("device", &old.device), ("sig", &old.sig)] {
            doc.put(&e, k, v.as_str()).expect("field");
        }
    });
    hand_bytes(&mut ben.svc, &id, pasted);
    let edited = forge(&mut ben.svc, &id, |doc| {
        let steps = child(doc, &ROOT, "steps");
        let s = child(doc, &steps, &step);
        doc.put(&s, "title", "Beete abreißen").expect("step title");
    });
    hand_bytes(&mut anna.svc, &id, edited);
    let p = project(&mut anna.svc, &id);
    assert!(
        !p.team.contains_key(&ben_id),
        "Ben is not on the team again"
    );
    assert_eq!(p.steps[&step].title, "Beete anlegen");
}

/// From a review: Mallory ticks a task done (readers keep it open); then Ben, on the team,
/// ticks it done himself. Automerge keeps the old operation when the value put equals it,
/// so Ben's choice stayed Mallory's change and readers kept the task open.
#[test]
fn an_honest_edit_equal_to_a_forged_value_counts() {
    let (mut anna, mut ben, mut mallory, _community, id, step) = garden();
    let task = anna
        .svc
        .execute(Command::AddTask {
            project: id.clone(),
            title: "Holz holen".into(),
            step: Some(step.clone()),
            assignee: None,
            due: None,
        })
        .expect("task")
        .id;
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let forged = forge(&mut mallory.svc, &id, |doc| {
        let tasks = child(doc, &ROOT, "tasks");
        let t = child(doc, &tasks, &task);
        doc.put(&t, "done", true).expect("done");
        doc.put(ROOT, "title", "Dorfgarten am Bach").expect("title");
    });
    hand_bytes(&mut ben.svc, &id, forged);
    assert!(!project(&mut ben.svc, &id).tasks[&task].done);
    ben.svc
        .execute(Command::EditTask {
            project: id.clone(),
            task: task.clone(),
            title: None,
            step: None,
            assignee: None,
            due: None,
            done: Some(true),
        })
        .expect("Ben ticks the task");
    // And names the project as Mallory had (a root field, the same way).
    ben.svc
        .execute(Command::EditProject {
            project: id.clone(),
            title: Some("Dorfgarten am Bach".into()),
            summary: None,
            category: None,
            stage: None,
            visibility: None,
            progress: None,
        })
        .expect("Ben renames the project");
    hand(&mut ben.svc, &mut anna.svc, &id);
    let p = project(&mut anna.svc, &id);
    assert!(p.tasks[&task].done, "Ben's tick counts");
    assert_eq!(p.title, "Dorfgarten am Bach", "Ben's title counts");
    hand(&mut anna.svc, &mut ben.svc, &id);
    let p = project(&mut ben.svc, &id);
    assert!(p.tasks[&task].done);
}

/// From a review: Mallory replaces the list of tasks with an empty one and a step with a map
/// of her own. Readers read the lists and entries the team made; a task Ben adds afterwards
/// (into the list now there) is read too.
#[test]
fn a_list_or_entry_replaced_by_someone_off_the_team_reads_as_the_team_made_it() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    let task = anna
        .svc
        .execute(Command::AddTask {
            project: id.clone(),
            title: "Holz holen".into(),
            step: Some(step.clone()),
            assignee: None,
            due: None,
        })
        .expect("task")
        .id;
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let forged = forge(&mut mallory.svc, &id, |doc| {
        doc.put_object(ROOT, "tasks", ObjType::Map)
            .expect("empty tasks");
        let steps = child(doc, &ROOT, "steps");
        let s = doc
            .put_object(&steps, step.as_str(), ObjType::Map)
            .expect("step");
        for (k, v) in [
            ("id", step.as_str()),
            ("title", "Asphalt gießen"),
            ("stage", ""),
        ] {
            doc.put(&s, k, v).expect("field");
        }
        doc.put(&s, "position", 10).expect("field");
        doc.put(&s, "done", true).expect("field");
    });
    for d in [&mut anna.svc, &mut ben.svc] {
        hand_bytes(d, &id, forged.clone());
        let p = project(d, &id);
        assert_eq!(p.tasks[&task].title, "Holz holen", "the task is read");
        assert_eq!(p.steps[&step].title, "Beete anlegen", "the step is read");
        assert!(!p.steps[&step].done);
    }
    let later = ben
        .svc
        .execute(Command::AddTask {
            project: id.clone(),
            title: "Erde bestellen".into(),
            step: None,
            assignee: None,
            due: None,
        })
        .expect("Ben adds a task")
        .id;
    hand(&mut ben.svc, &mut anna.svc, &id);
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.tasks[&later].title, "Erde bestellen");
    assert_eq!(p.tasks[&task].title, "Holz holen");
    let flags = anna.svc.flags(&community).expect("flags");
    for entry in ["tasks".to_string(), format!("steps:{step}")] {
        let flag = flags
            .iter()
            .find(|f| f.doc == id && f.entry == entry)
            .unwrap_or_else(|| panic!("{entry}: {flags:?}"));
        assert_eq!(flag.device, mallory.svc.device().public_hex());
    }
}

/// From a review: exports (JSON, Markdown, iCalendar), the calendar feed and snapshots read
/// items with their signed marks checked but not who wrote their own fields: a town hall
/// handed a Markdown export read Mallory's title.
#[test]
fn exports_show_the_plan_as_readers_see_it() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let forged = forge(&mut mallory.svc, &id, |doc| {
        doc.put(ROOT, "title", "Parkplatz").expect("title");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    let markdown = anna.svc.export_markdown(&community).expect("markdown");
    assert!(markdown.contains("Dorfgarten"), "{markdown}");
    assert!(!markdown.contains("Parkplatz"), "{markdown}");
    let json = anna.svc.export_json(&community).expect("json");
    let export: serde_json::Value = serde_json::from_str(&json).expect("parse");
    let titles: Vec<&str> = export["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i.as_object()?.values().next()?["title"].as_str())
        .collect();
    assert!(titles.contains(&"Dorfgarten"), "{titles:?}");
    assert!(!titles.contains(&"Parkplatz"), "{titles:?}");
}

/// From a review: Ben, a lead, adds Mallory to the team and later leaves it. Mallory stays
/// on the team (Ben was a lead when he added her), and what she plans afterwards counts.
#[test]
fn who_a_lead_added_stays_on_the_team_when_the_lead_leaves() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    anna.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
            role: TeamRole::Lead,
        })
        .expect("Ben leads");
    hand(&mut anna.svc, &mut ben.svc, &id);
    ben.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: mallory_id.clone(),
            role: TeamRole::Member,
        })
        .expect("Ben adds Mallory");
    ben.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
        })
        .expect("Ben leaves");
    hand(&mut ben.svc, &mut anna.svc, &id);
    hand(&mut ben.svc, &mut mallory.svc, &id);
    mallory
        .svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Beete und Wege".into()),
            done: None,
            position: None,
        })
        .expect("Mallory plans");
    hand(&mut mallory.svc, &mut anna.svc, &id);
    let p = project(&mut anna.svc, &id);
    assert!(!p.team.contains_key(&ben_id), "Ben has left");
    assert!(
        p.team.contains_key(&mallory_id),
        "Mallory stays on the team"
    );
    assert_eq!(p.steps[&step].title, "Beete und Wege");
}

/// An entry changed in place keeps its object: Ben joins the public project by himself, then
/// Anna makes him a lead (his entry now signed by her device). He stays on the team.
#[test]
fn a_member_made_lead_over_their_own_entry_stays_on_the_team() {
    let (mut anna, mut ben, _mallory, community, id, step) = garden();
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
        })
        .expect("off the team");
    hand(&mut anna.svc, &mut ben.svc, &id);
    ben.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
            role: TeamRole::Member,
        })
        .expect("Ben joins by himself");
    hand(&mut ben.svc, &mut anna.svc, &id);
    anna.svc
        .execute(Command::AddTeamMember {
            project: id.clone(),
            member: ben_id.clone(),
            role: TeamRole::Lead,
        })
        .expect("Anna makes Ben a lead");
    hand(&mut anna.svc, &mut ben.svc, &id);
    ben.svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Hochbeete bauen".into()),
            done: None,
            position: None,
        })
        .expect("Ben plans");
    hand(&mut ben.svc, &mut anna.svc, &id);
    let p = project(&mut anna.svc, &id);
    assert_eq!(
        p.team.get(&ben_id).map(|t| t.role),
        Some(TeamRole::Lead),
        "{:?}",
        p.team
    );
    assert_eq!(p.steps[&step].title, "Hochbeete bauen");
}

/// From a second review: Mallory re-writes the signature of Ben's team entry under her own
/// key (the same value): Ben stays on the team.
#[test]
fn a_signature_written_over_a_team_entry_takes_nobody_off_the_team() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let ben_id = project(&mut anna.svc, &id)
        .team
        .keys()
        .find(|m| Some(m.as_str()) != anna.svc.me(&community).expect("id").as_deref())
        .cloned()
        .expect("Ben on the team");
    let forged = forge(&mut mallory.svc, &id, |doc| {
        let team = child(doc, &ROOT, "team");
        let e = child(doc, &team, &ben_id);
        let (sig, _) = doc.get(&e, "sig").expect("read").expect("sig");
        let sig = sig.as_str().map(str::to_string).expect("text");
        doc.delete(&e, "sig").expect("delete");
        doc.put(&e, "sig", sig.as_str()).expect("sig");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben_id));
}

/// From a second review: Mallory rewrites her own team entry on a team-only project 3,000
/// times, each version asking about the one before. Reading it ends (no stack overflow, no
/// minutes of work) and she is not on the team.
#[test]
fn a_team_entry_rewritten_thousands_of_times_is_read_in_bounded_work() {
    let (mut anna, _ben, mut mallory, community, _id, _step) = garden();
    let secret = secret_held_by(&mut anna.svc, &mut mallory.svc, &community);
    let me = mallory.svc.me(&community).expect("id").expect("Mallory");
    let bytes = mallory.svc.doc_bytes(&secret).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    for n in 0..3000 {
        use allmende_core::governance::entry::{signing_bytes, Signer};
        let device = mallory.svc.device().public_hex();
        let joined_at = common::T0 + n;
        let payload = serde_json::json!([me, "member", joined_at, me, device]).to_string();
        let sig = hex::encode(
            mallory
                .svc
                .device()
                .sign(&signing_bytes("team", &secret, &payload)),
        );
        put_team_entry(&mut doc, &me, &(device, sig, joined_at));
        let hash = doc.commit().expect("a change");
        doc.empty_change(
            automerge::transaction::CommitOptions::default().with_message(signature_message(
                mallory.svc.device(),
                &secret,
                &hash,
            )),
        );
    }
    hand_bytes(&mut anna.svc, &secret, doc.save());
    assert!(!project(&mut anna.svc, &secret).team.contains_key(&me));
}

/// From a second review: a list replaced by one with the same keys (each a map of
/// Mallory's), and a step forged and then deleted (a copy put back would have carried the
/// forged title under an honest signature).
#[test]
fn a_list_replaced_under_the_same_keys_and_a_forged_entry_deleted_show_no_forgery() {
    let (mut anna, _ben, mut mallory, _community, id, step) = garden();
    let task = anna
        .svc
        .execute(Command::AddTask {
            project: id.clone(),
            title: "Holz holen".into(),
            step: Some(step.clone()),
            assignee: None,
            due: None,
        })
        .expect("task")
        .id;
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let forged = forge(&mut mallory.svc, &id, |doc| {
        let tasks = doc.put_object(ROOT, "tasks", ObjType::Map).expect("tasks");
        put_task(doc, &tasks, &task);
        let steps = child(doc, &ROOT, "steps");
        let s = child(doc, &steps, &step);
        doc.put(&s, "title", "Asphalt gießen").expect("step title");
    });
    hand_bytes(&mut mallory.svc, &id, forged.clone());
    let deleted = forge(&mut mallory.svc, &id, |doc| {
        let steps = child(doc, &ROOT, "steps");
        doc.delete(&steps, step.as_str()).expect("delete");
    });
    hand_bytes(&mut anna.svc, &id, forged);
    hand_bytes(&mut anna.svc, &id, deleted);
    let p = project(&mut anna.svc, &id);
    assert_eq!(
        p.tasks[&task].title, "Holz holen",
        "the team's task is read"
    );
    assert!(
        p.steps
            .get(&step)
            .is_none_or(|s| s.title == "Beete anlegen"),
        "no forged title comes back: {:?}",
        p.steps
    );
}

/// From the second review of this work: a plan entry deleted by someone off the team is put
/// back only by a device that may plan (a copy by a device off the team would count as
/// nobody's, and is flagged instead); the next planner's device puts it back.
#[test]
fn a_deleted_plan_entry_is_put_back_only_by_a_device_that_may_plan() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    // Anna takes Ben off the team: neither Ben nor Mallory may plan now.
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id,
        })
        .expect("Ben off the team");
    hand(&mut anna.svc, &mut ben.svc, &id);
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let by_mallory = forge(&mut mallory.svc, &id, |doc| {
        let steps = child(doc, &ROOT, "steps");
        doc.delete(&steps, step.as_str()).expect("delete");
    });
    let heads_of = |bytes: &[u8]| AutoCommit::load(bytes).expect("load").get_heads();
    let sent = heads_of(&by_mallory);
    hand_bytes(&mut ben.svc, &id, by_mallory);
    let held = ben.svc.doc_bytes(&id).expect("bytes");
    assert_eq!(
        heads_of(&held),
        sent,
        "Ben's device, off the team, wrote a copy of the step"
    );
    // Anna's device, the project's author's, puts it back.
    hand_bytes(&mut anna.svc, &id, held);
    assert_eq!(
        project(&mut anna.svc, &id).steps[&step].title,
        "Beete anlegen"
    );
}

/// From the second review of this work: a plan entry Mallory first changed (a title of her
/// own, not shown) and then deleted came back with her title, copied and signed by the
/// honest device that put it back. It comes back only as it held; otherwise it stays
/// deleted, and flagged.
#[test]
fn a_deleted_plan_entry_holding_a_forged_value_is_not_put_back_with_it() {
    let (mut anna, _ben, mut mallory, _community, id, step) = garden();
    // Two changes of Mallory's client, each signed as the app signs: the title, then the
    // deletion.
    let device = mallory.svc.device().clone();
    let deleted = forge(&mut mallory.svc, &id, |doc| {
        let steps = child(doc, &ROOT, "steps");
        let s = child(doc, &steps, step.as_str());
        doc.put(&s, "title", "Gift streuen").expect("title");
        let hash = doc.commit().expect("a change");
        doc.empty_change(
            automerge::transaction::CommitOptions::default()
                .with_message(signature_message(&device, &id, &hash)),
        );
        doc.delete(&steps, step.as_str()).expect("delete");
    });
    hand_bytes(&mut anna.svc, &id, deleted);
    let p = project(&mut anna.svc, &id);
    assert!(
        p.steps.values().all(|s| s.title != "Gift streuen"),
        "Mallory's title came back signed by Anna's device: {:?}",
        p.steps
    );
}
