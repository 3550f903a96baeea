//! Two copies of a community edited apart merge to the same state in either order, and the
//! index agrees with the documents afterwards (property test over random operations).

use allmende_core::model::{Role, TeamRole, Visibility};
use allmende_core::Command;
use allmende_service::clock::FixedClock;
use allmende_service::Service;
use proptest::prelude::*;

const T0: i64 = 1_790_000_000_000;

#[derive(Debug, Clone)]
enum Op {
    AddIdea(u8, u8),
    Support(usize),
    Comment(usize, u8),
    RetitleIdea(usize, u8),
    AddTask(u8),
    CompleteTask(usize),
    EditNotes(usize, u8),
    AddEvent(u8),
    Register(usize),
    Stage(u8),
    Report(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::AddIdea(a, b)),
        any::<usize>().prop_map(Op::Support),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Op::Comment(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Op::RetitleIdea(a, b)),
        any::<u8>().prop_map(Op::AddTask),
        any::<usize>().prop_map(Op::CompleteTask),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Op::EditNotes(a, b)),
        any::<u8>().prop_map(Op::AddEvent),
        any::<usize>().prop_map(Op::Register),
        any::<u8>().prop_map(Op::Stage),
        any::<usize>().prop_map(Op::Report),
    ]
}

const CATS: [&str; 8] = [
    "education",
    "energy",
    "buildings",
    "health",
    "mobility",
    "politics",
    "consumption",
    "nature",
];
const WORDS: [&str; 6] = ["Bäume", "Solar", "Rad", "Grün", "Wasser", "Schule"];

struct Side {
    svc: Service,
    member: String,
    _dir: tempfile::TempDir,
}

impl Side {
    fn ids(&mut self, community: &str, kind: allmende_core::model::DocKind) -> Vec<String> {
        let filter = allmende_core::query::ListFilter {
            community: Some(community.to_string()),
            kind: Some(kind),
            limit: Some(1000),
            ..Default::default()
        };
        let mut ids: Vec<String> = self
            .svc
            .list(&filter)
            .expect("list")
            .items
            .into_iter()
            .map(|i| i.id)
            .collect();
        ids.sort();
        ids
    }

