//! The tasks of one samod repository, ended together with it.
//!
//! A stopped samod 0.16 repository frees nothing: its IO loop task holds the repository's
//! state, and that state holds the sender of the loop's own channel, so the loop never ends;
//! a dialer or an acceptor kept in the state holds a handle to the repository, so the state
//! is never dropped either. Every document the repository opened (and the search state of
//! each) stays in memory until the process ends. A sync runs one repository per window, so
//! a join of a town would keep the whole town in memory.
//!
//! [`RepoTasks`] is the runtime a repository spawns its tasks on: the tasks are tokio tasks
//! whose handles it keeps. [`RepoTasks::end`] aborts them after the repository stopped, which
//! drops what they held; closing the dialers and acceptors (see `Session::stop`) drops the
//! handles the state holds to itself.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::Future;
use tokio::task::JoinHandle;

/// A repository's runtime: the current tokio runtime, with every task remembered.
#[derive(Clone)]
pub(crate) struct RepoTasks {
    runtime: tokio::runtime::Handle,
    spawned: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl RepoTasks {
    /// Tasks on the current tokio runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub(crate) fn new() -> RepoTasks {
        RepoTasks {
            runtime: tokio::runtime::Handle::current(),
            spawned: Arc::default(),
        }
    }

    /// Ends every task spawned so far (call after the repository stopped) and waits until
    /// each is gone, so what it held is dropped when this returns.
    pub(crate) async fn end(&self) {
        for task in self.abort() {
            // A task ends aborted, or finished on its own before; both are the end.
            let _ = task.await;
        }
    }

    /// Aborts every task spawned so far, without waiting (for a repository given up on an
    /// error path): each lets go of what it held at its next turn.
    pub(crate) fn abort(&self) -> Vec<JoinHandle<()>> {
        let tasks: Vec<JoinHandle<()>> = std::mem::take(&mut *lock(&self.spawned));
        for task in &tasks {
            task.abort();
        }
        tasks
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl samod::runtime::RuntimeHandle for RepoTasks {
    fn spawn(&self, f: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) {
        let task = self.runtime.spawn(f);
        let mut spawned = lock(&self.spawned);
        spawned.retain(|t| !t.is_finished());
        spawned.push(task);
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(duration))
    }
}
