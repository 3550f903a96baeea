//! Who wrote an item's own fields: its title, text, category and the like, which only its
//! author and the community's moderators may change.
//!
//! These fields are plain Automerge values, so any member's modified client can write them.
//! What it cannot do is sign for another device: every change this app makes is followed by
//! an empty change whose message carries the writing device's signature over the change's
//! hash ([`signature_message`]). A change message is part of the history and cannot be
//! deleted. A reader takes each field's current value, finds the change that wrote it and
//! the device that signed that change, and asks the roster whether that device's member
//! may edit the item. A value nobody entitled signed is flagged and the last value an
//! entitled device wrote is shown instead.
//!
//! Items made before changes were signed (whose first change carries no signature of their
//! creating device) are read as before: their fields stay as open as they were.

use std::collections::{HashMap, HashSet};

use automerge::{ActorId, Automerge, ChangeHash, ObjId as ExId, ReadDoc, ScalarValue, Value, ROOT};
use serde_json::Value as Json;

use super::entry::{check_signature, signing_bytes, Signer};
use super::Flag;
use crate::apply::Item;
use crate::model::{Community, DocKind, Header};
use crate::permission::{allows, Action};
use crate::time::Millis;

/// The start of a change message that signs changes.
pub const SIG_PREFIX: &str = "allmende-sig/1 ";

/// How far back a reader looks for a value an entitled device wrote.
const MAX_STEPS: usize = 64;

fn change_bytes(hash: &ChangeHash) -> Vec<u8> {
    signing_bytes("change", "", &hash.to_string())
}

/// The message of the empty change that signs `hashes` (changes this device just made).
#[must_use]
pub fn signature_message(signer: &dyn Signer, hashes: &[ChangeHash]) -> String {
    let mut m = format!("{SIG_PREFIX}{}", signer.public_hex());
    for h in hashes {
        m.push(' ');
        m.push_str(&h.to_string());
        m.push(':');
        m.push_str(&hex::encode(signer.sign(&change_bytes(h))));
    }
    m
}

/// The root fields of an item kind that only its author and moderators change.
#[must_use]
pub fn owned_fields(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Idea => &["title", "text", "category"],
        DocKind::Post => &["kind", "title", "text", "category", "offered_by"],
        DocKind::Event => &[
            "title",
            "description",
            "start",
            "end",
            "time_zone",
            "place",
            "online_link",
            "category",
            "organiser",
            "capacity",
            "cancelled",
        ],
        DocKind::Organisation => &["name", "description", "contact", "website"],
        DocKind::Opportunity => &[
            "title",
            "description",
            "term",
            "commitment",
            "category",
            "contact",
            "date",
            "open",
        ],
        _ => &[],
    }
}

/// The signatures claimed in a document's change messages, not yet checked.
struct Claims {
    by_change: HashMap<ChangeHash, Vec<(String, String)>>,
    /// Changes without dependencies: where the document began.
    roots: Vec<ChangeHash>,
    /// When each change says it was made (seconds).
    times: HashMap<ChangeHash, i64>,
    tangled: HashSet<ActorId>,
}

impl Claims {
    fn read(doc: &Automerge) -> Self {
        let mut by_change: HashMap<ChangeHash, Vec<(String, String)>> = HashMap::new();
        let mut roots = Vec::new();
        let mut times = HashMap::new();
        let mut ranges: HashMap<ActorId, Vec<(u64, u64, u64)>> = HashMap::new();
        for meta in doc.get_changes_meta(&[]) {
            times.insert(meta.hash, meta.timestamp);
            ranges
                .entry(meta.actor.clone().into_owned())
                .or_default()
                .push((meta.seq, meta.start_op, meta.max_op));
            if meta.deps.is_empty() {
                roots.push(meta.hash);
            }
            let Some(rest) = meta
                .message
                .as_deref()
                .and_then(|m| m.strip_prefix(SIG_PREFIX))
            else {
                continue;
            };
            let mut words = rest.split(' ');
            let Some(device) = words.next() else {
                continue;
            };
            for pair in words {
                let Some((hash, sig)) = pair.split_once(':') else {
                    continue;
                };
                let Ok(hash) = hash.parse::<ChangeHash>() else {
                    continue;
                };
                by_change
                    .entry(hash)
                    .or_default()
                    .push((device.to_string(), sig.to_string()));
            }
        }
        // An actor whose changes' operation numbers overlap could have one operation taken
        // for another change's: nothing it wrote is believed.
        let tangled = ranges
            .into_iter()
            .filter_map(|(actor, mut r)| {
                r.sort_unstable();
                let overlap = r.windows(2).any(|w| w[1].1 <= w[0].2);
                overlap.then_some(actor)
            })
            .collect();
        Claims {
            by_change,
            roots,
            times,
            tangled,
        }
    }

