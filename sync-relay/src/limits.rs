//! One connection's guard: frames must be binary CBOR maps no larger than the limit, and
//! arrive no faster than the rate limit. A violation ends that connection only, with a logged
//! reason; bytes and messages are counted both ways.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};

use crate::metrics::Metrics;

/// Why a connection was closed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    #[error("websocket: {0}")]
    Socket(#[from] axum::Error),
    #[error("stream: {0}")]
    Stream(std::io::Error),
    #[error("frame exceeds the limit of {0} bytes")]
    OversizeFrame(usize),
    #[error("text frames are not part of the sync protocol")]
    TextFrame,
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

/// Frames in from one connection, checked; the first error ends it.
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

/// One accepted connection with its limits in place.
pub struct Conn {
    pub inbound: Inbound,
    pub outbound: Outbound,
}

/// Counts a connection as closed when dropped.
struct Live(Arc<Metrics>);

impl Drop for Live {
    fn drop(&mut self) {
        Metrics::add(&self.0.connections_closed, 1);
    }
}

/// Wraps an accepted WebSocket into a connection that enforces the limits.
pub fn guard(
    socket: WebSocket,
    peer: &str,
    max_bytes: usize,
    rate: u32,
    metrics: Arc<Metrics>,
) -> Conn {
    let (sink, stream) = socket.split();
    let frames = stream
        .filter_map(|msg| async move {
            match msg {
                Ok(Message::Ping(_) | Message::Pong(_)) => None,
                other => Some(other),
            }
        })
        .map(|msg| match msg {
            Ok(Message::Binary(bytes)) => Ok(bytes.to_vec()),
            Ok(Message::Close(_)) => Err(GuardError::Socket(axum::Error::new(
                std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "closed by peer"),
            ))),
            Ok(_) => Err(GuardError::TextFrame),
            Err(e) => Err(GuardError::Socket(e)),
        });
    let outbound = sink.with(|bytes: Vec<u8>| {
        futures::future::ready(Ok::<_, axum::Error>(Message::Binary(bytes.into())))
    });
    guard_frames(frames, outbound, peer, max_bytes, rate, metrics)
}

/// Wraps an accepted byte stream (a QUIC stream from iroh) into a connection with the
/// same limits: length-delimited frames as samod's own stream framing, none larger than
/// `max_bytes` (a larger length prefix ends the connection before the frame is read).
pub fn guard_stream<S>(
    io: S,
    peer: &str,
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
        Err(e) => Err(GuardError::Stream(e)),
    });
    let outbound = sink.with(|bytes: Vec<u8>| {
        futures::future::ready(Ok::<_, std::io::Error>(tokio_util::bytes::Bytes::from(
            bytes,
        )))
    });
    guard_frames(frames, outbound, peer, max_bytes, rate, metrics)
}

/// The limits on a stream of frames: size, CBOR map, rate; counting both ways.
fn guard_frames<In, Out, E>(
    frames: In,
    outbound: Out,
    peer: &str,
    max_bytes: usize,
    rate: u32,
    metrics: Arc<Metrics>,
) -> Conn
where
    In: futures::Stream<Item = Result<Vec<u8>, GuardError>> + Send + 'static,
    Out: futures::Sink<Vec<u8>, Error = E> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let peer_in = peer.to_string();
    let m_in = metrics.clone();
    let mut bucket = Bucket::new(rate);
    let inbound = frames.map(move |frame| -> Result<Vec<u8>, GuardError> {
        let result = frame.and_then(|bytes| {
            if bytes.len() > max_bytes {
                Err(GuardError::Oversize {
                    size: bytes.len(),
                    max: max_bytes,
                })
            } else if !is_cbor_map(&bytes) {
                Err(GuardError::Malformed(bytes.len()))
            } else if !bucket.take() {
                Err(GuardError::TooFast(rate))
            } else {
                Metrics::add(&m_in.bytes_in, bytes.len() as u64);
                Metrics::add(&m_in.messages_in, 1);
                Ok(bytes)
            }
        });
        if let Err(e) = &result {
            if matches!(e, GuardError::Socket(_) | GuardError::Stream(_)) {
                tracing::debug!(peer = %peer_in, reason = %e, "connection ended");
            } else {
                Metrics::add(&m_in.closed_bad_input, 1);
                tracing::warn!(peer = %peer_in, reason = %e, "closing connection");
            }
        }
        result
    });
    // The connection counts as closed when its inbound side is dropped.
    Metrics::add(&metrics.connections_opened, 1);
    let live = Live(metrics.clone());
    let inbound = inbound.map(move |frame| {
        let _ = &live;
        frame
    });
    let m_out = metrics;
    let outbound = outbound
        .sink_map_err(|e| OutboundError(e.to_string()))
        .with(move |bytes: Vec<u8>| {
            Metrics::add(&m_out.bytes_out, bytes.len() as u64);
            Metrics::add(&m_out.messages_out, 1);
            futures::future::ready(Ok::<_, OutboundError>(bytes))
        });
    Conn {
        inbound: Box::pin(inbound),
        outbound: Box::pin(outbound),
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
