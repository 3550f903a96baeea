//! Random sequences of honest edits and a hostile member's raw writes (issue 12): whatever
//! Mallory's modified client writes or deletes, and in whatever order the copies meet, both
//! honest devices end showing the same idea, with a title an entitled member wrote, every
//! comment Ben wrote, and never a support Anna did not give (a support Mallory deleted is
//! flagged, not put back: Anna may have taken it back meanwhile).

mod common;

use std::collections::BTreeSet;

use allmende_core::apply::Item;
use allmende_core::governance::body::signature_message;
use allmende_core::Command;
use allmende_service::Service;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ReadDoc, ROOT};
use common::{idea, village};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// The author retitles the idea.
    BenRetitles(u8),
    /// An admin retitles it.
    AnnaRetitles(u8),
    BenComments(u8),
    /// Anna supports it, or takes her support back.
    AnnaToggles,
    /// Mallory's client writes a title, signed by her device or not.
    MalloryTitle(u8, bool),
    MalloryDeletesComments,
    MalloryDeletesSupport,
    /// A copy travels from one device to another (0 Anna, 1 Ben, 2 Mallory).
    Meet(u8, u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        any::<u8>().prop_map(Step::BenRetitles),
        any::<u8>().prop_map(Step::AnnaRetitles),
        any::<u8>().prop_map(Step::BenComments),
        Just(Step::AnnaToggles),
        (any::<u8>(), any::<bool>()).prop_map(|(n, s)| Step::MalloryTitle(n, s)),
        Just(Step::MalloryDeletesComments),
        Just(Step::MalloryDeletesSupport),
        (0u8..3, 0u8..3).prop_map(|(a, b)| Step::Meet(a, b)),
    ]
}

fn retitle(svc: &mut Service, id: &str, title: &str) {
    svc.execute(Command::EditIdea {
        idea: id.into(),
        title: Some(title.into()),
        text: None,
        category: None,
        status: None,
    })
    .expect("retitle");
}

/// Mallory's raw copy: her changes under her actor, signed by her device when `sign`.
fn mallory_writes(
    doc: &mut AutoCommit,
    mallory: &Service,
    id: &str,
    sign: bool,
    write: impl FnOnce(&mut AutoCommit),
) {
    write(doc);
    let Some(hash) = doc.commit() else {
        return;
    };
    if sign {
        doc.empty_change(CommitOptions::default().with_message(signature_message(
            mallory.device(),
            id,
            &hash,
        )));
    }
}

fn clear_map(doc: &mut AutoCommit, map: &str) {
    if let Ok(Some((_, obj))) = doc.get(ROOT, map) {
        let keys: Vec<String> = doc.keys(&obj).collect();
        for k in keys {
            doc.delete(&obj, k.as_str()).expect("delete");
        }
    }
}

fn give(to: &mut Service, id: &str, bytes: Vec<u8>) {
    let (_, held) = to
        .receive_each(&[(id.to_string(), bytes)])
        .expect("receive");
    assert!(held.is_empty(), "held: {held:?}");
}

fn seen(svc: &mut Service, id: &str) -> (String, usize, BTreeSet<String>) {
    let shown = svc.show(id).expect("show");
    let Item::Idea(x) = shown.item else {
        panic!("not an idea");
    };
    let texts = x.comments.values().map(|c| c.text.clone()).collect();
    (x.title, x.supporters.len(), texts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn a_hostile_member_never_gets_a_title_shown_or_a_mark_removed(
        steps in prop::collection::vec(step(), 1..14)
    ) {
        let (mut anna, mut ben, mallory, community) = village();
        let id = idea(&mut ben.svc, &community, "Titel 0");
        let first = ben.svc.doc_bytes(&id).expect("bytes");
        give(&mut anna.svc, &id, first.clone());
        let mut raw = AutoCommit::load(&first).expect("load");
        raw.set_actor(mallory.svc.device().actor());
        let mut honest: BTreeSet<String> = ["Titel 0".to_string()].into();
        let mut comments: BTreeSet<String> = BTreeSet::new();
        let mut supports = false;
        for (n, s) in steps.iter().enumerate() {
            match s {
                Step::BenRetitles(x) => {
                    let t = format!("Ben {n} {x}");
                    retitle(&mut ben.svc, &id, &t);
                    honest.insert(t);
                }
                Step::AnnaRetitles(x) => {
                    let t = format!("Anna {n} {x}");
                    retitle(&mut anna.svc, &id, &t);
                    honest.insert(t);
                }
                Step::BenComments(x) => {
                    let t = format!("Kommentar {n} {x}");
                    ben.svc
                        .execute(Command::AddComment { item: id.clone(), text: t.clone() })
                        .expect("comment");
                    comments.insert(t);
                }
                Step::AnnaToggles => {
                    // As her device shows it (a support Mallory deleted may be gone).
                    supports = seen(&mut anna.svc, &id).1 > 0;
                    let c = if supports {
                        Command::WithdrawSupport { idea: id.clone() }
                    } else {
                        Command::SupportIdea { idea: id.clone() }
                    };
                    anna.svc.execute(c).expect("support");
                    supports = !supports;
                }
                Step::MalloryTitle(x, sign) => mallory_writes(&mut raw, &mallory.svc, &id, *sign, |d| {
                    d.put(ROOT, "title", format!("Mallory {n} {x}")).expect("put");
                }),
                Step::MalloryDeletesComments => {
                    mallory_writes(&mut raw, &mallory.svc, &id, true, |d| clear_map(d, "comments"));
                }
                Step::MalloryDeletesSupport => mallory_writes(&mut raw, &mallory.svc, &id, true, |d| {
                    clear_map(d, "supporters");
                    clear_map(d, "support_proofs");
                }),
                Step::Meet(a, b) if a != b => {
                    let bytes = match a {
                        0 => anna.svc.doc_bytes(&id).expect("bytes"),
                        1 => ben.svc.doc_bytes(&id).expect("bytes"),
                        _ => raw.save(),
                    };
                    match b {
                        0 => give(&mut anna.svc, &id, bytes),
                        1 => give(&mut ben.svc, &id, bytes),
                        _ => raw.merge(&mut AutoCommit::load(&bytes).expect("load")).map(|_| ()).expect("merge"),
                    }
                }
                Step::Meet(..) => {}
            }
        }
        // Everything meets: Mallory's copy reaches both, then the honest devices trade theirs.
        give(&mut anna.svc, &id, raw.save());
        give(&mut ben.svc, &id, raw.save());
        for _ in 0..2 {
            let a = anna.svc.doc_bytes(&id).expect("bytes");
            give(&mut ben.svc, &id, a);
            let b = ben.svc.doc_bytes(&id).expect("bytes");
            give(&mut anna.svc, &id, b);
        }
        let at_anna = seen(&mut anna.svc, &id);
        let at_ben = seen(&mut ben.svc, &id);
        prop_assert_eq!(&at_anna, &at_ben, "both honest devices agree");
        prop_assert!(honest.contains(&at_anna.0), "{} is not a title Ben or Anna wrote", at_anna.0);
        prop_assert!(at_anna.1 <= usize::from(supports), "no support Anna did not give");
        prop_assert_eq!(&at_anna.2, &comments, "every comment Ben wrote");
    }
}
