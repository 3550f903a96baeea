//! A hostile member writing straight into the community document: deletions, rewritten
//! bodies, a replaced log and an edited header change nothing a reader believes.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use autosurgeon::reconcile_prop;
use ed25519_dalek::{Signer as _, SigningKey};

use crate::governance::{replay_document, seal, Act, Body, Checked, LogHistory, Signer};
use crate::ids::DocId;
use crate::model::{Community, CommunityKind, DocKind, Header, Role, SCHEMA_VERSION};

struct Key(SigningKey);

impl Signer for Key {
    fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }
    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

fn key(seed: u8) -> Key {
    Key(SigningKey::from_bytes(&[seed; 32]))
}

/// A device writing into its own copy of the community document.
struct Device {
    key: Key,
    doc: AutoCommit,
}

impl Device {
    fn actor(key: &Key) -> ActorId {
        ActorId::from(key.0.verifying_key().to_bytes().to_vec())
    }

    fn fork(&mut self, key: Key) -> Device {
        let doc = self.doc.fork().with_actor(Self::actor(&key));
        Device { key, doc }
    }

    fn merge(&mut self, other: &mut Device) {
        self.doc.merge(&mut other.doc).expect("test");
    }

    fn replay(&mut self, id: &str) -> Community {
        replay_document(
            id,
            self.doc.document(),
            &mut LogHistory::default(),
            &mut Checked::new(),
        )
    }

    /// Signs and appends an entry that has seen the whole replayed log.
    fn act(&mut self, id: &str, member: &str, at: i64, act: Act) -> String {
        let seen = self.replay(id).heads;
        let body = Body {
            v: 1,
            at,
            device: self.key.public_hex(),
            member: member.into(),
            seen,
            act,
        };
        let (entry_id, entry) = seal(id, &body, &self.key);
        let log = match self.doc.get(&ROOT, "log").expect("test") {
            Some((_, log)) => log,
            None => self
                .doc
                .put_object(&ROOT, "log", ObjType::Map)
                .expect("test"),
        };
        reconcile_prop(&mut self.doc, &log, entry_id.as_str(), &entry).expect("test");
        self.doc.commit();
        entry_id
    }

    fn log(&self) -> automerge::ObjId {
        self.doc.get(&ROOT, "log").expect("test").expect("log").1
    }
}

