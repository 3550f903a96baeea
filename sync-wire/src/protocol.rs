//! The automerge-repo wire protocol (version "1"): CBOR maps with a `type` field, as the
//! official JavaScript client and samod send them. The relay decodes what it needs and skips
//! fields it does not know, so newer clients with extra fields still work.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

/// The only protocol version there is.
pub const PROTOCOL_VERSION: &str = "1";

/// Longest document id accepted (automerge-repo ids are about 28 base58 characters).
const MAX_DOCUMENT_ID: usize = 64;

/// A message from a client, as far as the relay cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// The handshake: who the client says it is and which versions it speaks.
    Join {
        sender: String,
        versions: Vec<String>,
    },
    /// A sync message; `request` when the sender does not have the document yet.
    Sync {
        document: String,
        data: Vec<u8>,
        request: bool,
    },
    /// Presence and similar messages for the other peers of a document.
    Ephemeral {
        document: String,
        session: String,
        count: u64,
        data: Vec<u8>,
    },
    /// A server's answer to a join (clients and tests read it to learn the server's id).
    Peer { sender: String },
    /// The client is going away.
    Leave,
    /// A valid message the relay has no use for (remote heads, doc-unavailable, errors).
    Ignored,
}

/// Why a frame is not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    #[error("not a CBOR map: {0}")]
    Cbor(String),
    #[error("the message has no `{0}` field")]
    Missing(&'static str),
    #[error("the message type `{0}` is unknown")]
    UnknownType(String),
    #[error("`{0}` is not a valid document id")]
    DocumentId(String),
    /// A field given twice: another decoder could read the other one (and apply changes
    /// this one never checked).
    #[error("the field `{0}` is given twice")]
    Twice(&'static str),
}

impl From<minicbor::decode::Error> for ProtocolError {
    fn from(e: minicbor::decode::Error) -> Self {
        ProtocolError::Cbor(e.to_string())
    }
}

#[derive(Default)]
struct Fields {
    kind: Option<String>,
    sender: Option<String>,
    document: Option<String>,
    session: Option<String>,
    data: Option<Vec<u8>>,
    count: Option<u64>,
    versions: Vec<String>,
}

/// Decodes one frame.
///
/// # Errors
/// A [`ProtocolError`] for anything that is not a well-formed message of a known type.
pub fn decode(frame: &[u8]) -> Result<Inbound, ProtocolError> {
    let f = fields(frame)?;
    let kind = f.kind.ok_or(ProtocolError::Missing("type"))?;
    let document = |doc: Option<String>| -> Result<String, ProtocolError> {
        let doc = doc.ok_or(ProtocolError::Missing("documentId"))?;
        if valid_document_id(&doc) {
            Ok(doc)
        } else {
            Err(ProtocolError::DocumentId(doc.chars().take(80).collect()))
        }
    };
    match kind.as_str() {
        "join" => Ok(Inbound::Join {
            sender: f.sender.ok_or(ProtocolError::Missing("senderId"))?,
            versions: f.versions,
        }),
        "sync" | "request" => Ok(Inbound::Sync {
            document: document(f.document)?,
            data: f.data.ok_or(ProtocolError::Missing("data"))?,
            request: kind == "request",
        }),
        "ephemeral" => Ok(Inbound::Ephemeral {
            document: document(f.document)?,
            session: f.session.ok_or(ProtocolError::Missing("sessionId"))?,
            count: f.count.ok_or(ProtocolError::Missing("count"))?,
            data: f.data.ok_or(ProtocolError::Missing("data"))?,
        }),
        "leave" => Ok(Inbound::Leave),
        "peer" => Ok(Inbound::Peer {
            sender: f.sender.ok_or(ProtocolError::Missing("senderId"))?,
        }),
        "doc-unavailable" | "remote-subscription-change" | "remote-heads-changed" | "error" => {
            Ok(Inbound::Ignored)
        }
        other => Err(ProtocolError::UnknownType(other.chars().take(40).collect())),
    }
}

/// The keys [`fields`] reads; each may be given once.
const READ: [&str; 7] = [
    "type",
    "senderId",
    "documentId",
    "sessionId",
    "data",
    "count",
    "supportedProtocolVersions",
];

/// The fields of one frame that the relay reads.
fn fields(frame: &[u8]) -> Result<Fields, ProtocolError> {
    let mut d = Decoder::new(frame);
    let len = d.map()?;
    let mut f = Fields::default();
    let mut seen = std::collections::HashSet::new();
    let mut i = 0u64;
    loop {
        match len {
            Some(n) if i >= n => break,
            None if d.datatype()? == Type::Break => break,
            _ => {}
        }
        i += 1;
        let key = d.str()?;
        if let Some(known) = READ.iter().find(|k| **k == key) {
            if !seen.insert(*known) {
                return Err(ProtocolError::Twice(known));
            }
        }
        match key {
            "type" => f.kind = Some(d.str()?.to_string()),
            "senderId" => f.sender = Some(d.str()?.to_string()),
            "documentId" => f.document = Some(d.str()?.to_string()),
            "sessionId" => f.session = Some(d.str()?.to_string()),
            "data" => f.data = Some(d.bytes()?.to_vec()),
            "count" => f.count = Some(d.u64()?),
            "supportedProtocolVersions" => {
                let n = d.array()?.unwrap_or(0);
                for _ in 0..n.min(16) {
                    f.versions.push(d.str()?.to_string());
                }
                for _ in 16..n {
                    d.skip()?;
                }
            }
            _ => d.skip()?,
        }
    }
    Ok(f)
}

/// The `type` of any well-formed message (also of those [`decode`] ignores, such as
/// `error` and `doc-unavailable`).
///
/// # Errors
/// A [`ProtocolError`] for a frame that is not a CBOR map with a `type`.
pub fn message_type(frame: &[u8]) -> Result<String, ProtocolError> {
    fields(frame)?.kind.ok_or(ProtocolError::Missing("type"))
}

/// Whether `id` looks like an automerge-repo document id (base58, bounded length).
#[must_use]
pub fn valid_document_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_DOCUMENT_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l'))
}

