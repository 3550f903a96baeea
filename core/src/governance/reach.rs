//! Which items a change of a community's governance can read differently.
//!
//! Every item is judged against its community's replayed governance: who wrote its header,
//! comments, support and signed fields, and which device signed the changes that wrote its
//! own fields ([`super::check_item`], [`super::body::check_body`]). A change of the roster
//! therefore can change how an item reads, but only an item that names one of the members
//! or device keys the change touched, or the item a moderation decision is about. In a town
//! of 10,000 items, a new member's roster entry concerns none of them: judging all again
//! after each (as before) cost seconds on every device.
//!
//! [`parties`] lists what an item names (over-approximated: every short token in it, and
//! every device that claims to have signed one of its changes), [`reach`] what a change of
//! governance touched. An item is judged again when the two meet, or when the change touched
//! something every item reads (settings, categories, the community's own header).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::apply::Item;
use crate::model::{Community, Member};

/// The longest token of an item counted as a party: member ids and device keys are
/// shorter; titles and text with spaces are not tokens at all.
const MAX_PARTY: usize = 128;

/// What a change of governance can read differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every item of the community (its first roster, settings, categories).
    All,
    /// The items that name one of `parties` (member ids, device keys), and `items` (the
    /// ids of items a moderation decision is about).
    Some {
        parties: BTreeSet<String>,
        items: BTreeSet<String>,
    },
}

impl Reach {
    /// Whether the change reaches no item at all (a catalogue entry, a new log head).
    #[must_use]
    pub fn is_nothing(&self) -> bool {
        matches!(self, Reach::Some { parties, items } if parties.is_empty() && items.is_empty())
    }
}

/// What changed from governance `before` (none: the community had not arrived, and its
/// items were judged by nobody's roster) to `after`.
#[must_use]
pub fn reach(before: Option<&Community>, after: &Community) -> Reach {
    let Some(before) = before else {
        return Reach::All;
    };
    // Named field by field, so a field added to `Community` has to be placed here.
    let Community {
        header,
        name: _,
        kind,
        description: _,
        categories,
        settings,
        members,
        moderation,
        moderation_log,
        history,
        device_owners,
        heads: _,
        signers: _,
        flags: _,
    } = after;
    // An empty roster judges nothing (see `body::check_body`): its first members change
    // every item.
    if *header != before.header
        || *kind != before.kind
        || *categories != before.categories
        || *settings != before.settings
        || members.is_empty() != before.members.is_empty()
    {
        return Reach::All;
    }
    let mut parties = BTreeSet::new();
    for id in members.keys().chain(before.members.keys()) {
        let (was, is) = (before.members.get(id), members.get(id));
        if was != is {
            parties.insert(id.clone());
            for m in was.into_iter().chain(is) {
                touch(m, &mut parties);
            }
        }
    }
    // The roster's history: a member's entries in replay order say who they were at each
    // time (the last one applied counts), so any change of that sequence concerns them.
    let (was, is) = (sequences(&before.history), sequences(history));
    for id in was.keys().chain(is.keys()) {
        let (a, b) = (was.get(id), is.get(id));
        if a != b {
            for (_, m) in a.into_iter().chain(b).flatten() {
                touch(m, &mut parties);
            }
        }
    }
    for key in device_owners.keys().chain(before.device_owners.keys()) {
        let (was, is) = (before.device_owners.get(key), device_owners.get(key));
        if was != is {
            parties.insert(key.clone());
            parties.extend(was.into_iter().chain(is).cloned());
        }
    }
    let mut items = BTreeSet::new();
    let item_of = |key: &str| key.split('/').next().unwrap_or_default().to_string();
    for key in moderation.keys().chain(before.moderation.keys()) {
        if moderation.get(key) != before.moderation.get(key) {
            items.insert(item_of(key));
        }
    }
    let (gone, came) = difference(&before.moderation_log, moderation_log);
    items.extend(gone.into_iter().chain(came).map(|m| item_of(&m.key)));
    Reach::Some { parties, items }
}

/// Each member's entries of a roster history, in replay order.
fn sequences(history: &[(i64, Member)]) -> BTreeMap<&str, Vec<&(i64, Member)>> {
    let mut by: BTreeMap<&str, Vec<&(i64, Member)>> = BTreeMap::new();
    for e in history {
        by.entry(e.1.id.as_str()).or_default().push(e);
    }
    by
}

fn touch(m: &Member, parties: &mut BTreeSet<String>) {
    parties.insert(m.id.clone());
    parties.extend(m.devices.keys().cloned());
    parties.extend(m.expires.keys().cloned());
}

/// The entries only in `before` and those only in `after`, of two lists that mostly share
/// their beginning (a replayed log grows at its end; entries made apart may fall between).
fn difference<'a, T: PartialEq>(before: &'a [T], after: &'a [T]) -> (Vec<&'a T>, Vec<&'a T>) {
    let same = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    let mut gone: Vec<&T> = before[same..].iter().collect();
    let mut came = Vec::new();
    for entry in &after[same..] {
        match gone.iter().position(|e| *e == entry) {
            Some(at) => {
                gone.swap_remove(at);
            }
            None => came.push(entry),
        }
    }
    (gone, came)
}

