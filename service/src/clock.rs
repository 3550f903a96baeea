//! Where the peer reads the time: the only clock, passed into the pure core as data.

use std::time::{SystemTime, UNIX_EPOCH};

/// A source of "now" in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A settable clock for tests and simulations.
#[derive(Debug, Default)]
pub struct FixedClock(pub std::sync::atomic::AtomicI64);

impl FixedClock {
    #[must_use]
    pub fn at(ms: i64) -> Self {
        FixedClock(std::sync::atomic::AtomicI64::new(ms))
    }

    pub fn set(&self, ms: i64) {
        self.0.store(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The system clock running `days` ahead: `ALLMENDE_CLOCK_OFFSET_DAYS` for simulations and
/// tests of what time does (a promised date passing, "waiting since N days"), without
/// back-dating anything.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock(pub i64);

impl Clock for OffsetClock {
    fn now(&self) -> i64 {
        SystemClock.now() + self.0 * allmende_core::time::DAY_MS
    }
}

/// The clock the CLI runs on: the system's, or ahead by `ALLMENDE_CLOCK_OFFSET_DAYS`.
///
/// # Errors
/// A value that is not a whole number of days.
pub fn from_env() -> Result<Box<dyn Clock>, String> {
    match std::env::var("ALLMENDE_CLOCK_OFFSET_DAYS") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .map(|days| Box::new(OffsetClock(days)) as Box<dyn Clock>)
            .map_err(|e| format!("ALLMENDE_CLOCK_OFFSET_DAYS={v}: {e}")),
        Err(_) => Ok(Box::new(SystemClock)),
    }
}
