//! Rules that keep the workspace honest for the people in it: no support for one's own idea,
//! no promise made for a day gone by, a template applied once.
use super::tests::World;
use crate::command::Command;
use crate::model::{RequestStatus, Role};
use crate::time::DAY_MS;

#[test]
fn one_does_not_support_ones_own_idea_but_a_neighbour_does() {
    let (mut w, cid, admin) = World::new();
    let idea = w
        .run(
            Some(&admin),
            Command::AddIdea {
                community: cid.clone(),
                title: "Repair-Café".into(),
                text: String::new(),
                category: "consumption".into(),
            },
        )
        .expect("idea")
        .id;
    let own = w.run(Some(&admin), Command::SupportIdea { idea: idea.clone() });
    assert_eq!(own.map_err(|e| e.code()), Err("invalid"));
    let neighbour = w
        .run(
            Some(&admin),
            Command::AddMember {
                community: cid,
                display_name: "Jonas".into(),
                role: Role::Member,
            },
        )
        .expect("member")
        .id;
    w.run(
        Some(&neighbour),
        Command::SupportIdea { idea: idea.clone() },
    )
    .expect("a neighbour supports it");
    assert_eq!(w.ws.items[&idea].idea().expect("idea").supporters.len(), 1);
}

#[test]
fn a_promised_date_lies_today_or_later() {
    let (mut w, cid, admin) = World::new();
    let idea = w
        .run(
            Some(&admin),
            Command::AddIdea {
                community: cid,
                title: "Bank am Dorfplatz".into(),
                text: String::new(),
                category: "mobility".into(),
            },
        )
        .expect("idea")
        .id;
    let req = w
        .run(
            Some(&admin),
            Command::CreateRequest {
                target: idea,
                title: "Bank am Dorfplatz".into(),
                text: String::new(),
                department: "Bauamt".into(),
            },
        )
        .expect("request")
        .id;
    let answer = |promised: &str| Command::AnswerRequest {
        request: req.clone(),
        status: RequestStatus::InReview,
        message: String::new(),
        reason: String::new(),
        contact: None,
        promised_by: Some(promised.to_string()),
        department: None,
    };
    // 1_700_000_000_000 is 2023-11-14.
    let past = w.run(Some(&admin), answer("2023-11-13"));
    assert_eq!(past.map_err(|e| e.code()), Err("invalid"));
    w.run(Some(&admin), answer("2023-11-14")).expect("today");
    w.now += DAY_MS;
    w.run(Some(&admin), answer("2023-12-01")).expect("later");
}

#[test]
fn a_template_applies_once() {
    let (mut w, cid, admin) = World::new();
    let template = w
        .run(
            Some(&admin),
            Command::AddTemplate {
                community: cid.clone(),
                template: crate::templates::builtin("village").expect("village"),
            },
        )
        .expect("template")
        .id;
    let project = w
        .run(
            Some(&admin),
            Command::CreateProject {
                community: cid,
                title: "Dorfgarten".into(),
                summary: String::new(),
                category: Some("nature".into()),
                from_idea: None,
                visibility: None,
                stage: None,
            },
        )
        .expect("project")
        .id;
    let apply = Command::ApplyTemplate {
        project: project.clone(),
        template,
    };
    w.run(Some(&admin), apply.clone()).expect("first time");
    let steps = w.ws.items[&project].project().expect("project").steps.len();
    let again = w.run(Some(&admin), apply);
    assert_eq!(again.map_err(|e| e.code()), Err("invalid"));
    assert_eq!(
        w.ws.items[&project].project().expect("project").steps.len(),
        steps,
        "nothing duplicated"
    );
}

#[test]
fn a_showcase_is_a_read_only_copy_open_for_comments() {
    use crate::command::Showcase;
    use crate::model::{Origin, Stage};
    let (mut w, cid, admin) = World::new();
    let showcase = w
        .run(
            Some(&admin),
            Command::PublishProject {
                community: cid,
                existing: None,
                showcase: Showcase {
                    origin: Origin {
                        community: "elsewhere".into(),
                        community_name: "Oberdorf".into(),
                        project: "p1".into(),
                        published_at: 1,
                    },
                    title: "Dorfladen".into(),
                    summary: String::new(),
                    category: "consumption".into(),
                    stage: Stage::Implementation,
                    progress: 40,
                    milestones: Vec::new(),
                },
            },
        )
        .expect("showcase")
        .id;
    // Even an admin (who may edit any content) does not add tasks to someone else's copy.
    let task = w.run(
        Some(&admin),
        Command::AddTask {
            project: showcase.clone(),
            title: "Kasse".into(),
            step: None,
            assignee: None,
            due: None,
        },
    );
    assert_eq!(task.map_err(|e| e.code()), Err("invalid"));
    let rename = w.run(
        Some(&admin),
        Command::EditProject {
            project: showcase.clone(),
            title: Some("Anders".into()),
            summary: None,
            category: None,
            stage: None,
            visibility: None,
            progress: None,
        },
    );
    assert_eq!(rename.map_err(|e| e.code()), Err("invalid"));
    w.run(
        Some(&admin),
        Command::AddComment {
            item: showcase.clone(),
            text: "Tolle Idee, machen wir auch!".into(),
        },
    )
    .expect("a showcase takes comments");
    let p = w.ws.items[&showcase].project().expect("project");
    assert!(p.tasks.is_empty());
    assert_eq!(p.comments.len(), 1);
}
