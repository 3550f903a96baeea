//! One copy of each sync state a document's followers are in.
//!
//! Followers in step with a document are in the same sync state (the same heads, filters and
//! capabilities), even when they got there at different times. Each holds the state through
//! an `Arc`; a state is changed only through `Arc::make_mut`, which copies it while this set
//! (or another follower) holds it, so a shared state never changes under anyone.

use std::collections::HashSet;
use std::sync::Arc;

use automerge::sync;

#[derive(Default)]
pub struct States(HashSet<Arc<sync::State>>);

impl States {
    /// Makes `state` the shared copy of an equal state, or that copy. States nobody is in
    /// any more are dropped once there are more than twice as many as `followers`.
    pub fn share(&mut self, state: &mut Arc<sync::State>, followers: usize) {
        match self.0.get(&**state) {
            Some(same) => *state = same.clone(),
            None => {
                self.0.insert(state.clone());
                if self.0.len() > 2 * followers + 16 {
                    self.forget_unused();
                }
            }
        }
    }

    /// Drops the states no follower is in.
    pub fn forget_unused(&mut self) {
        self.0.retain(|s| Arc::strong_count(s) > 1);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(responded: bool) -> Arc<sync::State> {
        let mut s = sync::State::new();
        s.have_responded = responded;
        Arc::new(s)
    }

    #[test]
    fn equal_states_are_one_copy_and_changes_copy_it() {
        let mut states = States::default();
        let (mut a, mut b, mut c) = (state(true), state(true), state(false));
        states.share(&mut a, 3);
        states.share(&mut b, 3);
        states.share(&mut c, 3);
        assert!(Arc::ptr_eq(&a, &b), "equal states share one copy");
        assert!(!Arc::ptr_eq(&a, &c));
        // Changing one follower's state leaves the other's as it was.
        Arc::make_mut(&mut b).have_responded = false;
        assert!(a.have_responded);
        states.share(&mut b, 3);
        assert!(Arc::ptr_eq(&b, &c));
        // Nobody is in `a`'s state once `a` leaves: forgotten.
        drop(a);
        states.forget_unused();
        assert_eq!(states.len(), 1);
    }

    #[test]
    fn states_nobody_is_in_do_not_pile_up() {
        let mut states = States::default();
        for i in 0..1000 {
            let mut s = sync::State::new();
            s.shared_heads = vec![automerge::ChangeHash(
                [u8::try_from(i % 256).expect("byte"); 32],
            )];
            s.last_sent_heads = vec![automerge::ChangeHash(
                [u8::try_from(i / 256).expect("byte"); 32],
            )];
            let mut s = Arc::new(s);
            states.share(&mut s, 1);
        }
        assert!(states.len() <= 2 + 16 + 1, "{} states kept", states.len());
    }
}
