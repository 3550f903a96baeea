//! Items are judged again only when what judges them changed (issue 15). Every item's
//! authorship and signed fields are checked against its community's governance. The
//! community document also changes whenever an item is added anywhere (its catalogue gains
//! an entry): in a town of 10,000 items, every sync that brought one new idea judged all
//! 10,000 again (4 s). And a roster change judged all items again, though it can change only
//! those that name a member or key it touched (16 s in a generated town, on every device,
//! for every new member).

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
fn a_new_item_judges_no_other_item_again_and_a_role_judges_what_names_its_member() {
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

    // Anna gives Ben a role: of the seven items Ben holds (four ideas, three profiles), his
    // idea and his profile name him.
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
    assert_eq!(items_held(&mut ben.svc, &community), 7);
    assert_eq!(
        report.rejudged, 2,
        "only Ben's own idea and profile name Ben or his device"
    );
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

/// The index as a list shows it, and as it shows it after a rebuild from the documents (a
/// full pass that judges every item).
fn listed_and_rebuilt(svc: &mut allmende_service::Service, community: &str) -> (String, String) {
    let list = |svc: &mut allmende_service::Service| {
        let filter = allmende_core::query::ListFilter {
            community: Some(community.to_string()),
            limit: Some(500),
            ..Default::default()
        };
        serde_json::to_string_pretty(&svc.list(&filter).expect("list")).expect("json")
    };
    let before = list(svc);
    svc.rebuild_index().expect("rebuild");
    (before, list(svc))
}

/// Judging only what a change reaches must read as judging everything: after each change of
/// governance, Anna's list is what a rebuild of her index from the documents shows. The
/// changes reach items in each way there is: a key that wrote before it had an owner, a team
/// member removed from the community, a moderation decision settling a report, a role, a
/// setting. (With `reach` answering "nothing", the first comparison already differs.)
#[test]
fn judging_what_a_change_reaches_reads_as_judging_everything() {
    let (mut anna, mut ben, mut mallory, community) = village();
    let anna_idea = idea(&mut anna.svc, &community, "Solardach");
    let ben_idea = idea(&mut ben.svc, &community, "Bänke am Dorfplatz");
    let mallory_id = mallory.svc.me(&community).expect("id").expect("Mallory");
    let ben_id = ben.svc.me(&community).expect("id").expect("Ben");
    for d in [&mut ben, &mut mallory] {
        let docs = docs_of(&mut anna.svc, &community);
        d.svc.receive_many(&docs).expect("Anna's items");
    }
    ben.svc
        .execute(Command::SupportIdea {
            idea: anna_idea.clone(),
        })
        .expect("support");
    mallory
        .svc
        .receive_many(&docs_of(&mut ben.svc, &community))
        .expect("Ben's items");
    mallory
        .svc
        .execute(Command::ReportItem {
            item: ben_idea.clone(),
            comment: None,
            reason: "spam".into(),
        })
        .expect("report");
    mallory
        .svc
        .execute(Command::AddComment {
            item: anna_idea.clone(),
            text: "Gute Idee".into(),
        })
        .expect("comment");
    let project = anna
        .svc
        .execute(Command::CreateProject {
            community: community.clone(),
            title: "Dorfgarten".into(),
            summary: String::new(),
            category: Some("energy".into()),
            from_idea: None,
            visibility: None,
            stage: None,
        })
        .expect("project")
        .id;
    anna.svc
        .execute(Command::AddTeamMember {
            project: project.clone(),
            member: mallory_id.clone(),
            role: allmende_core::model::TeamRole::Member,
        })
        .expect("team");
    for from in [&mut ben, &mut mallory] {
        let docs = docs_of(&mut from.svc, &community);
        anna.svc.receive_many(&docs).expect("Anna receives");
    }
    // Ben's phone, not on the roster yet, signs an edit of his idea's title.
    let phone = common::device();
    let edited = signed_title(
        &anna.svc.doc_bytes(&ben_idea).expect("bytes"),
        phone.svc.device(),
        &ben_idea,
        "Bänke und Bäume am Dorfplatz",
        3600,
    );
    anna.svc
        .receive_each(&[(ben_idea.clone(), edited)])
        .expect("the phone's edit");

    let changes = [
        Command::AddDevice {
            community: community.clone(),
            member: ben_id.clone(),
            device: phone.svc.device().public_hex(),
            until: None,
        },
        Command::Hide {
            item: ben_idea.clone(),
            comment: None,
            reason: "geprüft".into(),
        },
        Command::Restore {
            item: ben_idea.clone(),
            comment: None,
            reason: "doch in Ordnung".into(),
        },
        Command::RemoveMember {
            community: community.clone(),
            member: mallory_id.clone(),
        },
        Command::SetRole {
            community: community.clone(),
            member: ben_id.clone(),
            role: Role::Moderator,
        },
        Command::EditCommunity {
            community: community.clone(),
            name: None,
            description: None,
            code_of_conduct: None,
            hold_first_posts: Some(true),
        },
    ];
    let mut changed_something = 0;
    for change in changes {
        let name = change.name();
        let (before_list, _) = listed_and_rebuilt(&mut anna.svc, &community);
        anna.svc.execute(change).expect("the change");
        let (judged, rebuilt) = listed_and_rebuilt(&mut anna.svc, &community);
        assert_eq!(
            judged, rebuilt,
            "after {name}, the list is not what a full pass reads"
        );
        if judged != before_list {
            changed_something += 1;
        }
    }
    assert!(
        changed_something >= 3,
        "the changes must change how items read, else this test shows nothing"
    );
}
