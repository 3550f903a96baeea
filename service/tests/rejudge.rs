//! Items are judged again only when what judges them changed (issue 15). Every item's
//! authorship and signed fields are checked against its community's governance, so a
//! change of the roster means looking at every item again. The community document also
//! changes whenever an item is added anywhere (its catalogue gains an entry): in a town of
//! 10,000 items, every sync that brought one new idea judged all 10,000 again (4 s).

mod common;

use allmende_core::model::Role;
use allmende_core::Command;
use common::{docs_of, idea, village};

fn items_held(svc: &mut allmende_service::Service, community: &str) -> usize {
    svc.store()
        .docs(Some(community))
        .expect("docs")
        .iter()
        .filter(|d| d.kind != "community")
        .count()
}

#[test]
fn a_new_item_judges_no_other_item_again_and_a_roster_change_judges_all() {
    let (mut anna, mut ben, _mallory, community) = village();
    for title in ["Solardach", "Lastenrad", "Blühwiese"] {
        idea(&mut anna.svc, &community, title);
    }
    ben.svc
        .receive_many(&docs_of(&mut anna.svc, &community))
        .expect("Ben has Anna's ideas");

    // Ben adds an idea: his community document gains its catalogue entry, nothing else.
    let new = idea(&mut ben.svc, &community, "Repair-Café");
    let brought: Vec<(String, Vec<u8>)> = [community.clone(), new.clone()]
        .into_iter()
        .map(|id| {
            let bytes = ben.svc.doc_bytes(&id).expect("bytes");
            (id, bytes)
        })
        .collect();
    let report = anna.svc.receive_many(&brought).expect("Anna receives");
    assert_eq!((report.created, report.merged), (1, 1));
    assert_eq!(
        report.rejudged, 0,
        "a catalogue entry changes nothing that judges the other items"
    );
    let shown = anna
        .svc
        .query(allmende_core::query::Query::Show { id: new })
        .expect("the new idea is in Anna's index");
    assert!(
        serde_json::to_string(&shown)
            .expect("json")
            .contains("Repair-Café"),
        "the new idea is shown"
    );

    // Anna gives Ben a role: every item Ben holds is judged again.
    let ben_id = ben.svc.me(&community).expect("identity").expect("Ben");
    anna.svc
        .execute(Command::SetRole {
            community: community.clone(),
            member: ben_id,
            role: Role::Moderator,
        })
        .expect("role");
    let community_doc = anna.svc.doc_bytes(&community).expect("bytes");
    let report = ben
        .svc
        .receive_many(&[(community.clone(), community_doc)])
        .expect("Ben receives");
    assert_eq!(report.rejudged, items_held(&mut ben.svc, &community));
    assert!(report.rejudged >= 4);
}
