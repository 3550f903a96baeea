//! Waiting on many documents by progress, not by deadline: a busy relay that reads a large
//! first sync slowly still finishes one document after another, and only a link on which
//! nothing finishes for a while gives up on what is left.

use std::future::Future;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};

/// Runs `futures` while they make progress; stops waiting for the rest once `quiet` passes
/// without any of them finishing. Returns the outputs of those that finished.
pub(crate) async fn while_progressing<T, F>(
    futures: impl IntoIterator<Item = F>,
    quiet: Duration,
) -> Vec<T>
where
    F: Future<Output = T>,
{
    let mut pending: FuturesUnordered<F> = futures.into_iter().collect();
    let mut done = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        match tokio::time::timeout(quiet, pending.next()).await {
            Ok(Some(out)) => done.push(out),
            Ok(None) | Err(_) => break,
        }
    }
    done
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
        let done = while_progressing(steady, Duration::from_secs(5)).await;
        assert_eq!(done, (1..=10).collect::<Vec<_>>());

        // Two finish, then nothing for 100 s: the wait ends with what finished.
        let stalled = [1u64, 2, 100, 200].map(|s| async move {
            tokio::time::sleep(Duration::from_secs(s)).await;
            s
        });
        let start = tokio::time::Instant::now();
        let done = while_progressing(stalled, Duration::from_secs(5)).await;
        assert_eq!(done, vec![1, 2]);
        assert!(start.elapsed() < Duration::from_secs(100));
    }
}
