//! A session takes in only the communities its device belongs to.

use super::*;
use allmende_core::model::CommunityKind;
use allmende_core::Command;

/// From a review: a roster may list a key its holder never agreed to. Eve lists Ben's key
/// under her own member in her community; a relay (or peer) that offers it to Ben's device
/// made the device store it, and write into it (a repair of a value she broke) as one of
/// its own. Here the session is asked for Eve's community directly, as such a relay's feed
/// would have it asked: nothing of it is written back, unless it is the community the
/// device is joining.
#[test]
fn a_community_the_device_does_not_belong_to_is_not_written_back() {
    let relay_rt = tokio::runtime::Runtime::new().expect("relay runtime");
    let relay_data = tempfile::tempdir().expect("relay data");
    let relay = relay_rt
        .block_on(allmende_relay::start(allmende_relay::Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data: relay_data.path().to_path_buf(),
            ..allmende_relay::Config::default()
        }))
        .expect("relay");
    let url = format!("ws://{}", relay.addr);
    let community = |svc: &mut Service, name: &str| {
        svc.execute(Command::CreateCommunity {
            name: name.into(),
            kind: CommunityKind::Village,
            description: String::new(),
            admin_name: name.into(),
        })
        .expect("community")
        .id
    };
    let (ben_dir, eve_dir) = (
        tempfile::tempdir().expect("ben"),
        tempfile::tempdir().expect("eve"),
    );
    let mut ben = Service::open(ben_dir.path()).expect("open");
    let mut eve = Service::open(eve_dir.path()).expect("open");
    let bendorf = community(&mut ben, "Bendorf");
    let elsewhere = community(&mut eve, "Evesdorf");
    let eve_member = eve
        .store()
        .identity(&elsewhere)
        .expect("identity")
        .expect("Eve");
    eve.execute(Command::AddDevice {
        community: elsewhere.clone(),
        member: eve_member,
        device: ben.device().public_hex(),
        until: None,
    })
    .expect("Eve lists Ben's key under herself");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        crate::sync::sync_once(&mut eve, &url, Duration::from_secs(30))
            .await
            .expect("Eve syncs");
        // From a review: Eve also rewrites her community's header to name Ben's community as
        // an idea of it (the relay keeps it as what it first was, a community, and so does a
        // store that takes it in). Judged by that header, it passed as one of Ben's.
        let bytes = eve.doc_bytes(&elsewhere).expect("bytes");
        let mut doc = crate::sync::session::tests_scope::load(&bytes);
        {
            use automerge::transaction::Transactable;
            let (_, header) = automerge::ReadDoc::get(&doc, &automerge::ROOT, "header")
                .expect("read")
                .expect("header");
            doc.put(&header, "kind", "idea").expect("kind");
            doc.put(&header, "community", bendorf.as_str())
                .expect("community");
            doc.commit();
        }
        eve.receive_many(&[(elsewhere.clone(), doc.save())])
            .expect("Eve's store takes her own edit");
        crate::sync::sync_once(&mut eve, &url, Duration::from_secs(30))
            .await
            .expect("Eve syncs her edit");
        let key = ben.device().clone();
        let ids = [elsewhere.clone()];
        for joining in [None, Some(elsewhere.as_str())] {
            let s = Session::open_with(&mut ben, &url, Duration::from_secs(30), &key, &ids)
                .await
                .expect("session");
            assert!(
                s.held().any(|id| *id == elsewhere),
                "the relay handed it over"
            );
            let _ = s.settle().await;
            let back = s.write_back(&mut ben, joining).expect("write back");
            s.stop().await;
            let stored = ben.stored_heads(&elsewhere).expect("heads").is_some();
            assert_eq!(stored, joining.is_some(), "joining: {joining:?}");
            if joining.is_none() {
                assert_eq!(back.left_out, std::slice::from_ref(&elsewhere));
                assert!(
                    ben.left_out_here(&elsewhere).expect("left out"),
                    "remembered"
                );
            }
        }
    });
}

fn load(bytes: &[u8]) -> automerge::AutoCommit {
    automerge::AutoCommit::load(bytes).expect("load")
}
