//! Entries that pretend: an edited body behind a remembered signature, an entry carried into
//! another community, a device key claimed by a second member or spelt otherwise.

use super::*;

/// Finding: the memo of checked signatures accepted an edited body under a kept id and
/// signature, and a pair checked in one community passed in another.
#[test]
fn a_memo_hit_never_accepts_an_edited_body() {
    let root = Key::new(1);
    let mia = Key::new(2);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "mia", Role::Member, &mia, 10);
    let settings = log.add(
        &root,
        "admin",
        20,
        Act::Settings {
            name: Some("Neuer Name".into()),
            description: None,
            code_of_conduct: None,
            hold_first_posts: None,
        },
    );
    let mut checked = Checked::new();
    let honest = resolve(&log.header, &log.entries, &mut checked);
    assert_eq!(honest.members["mia"].role, Role::Member);
    // Mia keeps the admin's id and signature and rewrites the body.
    let original: Body = serde_json::from_str(&log.entries[&settings].body).expect("test");
    let forged = Body {
        act: Act::SetRole {
            member: "mia".into(),
            role: Role::Admin,
        },
        ..original
    };
    let entry = log.entries.get_mut(&settings).expect("test");
    entry.body = serde_json::to_string(&forged).expect("test");
    let again = resolve(&log.header, &log.entries, &mut checked);
    assert_eq!(
        again.members["mia"].role,
        Role::Member,
        "a memo hit took the forged body"
    );
    assert!(
        again.flags.iter().any(|f| f.entry == settings),
        "{:?}",
        again.flags
    );
    assert_eq!(
        again,
        log.resolve(),
        "a warm replay gives what a fresh one gives"
    );
}

#[test]
fn an_entry_checked_in_one_community_does_not_pass_in_another() {
    let root = Key::new(1);
    let mia = Key::new(2);
    let mut home = Log::new(&root);
    member_with_device(&mut home, &root, "mia", Role::Member, &mia, 10);
    let promote = home.add(
        &root,
        "admin",
        20,
        Act::SetRole {
            member: "mia".into(),
            role: Role::Moderator,
        },
    );
    let mut checked = Checked::new();
    let _ = resolve(&home.header, &home.entries, &mut checked);
    // Another community of the same creator, where Mia is an ordinary member.
    let mut other = Log::new(&root);
    other.header.id = DocId::derive(&root.public_hex(), "n2").to_string();
    other.entries.clear();
    other.add(
        &root,
        "admin",
        0,
        Act::Genesis {
            nonce: "n2".into(),
            name: "Anderswo".into(),
            kind: CommunityKind::Town,
            description: String::new(),
            member: "admin".into(),
            profile: "p".into(),
        },
    );
    member_with_device(&mut other, &root, "mia", Role::Member, &mia, 10);
    other
        .entries
        .insert(promote.clone(), home.entries[&promote].clone());
    let c = resolve(&other.header, &other.entries, &mut checked);
    assert_eq!(c.members["mia"].role, Role::Member);
    assert!(c.flags.iter().any(|f| f.entry == promote), "{:?}", c.flags);
}

/// Finding: a member could add another member's (or the host's) device key to themselves.
#[test]
fn a_device_key_belongs_to_one_member_only() {
    let root = Key::new(1);
    let mia = Key::new(2);
    let ole = Key::new(3);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "mia", Role::Member, &mia, 10);
    member_with_device(&mut log, &root, "ole", Role::Member, &ole, 11);
    let host = log.add(
        &mia,
        "mia",
        20,
        Act::AddDevice {
            member: "mia".into(),
            device: root.public_hex(),
            until: None,
        },
    );
    let ole_key = log.add(
        &mia,
        "mia",
        21,
        Act::AddDevice {
            member: "mia".into(),
            device: ole.public_hex(),
            until: None,
        },
    );
    // Even an admin cannot give one key to two members.
    let by_admin = log.add(
        &root,
        "admin",
        22,
        Act::AddDevice {
            member: "ole".into(),
            device: mia.public_hex(),
            until: None,
        },
    );
    let c = log.resolve();
    assert_eq!(c.members["mia"].devices.len(), 1, "{:?}", c.members["mia"]);
    assert_eq!(c.members["ole"].devices.len(), 1, "{:?}", c.members["ole"]);
    for id in [host, ole_key, by_admin] {
        assert!(
            c.flags.iter().any(|f| f.entry == id),
            "{id} not flagged: {:?}",
            c.flags
        );
    }
    // A key taken off a member stays theirs: it signed their past entries.
    log.add(
        &root,
        "admin",
        30,
        Act::RemoveDevice {
            member: "ole".into(),
            device: ole.public_hex(),
        },
    );
    let reuse = log.add(
        &mia,
        "mia",
        31,
        Act::AddDevice {
            member: "mia".into(),
            device: ole.public_hex(),
            until: None,
        },
    );
    let c = log.resolve();
    assert!(!c.members["mia"].devices.contains_key(&ole.public_hex()));
    assert!(c.flags.iter().any(|f| f.entry == reuse));
}

/// From an adversarial review: a member added the upper-case spelling of another member's
/// device key to itself, with an invite's end in the past. Rosters compare keys in lower
/// case, so the relay and every LAN listener took the victim's own device for an expired
/// invite key and locked it out. A device key in the log is 64 lower-case hex digits.
#[test]
fn a_device_key_spelt_otherwise_cannot_shadow_another_members_device() {
    let root = Key::new(1);
    let (anna, mallory) = (Key::new(2), Key::new(3));
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "anna", Role::Member, &anna, 10);
    member_with_device(&mut log, &root, "mallory", Role::Member, &mallory, 11);
    log.add(
        &mallory,
        "mallory",
        20,
        Act::AddDevice {
            member: "mallory".into(),
            device: anna.public_hex().to_uppercase(),
            until: Some(0),
        },
    );
    let c = log.resolve();
    let roster = crate::access::Roster::of(&c);
    assert_eq!(
        roster.member_at(&anna.public_hex(), 30).map(String::as_str),
        Some("anna"),
        "anna's device stays anna's"
    );
    assert_eq!(c.members["mallory"].devices.len(), 1, "nothing was added");
    assert!(!c.flags.is_empty(), "the entry is refused and flagged");
}
