//! Finding 4 of the trust review: ordinary content (who made an item, who wrote a comment or
//! report, who supports an idea, who signed up or registered) was taken from plain fields,
//! so any member could post as the mayor or inflate support.

use super::*;
use crate::apply::Item;
use crate::model::{Comment, Idea, IdeaStatus, Proof, Report};

struct Town {
    community: Community,
    anna: Key,
    ben: Key,
    mallory: Key,
}

fn town() -> Town {
    let root = Key::new(1);
    let (anna, ben, mallory) = (Key::new(2), Key::new(3), Key::new(4));
    let mut log = Log::new(&root);
    member_with_device(&mut log, &root, "anna", Role::Member, &anna, 10);
    member_with_device(&mut log, &root, "ben", Role::Member, &ben, 10);
    member_with_device(&mut log, &root, "mallory", Role::Member, &mallory, 10);
    Town {
        community: log.resolve(),
        anna,
        ben,
        mallory,
    }
}

fn idea(c: &Community, by: &str, device: &Key) -> Idea {
    Idea {
        header: Header {
            schema: SCHEMA_VERSION,
            kind: DocKind::Idea,
            id: "i1".into(),
            community: c.header.id.clone(),
            created_at: 100,
            created_by: by.into(),
            device: device.public_hex(),
            nonce: String::new(),
            sig: String::new(),
        },
        title: "Blühstreifen".into(),
        text: String::new(),
        category: "nature".into(),
        author: by.into(),
        status: IdeaStatus::New,
        supporters: BTreeMap::new(),
        support_proofs: BTreeMap::new(),
        comments: BTreeMap::new(),
        reports: BTreeMap::new(),
        project: String::new(),
        updated_at: 100,
    }
}

fn comment(id: &str, author: &str, device: &Key, text: &str) -> Comment {
    Comment {
        id: id.into(),
        author: author.into(),
        text: text.into(),
        created_at: 200,
        edited_at: 0,
        device: device.public_hex(),
        sig: String::new(),
    }
}

fn support(x: &mut Idea, member: &str, device: &Key) {
    x.supporters.insert(member.into(), 300);
    x.support_proofs.insert(
        member.into(),
        Proof {
            device: device.public_hex(),
            sig: String::new(),
        },
    );
}

fn checked(c: &Community, item: &Item) -> (Idea, Vec<Flag>) {
    let (item, flags) = check_item(c, item);
    let Item::Idea(x) = item else {
        panic!("an idea")
    };
    (x, flags)
}

#[test]
fn honest_content_holds_and_is_not_flagged() {
    let t = town();
    let mut x = idea(&t.community, "anna", &t.anna);
    x.comments
        .insert("c1".into(), comment("c1", "ben", &t.ben, "Gute Idee"));
    support(&mut x, "ben", &t.ben);
    x.reports.insert(
        "r1".into(),
        Report {
            id: "r1".into(),
            reporter: "ben".into(),
            reason: "Tippfehler".into(),
            comment: String::new(),
            created_at: 250,
            device: t.ben.public_hex(),
            sig: String::new(),
        },
    );
    let mut item = Item::Idea(x);
    sign_item(&mut item, None, &t.anna);
    sign_item(&mut item, None, &t.ben);
    let (seen, flags) = checked(&t.community, &item);
    assert!(flags.is_empty(), "{flags:?}");
    assert_eq!(seen.author, "anna");
    assert_eq!(seen.comments.len(), 1);
    assert_eq!(seen.supporters.len(), 1);
    assert_eq!(seen.reports.len(), 1);
}

#[test]
fn a_comment_written_as_someone_else_is_left_out_and_flagged() {
    let t = town();
    let mut x = idea(&t.community, "anna", &t.anna);
    // Mallory's client writes a comment naming Anna, signed with Mallory's own device.
    x.comments.insert(
        "c1".into(),
        comment("c1", "anna", &t.mallory, "Wählt Mallory!"),
    );
    let mut item = Item::Idea(x);
    sign_item(&mut item, None, &t.anna);
    sign_item(&mut item, None, &t.mallory);
    let (seen, flags) = checked(&t.community, &item);
    assert!(seen.comments.is_empty());
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].entry, "comment:c1");
    assert_eq!(flags[0].device, t.mallory.public_hex());
}

#[test]
fn an_edited_comment_or_report_no_longer_holds() {
    let t = town();
    let mut x = idea(&t.community, "anna", &t.anna);
    x.comments
        .insert("c1".into(), comment("c1", "ben", &t.ben, "Gute Idee"));
    let mut item = Item::Idea(x);
    sign_item(&mut item, None, &t.anna);
    sign_item(&mut item, None, &t.ben);
    if let Item::Idea(x) = &mut item {
        x.comments.get_mut("c1").expect("comment").text = "Schlechte Idee".into();
    }
    let (seen, flags) = checked(&t.community, &item);
    assert!(seen.comments.is_empty());
    assert_eq!(flags[0].reason, "the signature is missing or wrong");
}

