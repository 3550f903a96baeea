//! One connection's guard: frames must be binary CBOR maps no larger than the limit; a
//! connection sending faster than its rate is read later (flow control: an honest first sync
//! of a whole town is busy, not abuse). A violation ends that connection only, with a logged
//! reason; bytes and messages are counted both ways, and when the connection was last heard
//! from is kept for the hub's sweeper.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

use futures::{SinkExt, StreamExt};

use crate::metrics::Metrics;
use crate::ws::{WsConn, WsError};

/// Why a connection was closed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// The connection ended or broke (nothing the peer did wrong).
    #[error("connection: {0}")]
    Ended(String),
    #[error("frame exceeds the limit of {0} bytes")]
    OversizeFrame(usize),
    #[error("text frames are not part of the sync protocol")]
    TextFrame,
    #[error("not a WebSocket frame a client may send: {0}")]
    Protocol(&'static str),
    #[error("frame of {0} bytes is not a CBOR map")]
    Malformed(usize),
    #[error("frame of {size} bytes exceeds the limit of {max}")]
    Oversize { size: usize, max: usize },
}

/// Milliseconds on the relay's monotonic clock.
#[must_use]
pub fn clock_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// When a connection opened and was last heard from, and whether it has joined: read by the
/// hub's sweeper, which closes silent connections and pings quiet ones.
#[derive(Debug)]
pub struct Activity {
    pub opened_ms: u64,
    heard_ms: AtomicU64,
    joined: AtomicBool,
    /// Whether the transport has pings (WebSocket); silence is judged only where it does.
    pub pingable: bool,
}

impl Activity {
    fn new(pingable: bool) -> Arc<Activity> {
        let now = clock_ms();
        Arc::new(Activity {
            opened_ms: now,
            heard_ms: AtomicU64::new(now),
            joined: AtomicBool::new(false),
            pingable,
        })
    }

    fn heard(&self) {
        self.heard_ms.store(clock_ms(), Ordering::Relaxed);
    }

    /// When anything (a message, a pong) last arrived.
    #[must_use]
    pub fn heard_ms(&self) -> u64 {
        self.heard_ms.load(Ordering::Relaxed)
    }

    pub fn set_joined(&self) {
        self.joined.store(true, Ordering::Relaxed);
    }

    #[must_use]
    pub fn joined(&self) -> bool {
        self.joined.load(Ordering::Relaxed)
    }
}

/// A token bucket: `rate` per second, bursts up to twice that.
struct Bucket {
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: u32) -> Self {
        Bucket {
            rate: f64::from(rate),
            tokens: f64::from(rate) * 2.0,
            last: Instant::now(),
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate)
            .min(self.rate * 2.0);
        self.last = now;
    }

    /// How long until a message may be read (zero when one may now).
    fn wait(&mut self) -> Duration {
        self.refill();
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.rate)
        }
    }

    /// One message was read (after [`Bucket::wait`]; a wait cut short leaves a debt that
    /// the next wait pays).
    fn take(&mut self) {
        self.refill();
        self.tokens -= 1.0;
    }
}

/// Frames in from one connection (iroh streams, tests).
pub type Inbound =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<Vec<u8>, GuardError>> + Send>>;
/// Frames out to one connection.
pub type Outbound = std::pin::Pin<Box<dyn futures::Sink<Vec<u8>, Error = OutboundError> + Send>>;

/// Why a frame could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("sending failed: {0}")]
pub struct OutboundError(String);

impl OutboundError {
    #[must_use]
    pub fn new(reason: String) -> Self {
        OutboundError(reason)
    }
}

/// The checks on one connection: size, CBOR map, rate; counting both ways.
struct Guard {
    peer: Arc<str>,
    max_bytes: usize,
    bucket: Bucket,
    metrics: Arc<Metrics>,
}

impl Guard {
    fn new(peer: Arc<str>, max_bytes: usize, rate: u32, metrics: Arc<Metrics>) -> Guard {
        Metrics::add(&metrics.connections_opened, 1);
        Guard {
            peer,
            max_bytes,
            bucket: Bucket::new(rate.max(1)),
            metrics,
        }
    }

    /// Waits until the connection may send its next message (boxed: an idle connection's
    /// task holds no timer).
    async fn pace(&mut self) {
        let wait = self.bucket.wait();
        if !wait.is_zero() {
            Metrics::add(&self.metrics.throttled, 1);
            Box::pin(tokio::time::sleep(wait)).await;
        }
    }

