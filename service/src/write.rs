//! Commands: one immediate SQLite transaction per command, documents refreshed, applied,
//! reconciled, appended and indexed; committed before the write is acknowledged.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use allmende_core::apply::Item;
use allmende_core::apply::{self, Ctx, Effects, Workspace};
use allmende_core::command::Needs;
use allmende_core::governance;
use allmende_core::index::{project, project_community};
use allmende_core::query::Outcome;
use allmende_core::{Command, DomainError};
use automerge::{transaction::CommitOptions, ActorId, AutoCommit, ChangeHash};

use crate::device::DeviceKey;
use rusqlite::{Connection, Transaction};

use super::{Cached, Service};
use crate::cache::{load_cached, load_community, make_room};
use crate::docs;
use crate::judge::{judge_items_again, judged};
use allmende_store::error::{PeerError, Result};
use allmende_store::{self, chunks_api as chunks, index};

impl Service {
    /// Applies a command as the local device's member of the community it concerns.
    ///
    /// # Errors
    /// A domain refusal (nothing written), or storage and document errors.
    pub fn execute(&mut self, command: Command) -> Result<Outcome> {
        let viewer = self.viewer.as_ref().map(|v| v.member.as_str());
        let command = crate::private_contact::shown_again(self.store.conn(), viewer, command)?;
        if let Some(v) = self.viewer.clone() {
            self.guard_command(&command)?;
            let now = self.now();
            return self.run(Some(&v.member), now, command, Some(v.key));
        }
        if let Command::Publish { project, to } = &command {
            return self.publish_project(project, to);
        }
        if matches!(command, Command::CreateCommunity { .. }) {
            return self.create_community(command);
        }
        let now = self.now();
        self.run(None, now, command, None)
    }

    /// Applies a command as the local member, but writes the Automerge change with another
    /// key as actor (joining with an invite: the invite key is in the roster, this device's
    /// key not yet).
    ///
    /// # Errors
    /// As [`Service::execute`].
    pub fn execute_with_key(
        &mut self,
        key: &crate::device::DeviceKey,
        command: Command,
    ) -> Result<Outcome> {
        let now = self.now();
        self.cache.clear();
        let out = self.run(None, now, command, Some(key.clone()));
        self.cache.clear();
        out
    }

    /// Applies a command as another member at a given time. For the demo script and
    /// simulations; front doors use [`Service::execute`].
    ///
    /// Protected changes must be signed by one of the member's own devices, so the member
    /// gets a stand-in device key (added by the local device, which must be allowed to manage
    /// members) that lives only as long as this service.
    ///
    /// # Errors
    /// As [`Service::execute`].
    pub fn execute_as(&mut self, member: &str, at: i64, command: Command) -> Result<Outcome> {
        let local = self.local_member_of(&command)?;
        if local.as_deref() == Some(member) {
            return self.run(Some(member), at, command, None);
        }
        let key = match self.stand_ins.get(member) {
            Some(k) => k.clone(),
            None => {
                let key = DeviceKey::generate();
                let community = self.community_of(&command)?;
                // The stand-in device counts from when the member joined, so what a script
                // (the demo) writes for them at any time since then holds.
                let since = self
                    .community_view(&community)?
                    .member(member)
                    .map_or(at, |m| m.joined_at.min(at));
                self.run(
                    None,
                    since,
                    Command::AddDevice {
                        community,
                        member: member.to_string(),
                        device: key.public_hex(),
                        until: None,
                    },
                    None,
                )?;
                self.stand_ins.insert(member.to_string(), key.clone());
                key
            }
        };
        self.run(Some(member), at, command, Some(key))
    }

    /// The community a command concerns (loading its item when needed).
    pub(super) fn community_of(&mut self, command: &Command) -> Result<String> {
        match command.needs() {
            Needs::Community(c) | Needs::Profile { community: c, .. } => Ok(c),
            Needs::Item(a) | Needs::Items(a, _) => {
                let key = self.device.actor();
                let doc = load_cached(self.store.conn(), &mut self.cache, &key, &a)?;
                Ok(docs::header(doc)?.community)
            }
            Needs::Nothing => Err(PeerError::BadInput("the command names no community".into())),
        }
    }

