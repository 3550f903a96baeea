//! What the other side of a sync connection sends, read before samod sees it. A peer on the
//! local network or a relay is another party, and may run a modified client: samod's own
//! framing takes frames of up to 8 GiB, and Automerge inflates a compressed change without a
//! limit and panics on some changes. A frame ends its connection (the reason is logged) when
//! it
//!
//! - is larger than [`MAX_FRAME`] (refused from its length, before its bytes are read);
//! - is a sync message that another decoder could read differently (a field given twice),
//!   or whose changes are not Automerge chunks;
//! - carries changes that inflate past [`MAX_INFLATED`] (a compression bomb, found before
//!   anything is inflated), or whose columns claim more operations than a message may bring
//!   (a run-length bomb: a few bytes claiming billions, which Automerge would walk for good);
//! - carries a bloom filter Automerge cannot use (no bits: a division by zero; billions of
//!   probes: an allocation of gigabytes per change, an abort no guard catches), more bloom
//!   filters than a sync sends, or asks for a change twice (Automerge panics answering);
//! - carries changes Automerge panics on that can be told without the document (an
//!   authored change not numbered 1), or a bundle (changes Automerge unpacks unchecked).
//!
//! Changes whose trouble only the document shows (numbered past their actor's next number)
//! are left to the repository's guard (`repo_tasks`).

use std::sync::{Arc, Mutex, PoisonError};

use allmende_service::docs::MAX_DOC_BYTES;
use allmende_sync_wire::protocol::{self, Inbound};
use futures::{SinkExt, StreamExt, TryStreamExt};
use samod::{PeerId, Transport};

/// The largest frame taken from the other side: a whole document at its limit, and room
/// for the message around it.
pub(crate) const MAX_FRAME: usize = MAX_DOC_BYTES + (1 << 20);

/// How far the changes of one message may inflate: a whole document at its limit.
pub(crate) const MAX_INFLATED: usize = MAX_DOC_BYTES;

/// Why a frame was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refused {
    #[error("not a message of the sync protocol: {0}")]
    Protocol(#[from] protocol::ProtocolError),
    #[error("a sync message that does not decode")]
    Message,
    #[error("changes refused: {0}")]
    Inflate(#[from] allmende_sync_wire::inflate::Refused),
    #[error("changes refused: an authored change numbered {0}, not 1")]
    AuthoredPastOne(u64),
    #[error("changes refused: a bundle of changes (the sync protocol sends changes one by one)")]
    Bundle,
}

/// Checks one frame from the other side (see the module's overview).
///
/// # Errors
/// The reason the frame is refused.
#[cfg(test)]
pub(crate) fn check(frame: &[u8]) -> Result<(), Refused> {
    screen(frame).map(|_| ())
}

/// [`check`], saying whether the frame is a sync message (what Automerge reads).
fn screen(frame: &[u8]) -> Result<bool, Refused> {
    let data = match protocol::decode(frame) {
        Ok(Inbound::Sync { data, .. }) => data,
        Ok(_) => return Ok(false),
        // Only what Automerge reads must decode here, or it is never checked. Any other
        // message (a newer protocol's type, an ephemeral message whose count another client
        // writes as a float) is samod's to judge; a frame whose type cannot be read is
        // refused.
        Err(e) => match protocol::message_type(frame) {
            Ok(kind) if kind != "sync" && kind != "request" => return Ok(false),
            _ => return Err(e.into()),
        },
    };
    let message = automerge::sync::Message::decode(&data).map_err(|_| Refused::Message)?;
    let changes: Vec<&[u8]> = message.changes.iter().collect();
    allmende_sync_wire::inflate::inflated_size(changes.iter().copied(), MAX_INFLATED)?;
    // Before anything parses a change: Automerge walks every operation a change's columns
    // claim, and a few bytes can claim billions.
    allmende_sync_wire::runs::operations(
        changes.iter().copied(),
        allmende_sync_wire::runs::LIMITS,
        MAX_INFLATED,
    )?;
    allmende_sync_wire::runs::asks(message.need.iter().map(|h| &h.0), message.have.len())?;
    for have in &message.have {
        allmende_sync_wire::runs::bloom(&have.bloom.to_bytes())?;
    }
    let chunks = allmende_sync_wire::inflate::chunks(changes.iter().copied())?;
    for (kind, chunk) in chunks {
        // Bundles and documents unpack into changes inside Automerge, unchecked here:
        // peers and relays send changes one by one, and whole documents (kind 0) only
        // where the other side has nothing yet (their panics are the repository's guard's).
        if kind == 3 {
            return Err(Refused::Bundle);
        }
        if !matches!(kind, 1 | 2) {
            continue;
        }
        // Inflated within the limit checked above; a change that does not read is
        // Automerge's to refuse (it does, without panicking).
        let Ok(change) = automerge::Change::try_from(chunk) else {
            continue;
        };
        if change.author().is_some() && change.seq() != 1 {
            return Err(Refused::AuthoredPastOne(change.seq()));
        }
    }
    Ok(true)
}

/// How a screened stream ended: the transport's error, or the reason a frame was refused.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Ended(String);

/// Who sent the last sync message a repository's links let through: when a message breaks
/// the repository anyway (see `repo_tasks`), its sender is most likely the one.
pub(crate) type LastSender = Arc<Mutex<Option<String>>>;

/// `frames` from `from`, each checked: the first refused ends the stream with its reason
/// (samod then closes the connection). A sync message let through names `from` in `last`.
pub(crate) fn screened<E>(
    frames: impl futures::Stream<Item = Result<Vec<u8>, E>> + Send + 'static,
    from: String,
    last: Option<LastSender>,
) -> futures::stream::BoxStream<'static, Result<Vec<u8>, Ended>>
where
    E: std::fmt::Display,
{
    frames
        .map_err(|e| Ended(e.to_string()))
        .and_then(move |frame| {
            let checked = match screen(&frame) {
                Ok(sync) => {
                    if let Some(last) = last.as_ref().filter(|_| sync) {
                        *last.lock().unwrap_or_else(PoisonError::into_inner) = Some(from.clone());
                    }
                    Ok(frame)
                }
                Err(why) => {
                    tracing::warn!(%from, %why, "a frame refused; the connection is closed");
                    Err(Ended(why.to_string()))
                }
            };
            futures::future::ready(checked)
        })
        .boxed()
}

/// A transport over a QUIC stream to a peer or a relay: length-prefixed frames of at most
/// [`MAX_FRAME`] bytes, each checked, from the peer `expected` (named `from` in the log and
/// in `last`).
pub(crate) fn over_stream<S>(
    io: S,
    expected: PeerId,
    from: String,
    last: Option<LastSender>,
) -> Transport
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let codec = tokio_util::codec::LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec();
    let (sink, stream) = tokio_util::codec::Framed::new(io, codec).split();
    let stream = screened(stream.map_ok(|b| b.to_vec()), from, last);
    let sink = Box::pin(sink.with(|frame: Vec<u8>| {
        futures::future::ready(Ok::<_, std::io::Error>(bytes::Bytes::from(frame)))
    }));
    Transport::new(stream, sink).with_expected_peer_id(expected)
}

#[cfg(test)]
mod tests;