fn finish(e: Encoder<Vec<u8>>) -> Vec<u8> {
    e.into_writer()
}

// Encoding into a Vec cannot fail; the results are discarded with `let _`.

/// The answer to a join: the relay's id and the chosen version.
#[must_use]
pub fn peer(sender: &str, target: &str) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    let _ = e
        .map(5)
        .and_then(|e| e.str("type")?.str("peer"))
        .and_then(|e| e.str("senderId")?.str(sender))
        .and_then(|e| e.str("selectedProtocolVersion")?.str(PROTOCOL_VERSION))
        .and_then(|e| e.str("targetId")?.str(target))
        .and_then(|e| {
            e.str("peerMetadata")?
                .map(1)?
                .str("isEphemeral")?
                .bool(false)
        });
    finish(e)
}

/// A client's handshake (what tests and benchmarks send as clients).
#[must_use]
pub fn join(sender: &str) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    let _ = e
        .map(4)
        .and_then(|e| e.str("type")?.str("join"))
        .and_then(|e| e.str("senderId")?.str(sender))
        .and_then(|e| {
            e.str("supportedProtocolVersions")?
                .array(1)?
                .str(PROTOCOL_VERSION)
        })
        .and_then(|e| {
            e.str("peerMetadata")?
                .map(1)?
                .str("isEphemeral")?
                .bool(true)
        });
    finish(e)
}

/// A sync message for one document.
#[must_use]
pub fn sync(sender: &str, target: &str, document: &str, data: &[u8]) -> Vec<u8> {
    sync_or_request("sync", sender, target, document, data)
}

/// A client's first sync message for a document it does not have yet.
#[must_use]
pub fn request(sender: &str, target: &str, document: &str, data: &[u8]) -> Vec<u8> {
    sync_or_request("request", sender, target, document, data)
}

fn sync_or_request(kind: &str, sender: &str, target: &str, document: &str, data: &[u8]) -> Vec<u8> {
    let mut e = Encoder::new(Vec::with_capacity(data.len() + 128));
    let _ = e
        .map(5)
        .and_then(|e| e.str("type")?.str(kind))
        .and_then(|e| e.str("documentId")?.str(document))
        .and_then(|e| e.str("senderId")?.str(sender))
        .and_then(|e| e.str("targetId")?.str(target))
        .and_then(|e| e.str("data")?.bytes(data));
    finish(e)
}

