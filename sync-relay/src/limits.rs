//! One connection's guard: frames must be binary CBOR maps no larger than the limit, and
//! arrive no faster than the rate limit. A violation ends that connection only, with a logged
//! reason; bytes and messages are counted both ways.

use std::sync::Arc;
use std::time::Instant;

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
    #[error("more than {0} messages per second")]
    TooFast(u32),
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

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate)
            .min(self.rate * 2.0);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
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
    rate: u32,
    bucket: Bucket,
    metrics: Arc<Metrics>,
}

impl Guard {
    fn new(peer: Arc<str>, max_bytes: usize, rate: u32, metrics: Arc<Metrics>) -> Guard {
        Metrics::add(&metrics.connections_opened, 1);
        Guard {
            peer,
            max_bytes,
            rate,
            bucket: Bucket::new(rate),
            metrics,
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
            } else if !self.bucket.take() {
                Err(GuardError::TooFast(self.rate))
            } else {
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
}

impl Conn {
    /// A connection of frame streams without limits (for tests of the engine).
    #[must_use]
    pub fn from_parts(inbound: Inbound, outbound: Outbound) -> Conn {
        Conn {
            io: Io::Frames { inbound, outbound },
            guard: None,
        }
    }

    /// The next checked frame; `None` once the connection has ended. Cancel-safe.
    pub async fn recv(&mut self) -> Option<Result<Vec<u8>, GuardError>> {
        let frame = match &mut self.io {
            Io::Frames { inbound, .. } => inbound.next().await?,
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
        assert!((0..4).all(|_| b.take()));
        assert!(!b.take());
    }
}
