//! The pace at which a connection working on a document is sent changes.
//!
//! A follower is sent new changes once it has answered the last ones (applying changes
//! always makes a client answer with its new heads) and at most once every [`MIN_INTERVAL`].
//! Under a burst each message then carries everything that arrived meanwhile: a quiet
//! document's change goes out at once, a busy one's in fewer, larger messages, and neither
//! side spends work on messages the other cannot yet take. A follower that does not answer
//! within [`HOLD`] is sent the next changes anyway.

use std::time::Duration;

use tokio::time::Instant;

/// Longest a follower waits for new changes while its answer to the last ones is missing.
pub const HOLD: Duration = Duration::from_millis(100);
/// Shortest time between two messages with changes to one follower.
pub const MIN_INTERVAL: Duration = Duration::from_millis(20);

#[derive(Default)]
pub struct Pace {
    /// When it was last sent changes.
    last_sent: Option<Instant>,
    /// It has not answered those changes yet.
    unanswered: bool,
    /// Changes were held back from it.
    owed: bool,
}

impl Pace {
    /// It sent a sync message: whatever it was sent has been answered.
    pub fn answered(&mut self) {
        self.unanswered = false;
    }

    /// When it may be sent changes next.
    fn next(&self) -> Option<Instant> {
        let wait = if self.unanswered { HOLD } else { MIN_INTERVAL };
        self.last_sent.map(|t| t + wait)
    }

    /// Whether to send it changes now; when not, remembers that it is owed them.
    pub fn ready(&mut self, now: Instant) -> bool {
        let ready = self.next().is_none_or(|t| t <= now);
        if !ready {
            self.owed = true;
        }
        ready
    }

    /// When held-back changes are due (if any are).
    pub fn due(&self) -> Option<Instant> {
        self.owed.then(|| self.next().unwrap_or_else(Instant::now))
    }

    /// Held-back changes are due by `now`.
    pub fn overdue(&self, now: Instant) -> bool {
        self.due().is_some_and(|t| t <= now)
    }

    /// It was sent what it was owed (a message with changes or not, or nothing at all):
    /// nothing is owed any more.
    pub fn sent(&mut self, with_changes: bool, now: Instant) {
        self.owed = false;
        if with_changes {
            self.last_sent = Some(now);
            self.unanswered = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test(start_paused = true)]
    async fn changes_wait_for_the_answer_to_the_last_ones() {
        let mut p = Pace::default();
        let t0 = Instant::now();
        assert!(p.ready(t0));
        p.sent(true, t0);
        // Unanswered: the next changes wait and are owed.
        let later = t0 + MIN_INTERVAL + ms(5);
        assert!(!p.ready(later));
        assert_eq!(p.due(), Some(t0 + HOLD));
        assert!(!p.overdue(later));
        // The answer comes: it may be sent again.
        p.answered();
        assert!(p.ready(later));
        p.sent(true, later);
        assert_eq!(p.due(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answered_follower_gets_changes_at_most_every_interval() {
        let mut p = Pace::default();
        let t0 = Instant::now();
        p.sent(true, t0);
        p.answered();
        assert!(!p.ready(t0 + ms(1)));
        assert_eq!(p.due(), Some(t0 + MIN_INTERVAL));
        assert!(p.overdue(t0 + MIN_INTERVAL));
        assert!(p.ready(t0 + MIN_INTERVAL));
    }

    #[tokio::test(start_paused = true)]
    async fn a_follower_that_does_not_answer_is_sent_changes_after_the_hold() {
        let mut p = Pace::default();
        let t0 = Instant::now();
        p.sent(true, t0);
        assert!(!p.ready(t0 + HOLD / 2));
        assert!(p.overdue(t0 + HOLD));
        assert!(p.ready(t0 + HOLD));
        // Nothing to send after all: nothing is owed (no round falls due again).
        p.sent(false, t0 + HOLD);
        assert_eq!(p.due(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_message_without_changes_expects_no_answer() {
        let mut p = Pace::default();
        let t0 = Instant::now();
        p.sent(false, t0);
        assert!(p.ready(t0 + ms(1)));
        assert_eq!(p.due(), None);
    }
}
