//! Who may read and write which document: the one rule the relay and a device sharing over
//! the local network both apply. Each side learns its facts its own way (the relay from what
//! it stores, a device from its store); what the facts allow is decided here.
//!
//! - A community document: the devices on its roster.
//! - An item: the devices on its community's roster; for a team-only project, only the
//!   devices of its team's members, the team as the roster accepts it
//!   ([`crate::governance::check_item`]).
//! - An invite key counts only until its day has passed.
//! - A document that is not Allmende's (no header): only where the operator allows such.
//!
//! What a document not known yet may be is each side's own answer (the relay lets any
//! device push one; a device only a member of one of its communities).

use std::collections::{HashMap, HashSet};

use crate::apply::Item;
use crate::model::{Community, Project};

/// A community's roster, by device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// Device key (lower-case hex) -> member id, for members not removed.
    pub devices: HashMap<String, String>,
    /// Invite keys among them -> until when they open anything (ms since the epoch).
    pub expires: HashMap<String, i64>,
    /// Device key -> member, for every key a member not removed was ever given, also those
    /// taken off them since (see [`Roster::fellow_devices`]).
    pub owners: HashMap<String, String>,
}

impl Roster {
    /// The roster of a replayed community: every device of every member not removed.
    #[must_use]
    pub fn of(community: &Community) -> Roster {
        let mut roster = Roster::default();
        for m in community.members.values().filter(|m| !m.removed) {
            for device in m.devices.keys() {
                roster.devices.insert(device.to_lowercase(), m.id.clone());
            }
            for (device, until) in &m.expires {
                roster.expires.insert(device.to_lowercase(), *until);
            }
        }
        for (device, member) in &community.device_owners {
            if community.members.get(member).is_some_and(|m| !m.removed) {
                roster.owners.insert(device.to_lowercase(), member.clone());
            }
        }
        roster
    }

    /// The member of `device` at `now`: none for a device not on the roster, or an invite
    /// key past its validity.
    #[must_use]
    pub fn member_at(&self, device: &str, now: i64) -> Option<&String> {
        let device = lower(device);
        if self
            .expires
            .get(device.as_ref())
            .is_some_and(|until| now > *until)
        {
            return None;
        }
        self.devices.get(device.as_ref())
    }

    /// Every device of `device`'s member, `device` included (lower-case hex): the keys whose
    /// stored bytes count together against one member's quota, so a member who adds devices
    /// gets no more room. Keys taken off the member since count too: otherwise adding a key,
    /// filling the relay through it, taking it off and adding the next would gain room each
    /// time. A device not on the roster stands alone.
    #[must_use]
    pub fn fellow_devices(&self, device: &str) -> Vec<String> {
        let device = lower(device);
        let Some(member) = self.devices.get(device.as_ref()) else {
            return vec![device.into_owned()];
        };
        let fellows: HashSet<&String> = self
            .devices
            .iter()
            .chain(&self.owners)
            .filter(|(_, m)| *m == member)
            .map(|(d, _)| d)
            .collect();
        fellows.into_iter().cloned().collect()
    }
}

/// What a document is, as far as access goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocAccess {
    /// Not an Allmende document.
    Foreign,
    /// A community document.
    Community,
    /// An item of a community; `team` is set for team-only projects.
    Item {
        community: String,
        team: Option<HashSet<String>>,
    },
}

impl DocAccess {
    /// Whether `device` may read and write document `doc_id`, of this kind, at `now`.
    /// `roster` gives each community's roster where known.
    #[must_use]
    pub fn allows<'a>(
        &self,
        doc_id: &str,
        device: &str,
        now: i64,
        allow_foreign: bool,
        roster: impl Fn(&str) -> Option<&'a Roster>,
    ) -> bool {
        let member_of = |community: &str| roster(community).and_then(|r| r.member_at(device, now));
        match self {
            DocAccess::Foreign => allow_foreign,
            DocAccess::Community => member_of(doc_id).is_some(),
            DocAccess::Item { community, team } => match (member_of(community), team) {
                (Some(_), None) => true,
                (Some(member), Some(team)) => team.contains(member),
                (None, _) => false,
            },
        }
    }

    /// Whether `newer`, the same document learned again, leaves out anyone this let in: moved
    /// to another community, made team-only, or onto a smaller team.
    #[must_use]
    pub fn narrowed_by(&self, newer: &DocAccess) -> bool {
        match (self, newer) {
            (
                DocAccess::Item {
                    community: c,
                    team: t,
                },
                DocAccess::Item {
                    community: nc,
                    team: nt,
                },
            ) => {
                c != nc
                    || match (t, nt) {
                        (_, None) => false,
                        (None, Some(_)) => true,
                        (Some(old), Some(new)) => !old.is_subset(new),
                    }
            }
            (old, new) => old != new,
        }
    }
}

/// Project `p` of document `doc_id` (`doc`) made what readers see, judged against its
/// community: its visibility as its leads set it and its team as its signed entries hold
/// (see `crate::governance::body`). Who may sync a team-only project follows this, not the
/// values in the document, which any member's client can write. Without the community, it
/// stays as the document holds it.
pub fn judge_project(
    community: Option<&Community>,
    doc_id: &str,
    doc: &automerge::Automerge,
    p: &mut Project,
) {
    let Some(c) = community else {
        return;
    };
    let (mut seen, _) = crate::governance::check_item(c, &Item::Project(p.clone()));
    let _ = crate::governance::body::check_body(c, doc_id, doc, &mut seen);
    if let Item::Project(judged) = seen {
        *p = judged;
    }
}

