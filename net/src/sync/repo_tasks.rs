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
//!
//! A task that panics is caught here, and the repository counts as broken from then on.
//! samod 0.16 runs every document of a repository in one task, and Automerge 0.12 panics on
//! some changes a modified client can write (one numbered past its actor's next number, or
//! an authored change not numbered 1): one such change from a peer or a relay would end
//! every document's work, leave each one's lock poisoned, and make a later read of a
//! document panic in the caller. The session asks [`RepoTasks::broken`] and reads documents
//! through [`read_doc`], which gives `None` for a document the panic left unreadable.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Future, FutureExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A repository's runtime: the current tokio runtime, with every task remembered.
#[derive(Clone)]
pub(crate) struct RepoTasks {
    runtime: tokio::runtime::Handle,
    spawned: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// What the first task that panicked said (`None` while none did).
    broken: Arc<watch::Sender<Option<String>>>,
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
            broken: Arc::new(watch::Sender::new(None)),
        }
    }

    /// What broke the repository: the message of the first of its tasks that panicked.
    pub(crate) fn broken(&self) -> Option<String> {
        self.broken.borrow().clone()
    }

    /// Resolves once a task of the repository panicked (never while none does).
    pub(crate) async fn breaks(&self) {
        let mut seen = self.broken.subscribe();
        // The sender lives as long as `self`: an error here cannot happen while we wait.
        let _ = seen.wait_for(Option::is_some).await;
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

/// `f` on the document of `h`; `None` when the document cannot be read because its
/// repository broke while working on it (see the module's overview). The panic samod gives
/// on such a read is caught here, not in the caller.
pub(crate) fn read_doc<T>(
    h: &samod::DocHandle,
    f: impl FnOnce(&mut automerge::Automerge) -> T,
) -> Option<T> {
    guarded(|| h.with_document(f))
}

/// `f`, or `None` when it panics: for samod's reads of a document's state, which panic on
/// the lock a broken repository left poisoned.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

impl samod::runtime::RuntimeHandle for RepoTasks {
    fn spawn(&self, f: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) {
        let broken = self.broken.clone();
        let task = self.runtime.spawn(async move {
            if let Err(panic) = std::panic::AssertUnwindSafe(f).catch_unwind().await {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                tracing::error!(%why, "a task of the sync repository panicked; the repository is broken");
                broken.send_if_modified(|b| {
                    if b.is_none() {
                        *b = Some(why);
                        true
                    } else {
                        false
                    }
                });
            }
        });
        let mut spawned = lock(&self.spawned);
        spawned.retain(|t| !t.is_finished());
        spawned.push(task);
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(duration))
    }
}
