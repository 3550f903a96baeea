//! Where the next ask of a relay's change feed starts, kept per relay as a local setting.

use allmende_store::error::Result;

use crate::Service;

/// Where the next ask of one relay's feed starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub epoch: String,
    pub position: u64,
}

fn setting(relay: &str) -> String {
    format!("feed:{relay}")
}

impl Service {
    /// Where the next ask of `relay`'s feed starts, if it was asked before.
    pub fn feed_mark(&self, relay: &str) -> Result<Option<Mark>> {
        let value = self.store().setting(&setting(relay))?;
        Ok(value.and_then(|v| {
            let (epoch, position) = v.split_once(' ')?;
            Some(Mark {
                epoch: epoch.to_string(),
                position: position.parse().ok()?,
            })
        }))
    }

    /// Remembers where the next ask of `relay`'s feed starts.
    pub fn set_feed_mark(&mut self, relay: &str, mark: &Mark) -> Result<()> {
        self.store_mut().set_setting(
            &setting(relay),
            &format!("{} {}", mark.epoch, mark.position),
        )
    }
}
