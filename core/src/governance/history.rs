//! The log as *every entry ever written*, read from the document's history.
//!
//! The log is a plain Automerge map that every member's device may write (members append
//! entries), so its current state is not evidence: a member can delete an entry (a removal,
//! a demotion, a moderation decision) or rewrite its body. Automerge keeps every operation
//! ever applied, though, so the replay reads the history: every entry object ever made under
//! a `log` map, with every `body` and `sig` ever put into it. Deleting an entry changes
//! nothing; a rewritten body is one more candidate that fails its check. What was deleted or
//! replaced is reported, with the device (the change's actor) that did it.
//!
//! Reading is incremental: [`LogHistory::update`] decodes only the changes added since the
//! last call, so a long-running process pays for what changed.

use std::collections::{HashMap, HashSet};

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{Automerge, ChangeHash, ObjType, ScalarValue};

use super::Entry;

/// One entry as it was written: its id in the log, the entry, and the device that wrote
/// the body (the Automerge change's actor, hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub id: String,
    pub entry: Entry,
    pub writer: String,
}

/// An entry (or the whole log) taken out of the current map by a later write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The entry's id, or empty when the `log` map itself was replaced or deleted.
    pub id: String,
    /// The device whose change did it (hex).
    pub by: String,
}

#[derive(Clone, Default)]
struct Slot {
    id: String,
    bodies: Vec<(String, String)>,
    sigs: Vec<String>,
}

/// Everything ever written into a community document's log.
#[derive(Clone, Default)]
pub struct LogHistory {
    heads: Vec<ChangeHash>,
    /// Objects that were ever the root's `log`.
    logs: HashSet<OpId>,
    /// Entry objects ever made under a log, by object id.
    slots: HashMap<OpId, Slot>,
    /// Entry objects in the order they were made (for a stable result).
    order: Vec<OpId>,
    /// Ids that have an entry object.
    ids: HashSet<String>,
    removals: Vec<Removal>,
}

impl LogHistory {
    /// Reads the changes of `doc` this history has not seen yet. A document that is not a
    /// later state of the one read before (fewer changes) is read again from the start.
    pub fn update(&mut self, doc: &Automerge) {
        let heads = doc.get_heads();
        if heads == self.heads {
            return;
        }
        if self
            .heads
            .iter()
            .any(|h| doc.get_change_meta_by_hash(h).is_none())
        {
            *self = LogHistory::default();
        }
        for change in doc.get_changes(&self.heads) {
            let writer = change.actor_id().to_hex_string();
            let start = change.start_op().get();
            let expanded = change.decode();
            for (n, op) in expanded.operations.iter().enumerate() {
                let id = OpId(start + n as u64, change.actor_id().clone());
                self.read_op(id, op.obj.clone(), &op.key, &op.action, &writer);
            }
        }
        self.heads = heads;
    }

    fn read_op(&mut self, id: OpId, obj: ObjectId, key: &Key, action: &OpType, writer: &str) {
        let Key::Map(prop) = key else { return };
        match obj {
            ObjectId::Root if prop == "log" => {
                if !self.logs.is_empty() {
                    self.removals.push(Removal {
                        id: String::new(),
                        by: writer.to_string(),
                    });
                }
                if matches!(action, OpType::Make(ObjType::Map)) {
                    self.logs.insert(id);
                }
            }
            ObjectId::Root => {}
            ObjectId::Id(parent) if self.logs.contains(&parent) => {
                if self.ids.contains(prop.as_str()) {
                    self.removals.push(Removal {
                        id: prop.to_string(),
                        by: writer.to_string(),
                    });
                }
                if matches!(action, OpType::Make(ObjType::Map)) {
                    self.slots.insert(
                        id.clone(),
                        Slot {
                            id: prop.to_string(),
                            ..Slot::default()
                        },
                    );
                    self.order.push(id);
                    self.ids.insert(prop.to_string());
                }
            }
            ObjectId::Id(parent) => {
                let Some(slot) = self.slots.get_mut(&parent) else {
                    return;
                };
                let OpType::Put(ScalarValue::Str(text)) = action else {
                    return;
                };
                match prop.as_str() {
                    "body" => slot.bodies.push((text.to_string(), writer.to_string())),
                    "sig" => slot.sigs.push(text.to_string()),
                    _ => {}
                }
            }
        }
    }

    /// Every entry ever written (each body with each signature ever put beside it), in the
    /// order the entries were made.
    #[must_use]
    pub fn written(&self) -> Vec<Written> {
        let mut out = Vec::new();
        for slot in self.order.iter().filter_map(|id| self.slots.get(id)) {
            for (body, writer) in &slot.bodies {
                for sig in &slot.sigs {
                    out.push(Written {
                        id: slot.id.clone(),
                        entry: Entry {
                            body: body.clone(),
                            sig: sig.clone(),
                        },
                        writer: writer.clone(),
                    });
                }
            }
        }
        out
    }

    /// Entries (and logs) a later write deleted or replaced.
    #[must_use]
    pub fn removals(&self) -> &[Removal] {
        &self.removals
    }
}

#[cfg(test)]
mod tests;
