//! A modified client: speaks the relay's automerge-repo protocol with a self-made key and
//! sends whatever a test tells it to (documents under any id, requests, ephemerals, bombs),
//! as a stranger or a hostile member would with a few lines of code.

use std::net::IpAddr;
use std::time::Duration;

use allmende_sync_wire::protocol::{self, Inbound};
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::RelayProc;

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// One authenticated WebSocket to a relay, after the handshake.
pub struct RawClient {
    ws: Ws,
    /// This client's peer id (`device:<key>:<session>`).
    pub peer: String,
    /// The relay's peer id, from its answer to the join.
    pub relay: String,
}

/// What the relay answered to a pushed document.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The relay took the changes and answered with its own sync message.
    Taken,
    /// The relay said it does not have (or will not share) the document.
    Refused,
    /// The relay closed the connection or said nothing for the wait.
    Gone,
}

impl RawClient {
    /// Logs in as the device of `seed` from `local` (a loopback address) and joins; `None`
    /// when the relay does not let it in.
    pub async fn open(
        relay: &RelayProc,
        local: IpAddr,
        seed: [u8; 32],
        session: &str,
    ) -> Option<Self> {
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let url = format!("ws://{}/?{}", relay.addr, relay.login_query(&key, session));
        let socket = match local {
            IpAddr::V4(_) => tokio::net::TcpSocket::new_v4().ok()?,
            IpAddr::V6(_) => tokio::net::TcpSocket::new_v6().ok()?,
        };
        socket.bind(std::net::SocketAddr::new(local, 0)).ok()?;
        let stream = socket.connect(relay.addr.parse().ok()?).await.ok()?;
        let (ws, _) = tokio_tungstenite::client_async(url, stream).await.ok()?;
        let peer = format!(
            "device:{}:{session}",
            hex::encode(key.verifying_key().to_bytes())
        );
        let mut client = RawClient {
            ws,
            peer,
            relay: String::new(),
        };
        client.send(protocol::join(&client.peer)).await.ok()?;
        loop {
            let frame = client.next(Duration::from_secs(10)).await?;
            if let Ok(Inbound::Peer { sender, .. }) = protocol::decode(&frame) {
                client.relay = sender;
                return Some(client);
            }
        }
    }

    /// Sends one protocol message.
    ///
    /// # Errors
    /// When the socket is closed.
    pub async fn send(&mut self, frame: Vec<u8>) -> Result<(), String> {
        self.ws
            .send(Message::binary(frame))
            .await
            .map_err(|e| e.to_string())
    }

    /// The next binary message within `wait`; `None` when closed or silent.
    pub async fn next(&mut self, wait: Duration) -> Option<Vec<u8>> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Ok(Some(Ok(Message::Binary(b)))) => return Some(b.to_vec()),
                Ok(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) | Err(_) => return None,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Pushes `doc` under `id` (`sync` rounds, as a client that holds the document) until the
    /// relay is in step, refuses, or goes quiet.
    pub async fn push(&mut self, id: &str, doc: &mut automerge::Automerge) -> Pushed {
        use automerge::sync::SyncDoc as _;
        let mut state = automerge::sync::State::new();
        let mut taken = false;
        while let Some(m) = doc.generate_sync_message(&mut state) {
            let frame = protocol::sync(&self.peer, &self.relay, id, &m.encode());
            if self.send(frame).await.is_err() {
                return Pushed::Gone;
            }
            let answer = loop {
                let Some(frame) = self.next(Duration::from_secs(10)).await else {
                    return if taken { Pushed::Taken } else { Pushed::Gone };
                };
                match protocol::decode(&frame) {
                    Ok(Inbound::Sync { document, data, .. }) if document == id => break data,
                    // The decoder keeps no more of a `doc-unavailable` than that it is valid.
                    Ok(Inbound::Ignored) if unavailable(&frame, id) => return Pushed::Refused,
                    _ => {}
                }
            };
            taken = true;
            let Ok(m) = automerge::sync::Message::decode(&answer) else {
                return Pushed::Gone;
            };
            if doc.receive_sync_message(&mut state, m).is_err() {
                return Pushed::Gone;
            }
        }
        if taken {
            Pushed::Taken
        } else {
            Pushed::Gone
        }
    }
}

/// Whether `frame` is the relay's `doc-unavailable` for `id` (both strings appear as CBOR
/// text in it; the relay sends no other message naming a document with that word).
fn unavailable(frame: &[u8], id: &str) -> bool {
    let has = |needle: &[u8]| frame.windows(needle.len()).any(|w| w == needle);
    has(b"doc-unavailable") && has(id.as_bytes())
}