    fn apply(&mut self, community: &str, project: &str, op: &Op, at: i64) {
        use allmende_core::model::DocKind;
        let pick = |list: &[String], i: usize| list.get(i % list.len().max(1)).cloned();
        let cmd = match op {
            Op::AddIdea(w, c) => Some(Command::AddIdea {
                community: community.into(),
                title: format!("{} {w}", WORDS[*w as usize % WORDS.len()]),
                text: "Text".into(),
                category: CATS[*c as usize % CATS.len()].into(),
            }),
            Op::Support(i) => pick(&self.ids(community, DocKind::Idea), *i)
                .map(|idea| Command::SupportIdea { idea }),
            Op::Comment(i, w) => {
                pick(&self.ids(community, DocKind::Idea), *i).map(|item| Command::AddComment {
                    item,
                    text: format!("Kommentar {w}"),
                })
            }
            Op::RetitleIdea(i, w) => {
                pick(&self.ids(community, DocKind::Idea), *i).map(|idea| Command::EditIdea {
                    idea,
                    title: Some(format!("Neu {w}")),
                    text: None,
                    category: None,
                    status: None,
                })
            }
            Op::AddTask(w) => Some(Command::AddTask {
                project: project.into(),
                title: format!("Aufgabe {w}"),
                step: None,
                assignee: None,
                due: None,
            }),
            Op::CompleteTask(i) => {
                let detail = self.svc.show(project).expect("project");
                let tasks: Vec<String> = match &detail.item {
                    allmende_core::apply::Item::Project(p) => p.tasks.keys().cloned().collect(),
                    _ => vec![],
                };
                pick(&tasks, *i).map(|task| Command::EditTask {
                    project: project.into(),
                    task,
                    title: None,
                    step: None,
                    assignee: None,
                    due: None,
                    done: Some(true),
                })
            }
            Op::EditNotes(pos, w) => {
                let detail = self.svc.show(project).expect("project");
                let mut notes = match &detail.item {
                    allmende_core::apply::Item::Project(p) => p.notes.as_str().to_string(),
                    _ => String::new(),
                };
                let chars: Vec<char> = notes.chars().collect();
                let at_char = pos % (chars.len() + 1);
                let byte = notes
                    .char_indices()
                    .nth(at_char)
                    .map_or(notes.len(), |(b, _)| b);
                notes.insert_str(byte, &format!("[{} {w}]", WORDS[*w as usize % WORDS.len()]));
                Some(Command::SetNotes {
                    project: project.into(),
                    text: notes,
                })
            }
            Op::AddEvent(w) => Some(Command::AddEvent {
                community: community.into(),
                title: format!("Treffen {w}"),
                description: String::new(),
                start: "2030-05-01T18:00:00+02:00".into(),
                end: "2030-05-01T20:00:00+02:00".into(),
                time_zone: None,
                place: "Rathaus".into(),
                online_link: String::new(),
                category: "politics".into(),
                organiser: String::new(),
                capacity: 0,
            }),
            Op::Register(i) => pick(&self.ids(community, DocKind::Event), *i)
                .map(|event| Command::Register { event }),
            Op::Stage(s) => Some(Command::EditProject {
                project: project.into(),
                title: None,
                summary: None,
                category: None,
                stage: Some(
                    allmende_core::model::Stage::ALL
                        [*s as usize % allmende_core::model::Stage::ALL.len()],
                ),
                visibility: None,
                progress: None,
            }),
            Op::Report(i) => {
                pick(&self.ids(community, DocKind::Idea), *i).map(|item| Command::ReportItem {
                    item,
                    comment: None,
                    reason: "Bitte prüfen".into(),
                })
            }
        };
        let Some(cmd) = cmd else { return };
        // Adding ideas, tasks, events, comments and notes is always allowed to this member, so
        // they must apply; other acts may be refused as part of normal use (a second support, a
        // stage only a lead may set), but only by the domain, and a refusal changes nothing.
        let must_apply = matches!(
            op,
            Op::AddIdea(..)
                | Op::AddTask(_)
                | Op::AddEvent(_)
                | Op::Comment(..)
                | Op::EditNotes(..)
        );
        let before = self.svc.snapshot(community).expect("snapshot");
        match self.svc.execute_as(&self.member.clone(), at, cmd) {
            Ok(_) => {}
            Err(e) => {
                assert!(!must_apply, "{op:?} was refused: {e}");
                assert!(
                    matches!(e, allmende_service::PeerError::Domain(_)),
                    "{op:?} failed outside the domain: {e}"
                );
                assert_eq!(
                    self.svc.snapshot(community).expect("snapshot"),
                    before,
                    "a refused {op:?} changed something"
                );
            }
        }
    }

    fn all_docs(&mut self, community: &str) -> Vec<(String, Vec<u8>)> {
        let ids: Vec<String> = self
            .svc
            .store()
            .docs(Some(community))
            .expect("docs")
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.into_iter()
            .map(|id| {
                let b = self.svc.doc_bytes(&id).expect("bytes");
                (id, b)
            })
            .collect()
    }
}

