//! Waiting on many documents by progress, not by deadline: a busy relay that reads a large
//! first sync slowly still finishes one document after another, and only a link on which
//! nothing finishes for a while gives up on what is left. A relay that lets one document
//! finish just before each quiet spell ends could still drag a sync out for the number of
//! documents times the quiet spell: the whole wait also has a ceiling, a generous second per
//! document (ten minutes at least), far above what an honest relay needs.
//!
//! At most [`WINDOW`] of them run at once: a town's first sync asks for ten thousand
//! documents, and the repository's work per event grows with the searches in flight.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::stream::{self, StreamExt};

/// The least ceiling of a whole wait.
const MIN_CEILING: Duration = Duration::from_secs(600);
/// What the ceiling grows by per document.
const PER_DOCUMENT: Duration = Duration::from_secs(1);
/// How many run at once.
pub(crate) const WINDOW: usize = 256;

/// What a wait ended with.
#[derive(Debug)]
pub(crate) struct Waited<T> {
    /// The outputs of those that finished.
    pub(crate) done: Vec<T>,
    /// How many were started (the first ones, in the order given): the rest were never
    /// asked for, because the wait ended while the window ahead of them stalled.
    pub(crate) started: usize,
}

/// Runs `futures` while they make progress, at most [`WINDOW`] at once, in the order given;
/// stops waiting for the rest once `quiet` passes without any of them finishing, or once
/// the whole wait reaches its ceiling.
pub(crate) async fn while_progressing<T, F>(
    futures: impl IntoIterator<Item = F>,
    quiet: Duration,
) -> Waited<T>
where
    F: Future<Output = T>,
{
    let futures: Vec<F> = futures.into_iter().collect();
    let total = futures.len();
    let count = u32::try_from(total).unwrap_or(u32::MAX);
    let ceiling = MIN_CEILING.max(PER_DOCUMENT.saturating_mul(count)) + quiet;
    let end = tokio::time::Instant::now() + ceiling;
    let started = AtomicUsize::new(0);
    let counted = futures.into_iter().inspect(|_| {
        started.fetch_add(1, Ordering::Relaxed);
    });
    let mut pending = stream::iter(counted).buffer_unordered(WINDOW);
    let mut done = Vec::with_capacity(total);
    loop {
        let until = end.min(tokio::time::Instant::now() + quiet);
        match tokio::time::timeout_at(until, pending.next()).await {
            Ok(Some(out)) => done.push(out),
            Ok(None) | Err(_) => break,
        }
    }
    drop(pending);
    Waited {
        done,
        started: started.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slow_but_steady_work_finishes_and_a_stall_ends_the_wait() {
        // Ten jobs, one finishing every 4 s: 40 s in all, more than the 5 s of quiet allowed
        // between two, which a deadline per job would have cut off.
        let steady = (1..=10u64).map(|i| async move {
            tokio::time::sleep(Duration::from_secs(4 * i)).await;
            i
        });
        let done = while_progressing(steady, Duration::from_secs(5)).await.done;
        assert_eq!(done, (1..=10).collect::<Vec<_>>());

        // Two finish, then nothing for 100 s: the wait ends with what finished.
        let stalled = [1u64, 2, 100, 200].map(|s| async move {
            tokio::time::sleep(Duration::from_secs(s)).await;
            s
        });
        let start = tokio::time::Instant::now();
        let done = while_progressing(stalled, Duration::from_secs(5))
            .await
            .done;
        assert_eq!(done, vec![1, 2]);
        assert!(start.elapsed() < Duration::from_secs(100));
    }

    /// From an adversarial review: a hostile relay that lets one document finish just
    /// before each quiet spell ends dragged a sync of 1,000 documents out for more than an
    /// hour (1,000 times the quiet spell). The whole wait now ends at its ceiling.
    #[tokio::test(start_paused = true)]
    async fn a_relay_that_drips_documents_cannot_drag_the_wait_past_its_ceiling() {
        let drip = (1..=1000u64).map(|i| async move {
            tokio::time::sleep(Duration::from_secs(4 * i)).await;
            i
        });
        let start = tokio::time::Instant::now();
        let done = while_progressing(drip, Duration::from_secs(5)).await.done;
        let took = start.elapsed();
        assert!(took <= Duration::from_secs(1006), "{took:?}");
        assert!(done.len() >= 250 && done.len() < 1000, "{}", done.len());
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_a_window_runs_at_once_and_all_finish() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs = (0..WINDOW * 3).map(|i| {
            let (running, most) = (running.clone(), most.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                i
            }
        });
        let waited = while_progressing(jobs, Duration::from_secs(5)).await;
        assert_eq!(waited.done.len(), WINDOW * 3);
        assert_eq!(waited.started, WINDOW * 3);
        assert_eq!(most.load(Ordering::SeqCst), WINDOW);
    }

    /// Issue 15: when a whole window stalls (a relay that never answers those documents),
    /// the wait ends, and the documents behind the window were never asked for. They are
    /// told apart, so the caller does not count them as missing on the other side.
    #[tokio::test(start_paused = true)]
    async fn a_stalled_window_leaves_the_rest_unasked_and_says_so() {
        let jobs = (0..WINDOW * 2).map(|i| async move {
            if i < WINDOW {
                std::future::pending::<()>().await;
            }
            i
        });
        let waited = while_progressing(jobs, Duration::from_secs(5)).await;
        assert!(waited.done.is_empty());
        assert_eq!(waited.started, WINDOW, "only the stalled window was asked");
    }
}