/// A change to root field `field` of `doc` under the actor that last wrote it, whose
/// operation number lies inside that actor's change that wrote it: tangled operation
/// numbers, which Automerge's own API never writes and a modified client can.
///
/// # Panics
/// When `field` holds no value.
#[must_use]
pub fn tangled_change(doc: &automerge::Automerge, field: &str, value: &str) -> automerge::Change {
    use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
    use automerge::ReadDoc as _;
    let (_, shown) = doc
        .get(automerge::ROOT, field)
        .expect("read")
        .expect("a value");
    let automerge::ObjId::Id(counter, actor, _) = shown else {
        panic!("the value is an operation");
    };
    let metas = doc.get_changes_meta(&[]);
    let wrote = metas
        .iter()
        .find(|m| *m.actor == actor && m.start_op <= counter && counter <= m.max_op)
        .expect("the change that wrote it");
    let taken = if counter == wrote.max_op {
        wrote.start_op
    } else {
        wrote.max_op
    };
    let seq = metas
        .iter()
        .filter(|m| *m.actor == actor)
        .map(|m| m.seq)
        .max()
        .expect("changes of the actor");
    automerge::Change::from(automerge::ExpandedChange {
        operations: vec![Op {
            action: OpType::Put(value.into()),
            obj: ObjectId::Root,
            key: Key::Map(field.into()),
            pred: vec![OpId(counter, actor.clone())].into(),
            insert: false,
        }],
        actor_id: actor.clone(),
        hash: None,
        seq: seq + 1,
        start_op: std::num::NonZeroU64::new(taken).expect("numbers start at 1"),
        time: 0,
        message: None,
        deps: doc.get_heads(),
        extra_bytes: Vec::new(),
        author: None,
    })
}

/// An idea of `community` by `member`, made on the device of `seed` as the app makes one: its
/// id derived from the device's key and a nonce, its header signed. What a modified client
/// pushes as a new item of its own.
#[must_use]
pub fn proven_idea(
    seed: [u8; 32],
    community: &str,
    member: &str,
    text: &str,
) -> (String, automerge::Automerge) {
    use allmende_core::apply::Item;
    use allmende_core::model::{DocKind, Header, Idea, IdeaStatus};
    let key = allmende_service::device::DeviceKey::from_secret(&seed);
    let nonce = format!("n{}", seed[0]);
    let id = allmende_core::DocId::derive(&key.public_hex(), &nonce).to_string();
    let mut item = Item::Idea(Idea {
        header: Header {
            schema: 1,
            kind: DocKind::Idea,
            id: id.clone(),
            community: community.to_string(),
            created_at: 1,
            created_by: member.to_string(),
            device: key.public_hex(),
            nonce,
            sig: String::new(),
        },
        title: "Eigene Messreihe".into(),
        text: text.to_string(),
        category: "energy".into(),
        author: member.to_string(),
        status: IdeaStatus::New,
        supporters: Default::default(),
        support_proofs: Default::default(),
        comments: Default::default(),
        reports: Default::default(),
        project: String::new(),
        updated_at: 1,
    });
    allmende_core::governance::sign_item(&mut item, None, &key);
    let mut d = automerge::AutoCommit::new();
    if let Item::Idea(idea) = &item {
        autosurgeon::reconcile(&mut d, idea).expect("idea");
    }
    (id, d.document().clone())
}

/// A change of `actor` numbered `seq`, starting at operation `start`, on top of `deps`: a
/// modified client can write any numbers (Automerge 0.12 panics on a change numbered past
/// its actor's next one).
#[must_use]
pub fn numbered_change(
    actor: &automerge::ActorId,
    seq: u64,
    start: u64,
    deps: Vec<automerge::ChangeHash>,
) -> Vec<u8> {
    use automerge::legacy::{Key, ObjectId, Op, OpType};
    automerge::Change::from(automerge::ExpandedChange {
        operations: vec![Op {
            action: OpType::Put("gefälscht".into()),
            obj: ObjectId::Root,
            key: Key::Map("note".into()),
            pred: Vec::new().into(),
            insert: false,
        }],
        actor_id: actor.clone(),
        hash: None,
        seq,
        start_op: std::num::NonZeroU64::new(start).expect("numbers start at 1"),
        time: 0,
        message: None,
        deps,
        extra_bytes: Vec::new(),
        author: None,
    })
    .raw_bytes()
    .to_vec()
}