    fn local_member_of(&mut self, command: &Command) -> Result<Option<String>> {
        if matches!(command.needs(), Needs::Nothing) {
            return Ok(None);
        }
        let community = self.community_of(command)?;
        self.store.identity(&community)
    }

    /// Applies a command as the local device at a given time (for the demo's back-dated
    /// history).
    ///
    /// # Errors
    /// As [`Service::execute`].
    pub fn execute_as_device(&mut self, at: i64, command: Command) -> Result<Outcome> {
        self.run(None, at, command, None)
    }

    pub(super) fn run(
        &mut self,
        actor: Option<&str>,
        at: i64,
        command: Command,
        signer: Option<DeviceKey>,
    ) -> Result<Outcome> {
        let Service {
            store,
            cache,
            device,
            ids,
            ..
        } = self;
        let signer = signer.unwrap_or_else(|| device.clone());
        let key = signer.actor();
        let device_hex = signer.public_hex();
        let result = store.write(|tx| {
            let (mut ws, community) = load_workspace(tx, cache, &key, &command)?;
            let member = match actor {
                Some(m) => Some(m.to_string()),
                None => match &community {
                    Some(c) => identity(tx, c)?,
                    None => None,
                },
            };
            if let Needs::Profile { member: target, .. } = command.needs() {
                let who = target.or_else(|| member.clone()).unwrap_or_default();
                let profile = ws
                    .community
                    .as_ref()
                    .and_then(|c| c.member(&who))
                    .map(|m| m.profile.clone())
                    .ok_or(DomainError::NotFound {
                        what: "member",
                        id: who.clone(),
                    })?;
                let doc = load_cached(tx, cache, &key, &profile)?;
                ws.items.insert(profile, docs::item(doc)?);
            }
            // Commands start from the own fields people see (a value nobody entitled wrote
            // replaced); only the fields a command changes are written back (`rewrite_item`).
            if let Some(c) = &ws.community {
                let ids: Vec<String> = ws.items.keys().cloned().collect();
                for id in ids {
                    let doc = load_cached(tx, cache, &key, &id)?.document();
                    if let Some(item) = ws.items.get_mut(&id) {
                        governance::body::settle_for_writing(c, &id, doc, item);
                    }
                }
            }
            if command.reads_marks() {
                if let Some(c) = &ws.community {
                    let mut checked = BTreeMap::new();
                    for (id, item) in &ws.items {
                        let (mut seen, _) = governance::check_item(c, item);
                        // Decisions read the own fields that hold too (an event's places).
                        if let Some(entry) = cache.get_mut(id) {
                            let doc = entry.doc.document();
                            let _ = governance::body::check_body(c, id, doc, &mut seen);
                        }
                        checked.insert(id.clone(), seen);
                    }
                    ws.checked = checked;
                }
            }
            let mut ctx = Ctx {
                now: at,
                actor: member,
                device: device_hex.clone(),
                ids,
            };
            // What the documents held before: only marks this command wrote get signed.
            let before = ws.items.clone();
            let fx = apply::execute(&command, &mut ws, &mut ctx)?;
            persist(
                tx,
                cache,
                &signer,
                &mut ws,
                &before,
                &fx,
                at,
                &command.name(),
            )?;
            let community = ws
                .community
                .as_ref()
                .map(|c| c.header.id.clone())
                .unwrap_or_default();
            if let Some(m) = &fx.member {
                allmende_store::set_identity(tx, &community, m)?;
            }
            if let Some((member, kept)) = &fx.private_contact {
                crate::private_contact::keep(tx, &community, member, kept.as_deref())?;
            }
            Ok(Outcome {
                id: fx.id,
                community,
            })
        });
        if result.is_err() {
            // Cached documents may hold operations that were rolled back.
            cache.clear();
        }
        let outcome = result?;
        tracing::debug!(command = %command.name(), id = %outcome.id, "applied");
        Ok(outcome)
    }
}