fn setup() -> (Side, Side, String, String) {
    let dir_a = tempfile::tempdir().expect("tmp");
    let mut a = Service::open_with_clock(dir_a.path(), Box::new(FixedClock::at(T0))).expect("a");
    let created = a
        .execute(Command::CreateCommunity {
            name: "Merge".into(),
            kind: allmende_core::model::CommunityKind::Village,
            description: String::new(),
            admin_name: "Anna".into(),
        })
        .expect("create");
    let community = created.id;
    let anna = a
        .store()
        .identity(&community)
        .expect("identity")
        .expect("anna");
    let ben = a
        .execute(Command::AddMember {
            community: community.clone(),
            display_name: "Ben".into(),
            role: Role::Member,
        })
        .expect("ben")
        .id;
    let project = a
        .execute(Command::CreateProject {
            community: community.clone(),
            title: "Gemeinsam".into(),
            summary: String::new(),
            category: Some("energy".into()),
            from_idea: None,
            visibility: Some(Visibility::Public),
            stage: None,
        })
        .expect("project")
        .id;
    a.execute(Command::AddTeamMember {
        project: project.clone(),
        member: ben.clone(),
        role: TeamRole::Member,
    })
    .expect("team");
    let dir_b = tempfile::tempdir().expect("tmp");
    let mut b = Service::open_with_clock(dir_b.path(), Box::new(FixedClock::at(T0))).expect("b");
    // B is Ben's device: protected changes must be signed by the member's own device.
    a.execute(Command::AddDevice {
        community: community.clone(),
        member: ben.clone(),
        device: b.device().public_hex(),
        until: None,
    })
    .expect("ben's device");
    b.adopt_identity(&community, &ben).expect("ben on b");
    let mut side_a = Side {
        svc: a,
        member: anna,
        _dir: dir_a,
    };
    let mut side_b = Side {
        svc: b,
        member: ben,
        _dir: dir_b,
    };
    let docs = side_a.all_docs(&community);
    side_b.svc.receive_many(&docs).expect("fork");
    (side_a, side_b, community, project)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn copies_edited_apart_converge(ops_a in prop::collection::vec(op(), 1..14), ops_b in prop::collection::vec(op(), 1..14)) {
        let (mut a, mut b, community, project) = setup();
        for (n, o) in ops_a.iter().enumerate() {
            a.apply(&community, &project, o, T0 + 1000 * n as i64);
        }
        for (n, o) in ops_b.iter().enumerate() {
            b.apply(&community, &project, o, T0 + 1000 * n as i64 + 500);
        }
        let from_a = a.all_docs(&community);
        let from_b = b.all_docs(&community);
        // Each side merges the other's documents: A gets B's edits, B gets A's (either order).
        a.svc.receive_many(&from_b).expect("a merges b");
        b.svc.receive_many(&from_a).expect("b merges a");
        let (ca, ia) = a.svc.snapshot(&community).expect("snapshot a");
        let (cb, ib) = b.svc.snapshot(&community).expect("snapshot b");
        prop_assert_eq!(ca, cb);
        prop_assert_eq!(ia.len(), ib.len());
        for (x, y) in ia.iter().zip(ib.iter()) {
            prop_assert_eq!(x, y);
        }
        prop_assert_eq!(a.svc.verify_index().expect("verify a"), Vec::<String>::new());
        prop_assert_eq!(b.svc.verify_index().expect("verify b"), Vec::<String>::new());
        // Merging again changes nothing.
        let again = a.svc.receive_many(&from_b).expect("again");
        prop_assert_eq!(again.created + again.merged, 0);
    }
}

#[test]
fn concurrent_note_edits_merge_character_by_character() {
    let (mut a, mut b, _community, project) = setup();
    let base = "Wir pflanzen Bäume.";
    a.svc
        .execute_as(
            &a.member.clone(),
            T0 + 1,
            Command::SetNotes {
                project: project.clone(),
                text: base.into(),
            },
        )
        .expect("base");
    let docs = a.all_docs(&_community);
    b.svc.receive_many(&docs).expect("sync");
    a.svc
        .execute_as(
            &a.member.clone(),
            T0 + 2,
            Command::SetNotes {
                project: project.clone(),
                text: "Wir pflanzen zwanzig Bäume.".into(),
            },
        )
        .expect("a");
    b.svc
        .execute_as(
            &b.member.clone(),
            T0 + 3,
            Command::SetNotes {
                project: project.clone(),
                text: "Wir pflanzen Bäume am Bach.".into(),
            },
        )
        .expect("b");
    let from_b = b.all_docs(&_community);
    a.svc.receive_many(&from_b).expect("merge");
    let detail = a.svc.show(&project).expect("show");
    let notes = match &detail.item {
        allmende_core::apply::Item::Project(p) => p.notes.as_str().to_string(),
        _ => String::new(),
    };
    assert_eq!(notes, "Wir pflanzen zwanzig Bäume am Bach.");
}