#[test]
fn support_counts_only_with_the_supporters_own_signature() {
    let t = town();
    let mut x = idea(&t.community, "anna", &t.anna);
    support(&mut x, "mallory", &t.mallory);
    // Mallory adds Ben's support with her device, and a supporter without any proof.
    support(&mut x, "ben", &t.mallory);
    x.supporters.insert("ghost".into(), 300);
    let mut item = Item::Idea(x);
    sign_item(&mut item, None, &t.anna);
    sign_item(&mut item, None, &t.mallory);
    let (seen, flags) = checked(&t.community, &item);
    let kept: Vec<&str> = seen.supporters.keys().map(String::as_str).collect();
    assert_eq!(kept, ["mallory"]);
    assert_eq!(flags.len(), 2, "{flags:?}");
}

#[test]
fn an_item_claiming_another_creator_is_by_nobody() {
    let t = town();
    // Mallory's client makes an idea that names Anna as its creator.
    let mut item = Item::Idea(idea(&t.community, "anna", &t.mallory));
    sign_item(&mut item, None, &t.mallory);
    let (seen, flags) = checked(&t.community, &item);
    assert_eq!(seen.author, "");
    assert_eq!(seen.header.created_by, "");
    assert_eq!(flags[0].entry, "header");
    assert_eq!(
        flags[0].reason,
        "the device did not belong to this member then"
    );
    // Rewriting the creator of Anna's signed idea breaks the header's signature.
    let mut item = Item::Idea(idea(&t.community, "anna", &t.anna));
    sign_item(&mut item, None, &t.anna);
    if let Item::Idea(x) = &mut item {
        x.header.created_by = "mallory".into();
    }
    let (seen, _) = checked(&t.community, &item);
    assert_eq!(seen.author, "");
}

#[test]
fn the_author_field_follows_a_header_that_holds() {
    let t = town();
    let mut item = Item::Idea(idea(&t.community, "anna", &t.anna));
    sign_item(&mut item, None, &t.anna);
    if let Item::Idea(x) = &mut item {
        x.author = "mallory".into();
    }
    let (seen, flags) = checked(&t.community, &item);
    assert_eq!(seen.author, "anna");
    assert_eq!(
        flags[0].reason,
        "the item names another author than its creator"
    );
}

/// From an adversarial review: an honest device signed every unsigned mark naming it, so a
/// member could write a comment (or a header, a support) naming Anna's device and have Anna's
/// next edit of the item vouch for it.
#[test]
fn an_unsigned_mark_already_there_is_never_signed_by_the_next_honest_edit() {
    let t = town();
    let mut x = idea(&t.community, "ben", &t.ben);
    let mut item = Item::Idea(x.clone());
    sign_item(&mut item, None, &t.ben);
    // Mallory's client writes a comment naming Anna and her device, unsigned.
    x = match item {
        Item::Idea(x) => x,
        _ => unreachable!(),
    };
    x.comments.insert(
        "forged".into(),
        comment(
            "forged",
            "anna",
            &t.anna,
            "Ich ziehe meine Unterstützung zurück.",
        ),
    );
    let before = Item::Idea(x.clone());
    // Anna then comments herself: her device signs her comment only.
    x.comments.insert(
        "c2".into(),
        comment("c2", "anna", &t.anna, "Ich bin dabei."),
    );
    let mut after = Item::Idea(x);
    sign_item(&mut after, Some(&before), &t.anna);
    let (seen, flags) = checked(&t.community, &after);
    let kept: Vec<&str> = seen.comments.keys().map(String::as_str).collect();
    assert_eq!(kept, ["c2"]);
    assert_eq!(flags.len(), 1, "{flags:?}");
    let _ = t.mallory;
}

/// From an adversarial review: a signed comment copied under other keys counted again.
#[test]
fn a_signed_comment_copied_under_another_key_counts_once() {
    let t = town();
    let mut x = idea(&t.community, "anna", &t.anna);
    x.comments
        .insert("c1".into(), comment("c1", "ben", &t.ben, "Gute Idee"));
    let mut item = Item::Idea(x);
    sign_item(&mut item, None, &t.anna);
    sign_item(&mut item, None, &t.ben);
    if let Item::Idea(x) = &mut item {
        let copy = x.comments["c1"].clone();
        x.comments.insert("c2".into(), copy);
    }
    let (seen, flags) = checked(&t.community, &item);
    assert_eq!(seen.comments.len(), 1);
    assert_eq!(flags[0].entry, "comment:c2");
}
