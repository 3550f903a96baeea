use super::*;
use crate::command::Command;
use crate::ids::CountingIds;
use crate::model::{CommunityKind, IdeaStatus, RequestStatus, Role};
use crate::time::DAY_MS;

pub(super) struct World {
    pub(super) ws: Workspace,
    ids: CountingIds,
    pub(super) now: i64,
}

impl World {
    pub(super) fn new() -> (World, String, String) {
        let mut w = World {
            ws: Workspace::default(),
            ids: CountingIds::new(1),
            now: 1_700_000_000_000,
        };
        let fx = w
            .run(
                None,
                Command::CreateCommunity {
                    name: "Grünhausen".into(),
                    kind: CommunityKind::Town,
                    description: String::new(),
                    admin_name: "Maria".into(),
                },
            )
            .expect("create");
        let admin = fx.member.expect("member");
        (w, fx.id, admin)
    }

    pub(super) fn run(
        &mut self,
        actor: Option<&str>,
        cmd: Command,
    ) -> Result<Effects, DomainError> {
        let mut ctx = Ctx {
            now: self.now,
            actor: actor.map(str::to_string),
            device: "d1".into(),
            ids: &mut self.ids,
        };
        let mut scratch = self.ws.clone();
        let out = execute(&cmd, &mut scratch, &mut ctx);
        if out.is_ok() {
            self.ws = scratch;
        }
        out
    }
}

#[test]
fn create_community_makes_admin_with_device_and_profile() {
    let (w, cid, admin) = World::new();
    let c = w.ws.community.as_ref().expect("community");
    assert_eq!(c.header.id, cid);
    assert_eq!(c.categories.len(), 8);
    let m = c.member(&admin).expect("admin");
    assert_eq!(m.role, Role::Admin);
    assert!(m.devices.contains_key("d1"));
    assert!(w.ws.items.contains_key(&m.profile));
}

#[test]
fn ideas_validate_and_support_once() {
    let (mut w, cid, admin) = World::new();
    let bad = w.run(
        Some(&admin),
        Command::AddIdea {
            community: cid.clone(),
            title: "  ".into(),
            text: String::new(),
            category: "energy".into(),
        },
    );
    assert_eq!(bad.map_err(|e| e.code()), Err("empty_field"));
    let bad = w.run(
        Some(&admin),
        Command::AddIdea {
            community: cid.clone(),
            title: "x".into(),
            text: String::new(),
            category: "space".into(),
        },
    );
    assert_eq!(bad.map_err(|e| e.code()), Err("unknown_category"));
    let fx = w
        .run(
            Some(&admin),
            Command::AddIdea {
                community: cid.clone(),
                title: "Bäume".into(),
                text: "mehr".into(),
                category: "nature".into(),
            },
        )
        .expect("idea");
    assert_eq!(fx.catalog.len(), 1);
    let idea = fx.id;
    let neighbour = w
        .run(
            Some(&admin),
            Command::AddMember {
                community: cid.clone(),
                display_name: "Nachbarin".into(),
                role: Role::Member,
            },
        )
        .expect("member")
        .id;
    w.run(
        Some(&neighbour),
        Command::SupportIdea { idea: idea.clone() },
    )
    .expect("support");
    let again = w.run(
        Some(&neighbour),
        Command::SupportIdea { idea: idea.clone() },
    );
    assert_eq!(again.map_err(|e| e.code()), Err("invalid"));
    let x = w.ws.items[&idea].idea().expect("idea");
    assert_eq!(x.supporters.len(), 1);
    assert_eq!(x.status, IdeaStatus::Discussed);
}

#[test]
fn strangers_and_members_are_refused_protected_changes() {
    let (mut w, cid, admin) = World::new();
    let stranger = w.run(
        Some("nobody"),
        Command::AddIdea {
            community: cid.clone(),
            title: "x".into(),
            text: String::new(),
            category: "energy".into(),
        },
    );
    assert_eq!(stranger.map_err(|e| e.code()), Err("forbidden"));
    let m = w
        .run(
            Some(&admin),
            Command::AddMember {
                community: cid.clone(),
                display_name: "Jonas".into(),
                role: Role::Member,
            },
        )
        .expect("member")
        .id;
    let promote = w.run(
        Some(&m),
        Command::SetRole {
            community: cid.clone(),
            member: m.clone(),
            role: Role::Admin,
        },
    );
    assert_eq!(promote.map_err(|e| e.code()), Err("forbidden"));
    let demote_last = w.run(
        Some(&admin),
        Command::SetRole {
            community: cid,
            member: admin.clone(),
            role: Role::Member,
        },
    );
    assert_eq!(demote_last.map_err(|e| e.code()), Err("invalid"));
}

