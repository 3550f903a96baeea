use std::collections::BTreeMap;

use ed25519_dalek::{Signer as _, SigningKey};

use super::*;
use crate::model::{CommunityKind, DocKind, Role, SCHEMA_VERSION};

struct Key(SigningKey);

impl Key {
    fn new(seed: u8) -> Self {
        Key(SigningKey::from_bytes(&[seed; 32]))
    }
}

impl Signer for Key {
    fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }
    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

struct Log {
    header: Header,
    entries: BTreeMap<String, Entry>,
}

impl Log {
    fn new(root: &Key) -> Self {
        let id = DocId::derive(&root.public_hex(), "n1").to_string();
        let header = Header {
            schema: SCHEMA_VERSION,
            kind: DocKind::Community,
            id: id.clone(),
            community: id,
            created_at: 0,
            created_by: "admin".into(),
            device: root.public_hex(),
            nonce: "n1".into(),
            sig: String::new(),
        };
        let mut log = Log {
            header,
            entries: BTreeMap::new(),
        };
        log.add(
            root,
            "admin",
            0,
            Act::Genesis {
                nonce: "n1".into(),
                name: "Grünhausen".into(),
                kind: CommunityKind::Village,
                description: String::new(),
                member: "admin".into(),
                profile: "p".into(),
            },
        );
        log
    }

    fn heads(&self) -> Vec<String> {
        self.resolve().heads
    }

    /// Adds an entry that has seen the whole log so far.
    fn add(&mut self, key: &Key, member: &str, at: i64, act: Act) -> String {
        let seen = if self.entries.is_empty() {
            Vec::new()
        } else {
            self.heads()
        };
        self.add_seen(key, member, at, act, seen)
    }

    fn add_seen(
        &mut self,
        key: &Key,
        member: &str,
        at: i64,
        act: Act,
        seen: Vec<String>,
    ) -> String {
        let body = Body {
            v: 1,
            at,
            device: key.public_hex(),
            member: member.into(),
            seen,
            act,
        };
        let (id, entry) = seal(&self.header.id, &body, key);
        self.entries.insert(id.clone(), entry);
        id
    }

    fn resolve(&self) -> Community {
        resolve(&self.header, &self.entries, &mut Checked::new())
    }
}

fn member_with_device(log: &mut Log, admin: &Key, id: &str, role: Role, device: &Key, at: i64) {
    log.add(
        admin,
        "admin",
        at,
        Act::AddMember {
            member: id.into(),
            role,
            profile: format!("p-{id}"),
        },
    );
    log.add(
        admin,
        "admin",
        at,
        Act::AddDevice {
            member: id.into(),
            device: device.public_hex(),
            until: None,
        },
    );
}

#[test]
fn the_creator_is_admin_and_admins_manage_roles() {
    let root = Key::new(1);
    let mia = Key::new(2);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "mia", Role::Member, &mia, 10);
    log.add(
        &root,
        "admin",
        20,
        Act::SetRole {
            member: "mia".into(),
            role: Role::Moderator,
        },
    );
    let c = log.resolve();
    assert_eq!(c.name, "Grünhausen");
    assert_eq!(c.members["admin"].role, Role::Admin);
    assert_eq!(c.members["mia"].role, Role::Moderator);
    assert!(c.flags.is_empty(), "{:?}", c.flags);
    assert_eq!(c.member_at("mia", 15).map(|m| m.role), Some(Role::Member));
}

#[test]
fn a_member_cannot_promote_itself_and_is_flagged() {
    let root = Key::new(1);
    let mia = Key::new(2);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "mia", Role::Member, &mia, 10);
    log.add(
        &mia,
        "mia",
        20,
        Act::SetRole {
            member: "mia".into(),
            role: Role::Admin,
        },
    );
    // Claiming to be the admin with one's own key does not help either.
    log.add(
        &mia,
        "admin",
        21,
        Act::Moderate {
            key: "x".into(),
            hidden: true,
            reason: "spam".into(),
        },
    );
    let c = log.resolve();
    assert_eq!(c.members["mia"].role, Role::Member);
    assert!(!c.is_hidden("x"));
    assert_eq!(c.flags.len(), 2, "{:?}", c.flags);
    assert!(c.flags.iter().all(|f| f.device == mia.public_hex()));
}

#[test]
fn edited_or_unsigned_entries_are_ignored() {
    let root = Key::new(1);
    let mut log = Log::new(&root);
    let id = log.add(
        &root,
        "admin",
        10,
        Act::Settings {
            name: Some("Neu".into()),
            description: None,
            code_of_conduct: None,
            hold_first_posts: None,
        },
    );
    let entry = log.entries.get_mut(&id).expect("entry");
    entry.body = entry.body.replace("Neu", "Gehackt");
    let mut unsigned = log.entries[&id].clone();
    unsigned.sig = String::new();
    log.entries.insert("feedbeef".into(), unsigned);
    let c = log.resolve();
    assert_eq!(c.name, "Grünhausen");
    assert_eq!(c.flags.len(), 2);
}

