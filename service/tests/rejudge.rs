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

/// Item `id` (`bytes`) with its title set to `title` by `device`'s key and signed as the app
/// signs, written `after` seconds past `T0`.
fn signed_title(
    bytes: &[u8],
    device: &allmende_service::device::DeviceKey,
    id: &str,
    title: &str,
    after: i64,
) -> Vec<u8> {
    use automerge::transaction::{CommitOptions, Transactable};
    let mut doc = automerge::AutoCommit::load(bytes).expect("load");
    doc.set_actor(device.actor());
    doc.put(automerge::ROOT, "title", title).expect("put");
    let hash = doc
        .commit_with(CommitOptions::default().with_time(common::T0 / 1000 + after))
        .expect("a change");
    doc.empty_change(CommitOptions::default().with_message(
        allmende_core::governance::body::signature_message(device, id, &hash),
    ));
    doc.save()
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

/// From a review of the change above: a governance change made on this device judged no
/// item again here (the next community change from elsewhere used to repair that, which a
/// new catalogue entry no longer does). Ben's new phone edits his idea before its key is on
/// the roster: Anna's device keeps the old title. When Anna adds the phone to Ben herself,
/// her list shows Ben's edit at once.
#[test]
fn a_roster_change_made_here_judges_the_items_here_again() {
    let (mut anna, mut ben, _mallory, community) = village();
    let id = idea(&mut ben.svc, &community, "Bänke am Dorfplatz");
    let bytes = ben.svc.doc_bytes(&id).expect("bytes");
    anna.svc
        .receive_many(&[(id.clone(), bytes.clone())])
        .expect("Anna has Ben's idea");
    let mut phone = common::device();
    phone
        .svc
        .receive_many(&docs_of(&mut anna.svc, &community))
        .expect("the phone has the community");
    // The phone, not on the roster here yet, signs an edit of Ben's title.
    // Written an hour after Anna adds the phone below (her clock stands at `T0`).
    let edited = signed_title(
        &bytes,
        phone.svc.device(),
        &id,
        "Bänke und Bäume am Dorfplatz",
        3600,
    );
    anna.svc
        .receive_each(&[(id.clone(), edited)])
        .expect("Anna receives the edit");
    let listed = |svc: &mut allmende_service::Service| {
        serde_json::to_string(
            &svc.list(&allmende_core::query::ListFilter {
                community: Some(community.clone()),
                ..Default::default()
            })
            .expect("list"),
        )
        .expect("json")
    };
    assert!(
        !listed(&mut anna.svc).contains("Bäume"),
        "a key on nobody's roster does not write Ben's title"
    );
    let ben_id = ben.svc.me(&community).expect("identity").expect("Ben");
    anna.svc
        .execute(Command::AddDevice {
            community: community.clone(),
            member: ben_id,
            device: phone.svc.device().public_hex(),
            until: None,
        })
        .expect("Anna adds Ben's phone");
    assert!(
        listed(&mut anna.svc).contains("Bänke und Bäume am Dorfplatz"),
        "Anna's list still shows the title from before the phone was Ben's"
    );
}

/// From a second review: an invite key added here was taken to change no item, but a key
/// that already wrote content here (Ben's new phone, before it was on the roster) changes
/// how that content reads once the key belongs to someone. Anna's list must read as a fresh
/// look at the item does.
#[test]
fn an_invite_key_that_wrote_before_judges_the_items_here_again() {
    let (mut anna, ben, mallory, community) = village();
    let mut phone = common::device();
    phone
        .svc
        .receive_many(&docs_of(&mut anna.svc, &community))
        .expect("the phone has the community");
    let ben_id = ben.svc.me(&community).expect("identity").expect("Ben");
    phone
        .svc
        .adopt_identity(&community, &ben_id)
        .expect("the phone acts as Ben");
    // The phone's own idea, made the way a device not on the roster makes one here.
    let id = idea(&mut phone.svc, &community, "Altkleider sammeln");
    // And edits its title (signed by the phone, as the app would).
    let edited = signed_title(
        &phone.svc.doc_bytes(&id).expect("bytes"),
        phone.svc.device(),
        &id,
        "Altkleider und Schuhe sammeln",
        60,
    );
    anna.svc
        .receive_each(&[(id.clone(), edited)])
        .expect("Anna receives the phone's idea");
    let mallory_id = mallory
        .svc
        .me(&community)
        .expect("identity")
        .expect("Mallory");
    anna.svc
        .execute(Command::AddDevice {
            community: community.clone(),
            member: mallory_id,
            device: phone.svc.device().public_hex(),
            until: Some(common::T0 + 86_400_000),
        })
        .expect("Anna adds the phone's key as an invite key");
    let shown = anna.svc.show(&id).expect("show").summary.title;
    let listed = anna
        .svc
        .list(&allmende_core::query::ListFilter {
            community: Some(community.clone()),
            ..Default::default()
        })
        .expect("list");
    let listed = serde_json::to_value(&listed).expect("json");
    let row = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == serde_json::json!(id))
        .expect("the idea is listed")
        .clone();
    assert_eq!(
        row["title"].as_str(),
        Some(shown.as_str()),
        "Anna's list reads otherwise than a fresh look at the idea"
    );
}