    /// The devices whose signature over `hash` holds.
    fn signers(&self, hash: &ChangeHash) -> impl Iterator<Item = &str> {
        let bytes = change_bytes(hash);
        self.by_change
            .get(hash)
            .into_iter()
            .flatten()
            .filter(move |(device, sig)| check_signature(device, &bytes, sig).is_ok())
            .map(|(device, _)| device.as_str())
    }

    /// Whether the document began with a signed change. Not "signed by the device its header
    /// names": the header is a plain value, and one edited byte would turn the item back into
    /// one from before changes were signed.
    fn born_signed(&self) -> bool {
        self.roots.iter().any(|r| self.signers(r).next().is_some())
    }

    /// The time a change claims, as the end of its second in milliseconds.
    fn at(&self, hash: &ChangeHash) -> Millis {
        self.times
            .get(hash)
            .map_or(0, |s| s.saturating_add(1).saturating_mul(1000) - 1)
    }
}

/// Whether `device` belonged, when the change says it was made, to the author or to a
/// member who may edit anyone's content. The device that provably created the item
/// (`creator`) counts as its author's while the roster here does not know it yet: a new
/// member's first item may arrive before the roster entry that names their device.
fn entitled(c: &Community, author: &str, creator: Option<&str>, device: &str, at: Millis) -> bool {
    let Some(owner) = c.device_owners.get(device) else {
        return creator == Some(device);
    };
    c.device_of_at(owner, device, at).is_some_and(|m| {
        (!author.is_empty() && m.id == author) || allows(m.role, Action::EditAnyContent)
    })
}

fn to_json(v: &ScalarValue) -> Json {
    match v {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(n) | ScalarValue::Timestamp(n) => Json::from(*n),
        ScalarValue::Uint(n) => Json::from(*n),
        ScalarValue::F64(n) => Json::from(*n),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        _ => Json::Null,
    }
}

/// What a field holds when nobody entitled ever wrote it: the empty value of its kind.
fn empty_like(v: &Json) -> Json {
    match v {
        Json::String(_) => Json::String(String::new()),
        Json::Number(_) => Json::from(0),
        Json::Bool(_) => Json::Bool(false),
        _ => Json::Null,
    }
}

/// One field whose value no entitled device wrote.
struct Forged {
    field: &'static str,
    /// The value an entitled device wrote last, if any.
    restored: Option<Json>,
    device: String,
    at: Millis,
}

