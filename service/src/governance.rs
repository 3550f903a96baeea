//! What governance shows: changes that were not accepted (for admins) and the moderators'
//! audit log. Both are computed from the documents on every call, so they always match
//! what the replay accepted.

use allmende_core::governance::{body, Flag};
use allmende_core::model::Moderation;

use super::judge::checked_item;
use super::Service;
use crate::cache::{load_cached, load_community};
use crate::docs;
use allmende_store::error::Result;

impl Service {
    /// Every change in the community's documents that was not accepted, oldest first: log
    /// entries nobody was allowed to write, fields written around the log, forged or
    /// unauthorised request answers and team entries, and content whose authorship does not
    /// hold (items, comments, reports, support, sign-ups, registrations).
    ///
    /// # Errors
    /// Not found, damaged documents, storage errors.
    pub fn flags(&mut self, community: &str) -> Result<Vec<Flag>> {
        let community = self.resolve(community)?;
        let key = self.device.actor();
        let c = load_community(self.store.conn(), &mut self.cache, &key, &community)?;
        let mut flags = c.flags.clone();
        for meta in self.store.docs(Some(&community))? {
            if meta.kind == "community" {
                continue;
            }
            let doc = load_cached(self.store.conn(), &mut self.cache, &key, &meta.id)?;
            // Marks deleted by someone else (put back where they arrived, but named here).
            let all: Vec<_> = doc.get_changes_meta(&[]).iter().map(|m| m.hash).collect();
            for d in body::deleted_marks(&c, &meta.id, doc.document(), &all) {
                flags.push(body::deletion_flag(&c, &meta.id, &d));
            }
            let item = docs::item(doc)?;
            flags
                .extend(checked_item(self.store.conn(), &mut self.cache, &key, &meta.id, &item)?.1);
        }
        flags.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.entry.cmp(&b.entry)));
        Ok(flags)
    }

    /// The community as replayed from its signed log.
    ///
    /// # Errors
    /// Not found, a damaged community document.
    pub fn community_view(&mut self, community: &str) -> Result<allmende_core::model::Community> {
        let key = self.device.actor();
        load_community(self.store.conn(), &mut self.cache, &key, community)
            .map(std::sync::Arc::unwrap_or_clone)
    }

    /// A member's device keys (hex), from the signed roster. Not for guests: a pupil's
    /// browser sees no device keys.
    ///
    /// # Errors
    /// Forbidden for guests, not found, a damaged community document.
    pub fn devices(&mut self, community: &str, member: &str) -> Result<Vec<String>> {
        if self.viewer.is_some() {
            return Err(allmende_core::DomainError::Forbidden {
                action: "devices",
                needed: "member with a device of their own",
            }
            .into());
        }
        let c = self.community_view(community)?;
        Ok(c.member(member)
            .map(|m| m.devices.keys().cloned().collect())
            .unwrap_or_default())
    }

    /// Every accepted moderation decision, newest first.
    ///
    /// # Errors
    /// Not found, a damaged community document, storage errors.
    pub fn moderation_log(&mut self, community: &str) -> Result<Vec<Moderation>> {
        let community = self.resolve(community)?;
        let key = self.device.actor();
        let c = load_community(self.store.conn(), &mut self.cache, &key, &community)?;
        let mut log = c.moderation_log.clone();
        log.reverse();
        Ok(log)
    }
}
