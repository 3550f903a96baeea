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

use tokio::net::TcpStream;

/// The GUID of RFC 6455 section 1.3.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// A payload buffer grows by at most this much ahead of the bytes that arrived.
const GROW_STEP: usize = 64 * 1024;
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

/// A frame header as it arrives.
#[derive(Default)]
struct Head {
    bytes: [u8; 14],
    have: u8,
}

impl Head {
    /// How many header bytes the frame has, once the first two are known.
    fn needed(&self) -> usize {
        if self.have < 2 {
            return 2;
        }
        2 + match self.bytes[1] & 0x7f {
            126 => 2,
            127 => 8,
            _ => 0,
        } + if self.bytes[1] & 0x80 != 0 { 4 } else { 0 }
    }

    fn complete(&self) -> bool {
        usize::from(self.have) >= 2 && usize::from(self.have) == self.needed()
    }

    fn len(&self) -> u64 {
        match self.bytes[1] & 0x7f {
            126 => u64::from(u16::from_be_bytes([self.bytes[2], self.bytes[3]])),
            127 => u64::from_be_bytes(self.bytes[2..10].try_into().unwrap_or([0xff; 8])),
            n => u64::from(n),
        }
    }

    fn mask(&self) -> Option<[u8; 4]> {
        (self.bytes[1] & 0x80 != 0).then(|| {
            let at = self.needed() - 4;
            [
                self.bytes[at],
                self.bytes[at + 1],
                self.bytes[at + 2],
                self.bytes[at + 3],
            ]
        })
    }
}

/// One frame's payload as it arrives.
struct Body {
    fin: bool,
    opcode: u8,
    mask: [u8; 4],
    len: usize,
    data: Vec<u8>,
}

/// A WebSocket connection after the handshake.
pub struct WsConn {
    stream: TcpStream,
    max_message: usize,
    head: Head,
    /// Boxed: only while a frame arrives.
    body: Option<Box<Body>>,
    /// A fragmented binary message being put together.
    message: Option<Vec<u8>>,
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
            max_message,
            head: Head::default(),
            body: None,
            message: None,
            queued: Vec::new(),
            written: (0, 0),
        }
    }

    /// Reads what is there into `buf` (the socket was readable); `None` when nothing was
    /// after all. An orderly end of the stream is [`WsError::Closed`].
    fn try_read(stream: &TcpStream, buf: &mut [u8]) -> Result<Option<usize>, WsError> {
        match stream.try_read(buf) {
            Ok(0) => Err(WsError::Closed),
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The next binary message, or `None` after a control frame (a ping's answer is then
    /// queued: the caller flushes it; a pong tells the caller the peer is there). Cancel-safe: the await points only wait for the socket, and what
    /// arrived stays in the connection. Waiting holds no more than one readiness future,
    /// which keeps an idle connection's task small.
    ///
    /// # Errors
    /// The peer closed, the connection broke, or the peer broke the protocol or the limit.
    pub async fn recv(&mut self) -> Result<Option<Vec<u8>>, WsError> {
        loop {
            if self.body.is_none() {
                while !self.head.complete() {
                    std::future::poll_fn(|cx| self.stream.poll_read_ready(cx)).await?;
                    let (from, to) = (usize::from(self.head.have), self.head.needed());
                    if let Some(n) = Self::try_read(&self.stream, &mut self.head.bytes[from..to])? {
                        self.head.have += u8::try_from(n).unwrap_or(0);
                    }
                }
                self.body = Some(Box::new(self.start_body()?));
                self.head = Head::default();
            }
            while let Some(body) = self.body.as_mut().filter(|b| b.data.len() < b.len) {
                std::future::poll_fn(|cx| self.stream.poll_read_ready(cx)).await?;
                if body.data.capacity() == body.data.len() {
                    body.data
                        .reserve((body.len - body.data.len()).min(GROW_STEP));
                }
                let start = body.data.len();
                body.data.resize(body.data.capacity().min(body.len), 0);
                let read = Self::try_read(&self.stream, &mut body.data[start..]);
                let got = read.as_ref().ok().copied().flatten().unwrap_or(0);
                body.data.truncate(start + got);
                read?;
            }
            let Some(mut body) = self.body.take() else {
                continue;
            };
            for (i, b) in body.data.iter_mut().enumerate() {
                *b ^= body.mask[i % 4];
            }
            let control = body.opcode >= 8;
            if let Some(message) = self.frame(*body)? {
                return Ok(Some(message));
            }
            if self.has_queued() || control {
                return Ok(None);
            }
        }
    }

    /// Checks a complete header and prepares for its payload.
    fn start_body(&self) -> Result<Body, WsError> {
        let b0 = self.head.bytes[0];
        let (fin, opcode) = (b0 & 0x80 != 0, b0 & 0x0f);
        if b0 & 0x70 != 0 {
            return Err(WsError::Protocol(
                "reserved bits set (no extension was agreed)",
            ));
        }
        let mask = self
            .head
            .mask()
            .ok_or(WsError::Protocol("a client's frames must be masked"))?;
        let len = self.head.len();
        let control = opcode >= 8;
        if control && (!fin || len > 125) {
            return Err(WsError::Protocol("control frames are short and whole"));
        }
        let so_far = self.message.as_ref().map_or(0, Vec::len) as u64;
        if !control && so_far.saturating_add(len) > self.max_message as u64 {
            return Err(WsError::TooLong(self.max_message));
        }
        Ok(Body {
            fin,
            opcode,
            mask,
            len: usize::try_from(len).map_err(|_| WsError::TooLong(self.max_message))?,
            data: Vec::new(),
        })
    }

    /// Handles one whole frame; a complete binary message when there is one. A pong or a
    /// close answer is queued and goes out with the next flush.
    fn frame(&mut self, body: Body) -> Result<Option<Vec<u8>>, WsError> {
        match (body.opcode, self.message.take()) {
            (0x2, None) if body.fin => Ok(Some(body.data)),
            (0x2, None) => {
                self.message = Some(body.data);
                Ok(None)
            }
            (0x0, Some(mut m)) => {
                m.extend_from_slice(&body.data);
                if body.fin {
                    Ok(Some(m))
                } else {
                    self.message = Some(m);
                    Ok(None)
                }
            }
            (0x1, _) => Err(WsError::Text),
            (0x0, None) => Err(WsError::Protocol("a continuation without a message")),
            (0x2, Some(_)) => Err(WsError::Protocol("a new message inside a fragmented one")),
            (0x8, _) => {
                // The connection answers with its own close frame as it ends.
                Err(WsError::Closed)
            }
            (0x9, m) => {
                self.message = m;
                self.queue(0xA, body.data);
                Ok(None)
            }
            (0xA, m) => {
                self.message = m;
                Ok(None)
            }
            _ => Err(WsError::Protocol("unknown opcode")),
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