/// The relay does not have (or will not share) a document.
#[must_use]
pub fn doc_unavailable(sender: &str, target: &str, document: &str) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    let _ = e
        .map(4)
        .and_then(|e| e.str("type")?.str("doc-unavailable"))
        .and_then(|e| e.str("senderId")?.str(sender))
        .and_then(|e| e.str("targetId")?.str(target))
        .and_then(|e| e.str("documentId")?.str(document));
    finish(e)
}

/// An ephemeral message passed on to another peer of the document.
#[must_use]
pub fn ephemeral(
    sender: &str,
    target: &str,
    document: &str,
    session: &str,
    count: u64,
    data: &[u8],
) -> Vec<u8> {
    let mut e = Encoder::new(Vec::with_capacity(data.len() + 160));
    let _ = e
        .map(7)
        .and_then(|e| e.str("type")?.str("ephemeral"))
        .and_then(|e| e.str("senderId")?.str(sender))
        .and_then(|e| e.str("targetId")?.str(target))
        .and_then(|e| e.str("count")?.u64(count))
        .and_then(|e| e.str("sessionId")?.str(session))
        .and_then(|e| e.str("documentId")?.str(document))
        .and_then(|e| e.str("data")?.bytes(data));
    finish(e)
}

/// The relay is closing the connection, and why.
#[must_use]
pub fn error(message: &str) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    let _ = e
        .map(2)
        .and_then(|e| e.str("type")?.str("error"))
        .and_then(|e| e.str("message")?.str(message));
    finish(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field given twice is refused: a check reading the last `data` while samod applied
    /// the first would check what is never applied.
    #[test]
    fn a_field_given_twice_is_refused() {
        let mut e = Encoder::new(Vec::new());
        e.map(4)
            .and_then(|e| e.str("type")?.str("sync"))
            .and_then(|e| e.str("documentId")?.str("4Tz9abc"))
            .and_then(|e| e.str("data")?.bytes(b"erst"))
            .and_then(|e| e.str("data")?.bytes(b"zweit"))
            .expect("encode");
        assert_eq!(decode(&e.into_writer()), Err(ProtocolError::Twice("data")));
    }

    #[test]
    fn decodes_what_it_encodes_and_skips_unknown_fields() {
        assert_eq!(
            decode(&join("device:ab:s")).expect("test"),
            Inbound::Join {
                sender: "device:ab:s".into(),
                versions: vec!["1".into()]
            }
        );
        let frame = sync("relay", "device:ab:s", "4Tz9abc", b"\x42\x01");
        assert_eq!(
            decode(&frame).expect("test"),
            Inbound::Sync {
                document: "4Tz9abc".into(),
                data: b"\x42\x01".to_vec(),
                request: false
            }
        );
        let frame = ephemeral("a", "b", "4Tz9abc", "sess", 3, b"hi");
        assert!(matches!(
            decode(&frame).expect("test"),
            Inbound::Ephemeral { count: 3, .. }
        ));
        assert_eq!(
            decode(&peer("a", "b")).expect("test"),
            Inbound::Peer { sender: "a".into() }
        );
        assert!(matches!(
            decode(&request("a", "b", "4Tz9", b"")).expect("test"),
            Inbound::Sync { request: true, .. }
        ));
        assert_eq!(
            decode(&doc_unavailable("a", "b", "4Tz9")).expect("test"),
            Inbound::Ignored
        );
    }

    #[test]
    fn refuses_what_is_not_a_message() {
        assert!(matches!(decode(b"hello"), Err(ProtocolError::Cbor(_))));
        assert!(matches!(
            decode(&[0xa0]),
            Err(ProtocolError::Missing("type"))
        ));
        let mut e = Encoder::new(Vec::new());
        e.map(1)
            .and_then(|e| e.str("type")?.str("teleport"))
            .expect("test");
        assert!(matches!(
            decode(&e.into_writer()),
            Err(ProtocolError::UnknownType(_))
        ));
        let frame = sync("a", "b", "../../etc/passwd", b"");
        assert!(matches!(decode(&frame), Err(ProtocolError::DocumentId(_))));
        // A truncated frame.
        let frame = sync("a", "b", "4Tz9", b"0123456789");
        assert!(decode(&frame[..frame.len() - 3]).is_err());
    }
}
