//! Forgeries written over and over: a reader looks back past every value nobody entitled
//! wrote, however many there are, to the last one an entitled device wrote (a walk with a
//! bound gave up past 64 forged values and fell back to the item as created, or, for a
//! project's visibility, to team-only).

use allmende_core::governance::body::signature_message;
use allmende_core::model::Visibility;
use allmende_core::Command;
use allmende_service::Service;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};

use super::{child, garden, hand, hand_bytes, project};

/// How often a member forges: past any bound a walk one change at a time could afford.
const TIMES: usize = 100;

/// `by`'s modified client writes `value` into root field `field` of `id`, `TIMES` times,
/// each a change of its own signed as the app would; returns the bytes.
fn forge_often(by: &mut Service, id: &str, field: &str, value: &str) -> Vec<u8> {
    let bytes = by.doc_bytes(id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(by.device().actor());
    for n in 0..TIMES {
        // Automerge writes nothing for a value equal to the one there: another one first.
        doc.put(ROOT, field, format!("{value} {n}")).expect("put");
        doc.put(ROOT, field, value).expect("put");
        commit_signed(&mut doc, by, id, n);
    }
    doc.save()
}

/// Commits what `by`'s client wrote into `doc` (document `id`) as its `n`-th forged change,
/// dated after everyone joined (a change without a time reads as made in 1970, when its
/// device was nobody's and no team needs asking), and signs it as the app would.
fn commit_signed(doc: &mut AutoCommit, by: &Service, id: &str, n: usize) {
    let seconds = super::common::T0 / 1000 + 60 + i64::try_from(n).expect("n");
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

fn edit_project(svc: &mut Service, id: &str, title: Option<&str>, visibility: Option<Visibility>) {
    svc.execute(Command::EditProject {
        project: id.to_string(),
        title: title.map(str::to_string),
        summary: None,
        category: None,
        stage: None,
        visibility,
        progress: None,
    })
    .expect("an edit");
}

#[test]
fn a_public_project_stays_public_however_often_a_member_forges_it_closed() {
    let (mut anna, mut ben, _mallory, _community, id, _step) = garden();
    let bytes = forge_often(&mut ben.svc, &id, "visibility", "team");
    hand_bytes(&mut anna.svc, &id, bytes);
    assert_eq!(project(&mut anna.svc, &id).visibility, Visibility::Public);
}

#[test]
fn a_closed_project_stays_closed_however_often_a_member_forges_it_open() {
    let (mut anna, mut ben, _mallory, _community, id, _step) = garden();
    edit_project(&mut anna.svc, &id, None, Some(Visibility::Team));
    hand(&mut anna.svc, &mut ben.svc, &id);
    let bytes = forge_often(&mut ben.svc, &id, "visibility", "public");
    hand_bytes(&mut anna.svc, &id, bytes);
    assert_eq!(project(&mut anna.svc, &id).visibility, Visibility::Team);
}

#[test]
fn the_authors_last_title_holds_however_often_someone_off_the_team_forges_it() {
    let (mut anna, _ben, mut mallory, _community, id, _step) = garden();
    edit_project(&mut anna.svc, &id, Some("Dorfgarten am Bach"), None);
    hand(&mut anna.svc, &mut mallory.svc, &id);
    let bytes = forge_often(&mut mallory.svc, &id, "title", "Mallorys Garten");
    hand_bytes(&mut anna.svc, &id, bytes);
    assert_eq!(project(&mut anna.svc, &id).title, "Dorfgarten am Bach");
}

#[test]
fn a_team_entry_whose_signature_is_written_over_again_and_again_keeps_its_member() {
    let (mut anna, _ben, mut mallory, community, id, _step) = garden();
    let me = anna.svc.me(&community).expect("id");
    let ben_id = project(&mut anna.svc, &id)
        .team
        .keys()
        .find(|m| Some(m.as_str()) != me.as_deref())
        .cloned()
        .expect("Ben on the team");
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    for n in 0..TIMES {
        let team = child(&doc, &ROOT, "team");
        let e = child(&doc, &team, &ben_id);
        let (sig, _) = doc.get(&e, "sig").expect("read").expect("sig");
        let sig = sig.as_str().map(str::to_string).expect("text");
        doc.delete(&e, "sig").expect("delete");
        doc.put(&e, "sig", sig.as_str()).expect("sig");
        commit_signed(&mut doc, &mallory.svc, &id, n);
    }
    hand_bytes(&mut anna.svc, &id, doc.save());
    assert!(project(&mut anna.svc, &id).team.contains_key(&ben_id));
}

#[test]
fn a_step_replaced_again_and_again_by_someone_off_the_team_reads_as_the_team_made_it() {
    let (mut anna, _ben, mut mallory, _community, id, step) = garden();
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    for n in 0..TIMES {
        let steps = child(&doc, &ROOT, "steps");
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
        doc.put(&s, "position", i64::try_from(n).expect("n"))
            .expect("field");
        doc.put(&s, "done", true).expect("field");
        commit_signed(&mut doc, &mallory.svc, &id, n);
    }
    hand_bytes(&mut anna.svc, &id, doc.save());
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.steps[&step].title, "Beete anlegen");
    assert!(!p.steps[&step].done);
}

/// From reviews of the walk's replacement: every forged value asked for a past team, and a
/// judgement reads at most 2,048 of them; past that, team members counted as off the team,
/// and their plan reverted. (Mallory also writes a key of her own into the team map: a
/// first fix skipped the reads only for members no team map ever named.)
#[test]
fn thousands_of_forged_values_leave_the_teams_own_edits_standing() {
    let (mut anna, mut ben, mut mallory, community, id, step) = garden();
    hand(&mut anna.svc, &mut ben.svc, &id);
    ben.svc
        .execute(Command::EditStep {
            project: id.clone(),
            step: step.clone(),
            title: Some("Beete und Wege".into()),
            done: None,
            position: None,
        })
        .expect("Ben edits as a team member");
    hand(&mut ben.svc, &mut mallory.svc, &id);
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let me = mallory.svc.me(&community).expect("id").expect("Mallory");
    let team = child(&doc, &ROOT, "team");
    doc.put(&team, me.as_str(), 1).expect("junk entry");
    for n in 0..2_100 {
        doc.put(ROOT, "summary", format!("Mallorys Garten {n}"))
            .expect("put");
        commit_signed(&mut doc, &mallory.svc, &id, n);
    }
    hand_bytes(&mut anna.svc, &id, doc.save());
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.summary, "Ein Garten für alle");
    assert_eq!(p.steps[&step].title, "Beete und Wege");
}