/// The team of team-only project `p` as [`judge_project`] left it: judged with the
/// document's history where the community is known (an entry a lead added holds when that
/// lead has left the team since, as every device reads it); without the community, as
/// [`team_of`] judges it.
#[must_use]
pub fn judged_team(community: Option<&Community>, p: &Project) -> HashSet<String> {
    match community {
        Some(_) => p.team.keys().cloned().collect(),
        None => team_of(None, p),
    }
}

/// The team of `p`, judged with its document's history before (see [`judged_team`]), judged
/// again by the community's roster now, without the document: the entries that held then
/// hold (`held`), and whoever has left the community since is off the team.
#[must_use]
pub fn team_again(community: &Community, p: &Project, held: &HashSet<String>) -> HashSet<String> {
    let mut p = p.clone();
    crate::governance::check_team_with(community, &mut p, &|member, _| held.contains(member));
    p.team.keys().cloned().collect()
}

/// The team of a team-only project as its community's roster (none yet: nobody's) accepts it,
/// without the document's history: only leads on the team now (and the creator and
/// moderators) count as having added someone.
#[must_use]
pub fn team_of(community: Option<&Community>, p: &Project) -> HashSet<String> {
    let checked = match community {
        Some(c) => crate::governance::check_item(c, &Item::Project(p.clone())).0,
        None => {
            crate::governance::check_item(
                &Community::empty(p.header.clone()),
                &Item::Project(p.clone()),
            )
            .0
        }
    };
    match checked {
        Item::Project(p) => p.team.keys().cloned().collect(),
        _ => HashSet::new(),
    }
}

fn lower(device: &str) -> std::borrow::Cow<'_, str> {
    if device.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(device.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(pairs: &[(&str, &str)], expires: &[(&str, i64)]) -> Roster {
        Roster {
            devices: pairs
                .iter()
                .map(|(d, m)| ((*d).to_string(), (*m).to_string()))
                .collect(),
            expires: expires
                .iter()
                .map(|(d, u)| ((*d).to_string(), *u))
                .collect(),
            owners: HashMap::new(),
        }
    }

    #[test]
    fn members_read_their_community_teams_their_projects_strangers_nothing() {
        let r = roster(&[("aa", "m1"), ("bb", "m2"), ("cc", "m3")], &[("cc", 100)]);
        let of = |c: &str| (c == "c1").then_some(&r);
        let community = DocAccess::Community;
        assert!(community.allows("c1", "aa", 0, false, of));
        assert!(
            community.allows("c1", "AA", 0, false, of),
            "keys compare in any case"
        );
        assert!(!community.allows("c1", "dd", 0, false, of), "a stranger");
        assert!(
            !community.allows("c2", "aa", 0, false, of),
            "another community"
        );
        assert!(
            community.allows("c1", "cc", 100, false, of),
            "an invite key on its last day"
        );
        assert!(
            !community.allows("c1", "cc", 101, false, of),
            "and not after"
        );
        let item = DocAccess::Item {
            community: "c1".into(),
            team: None,
        };
        assert!(item.allows("i1", "bb", 0, false, of));
        assert!(!item.allows("i1", "dd", 0, false, of));
        let team = DocAccess::Item {
            community: "c1".into(),
            team: Some(HashSet::from(["m1".to_string()])),
        };
        assert!(team.allows("p1", "aa", 0, false, of));
        assert!(
            !team.allows("p1", "bb", 0, false, of),
            "a member outside the team"
        );
        assert!(!DocAccess::Foreign.allows("x", "aa", 0, false, of));
        assert!(
            DocAccess::Foreign.allows("x", "dd", 0, true, of),
            "where the operator allows"
        );
    }

    #[test]
    fn narrowing_is_told_apart_from_widening() {
        let public = DocAccess::Item {
            community: "c1".into(),
            team: None,
        };
        let team = |m: &[&str]| DocAccess::Item {
            community: "c1".into(),
            team: Some(m.iter().map(|s| (*s).to_string()).collect()),
        };
        assert!(public.narrowed_by(&team(&["m1"])));
        assert!(!team(&["m1"]).narrowed_by(&public));
        assert!(team(&["m1", "m2"]).narrowed_by(&team(&["m1"])));
        assert!(!team(&["m1"]).narrowed_by(&team(&["m1", "m2"])));
        let moved = DocAccess::Item {
            community: "c2".into(),
            team: None,
        };
        assert!(public.narrowed_by(&moved));
        assert!(!public.narrowed_by(&public.clone()));
    }

    #[test]
    fn a_devices_fellows_are_every_device_of_its_member() {
        let r = roster(&[("aa", "ben"), ("bb", "ben"), ("cc", "anna")], &[]);
        let mut ben = r.fellow_devices("AA");
        ben.sort();
        assert_eq!(ben, ["aa", "bb"]);
        assert_eq!(r.fellow_devices("cc"), ["cc"]);
        assert_eq!(r.fellow_devices("dd"), ["dd"], "a stranger stands alone");
    }

    /// Issue 13: a key taken off a member no longer counted with them, so adding a key,
    /// filling the relay through it, taking it off and adding the next gained room each time.
    #[test]
    fn keys_taken_off_a_member_still_count_with_the_members_devices() {
        let mut r = roster(&[("aa", "ben"), ("cc", "ben"), ("dd", "anna")], &[]);
        r.owners = [("aa", "ben"), ("bb", "ben"), ("cc", "ben"), ("dd", "anna")]
            .iter()
            .map(|(d, m)| ((*d).to_string(), (*m).to_string()))
            .collect();
        let mut ben = r.fellow_devices("cc");
        ben.sort();
        assert_eq!(ben, ["aa", "bb", "cc"], "the key taken off (bb) counts");
        assert_eq!(r.fellow_devices("dd"), ["dd"]);
        assert_eq!(
            r.fellow_devices("bb"),
            ["bb"],
            "a key taken off writes nothing; alone it stands alone"
        );
    }
}
