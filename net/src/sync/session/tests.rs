//! A session's repository is freed when it stops.

use super::*;
use allmende_core::model::CommunityKind;
use allmende_core::Command;

/// Issue 15: a join of 10,000 ideas took 420 MB, because samod 0.16 frees nothing of a
/// stopped repository (its tasks and its dialer keep it alive) and a sync runs one per
/// window. After `stop`, the dialer (which shares the session's byte counter) is dropped and
/// no task of the repository is left on the runtime.
#[test]
fn a_stopped_session_leaves_nothing_of_its_repository() {
    leaves_nothing(true);
}

/// From a review: a session given up on an error path (`write_back(svc)?` before `stop`)
/// kept its repository for the life of the process. Dropped, it is freed as well.
#[test]
fn a_session_dropped_without_stopping_leaves_nothing_of_its_repository() {
    leaves_nothing(false);
}

fn leaves_nothing(stopped: bool) {
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
    let dir = tempfile::tempdir().expect("device");
    let mut svc = Service::open(dir.path()).expect("open");
    let community = svc
        .execute(Command::CreateCommunity {
            name: "Grünhausen".into(),
            kind: CommunityKind::Village,
            description: String::new(),
            admin_name: "Anna".into(),
        })
        .expect("community")
        .id;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let traffic = rt.block_on(async {
        let key = svc.device().clone();
        let ids = [community.clone()];
        let s = Session::open_with(&mut svc, &url, Duration::from_secs(60), &key, &ids)
            .await
            .expect("session");
        assert!(s.held().any(|id| *id == community), "the session holds it");
        assert!(s.settle().await.is_empty(), "the relay took the community");
        let traffic = s.traffic.clone();
        assert!(Arc::strong_count(&traffic) > 1, "the dialer counts bytes");
        if stopped {
            s.stop().await;
        } else {
            drop(s);
        }
        // An ended task leaves the runtime's count when its worker lets go of it, just after
        // it ended: wait for that (a repository left running never gets there).
        let metrics = tokio::runtime::Handle::current().metrics();
        for _ in 0..3000 {
            if metrics.num_alive_tasks() == 0 && Arc::strong_count(&traffic) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        traffic
    });
    assert_eq!(
        Arc::strong_count(&traffic),
        1,
        "the repository still holds its dialer"
    );
    assert_eq!(
        rt.metrics().num_alive_tasks(),
        0,
        "tasks of the repository still run"
    );
}