#[test]
fn project_from_idea_and_request_path() {
    let (mut w, cid, admin) = World::new();
    let idea = w
        .run(
            Some(&admin),
            Command::AddIdea {
                community: cid.clone(),
                title: "Solar".into(),
                text: String::new(),
                category: "energy".into(),
            },
        )
        .expect("idea")
        .id;
    let fx = w
        .run(
            Some(&admin),
            Command::CreateProject {
                community: cid.clone(),
                title: "Solar".into(),
                summary: String::new(),
                category: None,
                from_idea: Some(idea.clone()),
                visibility: None,
                stage: None,
            },
        )
        .expect("project");
    let project = fx.id.clone();
    assert!(fx.changed.contains(&idea));
    assert_eq!(
        w.ws.items[&idea].idea().expect("idea").status,
        IdeaStatus::BecameProject
    );
    let twice = w.run(
        Some(&admin),
        Command::CreateProject {
            community: cid.clone(),
            title: "again".into(),
            summary: String::new(),
            category: None,
            from_idea: Some(idea),
            visibility: None,
            stage: None,
        },
    );
    assert_eq!(twice.map_err(|e| e.code()), Err("invalid"));
    let task = w.run(
        Some(&admin),
        Command::AddTask {
            project: project.clone(),
            title: "Dach".into(),
            step: None,
            assignee: None,
            due: Some("2026-02-30".into()),
        },
    );
    assert_eq!(task.map_err(|e| e.code()), Err("bad_date"));
    let req = w
        .run(
            Some(&admin),
            Command::CreateRequest {
                target: project.clone(),
                title: "Dach nutzen".into(),
                text: String::new(),
                department: "Bauamt".into(),
            },
        )
        .expect("request")
        .id;
    let decline = w.run(
        Some(&admin),
        Command::AnswerRequest {
            request: req.clone(),
            status: RequestStatus::Declined,
            message: String::new(),
            reason: String::new(),
            contact: None,
            promised_by: None,
            department: None,
        },
    );
    assert_eq!(decline.map_err(|e| e.code()), Err("invalid"));
    w.run(
        Some(&admin),
        Command::AnswerRequest {
            request: req.clone(),
            status: RequestStatus::Received,
            message: "ok".into(),
            reason: String::new(),
            contact: Some("Frau Keller".into()),
            promised_by: Some("2023-11-20".into()),
            department: None,
        },
    )
    .expect("answer");
    let r = w.ws.items[&req].request().expect("request");
    assert_eq!(r.status(), RequestStatus::Received);
    assert_eq!(r.contact(), "Frau Keller");
    // 1_700_000_000_000 is 2023-11-14; promised 2023-11-20; on 2023-11-24 it waits 4 days.
    assert_eq!(crate::query::waiting_days(r, w.now), None);
    assert_eq!(crate::query::waiting_days(r, w.now + 10 * DAY_MS), Some(4));
}

#[test]
fn team_only_projects_refuse_outsiders() {
    let (mut w, cid, admin) = World::new();
    let m = w
        .run(
            Some(&admin),
            Command::AddMember {
                community: cid.clone(),
                display_name: "Jonas".into(),
                role: Role::Member,
            },
        )
        .expect("member")
        .id;
    let p = w
        .run(
            Some(&admin),
            Command::CreateProject {
                community: cid,
                title: "Geheim".into(),
                summary: String::new(),
                category: Some("energy".into()),
                from_idea: None,
                visibility: Some(crate::model::Visibility::Team),
                stage: None,
            },
        )
        .expect("project")
        .id;
    let join = w.run(
        Some(&m),
        Command::AddTeamMember {
            project: p.clone(),
            member: m.clone(),
            role: crate::model::TeamRole::Member,
        },
    );
    assert_eq!(join.map_err(|e| e.code()), Err("forbidden"));
    let comment = w.run(
        Some(&m),
        Command::AddComment {
            item: p.clone(),
            text: "hallo".into(),
        },
    );
    assert_eq!(comment.map_err(|e| e.code()), Err("forbidden"));
    let notes = w.run(
        Some(&m),
        Command::SetNotes {
            project: p,
            text: "x".into(),
        },
    );
    assert_eq!(notes.map_err(|e| e.code()), Err("forbidden"));
}