/// A village founded by `admin` (seed 1) with member Mia (seed 2) added.
fn village() -> (Device, String) {
    let root = key(1);
    let id = DocId::derive(&root.public_hex(), "n1").to_string();
    let mut doc = AutoCommit::new().with_actor(Device::actor(&root));
    let header = Header {
        schema: SCHEMA_VERSION,
        kind: DocKind::Community,
        id: id.clone(),
        community: id.clone(),
        created_at: 0,
        created_by: "admin".into(),
        device: root.public_hex(),
        nonce: "n1".into(),
        sig: String::new(),
    };
    reconcile_prop(&mut doc, ROOT, "header", &header).expect("test");
    doc.put_object(&ROOT, "log", ObjType::Map).expect("test");
    doc.commit();
    let mut admin = Device { key: root, doc };
    admin.act(
        &id,
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
    admin.act(
        &id,
        "admin",
        10,
        Act::AddMember {
            member: "mia".into(),
            role: Role::Moderator,
            profile: "p-mia".into(),
        },
    );
    let mia = key(2).public_hex();
    admin.act(
        &id,
        "admin",
        11,
        Act::AddDevice {
            member: "mia".into(),
            device: mia,
            until: None,
        },
    );
    (admin, id)
}

#[test]
fn deleting_a_demotion_or_a_removal_changes_nothing_and_is_flagged() {
    let (mut admin, id) = village();
    let mut mia = admin.fork(key(2));
    let demote = admin.act(
        &id,
        "admin",
        20,
        Act::SetRole {
            member: "mia".into(),
            role: Role::Member,
        },
    );
    let remove = admin.act(
        &id,
        "admin",
        21,
        Act::RemoveMember {
            member: "mia".into(),
        },
    );
    mia.merge(&mut admin);
    let log = mia.log();
    mia.doc.delete(&log, demote.as_str()).expect("test");
    mia.doc.delete(&log, remove.as_str()).expect("test");
    mia.doc.commit();
    admin.merge(&mut mia);
    let c = admin.replay(&id);
    assert!(c.members["mia"].removed, "the removal stands");
    assert_eq!(c.members["mia"].role, Role::Member, "the demotion stands");
    let mia_device = key(2).public_hex();
    for entry in [&demote, &remove] {
        assert!(
            c.flags
                .iter()
                .any(|f| &f.entry == entry && f.device == mia_device),
            "deletion of {entry} not flagged with Mia's device: {:?}",
            c.flags
        );
    }
}

#[test]
fn a_rewritten_body_is_flagged_and_the_signed_one_stands() {
    let (mut admin, id) = village();
    let settings = admin.act(
        &id,
        "admin",
        20,
        Act::Settings {
            name: Some("Neuhausen".into()),
            description: None,
            code_of_conduct: None,
            hold_first_posts: None,
        },
    );
    let mut mia = admin.fork(key(2));
    let entry = mia
        .doc
        .get(mia.log(), settings.as_str())
        .expect("test")
        .expect("entry")
        .1;
    let body: String = mia
        .doc
        .get(&entry, "body")
        .expect("test")
        .expect("body")
        .0
        .into_string()
        .expect("str")
        .to_string();
    let forged = body.replace(
        "\"settings\"",
        "\"set_role\",\"member\":\"mia\",\"role\":\"admin\",\"x\"",
    );
    mia.doc.put(&entry, "body", forged).expect("test");
    mia.doc.commit();
    admin.merge(&mut mia);
    let c = admin.replay(&id);
    assert_eq!(c.name, "Neuhausen", "the signed body stands");
    assert_eq!(c.members["mia"].role, Role::Moderator);
    assert!(c
        .flags
        .iter()
        .any(|f| f.entry == settings && f.device == key(2).public_hex()));
}

#[test]
fn a_replaced_log_and_an_edited_header_change_nothing() {
    let (mut admin, id) = village();
    let remove = admin.act(
        &id,
        "admin",
        20,
        Act::RemoveMember {
            member: "mia".into(),
        },
    );
    let mut mia = admin.fork(key(2));
    // A fresh, empty log, the header made to claim another kind and id, and then gone.
    mia.doc
        .put_object(&ROOT, "log", ObjType::Map)
        .expect("test");
    let header = mia
        .doc
        .get(&ROOT, "header")
        .expect("test")
        .expect("header")
        .1;
    mia.doc.put(&header, "kind", "idea").expect("test");
    mia.doc.put(&header, "id", "somewhere-else").expect("test");
    mia.doc.commit();
    let mut c = mia.replay(&id);
    assert!(c.is_founded());
    assert!(c.members["mia"].removed);
    assert_eq!(c.header.id, id);
    assert!(
        c.flags.iter().any(|f| f.what == "replace the log"),
        "{:?}",
        c.flags
    );
    mia.doc.delete(&ROOT, "header").expect("test");
    mia.doc.commit();
    c = mia.replay(&id);
    assert!(c.is_founded());
    assert!(c.members["mia"].removed, "{:?}", c.members);
    assert!(c
        .flags
        .iter()
        .any(|f| f.entry == remove || f.what == "replace the log"));
}

#[test]
fn an_incremental_read_gives_what_a_fresh_one_gives() {
    let (mut admin, id) = village();
    let mut history = LogHistory::default();
    let mut checked = Checked::new();
    let first = replay_document(&id, admin.doc.document(), &mut history, &mut checked);
    assert_eq!(first.members.len(), 2);
    admin.act(
        &id,
        "admin",
        20,
        Act::RemoveMember {
            member: "mia".into(),
        },
    );
    let mut mia = admin.fork(key(2));
    let log = mia.log();
    let keys: Vec<String> = mia.doc.keys(&log).collect();
    for k in keys {
        mia.doc.delete(&log, k.as_str()).expect("test");
    }
    mia.doc.commit();
    admin.merge(&mut mia);
    let warm = replay_document(&id, admin.doc.document(), &mut history, &mut checked);
    let fresh = admin.replay(&id);
    assert_eq!(warm, fresh);
    assert!(warm.members["mia"].removed);
    assert_eq!(warm.members["admin"].role, Role::Admin);
}

mod hostile {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Step {
        /// The admin sets Mia's role (member or moderator: never more).
        Grant(bool),
        /// Both devices exchange everything.
        Sync,
        /// Mia deletes the n-th entry of her current log.
        Delete(usize),
        /// Mia rewrites the n-th entry's body into a promotion of herself.
        Rewrite(usize),
        /// Mia signs acts back-dated to the beginning, having seen nothing.
        BackDate,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => any::<bool>().prop_map(Step::Grant),
            2 => Just(Step::Sync),
            2 => (0..40usize).prop_map(Step::Delete),
            2 => (0..40usize).prop_map(Step::Rewrite),
            1 => Just(Step::BackDate),
        ]
    }

    fn nth_entry(d: &Device, n: usize) -> Option<String> {
        let keys: Vec<String> = d.doc.keys(d.log()).collect();
        (!keys.is_empty()).then(|| keys[n % keys.len()].clone())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Honest acts and hostile edits in any mix: Mia never holds more than the role the
        /// admin last gave her, the admin stays admin, and both honest replicas agree.
        #[test]
        fn a_hostile_member_never_gains_a_role(steps in proptest::collection::vec(step(), 1..24)) {
            let (mut admin, id) = village();
            let mut mia = admin.fork(key(2));
            let mut last = Role::Moderator;
            let mut at = 100;
            for s in steps {
                at += 10;
                match s {
                    Step::Grant(moderator) => {
                        last = if moderator { Role::Moderator } else { Role::Member };
                        admin.act(&id, "admin", at, Act::SetRole { member: "mia".into(), role: last });
                    }
                    Step::Sync => {
                        admin.merge(&mut mia);
                        mia.merge(&mut admin);
                    }
                    Step::Delete(n) => {
                        if let Some(k) = nth_entry(&mia, n) {
                            let log = mia.log();
                            mia.doc.delete(&log, k.as_str()).expect("test");
                            mia.doc.commit();
                        }
                    }
                    Step::Rewrite(n) => {
                        if let Some(k) = nth_entry(&mia, n) {
                            let log = mia.log();
                            let entry = mia.doc.get(&log, k.as_str()).expect("test").expect("entry").1;
                            let forged = format!(
                                "{{\"v\":1,\"at\":1,\"device\":\"{}\",\"member\":\"admin\",\"seen\":[],\"act\":{{\"type\":\"set_role\",\"member\":\"mia\",\"role\":\"admin\"}}}}",
                                key(1).public_hex()
                            );
                            mia.doc.put(&entry, "body", forged).expect("test");
                            mia.doc.commit();
                        }
                    }
                    Step::BackDate => {
                        let body = |act| Body {
                            v: 1,
                            at: 1,
                            device: key(2).public_hex(),
                            member: "mia".into(),
                            seen: Vec::new(),
                            act,
                        };
                        let log = mia.log();
                        for act in [
                            Act::SetRole { member: "mia".into(), role: Role::Admin },
                            Act::RemoveMember { member: "admin".into() },
                        ] {
                            let (eid, entry) = seal(&id, &body(act), &mia.key);
                            reconcile_prop(&mut mia.doc, &log, eid.as_str(), &entry).expect("test");
                        }
                        mia.doc.commit();
                    }
                }
            }
            // Two honest replicas that took the changes in different orders.
            let mut one = admin.fork(key(3));
            one.merge(&mut mia);
            let mut two = mia.fork(key(4));
            two.merge(&mut admin);
            let a = one.replay(&id);
            let b = two.replay(&id);
            prop_assert_eq!(&a.members, &b.members);
            prop_assert_eq!(a.members["mia"].role, last);
            prop_assert!(!a.members["admin"].removed);
            prop_assert_eq!(a.members["admin"].role, Role::Admin);
        }
    }
}
