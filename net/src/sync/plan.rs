//! Which documents a session offers: those out of step, judged from the relay's change feed
//! and what was last in step with that relay. Pure: the caller reads the heads.

use std::collections::{HashMap, HashSet};

use allmende_core::wire::ChangeFeed;

/// What a session does with each document.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Documents to sync: local ones out of step, and new ones the relay lists.
    pub offer: Vec<String>,
    /// Local documents whose heads the relay lists as its own: in step without a word.
    pub in_step: Vec<(String, String)>,
    /// Local documents unchanged on both sides since they were last in step.
    pub quiet: usize,
}

/// The plan for `local` documents (id -> heads as the store keeps them), given the heads last
/// in step with this relay (`recorded`) and its feed. `continues` says the feed was asked from
/// the position kept from the last session with the same store (so a document it does not
/// list has not changed there since).
///
/// - no feed: every local document is offered (a relay that cannot tell what changed);
/// - listed with our heads: in step, not offered; listed otherwise (or new to us): offered;
/// - not listed: offered unless the feed continues and nothing changed here since the
///   document was last in step.
pub(crate) fn plan(
    local: &HashMap<String, String>,
    recorded: &HashMap<String, String>,
    feed: Option<&ChangeFeed>,
    continues: bool,
) -> Plan {
    let mut out = Plan::default();
    let Some(feed) = feed else {
        out.offer = local.keys().cloned().collect();
        out.offer.sort();
        return out;
    };
    let listed: HashMap<&str, &str> = feed
        .changed
        .iter()
        .map(|(id, heads)| (id.as_str(), heads.as_str()))
        .collect();
    for (id, heads) in local {
        match listed.get(id.as_str()) {
            Some(theirs) if !heads.is_empty() && *theirs == heads => {
                out.in_step.push((id.clone(), heads.clone()));
            }
            Some(_) => out.offer.push(id.clone()),
            None if continues && recorded.get(id) == Some(heads) => out.quiet += 1,
            None => out.offer.push(id.clone()),
        }
    }
    out.offer.extend(
        feed.changed
            .iter()
            .filter(|(id, _)| !local.contains_key(id))
            .map(|(id, _)| id.clone()),
    );
    out.offer.sort();
    out.offer.dedup();
    out.in_step.sort();
    out
}

/// The documents to offer, in windows of at most `size`: communities in windows of their own
/// first, so the relay has learned every roster before the items it guards arrive (documents
/// in one window are handled side by side, and an item judged before its roster is refused).
pub(crate) fn windows(
    queue: &[String],
    communities: &HashSet<String>,
    size: usize,
) -> Vec<Vec<String>> {
    let (first, rest): (Vec<String>, Vec<String>) = queue
        .iter()
        .cloned()
        .partition(|id| communities.contains(id));
    first
        .chunks(size.max(1))
        .chain(rest.chunks(size.max(1)))
        .map(<[String]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn feed(pairs: &[(&str, &str)]) -> ChangeFeed {
        ChangeFeed {
            epoch: "e1".into(),
            position: 9,
            from: 3,
            changed: pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            communities: Vec::new(),
        }
    }

    #[test]
    fn only_what_is_out_of_step_is_offered() {
        let local = map(&[
            ("same", "h1"),
            ("mine", "h2"),
            ("theirs", "h3"),
            ("quiet", "h4"),
        ]);
        // `mine` changed here since it was last in step; `quiet` did not.
        let recorded = map(&[
            ("same", "h1"),
            ("mine", "h0"),
            ("theirs", "h3"),
            ("quiet", "h4"),
        ]);
        let f = feed(&[("same", "h1"), ("theirs", "h9"), ("new", "h5")]);
        let p = plan(&local, &recorded, Some(&f), true);
        assert_eq!(p.offer, vec!["mine", "new", "theirs"]);
        assert_eq!(p.in_step, vec![("same".to_string(), "h1".to_string())]);
        assert_eq!(p.quiet, 1);
    }

    #[test]
    fn without_a_continuing_feed_whatever_it_does_not_list_is_offered() {
        let local = map(&[("listed", "h1"), ("unlisted", "h2")]);
        let recorded = map(&[("listed", "h1"), ("unlisted", "h2")]);
        let f = feed(&[("listed", "h1")]);
        // Another store (or the first ask): the relay may lack `unlisted`.
        let p = plan(&local, &recorded, Some(&f), false);
        assert_eq!(p.offer, vec!["unlisted"]);
        // No feed at all: everything.
        let p = plan(&local, &recorded, None, true);
        assert_eq!(p.offer, vec!["listed", "unlisted"]);
        assert!(p.in_step.is_empty());
    }

    #[test]
    fn unknown_heads_are_never_taken_as_in_step() {
        let local = map(&[("a", "")]);
        let f = feed(&[("a", "")]);
        let p = plan(&local, &HashMap::new(), Some(&f), true);
        assert_eq!(p.offer, vec!["a"]);
    }

    #[test]
    fn communities_go_in_windows_of_their_own_first() {
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let communities: HashSet<String> = ids(&["c1", "c2"]).into_iter().collect();
        let w = windows(&ids(&["i1", "c1", "i2", "i3", "c2"]), &communities, 2);
        assert_eq!(
            w,
            vec![ids(&["c1", "c2"]), ids(&["i1", "i2"]), ids(&["i3"])]
        );
        assert!(windows(&[], &communities, 2).is_empty());
    }
}
