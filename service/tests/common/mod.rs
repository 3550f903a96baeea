//! A village of three devices for the service's integration tests.
#![allow(dead_code)]

use allmende_core::model::Role;
use allmende_core::Command;
use allmende_service::clock::FixedClock;
use allmende_service::Service;

pub const T0: i64 = 1_790_000_000_000;

pub struct Device {
    pub svc: Service,
    _dir: tempfile::TempDir,
}

pub fn device() -> Device {
    let dir = tempfile::tempdir().expect("tmp");
    let svc = Service::open_with_clock(dir.path(), Box::new(FixedClock::at(T0))).expect("open");
    Device { svc, _dir: dir }
}

pub fn docs_of(svc: &mut Service, community: &str) -> Vec<(String, Vec<u8>)> {
    let ids: Vec<String> = svc
        .store()
        .docs(Some(community))
        .expect("docs")
        .into_iter()
        .map(|d| d.id)
        .collect();
    ids.into_iter()
        .map(|id| {
            let b = svc.doc_bytes(&id).expect("bytes");
            (id, b)
        })
        .collect()
}

/// Anna's community with Ben and Mallory, each on a device of their own that has it.
pub fn village() -> (Device, Device, Device, String) {
    let mut anna = device();
    let community = anna
        .svc
        .execute(Command::CreateCommunity {
            name: "Dorf".into(),
            kind: allmende_core::model::CommunityKind::Village,
            description: String::new(),
            admin_name: "Anna".into(),
        })
        .expect("create")
        .id;
    let mut others = Vec::new();
    for name in ["Ben", "Mallory"] {
        let member = anna
            .svc
            .execute(Command::AddMember {
                community: community.clone(),
                display_name: name.into(),
                role: Role::Member,
            })
            .expect("member")
            .id;
        let mut d = device();
        anna.svc
            .execute(Command::AddDevice {
                community: community.clone(),
                member: member.clone(),
                device: d.svc.device().public_hex(),
                until: None,
            })
            .expect("device");
        d.svc.adopt_identity(&community, &member).expect("adopt");
        others.push(d);
    }
    let docs = docs_of(&mut anna.svc, &community);
    for d in &mut others {
        d.svc.receive_many(&docs).expect("community");
    }
    let mallory = others.pop().expect("mallory");
    let ben = others.pop().expect("ben");
    (anna, ben, mallory, community)
}

pub fn idea(svc: &mut Service, community: &str, title: &str) -> String {
    svc.execute(Command::AddIdea {
        community: community.into(),
        title: title.into(),
        text: String::new(),
        category: "energy".into(),
    })
    .expect("idea")
    .id
}
