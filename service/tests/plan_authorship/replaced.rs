//! Plan entries, lists and fields replaced, deleted or written again by devices off the
//! team, and what exports show of them.

use super::*;

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
