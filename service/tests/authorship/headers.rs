//! Headers and change signatures a modified client writes: a header written over the
//! first one, one naming someone else the creator, bogus signatures and overlapping
//! operation numbers.

use super::*;

/// From an adversarial review: Mallory wrote her own header (signed by her, without a nonce)
/// over Ben's, named herself the author, and then her title counted as the author's.
#[test]
fn a_header_written_over_the_first_one_changes_no_author_and_no_title() {
    let (mut anna, mut ben, mut mallory, community) = village();
    let id = idea(&mut ben.svc, &community, "Bänke am Dorfplatz");
    hand(&mut ben.svc, &mut mallory.svc, &id);
    hand(&mut ben.svc, &mut anna.svc, &id);
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = automerge::AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let mut item = allmende_service::docs::item(&doc).expect("item");
    let me = mallory
        .svc
        .store()
        .identity(&community)
        .expect("id")
        .expect("Mallory");
    let h = item.header_mut();
    h.created_by.clone_from(&me);
    h.device = mallory.svc.device().public_hex();
    h.nonce = String::new();
    h.sig = String::new();
    allmende_core::governance::sign_item(&mut item, None, mallory.svc.device());
    if let allmende_core::apply::Item::Idea(x) = &mut item {
        x.author.clone_from(&me);
        x.title = "Parkplatz statt Bänke".into();
    }
    allmende_service::docs::put_item(&mut doc, &item).expect("put");
    let hash = doc.commit().expect("a change");
    doc.empty_change(
        automerge::transaction::CommitOptions::default().with_message(signature_message(
            mallory.svc.device(),
            &id,
            &hash,
        )),
    );
    let (_, held) = anna
        .svc
        .receive_each(&[(id.clone(), doc.save())])
        .expect("receive");
    assert!(held.is_empty(), "{held:?}");
    let shown = anna.svc.show(&id).expect("show");
    let ben_id = ben
        .svc
        .store()
        .identity(&community)
        .expect("id")
        .expect("Ben");
    assert_eq!(shown.summary.title, "Bänke am Dorfplatz");
    assert_eq!(shown.summary.author, ben_id, "the idea stays Ben's");
    let flags = anna.svc.flags(&community).expect("flags");
    for entry in ["header", "field:title"] {
        assert!(
            flags.iter().any(|f| f.doc == id && f.entry == entry),
            "{entry}: {flags:?}"
        );
    }
}

/// From an adversarial review: Mallory added bogus signatures of Ben's change (in Ben's name
/// and in her own) until his real one was no longer looked at, and his retitle was shown as
/// forged. Only the signature the writing actor made right after its change counts.
#[test]
fn bogus_signatures_of_someone_elses_change_neither_crowd_out_nor_claim_it() {
    let (mut anna, mut ben, mut mallory, community) = village();
    let id = idea(&mut ben.svc, &community, "Bänke am Dorfplatz");
    ben.svc
        .execute(Command::EditIdea {
            idea: id.clone(),
            title: Some("Bänke unter der Linde".into()),
            text: None,
            category: None,
            status: None,
        })
        .expect("retitle");
    hand(&mut ben.svc, &mut mallory.svc, &id);
    let bytes = mallory.svc.doc_bytes(&id).expect("bytes");
    let mut doc = automerge::AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let (_, title_id) = automerge::ReadDoc::get(&doc, automerge::ROOT, "title")
        .expect("read")
        .expect("a title");
    let retitle = doc.hash_for_opid(&title_id).expect("the change");
    let ben_key = ben.svc.device().public_hex();
    for n in 0..12 {
        // Right after Ben's change, as his own signature is.
        let mut junk = automerge::AutoCommit::load(&bytes)
            .expect("load")
            .fork_at(&[retitle])
            .expect("fork");
        let message = if n % 2 == 0 {
            format!("allmende-sig/1 {ben_key} {retitle}:{}", "00".repeat(64))
        } else {
            signature_message(mallory.svc.device(), &id, &retitle)
        };
        junk.empty_change(automerge::transaction::CommitOptions::default().with_message(message));
        doc.merge(&mut junk).expect("merge");
    }
    hand(&mut ben.svc, &mut anna.svc, &id);
    give_raw(&mut anna.svc, &id, doc.save());
    assert_eq!(title(&mut anna.svc, &id), "Bänke unter der Linde");
    let flags = anna.svc.flags(&community).expect("flags");
    assert!(
        !flags
            .iter()
            .any(|f| f.doc == id && f.entry.starts_with("field:")),
        "{flags:?}"
    );
    let history = anna.svc.history(&id).expect("history");
    let ben_name = history
        .entries
        .iter()
        .find(|e| e.what == "edit_idea")
        .map(|e| e.name.clone())
        .unwrap_or_default();
    assert_eq!(ben_name, "Ben", "{:?}", history.entries);
}