/// Walks back from a field's current value to the last one an entitled device signed. Of
/// values written apart, an entitled one is taken over one nobody entitled wrote.
fn trace(
    c: &Community,
    doc: &Automerge,
    claims: &Claims,
    (author, creator): (&str, Option<&str>),
    field: &'static str,
) -> Option<Forged> {
    // Whether an entitled device signed the change that wrote a value. Nothing an actor
    // with tangled operation numbers wrote counts: its operation might be taken for
    // another change's.
    let holds = |id: &ExId, hash: &ChangeHash| {
        if matches!(id, ExId::Id(_, actor, _) if claims.tangled.contains(actor)) {
            return false;
        }
        let at = claims.at(hash);
        claims
            .signers(hash)
            .any(|d| entitled(c, author, creator, d, at))
    };
    let scalar = |v: &Value<'_>| match v {
        Value::Scalar(s) => Some(to_json(s)),
        Value::Object(_) => None,
    };
    let found = |first: Option<(String, Millis)>, restored: Option<Json>| {
        first.map(|(device, at)| Forged {
            field,
            restored,
            device,
            at,
        })
    };
    let mut heads: Option<Vec<ChangeHash>> = None;
    let mut first: Option<(String, Millis)> = None;
    for _ in 0..MAX_STEPS {
        let got = match &heads {
            None => doc.get_all(ROOT, field),
            Some(h) => doc.get_all_at(ROOT, field, h),
        };
        let Ok(all) = got else {
            break;
        };
        // Automerge shows the last of the values written apart.
        let Some((value, shown)) = all.last() else {
            break;
        };
        let Some(hash) = doc.hash_for_opid(shown) else {
            break;
        };
        if holds(shown, &hash) {
            return found(first, scalar(value));
        }
        if first.is_none() {
            let device = claims.signers(&hash).next().map(ToString::to_string);
            first = Some((device.unwrap_or_default(), claims.at(&hash)));
        }
        let apart = all
            .iter()
            .rev()
            .find(|(_, id)| doc.hash_for_opid(id).is_some_and(|h| holds(id, &h)));
        if let Some((value, _)) = apart {
            return found(first, scalar(value));
        }
        heads = Some(doc.get_change_meta_by_hash(&hash).map(|m| m.deps)?);
    }
    found(first, None)
}

/// Checks who wrote the item's own fields (see the module); puts back the last value an
/// entitled device wrote where the current one is not theirs, and returns what was put back.
///
/// `item` is the item as [`super::check_item`] left it (its author from the checked header),
/// `doc` the document it was read from and `read` the header as read there (before the
/// check took off an author that does not hold). A community with no roster yet judges
/// nothing.
#[must_use]
pub fn check_body(c: &Community, doc: &Automerge, read: &Header, item: &mut Item) -> Vec<Flag> {
    let fields = owned_fields(item.kind());
    if fields.is_empty() || c.members.is_empty() {
        return Vec::new();
    }
    let claims = Claims::read(doc);
    let header = item.header().clone();
    if !claims.born_signed() {
        return Vec::new();
    }
    let creator = super::content::creator_proof(&header.id, read).then_some(&*read.device);
    let forged: Vec<Forged> = fields
        .iter()
        .filter_map(|f| trace(c, doc, &claims, (&header.created_by, creator), f))
        .collect();
    if forged.is_empty() {
        return Vec::new();
    }
    let Ok(mut json) = serde_json::to_value(&*item) else {
        return Vec::new();
    };
    let mut flags = Vec::new();
    // An item is kept as `{"idea": {...}}`: its fields sit one level down.
    for f in forged {
        if let Some(obj) = fields_of(&mut json) {
            let now = obj.get(f.field).cloned().unwrap_or(Json::Null);
            let put = f.restored.unwrap_or_else(|| empty_like(&now));
            obj.insert(f.field.to_string(), put);
        }
        flags.push(Flag {
            doc: header.id.clone(),
            entry: format!("field:{}", f.field),
            member: c.device_owners.get(&f.device).cloned().unwrap_or_default(),
            device: f.device,
            at: f.at,
            what: format!("change the {} of this {}", f.field, header.kind.as_str()),
            reason: "the change was not signed by a device of its author or a moderator"
                .to_string(),
        });
    }
    if let Ok(restored) = serde_json::from_value::<Item>(json) {
        *item = restored;
    }
    flags
}

fn fields_of(j: &mut Json) -> Option<&mut serde_json::Map<String, Json>> {
    j.as_object_mut()?.values_mut().next()?.as_object_mut()
}

/// The device whose signature holds over each signed change of `doc`, and whether any
/// change of it is signed at all (documents written before changes were signed have none).
#[must_use]
pub fn signers(doc: &Automerge) -> HashMap<ChangeHash, String> {
    let claims = Claims::read(doc);
    claims
        .by_change
        .keys()
        .filter_map(|h| claims.signers(h).next().map(|d| (*h, d.to_string())))
        .collect()
}

/// Whether a change message is a signature (an empty change, not an edit people made).
#[must_use]
pub fn is_signature(message: &str) -> bool {
    message.starts_with(SIG_PREFIX)
}