/// The member ids and device keys item `item` may name, over-approximated: every string in
/// it (map keys too) that is a single short token. The devices that signed changes of its
/// document are added by [`super::body::check_body_noting`].
#[must_use]
pub fn parties(item: &Item) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Ok(json) = serde_json::to_value(item) {
        collect(&json, &mut out);
    }
    out
}

fn token(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_PARTY && !s.chars().any(char::is_whitespace)
}

fn collect(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::String(s) if token(s) => {
            out.insert(s.clone());
        }
        Json::Array(list) => list.iter().for_each(|x| collect(x, out)),
        Json::Object(map) => {
            for (k, x) in map {
                if token(k) {
                    out.insert(k.clone());
                }
                collect(x, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{DocKind, Header, Moderation, Role};

    fn town() -> Community {
        let mut c = Community::empty(Header {
            schema: 1,
            kind: DocKind::Community,
            id: "town".into(),
            community: "town".into(),
            created_at: 0,
            created_by: "anna".into(),
            device: "ka".into(),
            nonce: String::new(),
            sig: String::new(),
        });
        for (id, key) in [("anna", "ka"), ("ben", "kb")] {
            let m = Member {
                id: id.into(),
                role: Role::Member,
                joined_at: 0,
                profile: String::new(),
                devices: BTreeMap::from([(key.to_string(), 0)]),
                expires: BTreeMap::new(),
                removed: false,
                trusted: true,
            };
            c.history.push((0, m.clone()));
            c.members.insert(id.into(), m);
            c.device_owners.insert(key.into(), id.into());
        }
        c
    }

    fn some(parties: &[&str], items: &[&str]) -> Reach {
        Reach::Some {
            parties: parties.iter().map(|s| (*s).to_string()).collect(),
            items: items.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    #[test]
    fn a_new_log_head_or_name_reaches_nothing() {
        let before = town();
        let mut after = before.clone();
        after.heads.push("e9".into());
        after.name = "Grünhausen".into();
        assert!(reach(Some(&before), &after).is_nothing());
    }

    #[test]
    fn what_every_item_reads_reaches_all() {
        let before = town();
        assert_eq!(reach(None, &before), Reach::All);
        let mut after = before.clone();
        after.settings.hold_first_posts = true;
        assert_eq!(reach(Some(&before), &after), Reach::All);
        let empty = Community::empty(before.header.clone());
        assert_eq!(reach(Some(&empty), &before), Reach::All);
    }

    #[test]
    fn a_role_reaches_the_member_and_every_key_it_holds() {
        let before = town();
        let mut after = before.clone();
        let ben = after.members.get_mut("ben").expect("ben");
        ben.role = Role::Moderator;
        let ben = ben.clone();
        after.history.push((5, ben));
        assert_eq!(reach(Some(&before), &after), some(&["ben", "kb"], &[]));
    }

    #[test]
    fn a_key_given_reaches_the_key_and_its_member() {
        let before = town();
        let mut after = before.clone();
        after.device_owners.insert("k-phone".into(), "ben".into());
        assert_eq!(reach(Some(&before), &after), some(&["ben", "k-phone"], &[]));
    }

    #[test]
    fn a_moderation_decision_reaches_its_item() {
        let before = town();
        let mut after = before.clone();
        let decision = Moderation {
            key: "idea7/c3".into(),
            hidden: true,
            reason: String::new(),
            by: "anna".into(),
            at: 9,
        };
        after.moderation_log.push(decision.clone());
        assert_eq!(reach(Some(&before), &after), some(&[], &["idea7"]));
        after.moderation.insert(decision.key.clone(), decision);
        assert_eq!(reach(Some(&before), &after), some(&[], &["idea7"]));
    }

    #[test]
    fn a_members_entries_replayed_in_another_order_reach_them_and_only_them() {
        let mut before = town();
        let mut demoted = before.members["ben"].clone();
        demoted.role = Role::Moderator;
        before.history.push((5, demoted));
        let mut after = before.clone();
        // Anna's and Ben's entries swap places: nobody's own sequence changed.
        after.history.swap(0, 1);
        assert!(reach(Some(&before), &after).is_nothing());
        // Ben's two entries swap: who he was at each time changed.
        after.history.swap(0, 2);
        assert_eq!(reach(Some(&before), &after), some(&["ben", "kb"], &[]));
    }

    #[test]
    fn an_item_names_its_author_its_supporters_and_their_keys_but_not_its_text() {
        let idea = serde_json::json!({
            "header": {"created_by": "anna", "device": "ka"},
            "title": "Ein Solardach",
            "supporters": {"ben": 5},
            "comments": {"c1": {"author": "carl", "device": "kc", "text": "Gut so"}},
        });
        let mut found = BTreeSet::new();
        collect(&idea, &mut found);
        for p in ["anna", "ka", "ben", "carl", "kc"] {
            assert!(found.contains(p), "{p} is named");
        }
        assert!(!found.contains("Ein Solardach") && !found.contains("Gut so"));
    }
}
