//! WebSocket frames from a client (RFC 6455, server side), read without trust and without IO:
//! the caller reads the socket into [`Deframer::buffer`] and reports how much arrived with
//! [`Deframer::advance`], which answers with a whole frame once there is one.
//!
//! An idle deframer holds no buffer: the frame header is read into a 14-byte array, a payload
//! buffer is allocated when a frame announces its length and grows by at most [`GROW_STEP`]
//! ahead of the bytes that arrived (so a length alone cannot claim memory), and a message is
//! refused as soon as its announced length passes the limit. Only what the sync protocol
//! needs is spoken: binary messages (fragmented or not), ping, pong and close; no
//! extensions, no text.

/// A payload buffer grows by at most this much ahead of the bytes that arrived.
pub const GROW_STEP: usize = 64 * 1024;

/// Why the bytes are not a frame the relay reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    #[error("closed by the peer")]
    Closed,
    #[error("message of more than {0} bytes")]
    TooLong(usize),
    #[error("text frames are not part of the sync protocol")]
    Text,
    #[error("bad frame: {0}")]
    Protocol(&'static str),
}

/// What a complete frame was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole binary message (its fragments joined).
    Message(Vec<u8>),
    /// A fragment of a message that goes on in later frames.
    Fragment,
    /// A ping, with the payload its pong must carry.
    Ping(Vec<u8>),
    /// A pong: the peer is there.
    Pong,
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
    /// Bytes of `data` that arrived (the rest is room for the next read).
    filled: usize,
    data: Vec<u8>,
}

/// Frames from one client, as its bytes arrive.
pub struct Deframer {
    max_message: usize,
    head: Head,
    /// Boxed: only while a frame arrives.
    body: Option<Box<Body>>,
    /// A fragmented binary message being put together.
    message: Option<Vec<u8>>,
}

impl Deframer {
    /// `max_message`: the largest message (all its fragments) accepted.
    #[must_use]
    pub fn new(max_message: usize) -> Deframer {
        Deframer {
            max_message,
            head: Head::default(),
            body: None,
            message: None,
        }
    }

    /// Where the next bytes from the socket go: never empty, and never more than the frame
    /// still needs (so nothing of the next frame is read early).
    pub fn buffer(&mut self) -> &mut [u8] {
        match self.body.as_deref_mut() {
            None => {
                let (from, to) = (usize::from(self.head.have), self.head.needed());
                &mut self.head.bytes[from..to]
            }
            Some(body) => {
                if body.filled == body.data.len() {
                    let more = (body.len - body.filled).min(GROW_STEP);
                    body.data.resize(body.filled + more, 0);
                }
                &mut body.data[body.filled..]
            }
        }
    }

    /// `n` bytes arrived in [`Deframer::buffer`]; a frame once one is complete.
    ///
    /// # Errors
    /// The peer closed, or broke the protocol or the size limit: the connection ends.
    pub fn advance(&mut self, n: usize) -> Result<Option<Frame>, FrameError> {
        match self.body.as_deref_mut() {
            None => {
                let room = self.head.needed() - usize::from(self.head.have);
                self.head.have += u8::try_from(n.min(room)).unwrap_or(0);
                if !self.head.complete() {
                    return Ok(None);
                }
                self.body = Some(Box::new(self.start_body()?));
                self.head = Head::default();
            }
            Some(body) => body.filled = (body.filled + n).min(body.data.len()),
        }
        match self.body.take() {
            Some(body) if body.filled == body.len => self.frame(*body).map(Some),
            body => {
                self.body = body;
                Ok(None)
            }
        }
    }

    /// Checks a complete header and prepares for its payload.
    fn start_body(&self) -> Result<Body, FrameError> {
        let b0 = self.head.bytes[0];
        let (fin, opcode) = (b0 & 0x80 != 0, b0 & 0x0f);
        if b0 & 0x70 != 0 {
            return Err(FrameError::Protocol(
                "reserved bits set (no extension was agreed)",
            ));
        }
        let mask = self
            .head
            .mask()
            .ok_or(FrameError::Protocol("a client's frames must be masked"))?;
        let len = self.head.len();
        let control = opcode >= 8;
        if control && (!fin || len > 125) {
            return Err(FrameError::Protocol("control frames are short and whole"));
        }
        let so_far = self.message.as_ref().map_or(0, Vec::len) as u64;
        if !control && so_far.saturating_add(len) > self.max_message as u64 {
            return Err(FrameError::TooLong(self.max_message));
        }
        Ok(Body {
            fin,
            opcode,
            mask,
            len: usize::try_from(len).map_err(|_| FrameError::TooLong(self.max_message))?,
            filled: 0,
            data: Vec::new(),
        })
    }

    /// Handles one whole frame.
    fn frame(&mut self, mut body: Body) -> Result<Frame, FrameError> {
        body.data.truncate(body.filled);
        for (i, b) in body.data.iter_mut().enumerate() {
            *b ^= body.mask[i % 4];
        }
        match (body.opcode, self.message.take()) {
            (0x2, None) if body.fin => Ok(Frame::Message(body.data)),
            (0x2, None) => {
                self.message = Some(body.data);
                Ok(Frame::Fragment)
            }
            (0x0, Some(mut m)) => {
                m.extend_from_slice(&body.data);
                if body.fin {
                    Ok(Frame::Message(m))
                } else {
                    self.message = Some(m);
                    Ok(Frame::Fragment)
                }
            }
            (0x1, _) => Err(FrameError::Text),
            (0x0, None) => Err(FrameError::Protocol("a continuation without a message")),
            (0x2, Some(_)) => Err(FrameError::Protocol(
                "a new message inside a fragmented one",
            )),
            (0x8, _) => Err(FrameError::Closed),
            (0x9, m) => {
                self.message = m;
                Ok(Frame::Ping(body.data))
            }
            (0xA, m) => {
                self.message = m;
                Ok(Frame::Pong)
            }
            _ => Err(FrameError::Protocol("unknown opcode")),
        }
    }
}

#[cfg(test)]
mod tests;
