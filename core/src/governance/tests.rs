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

mod content;
mod forgery;
mod timing;