    fn check(&mut self, frame: Result<Vec<u8>, GuardError>) -> Result<Vec<u8>, GuardError> {
        let result = frame.and_then(|bytes| {
            if bytes.len() > self.max_bytes {
                Err(GuardError::Oversize {
                    size: bytes.len(),
                    max: self.max_bytes,
                })
            } else if !is_cbor_map(&bytes) {
                Err(GuardError::Malformed(bytes.len()))
            } else {
                self.bucket.take();
                Metrics::add(&self.metrics.bytes_in, bytes.len() as u64);
                Metrics::add(&self.metrics.messages_in, 1);
                Ok(bytes)
            }
        });
        match &result {
            Err(e @ GuardError::Ended(_)) => {
                tracing::debug!(peer = %self.peer, reason = %e, "connection ended");
            }
            Err(e) => {
                Metrics::add(&self.metrics.closed_bad_input, 1);
                tracing::warn!(peer = %self.peer, reason = %e, "closing connection");
            }
            Ok(_) => {}
        }
        result
    }

    fn count_out(&self, bytes: usize) {
        Metrics::add(&self.metrics.bytes_out, bytes as u64);
        Metrics::add(&self.metrics.messages_out, 1);
    }
}

impl Drop for Guard {
    /// The connection counts as closed when its guard goes.
    fn drop(&mut self) {
        Metrics::add(&self.metrics.connections_closed, 1);
    }
}

enum Io {
    Frames {
        inbound: Inbound,
        outbound: Outbound,
    },
    Ws(WsConn),
}

/// One accepted connection with its limits in place.
pub struct Conn {
    io: Io,
    guard: Option<Guard>,
    activity: Arc<Activity>,
}

impl Conn {
    /// A connection of frame streams without limits (for tests of the engine).
    #[must_use]
    pub fn from_parts(inbound: Inbound, outbound: Outbound) -> Conn {
        Conn {
            io: Io::Frames { inbound, outbound },
            guard: None,
            activity: Activity::new(false),
        }
    }

    /// When it was last heard from.
    #[must_use]
    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }

    /// The next checked frame; `None` once the connection has ended. Cancel-safe: a wait
    /// for the rate or the socket loses nothing when cut short.
    pub async fn recv(&mut self) -> Option<Result<Vec<u8>, GuardError>> {
        if let Some(g) = &mut self.guard {
            g.pace().await;
        }
        let frame = match &mut self.io {
            Io::Frames { inbound, .. } => {
                let frame = inbound.next().await?;
                self.activity.heard();
                frame
            }
            Io::Ws(ws) => loop {
                // Answers to pings (and writes a cancelled call left) go out first; boxed,
                // so an idle connection's task does not hold a write in its state.
                let flushed = if ws.has_queued() {
                    Box::pin(ws.flush()).await
                } else {
                    Ok(())
                };
                let received = match flushed {
                    Ok(()) => ws.recv().await,
                    Err(e) => Err(e),
                };
                if received.is_ok() {
                    self.activity.heard();
                }
                match received {
                    Ok(Some(message)) => break Ok(message),
                    Ok(None) => {}
                    Err(e) => {
                        break Err(match e {
                            WsError::TooLong(max) => GuardError::OversizeFrame(max),
                            WsError::Text => GuardError::TextFrame,
                            WsError::Protocol(what) => GuardError::Protocol(what),
                            other => GuardError::Ended(other.to_string()),
                        })
                    }
                }
            },
        };
        Some(match &mut self.guard {
            Some(g) => g.check(frame),
            None => frame,
        })
    }

    /// Queues a frame; [`Conn::flush`] makes sure it went out.
    ///
    /// # Errors
    /// The connection broke.
    pub async fn feed(&mut self, frame: Vec<u8>) -> Result<(), OutboundError> {
        if let Some(g) = &self.guard {
            g.count_out(frame.len());
        }
        match &mut self.io {
            Io::Frames { outbound, .. } => outbound.feed(frame).await,
            Io::Ws(ws) => {
                ws.feed(frame);
                Ok(())
            }
        }
    }

    /// Writes everything fed.
    ///
    /// # Errors
    /// The connection broke.
    pub async fn flush(&mut self) -> Result<(), OutboundError> {
        match &mut self.io {
            Io::Frames { outbound, .. } => outbound.flush().await,
            Io::Ws(ws) => ws.flush().await.map_err(|e| OutboundError(e.to_string())),
        }
    }

    /// Feeds and flushes one frame.
    ///
    /// # Errors
    /// The connection broke.
    pub async fn send(&mut self, frame: Vec<u8>) -> Result<(), OutboundError> {
        self.feed(frame).await?;
        self.flush().await
    }

    /// Queues a ping where the transport has them (a WebSocket); its answer counts as
    /// hearing from the connection.
    pub fn ping(&mut self) {
        if let Io::Ws(ws) = &mut self.io {
            ws.ping();
        }
    }

    /// Ends the connection (a WebSocket with a close frame: policy violation or normal).
    pub async fn close(&mut self, policy_violation: bool) {
        match &mut self.io {
            Io::Frames { outbound, .. } => {
                let _ = outbound.close().await;
            }
            Io::Ws(ws) => ws.close(policy_violation).await,
        }
    }
}

