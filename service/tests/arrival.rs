//! What arrives from other devices (issue 13).
//!
//! What a document is, is fixed when it first arrives on a device (P2P side of finding 6). A member who sees an id on its way (a LAN announcement, a feed) and sends a
//! document of their own under it first would otherwise decide what that id is here: the
//! creator's real document then merges into the squatter's, or is refused as "a project of
//! another community". A device therefore takes in a document it does not have only with its
//! creator's proof (a header signed by the device the id is derived from).
//!
//! A value of the wrong kind written into an item by a modified client is put back in shape
//! where it arrives, so one member cannot freeze an item for everyone.

mod common;

use allmende_core::model::DocKind;
use allmende_core::Command;
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use common::{idea, village};

/// `bytes` with the header's field `field` set to `value`.
fn with_header(bytes: &[u8], field: &str, value: &str) -> Vec<u8> {
    let mut doc = automerge::AutoCommit::load(bytes).expect("load");
    let (_, header) = doc
        .get(automerge::ROOT, "header")
        .expect("read")
        .expect("a header");
    doc.put(&header, field, value).expect("edit");
    doc.save()
}

#[test]
fn a_member_cannot_take_the_id_of_a_document_on_its_way_and_the_real_one_arrives() {
    let (mut anna, mut ben, mut mallory, community) = village();
    // Anna's idea is on its way to Ben; Mallory has seen its id.
    let anna_idea = idea(&mut anna.svc, &community, "Solardach auf der Schule");
    // Mallory's own idea, its header pointed at Anna's id (signed by her, but the id is not
    // derived from her key) ...
    let own = idea(&mut mallory.svc, &community, "Parkplatz statt Wiese");
    let copied = with_header(
        &mallory.svc.doc_bytes(&own).expect("bytes"),
        "id",
        &anna_idea,
    );
    // ... the same as an item "from before proofs" (no nonce; the signature breaks) ...
    let unproven = with_header(&copied, "nonce", "");
    // ... and an item "from before proofs" that Mallory's device signed afresh for Anna's id
    // (from an adversarial review: a member's signature on such a header holds, and a
    // derived id cannot be told from a random one).
    let mut item = allmende_service::docs::item(
        &automerge::AutoCommit::load(&mallory.svc.doc_bytes(&own).expect("bytes")).expect("load"),
    )
    .expect("item");
    let header = item.header_mut();
    header.id = anna_idea.clone();
    header.nonce = String::new();
    header.sig = String::new();
    allmende_core::governance::sign_item(&mut item, None, mallory.svc.device());
    let mut resigned = automerge::AutoCommit::new();
    allmende_service::docs::put_item(&mut resigned, &item).expect("put");
    for forged in [copied, unproven, resigned.save()] {
        let (report, held) = ben
            .svc
            .receive_each(&[(anna_idea.clone(), forged)])
            .expect("receive");
        assert_eq!(report.created, 0, "the squatter's document is not taken in");
        assert_eq!(held.len(), 1, "it is held in quarantine");
        assert!(
            held[0].reason.contains("does not prove"),
            "{}",
            held[0].reason
        );
    }
    // Anna's real idea then arrives and is what it is.
    let real = anna.svc.doc_bytes(&anna_idea).expect("bytes");
    let (report, held) = ben
        .svc
        .receive_each(&[(anna_idea.clone(), real)])
        .expect("receive");
    assert!(held.is_empty(), "{held:?}");
    assert_eq!(report.created, 1);
    let shown = ben.svc.show(&anna_idea).expect("show");
    assert_eq!(shown.summary.kind, DocKind::Idea);
    assert_eq!(shown.summary.title, "Solardach auf der Schule");
    assert_eq!(shown.summary.author_name, "Anna");
}