#[test]
fn a_second_beginning_by_another_key_is_refused() {
    let root = Key::new(1);
    let thief = Key::new(9);
    let mut log = Log::new(&root);
    log.add(
        &thief,
        "thief",
        1,
        Act::Genesis {
            nonce: "n1".into(),
            name: "Meins".into(),
            kind: CommunityKind::Town,
            description: String::new(),
            member: "thief".into(),
            profile: "q".into(),
        },
    );
    let c = log.resolve();
    assert_eq!(c.name, "Grünhausen");
    assert!(c.member("thief").is_none());
    assert_eq!(c.flags.len(), 1);
}

/// An admin removes a moderator while the moderator, offline, hides a post.
#[test]
fn removal_beats_every_concurrent_hide_but_not_a_seen_one() {
    let root = Key::new(1);
    let aylin = Key::new(3);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "aylin", Role::Moderator, &aylin, 10);
    // A hide the admin had seen when removing her stands.
    log.add(
        &aylin,
        "aylin",
        50,
        Act::Moderate {
            key: "seen".into(),
            hidden: true,
            reason: "spam".into(),
        },
    );
    let fork = log.heads();
    // Concurrent with the removal, one hide claiming an earlier time and one a later one:
    // revocation wins over both.
    log.add_seen(
        &aylin,
        "aylin",
        90,
        Act::Moderate {
            key: "early".into(),
            hidden: true,
            reason: "spam".into(),
        },
        fork.clone(),
    );
    log.add_seen(
        &root,
        "admin",
        100,
        Act::RemoveMember {
            member: "aylin".into(),
        },
        fork.clone(),
    );
    log.add_seen(
        &aylin,
        "aylin",
        110,
        Act::Moderate {
            key: "late".into(),
            hidden: true,
            reason: "spam".into(),
        },
        fork,
    );
    let c = log.resolve();
    assert!(c.member("aylin").is_none());
    assert!(c.is_hidden("seen"));
    assert!(!c.is_hidden("early"));
    assert!(!c.is_hidden("late"));
    let what: Vec<&str> = c.flags.iter().map(|f| f.what.as_str()).collect();
    assert_eq!(what.len(), 2, "{what:?}");
    assert!(what.contains(&"hide early") && what.contains(&"hide late"));
    assert_eq!(c.moderation_log.len(), 1);
}

/// An entry written after its author saw a change comes after it, whatever its clock says.
#[test]
fn causal_order_beats_a_slow_clock() {
    let root = Key::new(1);
    let jonas = Key::new(4);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "jonas", Role::Member, &jonas, 100);
    log.add(
        &root,
        "admin",
        100,
        Act::SetRole {
            member: "jonas".into(),
            role: Role::Moderator,
        },
    );
    // Jonas's clock is behind: his hide claims an earlier time, but he had seen the grant.
    log.add(
        &jonas,
        "jonas",
        50,
        Act::Moderate {
            key: "x".into(),
            hidden: true,
            reason: "off topic".into(),
        },
    );
    let c = log.resolve();
    assert!(c.is_hidden("x"), "{:?}", c.flags);
}

#[test]
fn signed_request_answers_need_the_role_of_their_time() {
    use crate::apply::Item;
    use crate::model::{Request, RequestStatus, StatusChange};

    let root = Key::new(1);
    let staff = Key::new(5);
    let mia = Key::new(2);
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "keller", Role::MunicipalStaff, &staff, 10);
    member_with_device(&mut log, &root, "mia", Role::Member, &mia, 10);
    log.add(
        &root,
        "admin",
        500,
        Act::SetRole {
            member: "keller".into(),
            role: Role::Member,
        },
    );
    let c = log.resolve();
    let change = |id: &str, by: &str, key: &Key, at: i64, status: RequestStatus| StatusChange {
        id: id.into(),
        at,
        by: by.into(),
        status,
        message: String::new(),
        reason: String::new(),
        contact: String::new(),
        promised_by: String::new(),
        device: key.public_hex(),
        sig: String::new(),
    };
    let mut history = BTreeMap::new();
    for s in [
        change("a", "mia", &mia, 20, RequestStatus::Submitted),
        change("b", "keller", &staff, 30, RequestStatus::Received),
        change("c", "mia", &mia, 40, RequestStatus::Approved),
        change("d", "keller", &staff, 600, RequestStatus::Done),
        change("e", "keller", &mia, 50, RequestStatus::Declined),
    ] {
        history.insert(s.id.clone(), s);
    }
    let mut item = Item::Request(Request {
        header: Header {
            schema: SCHEMA_VERSION,
            kind: DocKind::Request,
            id: "r".into(),
            community: c.header.id.clone(),
            created_at: 20,
            created_by: "mia".into(),
            device: mia.public_hex(),
            nonce: String::new(),
            sig: String::new(),
        },
        target: "i".into(),
        target_kind: DocKind::Idea,
        title: "t".into(),
        text: String::new(),
        author: "mia".into(),
        department: String::new(),
        history,
        followers: BTreeMap::new(),
        comments: BTreeMap::new(),
        reports: BTreeMap::new(),
        updated_at: 0,
    });
    sign_item(&mut item, None, &mia);
    sign_item(&mut item, None, &staff);
    let (checked, flags) = check_item(&c, &item);
    let Item::Request(r) = checked else {
        panic!("a request")
    };
    let kept: Vec<&str> = r.history.keys().map(String::as_str).collect();
    assert_eq!(kept, ["a", "b"], "{flags:?}");
    assert_eq!(flags.len(), 3);
    assert_eq!(r.status(), RequestStatus::Received);
}

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

mod content;

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