/// Wraps an accepted WebSocket into a connection that enforces the limits.
#[must_use]
pub fn guard_ws(
    ws: WsConn,
    peer: Arc<str>,
    max_bytes: usize,
    rate: u32,
    metrics: Arc<Metrics>,
) -> Conn {
    Conn {
        io: Io::Ws(ws),
        guard: Some(Guard::new(peer, max_bytes, rate, metrics)),
        activity: Activity::new(true),
    }
}

/// Wraps an accepted byte stream (a QUIC stream from iroh) into a connection with the
/// same limits: length-delimited frames as samod's own stream framing, none larger than
/// `max_bytes` (a larger length prefix ends the connection before the frame is read).
pub fn guard_stream<S>(
    io: S,
    peer: Arc<str>,
    max_bytes: usize,
    rate: u32,
    metrics: Arc<Metrics>,
) -> Conn
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    use tokio_util::codec::{Framed, LengthDelimitedCodec};
    let codec = LengthDelimitedCodec::builder()
        .max_frame_length(max_bytes)
        .new_codec();
    let (sink, stream) = StreamExt::split::<tokio_util::bytes::Bytes>(Framed::new(io, codec));
    let frames = stream.map(move |r| match r {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            Err(GuardError::OversizeFrame(max_bytes))
        }
        Err(e) => Err(GuardError::Ended(e.to_string())),
    });
    let outbound = sink
        .with(|bytes: Vec<u8>| {
            futures::future::ready(Ok::<_, std::io::Error>(tokio_util::bytes::Bytes::from(
                bytes,
            )))
        })
        .sink_map_err(|e| OutboundError(e.to_string()));
    Conn {
        io: Io::Frames {
            inbound: Box::pin(frames),
            outbound: Box::pin(outbound),
        },
        guard: Some(Guard::new(peer, max_bytes, rate, metrics)),
        activity: Activity::new(false),
    }
}

/// Whether a frame starts like a CBOR map (major type 5), as every sync message does.
#[must_use]
pub fn is_cbor_map(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| b >> 5 == 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_maps_and_buckets() {
        assert!(is_cbor_map(&[0xa2, 0x01]));
        assert!(!is_cbor_map(&[0x82]));
        assert!(!is_cbor_map(b"hello"));
        assert!(!is_cbor_map(&[]));
        let mut b = Bucket::new(2);
        for _ in 0..4 {
            assert!(b.wait().is_zero(), "a burst of twice the rate");
            b.take();
        }
        let wait = b.wait();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(500),
            "the fifth message waits for its token: {wait:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_fast_sender_is_read_later_not_closed() {
        let frames: Vec<Result<Vec<u8>, GuardError>> = (0..50).map(|_| Ok(vec![0xa0])).collect();
        let (tx, _rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
        let metrics = Arc::new(Metrics::default());
        let mut conn = Conn {
            io: Io::Frames {
                inbound: Box::pin(futures::stream::iter(frames)),
                outbound: Box::pin(tx.sink_map_err(|e| OutboundError(e.to_string()))),
            },
            guard: Some(Guard::new(Arc::from("p"), 1024, 10, metrics.clone())),
            activity: Activity::new(false),
        };
        let start = tokio::time::Instant::now();
        for i in 0..50 {
            let frame = conn.recv().await.expect("a frame");
            assert!(frame.is_ok(), "message {i} was refused: {frame:?}");
        }
        // 20 of the burst at once, then 30 at 10 per second (virtual time: no wall clock).
        assert!(start.elapsed() >= Duration::from_secs(2));
        assert!(metrics.throttled.load(Ordering::Relaxed) >= 29);
        assert_eq!(metrics.closed_bad_input.load(Ordering::Relaxed), 0);
    }
}
