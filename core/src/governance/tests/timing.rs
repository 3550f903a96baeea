//! Time in the log: back-dated acts, acts concurrent with a change of role, invite keys
//! after their day.

use super::*;

/// Finding: a demoted admin signed an entry claiming a time before the demotion, without
/// having seen it, and removed the creator; the demotion was then refused.
#[test]
fn a_back_dated_act_of_a_demoted_admin_is_judged_by_the_weaker_role() {
    let root = Key::new(1);
    let eva = Key::new(5);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "eva", Role::Member, &eva, 10);
    log.add(
        &root,
        "admin",
        20,
        Act::SetRole {
            member: "eva".into(),
            role: Role::Admin,
        },
    );
    let fork = log.heads();
    log.add(
        &root,
        "admin",
        100,
        Act::SetRole {
            member: "eva".into(),
            role: Role::Member,
        },
    );
    // Eva, offline since the fork, claims a time before her demotion.
    let coup = log.add_seen(
        &eva,
        "eva",
        50,
        Act::RemoveMember {
            member: "admin".into(),
        },
        fork,
    );
    let c = log.resolve();
    assert_eq!(c.members["eva"].role, Role::Member, "the demotion stands");
    assert!(c.member("admin").is_some(), "the creator stays");
    assert!(c.flags.iter().any(|f| f.entry == coup), "{:?}", c.flags);
    // Even with no back-dating at all, or with a seen list naming nothing.
    let mut log2 = Log::new(&root);
    member_with_device(&mut log2, &root, "eva", Role::Admin, &eva, 10);
    log2.add(
        &root,
        "admin",
        100,
        Act::RemoveMember {
            member: "eva".into(),
        },
    );
    log2.add_seen(
        &eva,
        "eva",
        1,
        Act::SetRole {
            member: "admin".into(),
            role: Role::Member,
        },
        Vec::new(),
    );
    let c = log2.resolve();
    assert!(c.member("eva").is_none());
    assert_eq!(c.members["admin"].role, Role::Admin);
}

/// An act its author made before being promoted (concurrently with the promotion) is judged
/// by the role it was made with.
#[test]
fn an_act_concurrent_with_a_promotion_is_judged_by_the_old_role() {
    let root = Key::new(1);
    let jo = Key::new(6);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "jo", Role::Member, &jo, 10);
    let fork = log.heads();
    log.add(
        &root,
        "admin",
        20,
        Act::SetRole {
            member: "jo".into(),
            role: Role::Admin,
        },
    );
    let early = log.add_seen(
        &jo,
        "jo",
        30,
        Act::Settings {
            name: Some("Jos Dorf".into()),
            description: None,
            code_of_conduct: None,
            hold_first_posts: None,
        },
        fork,
    );
    let c = log.resolve();
    assert_ne!(c.name, "Jos Dorf");
    assert!(c.flags.iter().any(|f| f.entry == early));
}

#[test]
fn an_invite_key_signs_nothing_after_its_day_and_leaves_with_its_removal() {
    let root = Key::new(1);
    let invite = Key::new(2);
    let phone = Key::new(3);
    let mut log = Log::new(&root);
    log.add(
        &root,
        "admin",
        10,
        Act::AddMember {
            member: "ben".into(),
            role: Role::Member,
            profile: "p-ben".into(),
        },
    );
    log.add(
        &root,
        "admin",
        10,
        Act::AddDevice {
            member: "ben".into(),
            device: invite.public_hex(),
            until: Some(100),
        },
    );
    // Within its day it does nothing but join: no role, no other member, no content.
    let grab = log.add(
        &invite,
        "ben",
        20,
        Act::SetRole {
            member: "ben".into(),
            role: Role::Admin,
        },
    );
    let forever = log.add(
        &invite,
        "ben",
        21,
        Act::AddDevice {
            member: "ben".into(),
            device: invite.public_hex(),
            until: None,
        },
    );
    let c = log.resolve();
    assert_eq!(c.members["ben"].role, Role::Member);
    for id in [grab, forever] {
        assert!(c.flags.iter().any(|f| f.entry == id), "{id}: {:?}", c.flags);
    }
    assert!(
        c.device_of_at("ben", &invite.public_hex(), 30).is_none(),
        "an invite key vouches for no content"
    );
    assert_eq!(
        c.members["ben"].expires.get(&invite.public_hex()),
        Some(&100)
    );
    assert!(c.members["ben"].device_open_at(&invite.public_hex(), 100));
    assert!(!c.members["ben"].device_open_at(&invite.public_hex(), 101));
    // Used in time, it adds Ben's phone (with no end) and retires itself.
    let late = log.add(
        &invite,
        "ben",
        150,
        Act::AddDevice {
            member: "ben".into(),
            device: phone.public_hex(),
            until: None,
        },
    );
    let c = log.resolve();
    assert!(
        !c.members["ben"].devices.contains_key(&phone.public_hex()),
        "an act the invite key signed after its day is refused"
    );
    assert!(c.flags.iter().any(|f| f.entry == late));
    log.add(
        &invite,
        "ben",
        50,
        Act::AddDevice {
            member: "ben".into(),
            device: phone.public_hex(),
            until: None,
        },
    );
    log.add(
        &invite,
        "ben",
        51,
        Act::RemoveDevice {
            member: "ben".into(),
            device: invite.public_hex(),
        },
    );
    let c = log.resolve();
    let ben = &c.members["ben"];
    assert!(ben.devices.contains_key(&phone.public_hex()));
    assert!(ben.device_open_at(&phone.public_hex(), i64::MAX));
    assert!(
        ben.expires.is_empty(),
        "a retired invite key is no open invite"
    );
}
