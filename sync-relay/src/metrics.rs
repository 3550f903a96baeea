//! Counters for `/metrics`, in Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// The relay's counters. Gauges are derived when rendering.
#[derive(Debug, Default)]
pub struct Metrics {
    pub connections_opened: AtomicU64,
    pub connections_closed: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub messages_in: AtomicU64,
    pub messages_out: AtomicU64,
    /// Document shares the access policy refused (reads or writes of a device not entitled).
    pub rejected_requests: AtomicU64,
    /// Connections refused at the door (bad credentials, connection cap).
    pub rejected_connections: AtomicU64,
    /// Connections closed for a malformed or oversize message.
    pub closed_bad_input: AtomicU64,
    /// Sync messages refused before decompression: their changes inflate past the limit.
    pub refused_inflated: AtomicU64,
    /// Sync messages refused before Automerge read them: their columns claim more
    /// operations than a message may bring, or their bloom filter is one Automerge cannot use.
    pub refused_operations: AtomicU64,
    /// Connections closed because changes waiting for missing dependencies would take a
    /// document past its size limit.
    pub refused_missing_dependencies: AtomicU64,
    /// Connections closed because their device's quota of stored bytes is used up.
    pub refused_quota: AtomicU64,
    /// Connections closed because they did not read what the relay had for them.
    pub closed_slow: AtomicU64,
    /// Sockets refused because too many handshakes were under way.
    pub refused_pending: AtomicU64,
    /// Connections refused because their IP address had its share.
    pub refused_per_ip: AtomicU64,
    /// Connections refused because their device key had its share.
    pub refused_per_key: AtomicU64,
    /// Connections closed for silence (no join in time, no answer to pings).
    pub closed_idle: AtomicU64,
    /// Connections closed for asking for more documents than one connection may.
    pub closed_too_many_documents: AtomicU64,
    /// Connections closed for an ephemeral message over the limit.
    pub closed_oversize_ephemeral: AtomicU64,
    /// Times a connection sending faster than its rate was read later.
    pub throttled: AtomicU64,
    /// Times a follower's changes were held back (it had not answered the last ones, or was
    /// sent changes a moment ago); they go out together later.
    pub held_back: AtomicU64,
    /// Change-feed answers given (`/changes`).
    pub feed_requests: AtomicU64,
    /// Login challenges handed out (`/auth/challenge`).
    pub challenges: AtomicU64,
    /// Logins refused because their challenge was used before (a replay).
    pub refused_replayed_logins: AtomicU64,
    /// Logins refused because they were signed for another relay.
    pub refused_foreign_logins: AtomicU64,
    /// Documents listed in change-feed answers.
    pub feed_documents: AtomicU64,
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Open connections right now.
    #[must_use]
    pub fn open_connections(&self) -> u64 {
        get(&self.connections_opened).saturating_sub(get(&self.connections_closed))
    }

    /// The Prometheus exposition text.
    #[must_use]
    pub fn render(&self, documents_stored: u64) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        metric(
            "allmende_relay_connections",
            "gauge",
            "Open WebSocket connections.",
            self.open_connections(),
        );
        metric(
            "allmende_relay_connections_total",
            "counter",
            "WebSocket connections accepted.",
            get(&self.connections_opened),
        );
        metric(
            "allmende_relay_documents_stored",
            "gauge",
            "Documents in storage.",
            documents_stored,
        );
        metric(
            "allmende_relay_bytes_in_total",
            "counter",
            "Bytes received in sync messages.",
            get(&self.bytes_in),
        );
        metric(
            "allmende_relay_bytes_out_total",
            "counter",
            "Bytes sent in sync messages.",
            get(&self.bytes_out),
        );
        metric(
            "allmende_relay_messages_in_total",
            "counter",
            "Sync protocol messages received.",
            get(&self.messages_in),
        );
        metric(
            "allmende_relay_messages_out_total",
            "counter",
            "Sync protocol messages sent.",
            get(&self.messages_out),
        );
        metric(
            "allmende_relay_rejected_requests_total",
            "counter",
            "Document shares refused by the access policy.",
            get(&self.rejected_requests),
        );
        metric(
            "allmende_relay_rejected_connections_total",
            "counter",
            "Connections refused (credentials, connection cap).",
            get(&self.rejected_connections),
        );
        metric(
            "allmende_relay_closed_bad_input_total",
            "counter",
            "Connections closed for malformed or oversize messages.",
            get(&self.closed_bad_input),
        );
        metric(
            "allmende_relay_refused_inflated_total",
            "counter",
            "Sync messages refused before decompression (changes inflating past the limit).",
            get(&self.refused_inflated),
        );
        metric(
            "allmende_relay_refused_operations_total",
            "counter",
            "Sync messages refused before Automerge read them (columns claiming too many operations, or a bloom filter Automerge cannot use).",
            get(&self.refused_operations),
        );
        metric(
            "allmende_relay_refused_missing_dependencies_total",
            "counter",
            "Connections closed for changes whose dependencies never came, past a document's limit.",
            get(&self.refused_missing_dependencies),
        );
        metric(
            "allmende_relay_refused_quota_total",
            "counter",
            "Connections closed because their device's quota of stored bytes is used up.",
            get(&self.refused_quota),
        );
        metric(
            "allmende_relay_held_back_total",
            "counter",
            "Times a follower's changes were held back to go out together a moment later.",
            get(&self.held_back),
        );
        metric(
            "allmende_relay_closed_slow_total",
            "counter",
            "Connections closed for not reading what the relay had for them.",
            get(&self.closed_slow),
        );
        let closes = [
            (
                "allmende_relay_refused_pending_total",
                "Sockets refused: too many handshakes under way.",
                &self.refused_pending,
            ),
            (
                "allmende_relay_refused_per_ip_total",
                "Connections refused: their IP address had its share.",
                &self.refused_per_ip,
            ),
            (
                "allmende_relay_refused_per_key_total",
                "Connections refused: their device key had its share.",
                &self.refused_per_key,
            ),
            (
                "allmende_relay_closed_idle_total",
                "Connections closed for silence (no join in time, no answer to pings).",
                &self.closed_idle,
            ),
            (
                "allmende_relay_closed_too_many_documents_total",
                "Connections closed for working on more documents than one may.",
                &self.closed_too_many_documents,
            ),
            (
                "allmende_relay_closed_oversize_ephemeral_total",
                "Connections closed for an ephemeral message over the limit.",
                &self.closed_oversize_ephemeral,
            ),
            (
                "allmende_relay_throttled_total",
                "Times a connection sending faster than its rate was read later (not closed).",
                &self.throttled,
            ),
            (
                "allmende_relay_feed_requests_total",
                "Change-feed answers given (GET /changes).",
                &self.feed_requests,
            ),
            (
                "allmende_relay_challenges_total",
                "Login challenges handed out (GET /auth/challenge).",
                &self.challenges,
            ),
            (
                "allmende_relay_refused_replayed_logins_total",
                "Logins refused: their challenge was used before.",
                &self.refused_replayed_logins,
            ),
            (
                "allmende_relay_refused_foreign_logins_total",
                "Logins refused: signed for another relay.",
                &self.refused_foreign_logins,
            ),
            (
                "allmende_relay_feed_documents_total",
                "Documents listed in change-feed answers.",
                &self.feed_documents,
            ),
        ];
        for (name, help, counter) in closes {
            metric(name, "counter", help, get(counter));
        }
        out
    }
}
