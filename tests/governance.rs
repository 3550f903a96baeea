//! Roles are enforced on every peer: a member who writes straight into the Automerge
//! documents (bypassing the service API) changes nothing that honest peers show, and they
//! flag it. Three real peers and a real relay process.

use allmende_core::governance::{seal, Act, Body};
use allmende_core::model::{Role, StatusChange};
use allmende_service::{docs, Service};
use allmende_tests::{community_with_members, put_plain, tamper, Peer, RelayProc};
use automerge::{transaction::Transactable, AutoCommit, ObjType, ReadDoc, ROOT};
use serde_json::Value;

fn role_of(p: &Peer, member: &str) -> String {
    let members = p.json(&["member", "list"]);
    members
        .as_array()
        .and_then(|all| all.iter().find(|m| m["id"] == member))
        .map(|m| m["role"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

fn member_id(p: &Peer, community: &str) -> String {
    p.json(&["community", "list"])
        .as_array()
        .and_then(|all| all.iter().find(|c| c["id"] == community))
        .and_then(|c| c["me"].as_str())
        .expect("my member id")
        .to_string()
}

fn flags(p: &Peer) -> Vec<Value> {
    p.json(&["flags"]).as_array().cloned().unwrap_or_default()
}

fn forged_entry(svc: &Service, community: &str, member: &str, act: Act, d: &mut AutoCommit) {
    let body = Body {
        v: 1,
        at: svc.now(),
        device: svc.device().public_hex(),
        member: member.to_string(),
        seen: Vec::new(),
        act,
    };
    let (id, entry) = seal(community, &body, svc.device());
    let (_, log) = d.get(&ROOT, "log").expect("read").expect("a log");
    autosurgeon::reconcile_prop(d, &log, id.as_str(), &entry).expect("write entry");
}

#[test]
fn unauthorised_raw_changes_are_ignored_and_flagged_on_every_honest_peer() {
    let relay = RelayProc::start("");
    let (anna, others, community) = community_with_members(&relay, &["Ben", "Mallory"]);
    let (ben, mallory) = (&others[0], &others[1]);
    let anna_id = member_id(&anna, &community);
    let mallory_id = member_id(mallory, &community);
    let idea = anna.create(&[
        "idea",
        "add",
        "--title",
        "Blühstreifen",
        "--category",
        "nature",
    ]);
    let request = anna.create(&[
        "request",
        "add",
        "--target",
        &idea,
        "--title",
        "Fläche am Bach",
    ]);
    anna.ok(&["sync"]);
    mallory.ok(&["sync"]);

    // 1. A roster written as a plain field, the way the app never writes it.
    let mid = mallory_id.clone();
    tamper(mallory, &community, |d, _| {
        let members = d.put_object(&ROOT, "members", ObjType::Map).expect("map");
        let me = d
            .put_object(&members, mid.as_str(), ObjType::Map)
            .expect("me");
        d.put(&me, "role", "admin").expect("role");
    });
    // 2. A signed log entry promoting herself, and one claiming to be the admin.
    let (mid, aid, cid) = (mallory_id.clone(), anna_id.clone(), community.clone());
    tamper(mallory, &community, |d, svc| {
        forged_entry(
            svc,
            &cid,
            &mid,
            Act::SetRole {
                member: mid.clone(),
                role: Role::Admin,
            },
            d,
        );
        let hide = Act::Moderate {
            key: idea_key(d),
            hidden: true,
            reason: "weg damit".into(),
        };
        forged_entry(svc, &cid, &aid, hide, d);
    });
    // 3. The town hall's answer, written by her.
    let mid = mallory_id.clone();
    tamper(mallory, &request, |d, svc| {
        let (_, history) = d.get(&ROOT, "history").expect("read").expect("history");
        let fake = StatusChange {
            id: "forged".into(),
            at: svc.now(),
            by: mid.clone(),
            status: allmende_core::model::RequestStatus::Approved,
            message: "Genehmigt!".into(),
            reason: String::new(),
            contact: String::new(),
            promised_by: String::new(),
            device: svc.device().public_hex(),
            sig: "00".repeat(64),
        };
        autosurgeon::reconcile_prop(d, &history, "forged", &fake).expect("answer");
    });
    mallory.ok(&["sync"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);

    for honest in [&anna, ben] {
        assert_eq!(role_of(honest, &mallory_id), "member");
        let shown = honest.json(&["request", "show", &request]);
        assert_eq!(shown["summary"]["status"], "submitted", "{shown}");
        let idea_seen = honest.json(&["idea", "show", &idea]);
        assert_eq!(idea_seen["summary"]["hidden"], false, "{idea_seen}");
        let flagged = flags(honest);
        let reasons: Vec<String> = flagged
            .iter()
            .map(|f| format!("{} / {}", f["what"], f["reason"]))
            .collect();
        assert_eq!(flagged.len(), 4, "{reasons:#?}");
        assert!(flagged
            .iter()
            .any(|f| f["what"] == "write the field 'members'"));
        assert!(flagged.iter().any(|f| f["entry"] == "forged"));
    }
    assert_eq!(flags(&anna), flags(ben), "both honest peers flag the same");
    // The idea can still be hidden by a moderator for real.
    anna.ok(&["hide", &idea, "--reason", "Testlauf"]);
    let log = anna.json(&["audit"]);
    assert_eq!(log[0]["reason"], "Testlauf", "{log}");
}

/// The idea id a forged hide aims at: the first catalogue entry of kind idea.
fn idea_key(d: &AutoCommit) -> String {
    let (_, items) = d.get(&ROOT, "items").expect("read").expect("catalogue");
    for key in d.keys(&items) {
        if let Ok(Some((_, entry))) = d.get(&items, key.as_str()) {
            if let Ok(Some((kind, _))) = d.get(&entry, "kind") {
                if kind.as_str() == Some("idea") {
                    return key;
                }
            }
        }
    }
    String::new()
}

/// An admin removes a moderator while the moderator, offline, hides a post: the removal wins
/// over the concurrent hide, so it counts nowhere; a hide the admin had seen stays.
#[test]
fn removal_wins_over_a_concurrent_later_hide() {
    let relay = RelayProc::start("");
    let (anna, others, community) = community_with_members(&relay, &["Ben", "Carla"]);
    let (ben, carla) = (&others[0], &others[1]);
    let ben_id = member_id(ben, &community);
    let early = anna.create(&["idea", "add", "--title", "Früh", "--category", "energy"]);
    let late = anna.create(&["idea", "add", "--title", "Spät", "--category", "energy"]);
    anna.ok(&["member", "role", &ben_id, "moderator"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    // Ben hides one idea and syncs, and Anna sees it; then, while Anna removes him without
    // syncing, he hides the other one offline, unaware. Revocation wins over what its
    // author had not seen: the second hide counts nowhere, the first (seen) stays.
    ben.ok(&["hide", &early, "--reason", "Doppelt"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    anna.ok(&["member", "remove", &ben_id]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    ben.ok(&["hide", &late, "--reason", "Gefällt mir nicht"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    carla.ok(&["sync"]);
    assert_eq!(
        anna.json(&["idea", "show", &early])["summary"]["hidden"],
        true
    );
    assert_eq!(
        anna.json(&["idea", "show", &late])["summary"]["hidden"],
        false
    );
    // Carla is no moderator: hidden ideas are not listed for her.
    assert_eq!(carla.titles(&["idea", "list"]), ["Spät"]);
    for honest in [&anna, carla] {
        let flagged = flags(honest);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        assert_eq!(flagged[0]["what"], format!("hide {late}"));
    }
    // Ben's device is no longer let in by the relay.
    let refused = ben.run(&["sync", "--timeout", "3"]);
    let text = String::from_utf8_lossy(&refused.stdout).to_string()
        + &String::from_utf8_lossy(&refused.stderr);
    assert!(
        text.contains("0 with new changes") && text.contains("refused"),
        "a removed device syncs nothing: {text}"
    );
}

/// The entry ids in a community's current log that do `what` (as `describe` says it).
fn log_entries(d: &AutoCommit, community: &str, what: &str) -> Vec<String> {
    let (_, log) = d.get(&ROOT, "log").expect("read").expect("a log");
    d.keys(&log)
        .filter(|id| {
            let Ok(Some((_, entry))) = d.get(&log, id.as_str()) else {
                return false;
            };
            let Ok(Some((body, _))) = d.get(&entry, "body") else {
                return false;
            };
            allmende_core::governance::entry::open(
                community,
                id,
                &allmende_core::governance::Entry {
                    body: body.as_str().unwrap_or_default().to_string(),
                    sig: d
                        .get(&entry, "sig")
                        .ok()
                        .flatten()
                        .and_then(|(s, _)| s.as_str().map(str::to_string))
                        .unwrap_or_default(),
                },
            )
            .is_ok_and(|b| b.act.describe().starts_with(what))
        })
        .collect()
}

/// A community where Anna made Mallory a moderator and then a member again, synced by all.
fn demoted_mallory() -> (RelayProc, Peer, Vec<Peer>, String, String) {
    let relay = RelayProc::start("");
    let (anna, others, community) = community_with_members(&relay, &["Ben", "Mallory"]);
    let mallory_id = member_id(&others[1], &community);
    anna.ok(&["member", "role", &mallory_id, "moderator"]);
    anna.ok(&["member", "role", &mallory_id, "member"]);
    anna.ok(&["sync"]);
    for p in &others {
        p.ok(&["sync"]);
    }
    assert_eq!(role_of(&others[0], &mallory_id), "member");
    (relay, anna, others, community, mallory_id)
}

/// Finding: deleting a signed entry from the log voided it (here: a demotion undone).
#[test]
fn deleting_a_demotion_from_the_log_changes_nothing_and_is_flagged() {
    let (_relay, anna, others, community, mallory_id) = demoted_mallory();
    let (ben, mallory) = (&others[0], &others[1]);
    let (cid, mid) = (community.clone(), mallory_id.clone());
    tamper(mallory, &community, |d, _| {
        let demotion = log_entries(d, &cid, &format!("make {mid} member"));
        assert_eq!(demotion.len(), 1, "the demotion is in the log");
        let (_, log) = d.get(&ROOT, "log").expect("read").expect("log");
        d.delete(&log, demotion[0].as_str()).expect("delete");
    });
    mallory.ok(&["sync"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    for honest in [&anna, ben] {
        assert_eq!(
            role_of(honest, &mallory_id),
            "member",
            "the demotion stands"
        );
        let flagged = flags(honest);
        assert!(
            flagged.iter().any(|f| f["what"]
                .as_str()
                .unwrap_or_default()
                .starts_with("delete log entry")
                && !f["device"].as_str().unwrap_or_default().is_empty()),
            "the deletion is flagged with the device that did it: {flagged:?}"
        );
    }
    assert_eq!(flags(&anna), flags(ben), "both honest peers flag the same");
}

/// Finding: an edited header (kind, community) made the relay refuse every member of the
/// community, or froze its copy of the roster.
#[test]
fn an_edited_community_header_locks_nobody_out() {
    let (_relay, anna, others, community, _) = demoted_mallory();
    let (ben, mallory) = (&others[0], &others[1]);
    tamper(mallory, &community, |d, _| {
        let (_, header) = d.get(&ROOT, "header").expect("read").expect("header");
        d.put(&header, "community", "elsewhere").expect("community");
    });
    mallory.ok(&["sync"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    // The community goes on: Anna renames it, Ben (an ordinary member) still gets that.
    anna.ok(&["community", "edit", "--name", "Neudorf"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    let listed = ben.json(&["community", "list"]);
    assert!(
        listed
            .as_array()
            .is_some_and(|all| all.iter().any(|c| c["name"] == "Neudorf")),
        "the relay still serves the community to its members: {listed}"
    );
}

/// From a review of this session's sync intake: a header rewritten to another kind and
/// community (the community document as "an idea of elsewhere") made every device leave the
/// document out, so no change of the community reached anyone's store any more.
#[test]
fn a_community_header_rewritten_as_an_item_elsewhere_freezes_nothing() {
    let (_relay, anna, others, community, _) = demoted_mallory();
    let (ben, mallory) = (&others[0], &others[1]);
    tamper(mallory, &community, |d, _| {
        let (_, header) = d.get(&ROOT, "header").expect("read").expect("header");
        d.put(&header, "kind", "idea").expect("kind");
        d.put(&header, "community", "E7KhVoyZ3ReDKESAUKaZ9wg1F4A")
            .expect("community");
    });
    mallory.ok(&["sync"]);
    ben.ok(&["sync"]);
    anna.ok(&["sync"]);
    anna.ok(&["community", "edit", "--name", "Neudorf"]);
    anna.ok(&["sync"]);
    ben.ok(&["sync"]);
    let listed = ben.json(&["community", "list"]);
    assert!(
        listed
            .as_array()
            .is_some_and(|all| all.iter().any(|c| c["name"] == "Neudorf")),
        "the rename reached Ben: {listed}"
    );
    // And a new member still joins (her device holds nothing of the community yet), and
    // gets its items.
    let idea = anna.create(&["idea", "add", "--title", "Dorfbank", "--category", "energy"]);
    let token = anna.ok(&["invite", "--name", "Dana"]).trim().to_string();
    anna.ok(&["sync"]);
    let dana = Peer::new();
    dana.ok(&["join", &token]);
    assert!(dana.ok(&["idea", "show", &idea]).contains("Dorfbank"));
}

/// From a review of the sync intake: a new device batched a document that has a root `log`
/// as a community of its own, so an item Mallory added a `log` key to never reached anyone
/// joining later; and a community whose header Mallory made unreadable was skipped as "not
/// an Allmende document", so nobody could join any more.
#[test]
fn an_item_given_a_log_and_an_unreadable_community_header_still_reach_a_new_member() {
    let (_relay, anna, others, community, _) = demoted_mallory();
    let mallory = &others[1];
    let idea = anna.create(&["idea", "add", "--title", "Dorfbank", "--category", "energy"]);
    anna.ok(&["sync"]);
    mallory.ok(&["sync"]);
    tamper(mallory, &idea, |d, _| {
        d.put(&ROOT, "log", 0_i64).expect("log");
    });
    tamper(mallory, &community, |d, _| {
        let (_, header) = d.get(&ROOT, "header").expect("read").expect("header");
        d.put(&header, "kind", 7_i64).expect("kind");
    });
    mallory.ok(&["sync"]);
    anna.ok(&["sync"]);
    let token = anna.ok(&["invite", "--name", "Dana"]).trim().to_string();
    anna.ok(&["sync"]);
    let dana = Peer::new();
    dana.ok(&["join", &token]);
    assert!(dana.ok(&["idea", "show", &idea]).contains("Dorfbank"));
}

#[path = "governance_content.rs"]
mod content;