/// From a third review: the limit on one member's refused writes counted per field, so 64
/// forged values in each of many steps used up the judgement's past-team reads all the same.
#[test]
fn forged_values_spread_over_many_steps_leave_the_teams_own_edits_standing() {
    let (mut anna, mut ben, mut mallory, _community, id, _step) = garden();
    let steps: Vec<String> = (0..36)
        .map(|n| {
            anna.svc
                .execute(Command::AddStep {
                    project: id.clone(),
                    title: format!("Schritt {n}"),
                })
                .expect("step")
                .id
        })
        .collect();
    hand(&mut anna.svc, &mut ben.svc, &id);
    // Milestones are judged after steps: Ben's must still count as a team member's.
    let milestone = ben
        .svc
        .execute(Command::AddMilestone {
            project: id.clone(),
            title: "Erste Ernte".into(),
            due: None,
        })
        .expect("Ben adds a milestone as a team member")
        .id;
    hand(&mut ben.svc, &mut mallory.svc, &id);
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let mut n = 0;
    for s in &steps {
        for _ in 0..66 {
            let all = child(&doc, &ROOT, "steps");
            let entry = child(&doc, &all, s);
            doc.put(&entry, "title", format!("Mallory {n}"))
                .expect("put");
            commit_signed(&mut doc, &mallory.svc, &id, n);
            n += 1;
        }
    }
    hand_bytes(&mut anna.svc, &id, doc.save());
    let p = project(&mut anna.svc, &id);
    assert_eq!(p.steps[&steps[0]].title, "Schritt 0");
    assert!(
        p.milestones.contains_key(&milestone),
        "Ben's milestone: {:?}",
        p.milestones.keys()
    );
}

/// From a fourth review: with the limit on refused writes counted over the whole judgement
/// alone, a member taken off the team who then edited many steps (each edit not theirs to
/// make any more) lost the edits they made while on it in the steps judged last. The limit
/// counts per field first, and over the judgement only far past what one field allows.
#[test]
fn a_member_off_the_team_keeps_the_edits_made_on_it_in_every_step() {
    let (mut anna, mut ben, _mallory, community, id, _step) = garden();
    let steps: Vec<String> = (0..70)
        .map(|n| {
            anna.svc
                .execute(Command::AddStep {
                    project: id.clone(),
                    title: format!("Schritt {n}"),
                })
                .expect("step")
                .id
        })
        .collect();
    hand(&mut anna.svc, &mut ben.svc, &id);
    for s in &steps {
        ben.svc
            .execute(Command::EditStep {
                project: id.clone(),
                step: s.clone(),
                title: Some(format!("Ben: {s}")),
                done: None,
                position: None,
            })
            .expect("Ben edits as a team member");
    }
    hand(&mut ben.svc, &mut anna.svc, &id);
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    anna.svc
        .execute(Command::RemoveTeamMember {
            project: id.clone(),
            member: ben_id,
        })
        .expect("Anna takes Ben off the team");
    hand(&mut anna.svc, &mut ben.svc, &id);
    // Ben's client writes on as if he were still on the team.
    let bytes = ben.svc.doc_bytes(&id).expect("bytes");
    let mut doc = AutoCommit::load(&bytes).expect("load");
    doc.set_actor(ben.svc.device().actor());
    for (n, s) in steps.iter().enumerate() {
        let all = child(&doc, &ROOT, "steps");
        let entry = child(&doc, &all, s);
        doc.put(&entry, "title", "nicht mehr seins").expect("put");
        commit_signed(&mut doc, &ben.svc, &id, 1_000 + n);
    }
    hand_bytes(&mut anna.svc, &id, doc.save());
    let p = project(&mut anna.svc, &id);
    for s in &steps {
        assert_eq!(p.steps[s].title, format!("Ben: {s}"));
    }
}
