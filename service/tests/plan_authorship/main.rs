//! Who wrote a project's plan and a request's text (issue 12: "the unsigned parts of projects
//! and requests"). A member's modified client can write any Automerge value into a project
//! it is not on the team of, or into someone else's request. It cannot sign for another
//! device: what nobody entitled signed is put back (or, for a plan entry nobody entitled
//! made, left out) and flagged with the device that wrote it.

#[path = "../common/mod.rs"]
mod common;
mod long_forgeries;
mod replaced;
mod team;
mod team_taken;

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
