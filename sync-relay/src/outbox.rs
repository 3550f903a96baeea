//! What waits to be written to one connection: a queue the document actors push to and the
//! connection's task drains.
//!
//! A tokio channel allocates a block of 32 slots up front (about 1 KiB per connection, the
//! largest single cost of an idle connection in a heap profile); this queue allocates only
//! while something waits.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tokio::sync::Notify;

/// One item for the connection.
pub enum Out {
    Frame(Vec<u8>),
    /// Send an error message with this reason and close.
    Close(String),
}

/// The queue of one connection.
#[derive(Default)]
pub struct Outbox {
    queue: Mutex<VecDeque<Out>>,
    ready: Notify,
    closed: AtomicBool,
}

impl Outbox {
    /// Queues an item; false when the connection has ended (the item is dropped).
    pub fn push(&self, out: Out) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        let Ok(mut q) = self.queue.lock() else {
            return false;
        };
        q.push_back(out);
        drop(q);
        self.ready.notify_one();
        true
    }

    /// The next item, without waiting.
    pub fn pop(&self) -> Option<Out> {
        let mut q = self.queue.lock().ok()?;
        let out = q.pop_front();
        if q.is_empty() && q.capacity() > 16 {
            q.shrink_to_fit();
        }
        out
    }

    /// Waits for the next item.
    pub async fn next(&self) -> Out {
        loop {
            if let Some(out) = self.pop() {
                return out;
            }
            self.ready.notified().await;
        }
    }

    /// The connection has ended: drop what waits and refuse more.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut q) = self.queue.lock() {
            *q = VecDeque::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn items_come_out_in_order_and_nothing_goes_in_after_close() {
        let o = std::sync::Arc::new(Outbox::default());
        let waiter = {
            let o = o.clone();
            tokio::spawn(async move {
                match o.next().await {
                    Out::Frame(f) => f,
                    Out::Close(_) => Vec::new(),
                }
            })
        };
        tokio::task::yield_now().await;
        assert!(o.push(Out::Frame(vec![1])));
        assert!(o.push(Out::Frame(vec![2])));
        assert_eq!(waiter.await.expect("task"), vec![1]);
        assert!(matches!(o.pop(), Some(Out::Frame(f)) if f == vec![2]));
        assert!(o.pop().is_none());
        o.close();
        assert!(!o.push(Out::Frame(vec![3])));
        assert!(o.pop().is_none());
    }
}
