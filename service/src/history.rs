//! An item's history, read from its Automerge changes: who changed what when, and the text
//! fields two people changed apart (both values are kept; the page shows the other one and
//! lets a person take it instead). Merges are never silent.
//!
//! A change names its device by its actor id (the device key; a restored device writes under
//! an actor of its own, shown as nobody). Actor ids are not signed: a member's modified
//! client can write under another device's actor. The history says what the devices
//! recorded; who may change what is decided by the signed marks (see
//! `allmende_core::governance::content`).

use std::collections::{BTreeSet, HashMap};

use allmende_core::governance;
use allmende_core::model::Community;
use allmende_core::query::{Conflict, ConflictValue, History, HistoryEntry};
use automerge::{AutoCommit, ObjId, PatchAction, Prop, ReadDoc, ScalarValue, Value, ROOT};

use super::Service;
use crate::cache::{load_cached, load_community};
use allmende_store::error::Result;
use allmende_store::index;

/// Most changes listed (the newest); older ones are summed up in the first entry's place.
const MAX_ENTRIES: usize = 500;

impl Service {
    /// The history of item `id`, for whoever may see the item.
    ///
    /// # Errors
    /// As [`Service::show`].
    pub fn history(&mut self, id: &str) -> Result<History> {
        let detail = self.show(id)?;
        let id = detail.summary.id.clone();
        let community_id = detail.summary.community.clone();
        let key = self.device.actor();
        let community = load_community(self.store.conn(), &mut self.cache, &key, &community_id)?;
        let names = index::names(self.store.conn(), &community_id)?;
        let doc = load_cached(self.store.conn(), &mut self.cache, &key, &id)?;
        let owners = owners(&community);
        let who = |actor: &str| -> (String, String) {
            let member = owners.get(actor).cloned().unwrap_or_default();
            let name = names.get(&member).cloned().unwrap_or_default();
            (member, name)
        };
        let mut entries = changes(&id, doc, &who);
        if entries.len() > MAX_ENTRIES {
            entries.drain(..entries.len() - MAX_ENTRIES);
        }
        // What people see of each field: the checked item (a value nobody entitled wrote is
        // not what the page shows, whatever Automerge picks).
        let seen = serde_json::to_value(&detail.item).unwrap_or_default();
        let seen = seen
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .unwrap_or_default();
        let shown_now = |field: &str| seen.get(field).and_then(|v| v.as_str()).map(str::to_string);
        let conflicts = conflicts(&id, doc, &who, &shown_now);
        Ok(History { entries, conflicts })
    }
}

/// Device key (hex) -> member, over everyone the roster ever held.
fn owners(c: &Community) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (_, m) in &c.history {
        for device in m.devices.keys() {
            out.insert(device.clone(), m.id.clone());
        }
    }
    for m in c.members.values() {
        for device in m.devices.keys() {
            out.insert(device.clone(), m.id.clone());
        }
    }
    out
}

/// The top-level field a patch touches.
fn field_of(path: &[(ObjId, Prop)], action: &PatchAction) -> Option<String> {
    if let Some((_, Prop::Map(key))) = path.first() {
        return Some(key.clone());
    }
    match action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key.clone()),
        _ => None,
    }
}

fn changes(
    id: &str,
    doc: &mut AutoCommit,
    who: &dyn Fn(&str) -> (String, String),
) -> Vec<HistoryEntry> {
    let list: Vec<(
        Vec<automerge::ChangeHash>,
        automerge::ChangeHash,
        String,
        i64,
        String,
        bool,
    )> = doc
        .get_changes(&[])
        .iter()
        .map(|c| {
            (
                c.deps().to_vec(),
                c.hash(),
                c.actor_id().to_hex_string(),
                c.timestamp(),
                c.message().unwrap_or_default().to_string(),
                c.is_empty(),
            )
        })
        .collect();
    // Who made a change is the device that signed it; the actor id a change names is only
    // believed in documents from before changes were signed.
    let signed = governance::body::signers(id, doc.document());
    let mut entries = Vec::with_capacity(list.len());
    for (deps, hash, actor, seconds, what, empty) in list {
        // A signature is an empty change; one that holds operations is shown, whatever its
        // message says.
        if empty && governance::body::is_signature(&what) {
            continue;
        }
        let writer = match signed.get(&hash) {
            Some(device) => device.clone(),
            None if signed.is_empty() => actor,
            None => String::new(),
        };
        let fields: BTreeSet<String> = doc
            .diff(&deps, &[hash])
            .iter()
            .filter_map(|p| field_of(&p.path, &p.action))
            .collect();
        let (member, name) = who(&writer);
        entries.push(HistoryEntry {
            at: seconds.saturating_mul(1000),
            member,
            name,
            what,
            fields: fields.into_iter().collect(),
        });
    }
    entries.sort_by_key(|e| e.at);
    entries
}

/// The actor (hex) that wrote a value, from its id (`counter@actor`).
fn actor_of(id: &ObjId) -> String {
    id.to_string()
        .split_once('@')
        .map(|(_, a)| a.to_string())
        .unwrap_or_default()
}

fn conflicts(
    id: &str,
    doc: &mut AutoCommit,
    who: &dyn Fn(&str) -> (String, String),
    shown_now: &dyn Fn(&str) -> Option<String>,
) -> Vec<Conflict> {
    let signed = governance::body::signers(id, doc.document());
    let writer = |id: &ObjId| match doc.hash_for_opid(id).and_then(|h| signed.get(&h)) {
        Some(device) => device.clone(),
        None if signed.is_empty() => actor_of(id),
        None => String::new(),
    };
    let mut out = Vec::new();
    for field in doc.keys(ROOT) {
        let Ok(all) = doc.get_all(ROOT, field.as_str()) else {
            continue;
        };
        if all.len() < 2 {
            continue;
        }
        let picked = doc
            .get(ROOT, field.as_str())
            .ok()
            .flatten()
            .map(|(_, id)| id);
        let on_page = shown_now(&field);
        // The value the page shows: the checked one, or Automerge's pick where it agrees.
        let shown = all
            .iter()
            .rev()
            .find(|(v, _)| on_page.is_some() && v.as_str() == on_page.as_deref())
            .map(|(_, id)| id.clone())
            .or(picked);
        let values: Vec<ConflictValue> = all
            .iter()
            .filter_map(|(v, id)| match v {
                Value::Scalar(s) => match s.as_ref() {
                    ScalarValue::Str(text) => {
                        let (member, name) = who(&writer(id));
                        Some(ConflictValue {
                            value: text.to_string(),
                            member,
                            name,
                            shown: shown.as_ref() == Some(id),
                        })
                    }
                    _ => None,
                },
                Value::Object(_) => None,
            })
            .collect();
        if values.len() > 1 {
            out.push(Conflict { field, values });
        }
    }
    out
}
