//! The relay's change feed: which documents changed since a device last asked, with the heads
//! the relay holds for each, so a sync offers only documents that are out of step.
//!
//! A device asks `GET /changes?since=<position>&epoch=<epoch>` with the same signed
//! credentials as the WebSocket (`device`, `session`, `ts`, `sig`). The answer is plain text:
//!
//! ```text
//! allmende-changes 1
//! epoch <hex>
//! position <n>
//! from <n>
//! @community <id> member|refused|unknown
//! <document id> <head>,<head>,...
//! ...
//! ```
//!
//! `epoch` names the relay's store: a device that kept another epoch (a new or restored relay)
//! asks from the start. `position` is where the next ask starts; `from` is where this answer
//! starts (0 when the relay lists everything: another epoch, or a position the relay has not
//! reached, as after a restore from a backup). Each further line is a
//! document the device may read that changed after `since`, with the relay's heads (empty when
//! the relay does not know them, for documents stored before the feed existed). Documents the
//! device may not read are left out; a device learns nothing it could not fetch.
//!
//! A device may name its communities (`communities=<id>,<id>`): for each, an `@community`
//! line says whether the relay's roster lets the device in, keeps it out (a removed device:
//! its sync says so instead of pretending to be in step), or does not know the community.

use std::fmt::Write as _;

/// The first line of a feed answer: format and version.
pub const FEED_MAGIC: &str = "allmende-changes 1";

/// A feed answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeFeed {
    /// The relay store's identity.
    pub epoch: String,
    /// Where the next ask starts.
    pub position: u64,
    /// Where this answer starts: the asked position, or 0 when it lists everything.
    pub from: u64,
    /// Documents changed since the ask's position, with the relay's heads (comma-separated,
    /// sorted; empty when unknown).
    pub changed: Vec<(String, String)>,
    /// For each community the device named: what the relay's roster says of the device.
    pub communities: Vec<(String, Standing)>,
}

/// What a relay's roster says of a device, for one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The device is on the roster.
    Member,
    /// The relay knows the community and the device is not on its roster.
    Refused,
    /// The relay does not know the community (it has not been uploaded there).
    Unknown,
}

impl Standing {
    fn as_str(self) -> &'static str {
        match self {
            Standing::Member => "member",
            Standing::Refused => "refused",
            Standing::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<Standing> {
        match s {
            "member" => Some(Standing::Member),
            "refused" => Some(Standing::Refused),
            "unknown" => Some(Standing::Unknown),
            _ => None,
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Most documents one answer may list (a hostile relay must not make a device hold
/// millions of entries).
pub const MAX_FEED_ENTRIES: usize = 1_000_000;

/// Why a feed answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    #[error("not a change feed (or an unknown version of it)")]
    UnknownFormat,
    #[error("change feed line {0} is malformed")]
    Malformed(usize),
    #[error("the change feed lists more than {MAX_FEED_ENTRIES} documents")]
    TooLong,
}

/// Heads as the feed and the stores write them: hex, sorted, comma-separated.
#[must_use]
pub fn heads_text(heads: &[automerge::ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(ToString::to_string).collect();
    hex.sort();
    hex.join(",")
}

impl ChangeFeed {
    /// The answer as text.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = format!(
            "{FEED_MAGIC}\nepoch {}\nposition {}\nfrom {}\n",
            self.epoch, self.position, self.from
        );
        for (id, standing) in &self.communities {
            let _ = writeln!(out, "@community {id} {}", standing.as_str());
        }
        for (id, heads) in &self.changed {
            let _ = writeln!(out, "{id} {heads}");
        }
        out
    }

    /// Reads an answer.
    ///
    /// # Errors
    /// [`FeedError`] for another format or a malformed line.
    pub fn parse(text: &str) -> Result<ChangeFeed, FeedError> {
        let mut lines = text.lines();
        if lines.next() != Some(FEED_MAGIC) {
            return Err(FeedError::UnknownFormat);
        }
        let epoch = lines
            .next()
            .and_then(|l| l.strip_prefix("epoch "))
            .filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or(FeedError::Malformed(2))?
            .to_string();
        let position = lines
            .next()
            .and_then(|l| l.strip_prefix("position "))
            .and_then(|p| p.parse().ok())
            .ok_or(FeedError::Malformed(3))?;
        let from = lines
            .next()
            .and_then(|l| l.strip_prefix("from "))
            .and_then(|p| p.parse().ok())
            .ok_or(FeedError::Malformed(4))?;
        let mut changed = Vec::new();
        let mut communities = Vec::new();
        for (n, line) in lines.enumerate() {
            if let Some(rest) = line.strip_prefix("@community ") {
                let standing = rest
                    .split_once(' ')
                    .filter(|(id, _)| valid_id(id))
                    .and_then(|(id, s)| Some((id.to_string(), Standing::parse(s)?)))
                    .ok_or(FeedError::Malformed(n + 5))?;
                communities.push(standing);
                continue;
            }
            let (id, heads) = line.split_once(' ').ok_or(FeedError::Malformed(n + 5))?;
            if changed.len() + communities.len() >= MAX_FEED_ENTRIES {
                return Err(FeedError::TooLong);
            }
            let valid_id = valid_id(id);
            let valid_heads = heads.chars().all(|c| c.is_ascii_hexdigit() || c == ',');
            if !valid_id || !valid_heads {
                return Err(FeedError::Malformed(n + 5));
            }
            changed.push((id.to_string(), heads.to_string()));
        }
        Ok(ChangeFeed {
            epoch,
            position,
            from,
            changed,
            communities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_reads_back_as_written_and_bad_text_is_refused() {
        let feed = ChangeFeed {
            epoch: "ab01".into(),
            position: 42,
            from: 7,
            changed: vec![
                ("3xYz".into(), "aa,bb".into()),
                ("4Qq".into(), String::new()),
            ],
            communities: vec![
                ("C1".into(), Standing::Member),
                ("C2".into(), Standing::Refused),
            ],
        };
        assert_eq!(ChangeFeed::parse(&feed.render()), Ok(feed));
        assert_eq!(
            ChangeFeed::parse("not found\n"),
            Err(FeedError::UnknownFormat)
        );
        assert_eq!(
            ChangeFeed::parse("allmende-changes 1\nepoch zz\nposition 1\n"),
            Err(FeedError::Malformed(2))
        );
        assert_eq!(
            ChangeFeed::parse("allmende-changes 1\nepoch ab\nposition x\n"),
            Err(FeedError::Malformed(3))
        );
        assert_eq!(
            ChangeFeed::parse("allmende-changes 1\nepoch ab\nposition 1\n"),
            Err(FeedError::Malformed(4))
        );
        assert_eq!(
            ChangeFeed::parse("allmende-changes 1\nepoch ab\nposition 1\nfrom 0\nid/x aa\n"),
            Err(FeedError::Malformed(5))
        );
        assert_eq!(
            ChangeFeed::parse(
                "allmende-changes 1\nepoch ab\nposition 1\nfrom 0\n@community C1 boss\n"
            ),
            Err(FeedError::Malformed(5))
        );
    }
}
