//! WebSocket framing (RFC 6455, server side) straight on a TCP stream.
//!
//! An idle connection holds no buffer at all: the frame header is read into a 14-byte array
//! kept in the connection, a payload buffer is allocated when a frame announces its length
//! (growing in steps, so a length alone cannot claim memory), and frames go out with one
//! vectored write per batch straight from the queued messages. A WebSocket library keeps a
//! read buffer and a write buffer per connection, which made up most of an idle
//! connection's memory. Waiting for the socket polls its readiness directly (tokio's
//! `readable()` future is 152 bytes; this one holds a reference), so an idle connection's
//! task stays small. Only what the sync protocol needs is spoken: binary messages
//! (fragmented or not), ping, pong and close; no extensions, no text.

use std::io::IoSlice;

use allmende_sync_wire::frame::{Deframer, Frame, FrameError};
use tokio::net::TcpStream;

/// The GUID of RFC 6455 section 1.3.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// Most buffers handed to one vectored write.
const MAX_SLICES: usize = 64;

/// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
#[must_use]
pub fn accept_key(key: &str) -> String {
    use base64::Engine as _;
    use sha1::Digest as _;
    let mut sha = sha1::Sha1::new();
    sha.update(key.trim().as_bytes());
    sha.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// What went wrong on the socket or in the framing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("closed by the peer")]
    Closed,
    #[error("message of more than {0} bytes")]
    TooLong(usize),
    #[error("text frames are not part of the sync protocol")]
    Text,
    #[error("bad frame: {0}")]
    Protocol(&'static str),
}

impl From<FrameError> for WsError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::TooLong(n) => WsError::TooLong(n),
            FrameError::Text => WsError::Text,
            FrameError::Protocol(why) => WsError::Protocol(why),
            // Closed, and whatever a later version of the deframer adds.
            _ => WsError::Closed,
        }
    }
}

/// A WebSocket connection after the handshake.
pub struct WsConn {
    stream: TcpStream,
    /// The frames arriving (header, payload, a fragmented message), without IO.
    frames: Deframer,
    /// Frames fed but not yet written: (header, header length, payload).
    queued: Vec<([u8; 10], u8, Vec<u8>)>,
    /// How far writing `queued` got: whole frames, then bytes into the next one.
    written: (usize, usize),
}

impl WsConn {
    /// `max_message`: the largest message (all its fragments) accepted.
    #[must_use]
    pub fn new(stream: TcpStream, max_message: usize) -> WsConn {
        WsConn {
            stream,
            frames: Deframer::new(max_message),
            queued: Vec::new(),
            written: (0, 0),
        }
    }

    /// The next binary message, or `None` after a control frame (a ping's answer is then
    /// queued: the caller flushes it; a pong tells the caller the peer is there), or after a
    /// fragment while answers wait to be flushed. Cancel-safe: the await points only wait
    /// for the socket, and what arrived stays in the connection. Waiting holds no more than
    /// one readiness future, which keeps an idle connection's task small.
    ///
    /// # Errors
    /// The peer closed, the connection broke, or the peer broke the protocol or the limit.
    pub async fn recv(&mut self) -> Result<Option<Vec<u8>>, WsError> {
        loop {
            std::future::poll_fn(|cx| self.stream.poll_read_ready(cx)).await?;
            let n = match self.stream.try_read(self.frames.buffer()) {
                Ok(0) => return Err(WsError::Closed),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e.into()),
            };
            match self.frames.advance(n)? {
                None => {}
                Some(Frame::Message(m)) => return Ok(Some(m)),
                Some(Frame::Fragment) if !self.has_queued() => {}
                Some(Frame::Fragment | Frame::Pong) => return Ok(None),
                Some(Frame::Ping(payload)) => {
                    self.queue(0xA, payload);
                    return Ok(None);
                }
            }
        }
    }

    /// Whether frames wait to be written.
    #[must_use]
    pub fn has_queued(&self) -> bool {
        !self.queued.is_empty()
    }

    /// Queues a ping; its pong arrives like any frame.
    pub fn ping(&mut self) {
        self.queue(0x9, Vec::new());
    }

    /// Queues a binary message; [`WsConn::flush`] writes everything queued.
    pub fn feed(&mut self, payload: Vec<u8>) {
        self.queue(0x2, payload);
    }

    fn queue(&mut self, opcode: u8, payload: Vec<u8>) {
        let mut head = [0u8; 10];
        head[0] = 0x80 | opcode;
        let len = payload.len();
        let n = match (u8::try_from(len), u16::try_from(len)) {
            (Ok(short), _) if short < 126 => {
                head[1] = short;
                2
            }
            (_, Ok(medium)) => {
                head[1] = 126;
                head[2..4].copy_from_slice(&medium.to_be_bytes());
                4
            }
            _ => {
                head[1] = 127;
                head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
                10
            }
        };
        self.queued.push((head, n, payload));
    }

    /// Writes every queued frame, with as few system calls as the socket allows.
    /// Cancel-safe: a later call goes on where this one stopped.
    ///
    /// # Errors
    /// The connection broke.
    pub async fn flush(&mut self) -> Result<(), WsError> {
        while self.written.0 < self.queued.len() {
            std::future::poll_fn(|cx| self.stream.poll_write_ready(cx)).await?;
            let (frame, offset) = self.written;
            let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(MAX_SLICES);
            let mut skip = offset;
            for (head, n, payload) in self.queued[frame..].iter().take(MAX_SLICES / 2) {
                for part in [&head[..usize::from(*n)], &payload[..]] {
                    if skip >= part.len() {
                        skip -= part.len();
                    } else {
                        slices.push(IoSlice::new(&part[skip..]));
                        skip = 0;
                    }
                }
            }
            let written = match self.stream.try_write_vectored(&slices) {
                Ok(0) => return Err(std::io::Error::from(std::io::ErrorKind::WriteZero).into()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e.into()),
            };
            drop(slices);
            let (mut frame, mut offset) = (frame, offset + written);
            while let Some((_, n, payload)) = self.queued.get(frame) {
                let size = usize::from(*n) + payload.len();
                if offset < size {
                    break;
                }
                offset -= size;
                frame += 1;
            }
            self.written = (frame, offset);
        }
        // Nothing stays allocated between batches.
        self.queued = Vec::new();
        self.written = (0, 0);
        Ok(())
    }

    /// Sends a close frame (1000 normal, 1008 policy violation) after whatever is queued.
    pub async fn close(&mut self, policy_violation: bool) {
        let code: u16 = if policy_violation { 1008 } else { 1000 };
        self.queue(0x8, code.to_be_bytes().to_vec());
        let _ = self.flush().await;
    }
}

#[cfg(test)]
mod tests;