fn identity(conn: &Connection, community: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT member FROM identities WHERE community = ?1",
            [community],
            |r| r.get(0),
        )
        .optional()?)
}

/// Loads the documents a command needs, returns them typed, and the community id.
fn load_workspace(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, Cached>,
    key: &ActorId,
    command: &Command,
) -> Result<(Workspace, Option<String>)> {
    let mut ws = Workspace::default();
    let (items, mut community): (Vec<String>, Option<String>) = match command.needs() {
        Needs::Nothing => (vec![], None),
        Needs::Community(c) | Needs::Profile { community: c, .. } => (vec![], Some(c)),
        Needs::Item(a) => (vec![a], None),
        Needs::Items(a, b) => (vec![a, b], None),
    };
    for id in items {
        let stored = chunks::doc_meta(tx, &id)?.map(|m| m.community);
        let doc = load_cached(tx, cache, key, &id)?;
        let item = match stored {
            Some(c) => docs::item_at(doc, &id, &c)?,
            None => docs::item(doc)?,
        };
        let of = item.header().community.clone();
        match &community {
            Some(c) if *c != of => {
                return Err(PeerError::BadInput(format!(
                    "{id} belongs to another community"
                )))
            }
            _ => community = Some(of),
        }
        ws.items.insert(id, item);
    }
    if let Some(c) = &community {
        ws.community = Some(
            load_community(tx, cache, key, c)
                .map_err(|e| match e {
                    PeerError::BadInput(_) => PeerError::Domain(DomainError::NotFound {
                        what: "community",
                        id: c.clone(),
                    }),
                    other => other,
                })
                .map(Arc::unwrap_or_clone)?,
        );
    }
    Ok((ws, community))
}

/// Commits what the command wrote and signs it: an empty change after it carries this
/// device's signature over the change's hash, which tells readers who wrote the fields it
/// set (see `allmende_core::governance::body`).
pub(super) fn commit(doc: &mut AutoCommit, id: &str, message: &str, at: i64, signer: &DeviceKey) {
    let made = doc.commit_with(
        CommitOptions::default()
            .with_message(message.to_string())
            .with_time(at / 1000),
    );
    if let Some(hash) = made {
        doc.empty_change(
            CommitOptions::default()
                .with_message(governance::body::signature_message(signer, id, &hash))
                .with_time(at / 1000),
        );
    }
}

/// Appends what changed in `doc` since `before` and keeps the cache version in step.
pub(super) fn save_changes(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, Cached>,
    meta: (&str, &str, &str),
    before: &[ChangeHash],
) -> Result<()> {
    let id = meta.0;
    let Some(entry) = cache.get_mut(id) else {
        return Ok(());
    };
    let bytes = entry.doc.save_after(before);
    if bytes.is_empty() {
        return Ok(());
    }
    let heads = docs::heads(&mut entry.doc);
    entry.version = chunks::append(tx, meta, &bytes, &heads)?;
    entry.community = None;
    let stored = chunks::doc_meta(tx, id)?;
    if stored.is_some_and(|m| m.chunks > chunks::COMPACT_AFTER_CHUNKS) {
        let snapshot = entry.doc.save();
        chunks::compact(tx, id, &snapshot)?;
        entry.version += 1;
    }
    Ok(())
}