/// An automerge sync message (its bytes) carrying `changes` as they are.
#[must_use]
pub fn carrying(changes: Vec<Vec<u8>>) -> Vec<u8> {
    use automerge::sync::SyncDoc as _;
    let mut message = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message");
    message.changes = changes.into();
    message.encode()
}

/// A sync message whose one change chunk inflates to `mib` MiB of zeros (about a
/// thousandth of that on the wire): a compression bomb.
#[must_use]
pub fn bomb(mib: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..mib {
        e.write_all(&zeros).expect("deflate");
    }
    let deflated = e.finish().expect("deflate");
    // A change chunk: magic, checksum, type 2 (compressed change), length, body.
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut n = deflated.len();
    while n >= 0x80 {
        chunk.push(u8::try_from(n & 0x7f).expect("byte") | 0x80);
        n >>= 7;
    }
    chunk.push(u8::try_from(n).expect("byte"));
    chunk.extend_from_slice(&deflated);
    carrying(vec![chunk])
}

fn uleb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = u8::try_from(n & 0x7f).expect("seven bits");
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A sync message whose one `have` carries the bloom filter `bloom` (its bytes as Automerge
/// encodes one: entries, bits per entry, probes, bits), which Automerge reads as sent.
///
/// # Panics
/// When Automerge cannot parse `bloom` at all.
#[must_use]
pub fn with_bloom(bloom: &[u8]) -> Vec<u8> {
    use automerge::sync::SyncDoc as _;
    let mut message = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("first message");
    message.have = vec![automerge::sync::Have {
        last_sync: Vec::new(),
        bloom: automerge::sync::BloomFilter::try_from(bloom).expect("a bloom filter"),
    }];
    message.encode()
}

/// A change chunk (about 60 bytes, its checksum right) whose run-length encoded columns
/// claim `run` operations "put null at key k of the root"; Automerge 0.12 walks every one
/// when it reads the change.
#[must_use]
pub fn run_of_operations(run: u64) -> Vec<u8> {
    run_of_operations_on(run, Vec::new(), 1, 7)
}

/// [`run_of_operations`] on top of `deps`, its operations numbered from `start` (past the
/// largest of its dependencies, for a change Automerge applies), by the actor of sixteen
/// bytes `actor`.
#[must_use]
pub fn run_of_operations_on(
    run: u64,
    deps: Vec<automerge::ChangeHash>,
    start: u64,
    actor: u8,
) -> Vec<u8> {
    let mut cols: Vec<(u64, Vec<u8>)> = Vec::new();
    // A run (a signed count, positive) of one value; `run` fits in 63 bits.
    let runs = |value: &[u8]| {
        let mut c = Vec::new();
        let mut n = run;
        loop {
            let byte = u8::try_from(n & 0x7f).expect("seven bits");
            n >>= 7;
            if n == 0 && byte & 0x40 == 0 {
                c.push(byte);
                break;
            }
            c.push(byte | 0x80);
        }
        c.extend_from_slice(value);
        c
    };
    cols.push(((1 << 4) | 5, runs(&[1, b'k']))); // key strings
    let mut inserts = Vec::new();
    uleb(run, &mut inserts);
    cols.push(((3 << 4) | 4, inserts)); // insert: a run of false
    cols.push(((4 << 4) | 2, runs(&[1]))); // action: put
    cols.push(((5 << 4) | 6, runs(&[0]))); // value metadata: null
    cols.push((7 << 4, runs(&[0]))); // no predecessors
    let mut body = Vec::new();
    uleb(deps.len() as u64, &mut body);
    for d in &deps {
        body.extend_from_slice(&d.0);
    }
    body.push(16);
    body.extend_from_slice(&[actor; 16]);
    body.push(1); // seq
    uleb(start, &mut body);
    body.extend_from_slice(&[0, 0, 0]); // time, message, other actors
    uleb(cols.len() as u64, &mut body);
    for (spec, data) in &cols {
        uleb(*spec, &mut body);
        uleb(data.len() as u64, &mut body);
    }
    for (_, data) in &cols {
        body.extend_from_slice(data);
    }
    // The checksum: the first bytes of the SHA-256 of type, length and body (the change's
    // hash), as Automerge checks it.
    let mut hashed = vec![1];
    uleb(body.len() as u64, &mut hashed);
    hashed.extend_from_slice(&body);
    let hash = <sha2::Sha256 as sha2::Digest>::digest(&hashed);
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83];
    chunk.extend_from_slice(&hash[..4]);
    chunk.extend_from_slice(&hashed);
    chunk
}