/// Issue 12, "edit permission reads the current header": Mallory's modified client names
/// her the creator of Ben's event in its header. Her app must still ask the event's signed
/// first header: it refuses her edit there, as every other device would refuse the change.
#[test]
fn a_header_that_names_someone_else_the_creator_gives_no_right_to_edit() {
    let (_anna, mut ben, mut mallory, community) = village();
    let event = ben
        .svc
        .execute(Command::AddEvent {
            community: community.clone(),
            title: "Pflanztag".into(),
            description: String::new(),
            start: "2030-04-01T10:00:00+02:00".into(),
            end: "2030-04-01T14:00:00+02:00".into(),
            time_zone: None,
            place: "Dorfplatz".into(),
            online_link: String::new(),
            category: "nature".into(),
            organiser: String::new(),
            capacity: 0,
        })
        .expect("event")
        .id;
    hand(&mut ben.svc, &mut mallory.svc, &event);
    let me = mallory.svc.me(&community).expect("me").expect("member");
    let bytes = mallory.svc.doc_bytes(&event).expect("bytes");
    let mut doc = automerge::AutoCommit::load(&bytes).expect("load");
    doc.set_actor(mallory.svc.device().actor());
    let (_, header) = doc
        .get(automerge::ROOT, "header")
        .expect("read")
        .expect("header");
    doc.put(&header, "created_by", me.as_str()).expect("put");
    doc.commit();
    mallory
        .svc
        .receive_each(&[(event.clone(), doc.save())])
        .expect("receive");
    let edit = mallory.svc.execute(Command::EditEvent {
        event: event.clone(),
        title: Some("Abgesagt".into()),
        description: None,
        start: None,
        end: None,
        time_zone: None,
        place: None,
        online_link: None,
        category: None,
        organiser: None,
        capacity: None,
        cancelled: Some(true),
    });
    assert!(
        matches!(
            edit,
            Err(allmende_store::error::PeerError::Domain(
                allmende_core::DomainError::Forbidden { .. }
            ))
        ),
        "{edit:?}"
    );
    assert_eq!(title(&mut mallory.svc, &event), "Pflanztag");
}

/// Tangled operation numbers. A modified client can write a change under the author's actor
/// id whose operation numbers lie inside the author's signed change (what Automerge's own
/// API never writes). Automerge takes it in; read at the author's change, the document then
/// shows the forged title (so the walk back put it back as "the value the item was made
/// with"), and listing the document's changes panics. Such a document is refused where it
/// arrives and held in quarantine; the copy here stays as it was.
#[test]
fn a_change_whose_operation_numbers_overlap_the_authors_signed_one_is_refused() {
    use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
    let (mut anna, mut ben, mut mallory, community) = village();
    let id = idea(&mut ben.svc, &community, "Bänke am Dorfplatz");
    hand(&mut ben.svc, &mut mallory.svc, &id);
    hand(&mut ben.svc, &mut anna.svc, &id);
    let doc =
        automerge::Automerge::load(&mallory.svc.doc_bytes(&id).expect("bytes")).expect("load");
    let (_, shown) = doc
        .get(automerge::ROOT, "title")
        .expect("read")
        .expect("a title");
    let automerge::ObjId::Id(counter, actor, _) = shown else {
        panic!("the title is an operation");
    };
    let metas = doc.get_changes_meta(&[]);
    let signed = metas
        .iter()
        .find(|m| *m.actor == actor && m.start_op <= counter && counter <= m.max_op)
        .expect("Ben's change that wrote the title");
    assert!(
        signed.max_op > signed.start_op,
        "a change of several operations"
    );
    // An operation number of Ben's signed change other than the title's own.
    let taken = if counter == signed.max_op {
        signed.start_op
    } else {
        signed.max_op
    };
    let seq = metas
        .iter()
        .filter(|m| *m.actor == actor)
        .map(|m| m.seq)
        .max()
        .expect("Ben's changes");
    let forged = automerge::Change::from(automerge::ExpandedChange {
        operations: vec![Op {
            action: OpType::Put("Parkplatz statt Bänke".into()),
            obj: ObjectId::Root,
            key: Key::Map("title".into()),
            pred: vec![OpId(counter, actor.clone())].into(),
            insert: false,
        }],
        actor_id: actor.clone(),
        hash: None,
        seq: seq + 1,
        start_op: std::num::NonZeroU64::new(taken).expect("numbers start at 1"),
        time: 0,
        message: None,
        deps: doc.get_heads(),
        extra_bytes: Vec::new(),
        author: None,
    });
    // The document as Mallory's client sends it: what Ben's device wrote, then her change.
    let mut bytes = doc.save();
    bytes.extend_from_slice(forged.raw_bytes());
    let tangled = automerge::Automerge::load(&bytes).expect("Automerge takes the change");
    let (value, _) = tangled
        .get(automerge::ROOT, "title")
        .expect("read")
        .expect("a title");
    assert_eq!(
        value.as_str(),
        Some("Parkplatz statt Bänke"),
        "Automerge shows the forged title"
    );
    for d in [&mut anna.svc, &mut ben.svc] {
        let (_, held) = d
            .receive_each(&[(id.clone(), bytes.clone())])
            .expect("receive");
        assert_eq!(held.len(), 1, "the tangled document is held back: {held:?}");
        assert!(
            format!("{held:?}").contains("operation numbers"),
            "{held:?}"
        );
        assert_eq!(title(d, &id), "Bänke am Dorfplatz");
        // What is held here still reads, lists its history and syncs.
        let held_doc = automerge::Automerge::load(&d.doc_bytes(&id).expect("bytes")).expect("load");
        assert!(!allmende_core::governance::tangled::tangled(&held_doc));
        assert!(!held_doc.get_changes(&[]).is_empty());
    }
}