/// Saves a brand-new document (`saved`: its bytes as saved already, when it has them).
pub(super) fn save_new(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, Cached>,
    meta: (&str, &str, &str),
    mut doc: AutoCommit,
    saved: Option<&[u8]>,
) -> Result<()> {
    let bytes = match saved {
        Some(b) => std::borrow::Cow::Borrowed(b),
        None => std::borrow::Cow::Owned(doc.save()),
    };
    let heads = docs::heads(&mut doc);
    let version = chunks::append(tx, meta, &bytes, &heads)?;
    make_room(cache);
    cache.insert(
        meta.0.to_string(),
        Cached {
            doc,
            version,
            community: None,
            history: allmende_core::governance::LogHistory::default(),
        },
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn persist(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, Cached>,
    signer: &DeviceKey,
    ws: &mut Workspace,
    before: &BTreeMap<String, Item>,
    fx: &Effects,
    at: i64,
    message: &str,
) -> Result<()> {
    let key = &signer.actor();
    let community = ws.community.as_ref().ok_or(DomainError::NotFound {
        what: "community",
        id: String::new(),
    })?;
    let cid = community.header.id.clone();
    let cmeta = (cid.as_str(), "community", cid.as_str());
    // The governance replayed before this command's entries (a new community has no items).
    let mut governed_before = None;
    if fx.created_community {
        let mut doc = docs::new_doc(key);
        docs::new_community(&mut doc, &community.header)?;
        docs::append_log(&mut doc, community, &ws.pending, signer)?;
        docs::add_to_catalog(&mut doc, &fx.catalog)?;
        commit(&mut doc, &cid, message, at, signer);
        save_new(tx, cache, cmeta, doc, None)?;
        // A community made on a device that syncs through a relay syncs through it too.
        tx.execute(
            "INSERT OR IGNORE INTO meta(key, value)
             SELECT 'relays:' || ?1, value FROM meta WHERE key = 'relay'",
            [&cid],
        )?;
    } else if !ws.pending.is_empty() || !fx.catalog.is_empty() {
        if !ws.pending.is_empty() {
            governed_before = Some(load_community(tx, cache, key, &cid)?);
        }
        let doc = load_cached(tx, cache, key, &cid)?;
        let before = doc.get_heads();
        docs::append_log(doc, community, &ws.pending, signer)?;
        docs::add_to_catalog(doc, &fx.catalog)?;
        commit(doc, &cid, message, at, signer);
        save_changes(tx, cache, cmeta, &before)?;
    }
    // What readers see is the replayed log, so index that (it also checks the new entries).
    let community = if ws.pending.is_empty() {
        Arc::new(community.clone())
    } else {
        load_community(tx, cache, key, &cid)?
    };
    if fx.created_community || !ws.pending.is_empty() {
        index::put_community(tx, &project_community(&community))?;
    }
    // A change of who is who can change how items read: judge again those it reaches (the
    // items that name a member or key it touched, or that a moderation decision is about),
    // all for a change of settings or categories. What this command wrote is judged below.
    if let Some(governed_before) = governed_before {
        let reach = governance::reach::reach(Some(&*governed_before), &community);
        let written: BTreeSet<String> = fx.created.iter().chain(&fx.changed).cloned().collect();
        judge_items_again(tx, cache, key, &cid, &reach, &written)?;
    }
    for id in fx.created.iter().chain(fx.changed.iter()) {
        let item = ws
            .items
            .get_mut(id)
            .ok_or_else(|| PeerError::BadInput(id.clone()))?;
        governance::sign_item(item, before.get(id), signer);
        let meta = (id.as_str(), item.kind().as_str(), cid.as_str());
        if fx.created.contains(id) {
            let mut doc = docs::new_doc(key);
            docs::put_item(&mut doc, item)?;
            commit(&mut doc, id, message, at, signer);
            save_new(tx, cache, meta, doc, None)?;
        } else {
            let doc = load_cached(tx, cache, key, id)?;
            let heads = doc.get_heads();
            match before.get(id) {
                Some(was) => docs::rewrite_item(doc, item, was)?,
                None => docs::put_item(doc, item)?,
            }
            commit(doc, id, message, at, signer);
            save_changes(tx, cache, meta, &heads)?;
        }
        let (seen, _, parties) = judged(tx, cache, key, &community, id, item)?;
        index::put_item(tx, &project(&seen))?;
        allmende_store::parties::put(tx, id, &cid, &parties)?;
    }
    Ok(())
}