/// From an adversarial review: a member's modified client wrote a number where an idea's
/// title belongs. Every device refused the idea from then on (into quarantine), and since
/// every later copy of it carries that write, nobody got anyone's later comment: one member
/// froze the idea for everyone. Now the value is put back where the idea arrives, and what
/// honest members wrote stays.
#[test]
fn a_value_of_the_wrong_kind_is_put_back_and_the_item_keeps_syncing() {
    let (mut anna, mut ben, mut mallory, community) = village();
    let id = idea(&mut anna.svc, &community, "Trinkbrunnen am Markt");
    let first = anna.svc.doc_bytes(&id).expect("bytes");
    for d in [&mut ben, &mut mallory] {
        d.svc
            .receive_many(&[(id.clone(), first.clone())])
            .expect("idea");
    }
    // Mallory's modified client writes a number as the title.
    let mut bad =
        automerge::AutoCommit::load(&mallory.svc.doc_bytes(&id).expect("bytes")).expect("load");
    bad.put(automerge::ROOT, "title", 42i64).expect("put");
    let bad = bad.save();
    // Anna comments meanwhile; a relay merges both and hands the result on.
    anna.svc
        .execute(Command::AddComment {
            item: id.clone(),
            text: "Ich frage die Stadtwerke".into(),
        })
        .expect("comment");
    let mut relay = automerge::AutoCommit::load(&bad).expect("load");
    relay
        .merge(
            &mut automerge::AutoCommit::load(&anna.svc.doc_bytes(&id).expect("bytes"))
                .expect("load"),
        )
        .expect("merge");
    let (report, held) = ben
        .svc
        .receive_each(&[(id.clone(), relay.save())])
        .expect("receive");
    assert!(held.is_empty(), "held in quarantine: {held:?}");
    assert_eq!(report.repaired.len(), 1, "{report:?}");
    let shown = ben.svc.show(&id).expect("show");
    assert_eq!(shown.summary.title, "Trinkbrunnen am Markt");
    let allmende_core::apply::Item::Idea(idea) = shown.item else {
        panic!("not an idea");
    };
    assert!(
        idea.comments
            .values()
            .any(|c| c.text == "Ich frage die Stadtwerke"),
        "Anna's comment came through"
    );
    // The repair is Ben's change: Anna takes it in and reads her idea as before.
    let repaired = ben.svc.doc_bytes(&id).expect("bytes");
    let (_, held) = anna
        .svc
        .receive_each(&[(id.clone(), repaired)])
        .expect("receive");
    assert!(held.is_empty(), "{held:?}");
    assert_eq!(
        anna.svc.show(&id).expect("show").summary.title,
        "Trinkbrunnen am Markt"
    );
}

/// From an adversarial review of the repair: writes whose kind fits but that still do not
/// read froze the item as before. Each is put back now, and Anna's later comment comes
/// through.
#[test]
fn writes_that_fit_by_kind_but_do_not_read_are_put_back_too() {
    use automerge::ObjType;
    type Attack = fn(&mut automerge::AutoCommit);
    let attacks: [(&str, Attack); 4] = [
        ("a null title", |d| {
            d.put(automerge::ROOT, "title", automerge::ScalarValue::Null)
                .expect("put");
        }),
        ("a status that is no status", |d| {
            d.put(automerge::ROOT, "status", "bogus").expect("put");
        }),
        ("a number in the empty map of comments", |d| {
            let (_, comments) = d
                .get(automerge::ROOT, "comments")
                .expect("get")
                .expect("comments");
            d.put(&comments, "x", 42i64).expect("put");
        }),
        ("a nested field deleted", |d| {
            let (_, header) = d
                .get(automerge::ROOT, "header")
                .expect("get")
                .expect("header");
            d.delete(&header, "kind").expect("delete");
            let _ = d.put_object(automerge::ROOT, "unused", ObjType::Map);
        }),
    ];
    for (what, attack) in attacks {
        let (mut anna, mut ben, mut mallory, community) = village();
        let id = idea(&mut anna.svc, &community, "Trinkbrunnen am Markt");
        let first = anna.svc.doc_bytes(&id).expect("bytes");
        for d in [&mut ben, &mut mallory] {
            d.svc
                .receive_many(&[(id.clone(), first.clone())])
                .expect("idea");
        }
        let mut bad =
            automerge::AutoCommit::load(&mallory.svc.doc_bytes(&id).expect("bytes")).expect("load");
        attack(&mut bad);
        anna.svc
            .execute(Command::AddComment {
                item: id.clone(),
                text: "Ich frage die Stadtwerke".into(),
            })
            .expect("comment");
        let mut relay = automerge::AutoCommit::load(&bad.save()).expect("load");
        relay
            .merge(
                &mut automerge::AutoCommit::load(&anna.svc.doc_bytes(&id).expect("bytes"))
                    .expect("load"),
            )
            .expect("merge");
        let (_, held) = ben
            .svc
            .receive_each(&[(id.clone(), relay.save())])
            .expect("receive");
        assert!(held.is_empty(), "{what}: held in quarantine: {held:?}");
        let shown = ben.svc.show(&id).expect("show");
        assert_eq!(shown.summary.title, "Trinkbrunnen am Markt", "{what}");
        let allmende_core::apply::Item::Idea(idea) = shown.item else {
            panic!("{what}: not an idea");
        };
        assert!(
            idea.comments
                .values()
                .any(|c| c.text == "Ich frage die Stadtwerke"),
            "{what}: Anna's comment came through"
        );
    }
}
