//! What a document has on disk, and how new changes get there: appended as a chunk, or, once
//! there are enough chunks, compacted with everything before into one snapshot.

use automerge::{Automerge, ChangeHash};

use super::{Charges, Store, Stored};

/// The chunks of one document on disk, as its actor knows them.
#[derive(Debug, Default)]
pub struct OnDisk {
    /// Keys of the stored chunks (what a compaction replaces).
    pub keys: Vec<String>,
    /// Their bytes together.
    pub bytes: usize,
    /// Chunks stored before the next write compacts them into one snapshot.
    pub compact_after: usize,
}

impl OnDisk {
    /// What was read from the store.
    #[must_use]
    pub fn loaded(stored: &Stored, compact_after: usize) -> OnDisk {
        OnDisk {
            keys: stored.keys.clone(),
            bytes: stored.bytes.len(),
            compact_after,
        }
    }

    /// Stores the changes of `doc` since `before`: one more chunk, or, when that would make
    /// `compact_after` chunks, a snapshot replacing every chunk known here, counting
    /// `charges` for the devices that brought the changes. True once durable.
    pub async fn save(
        &mut self,
        store: &Store,
        id: &str,
        doc: &Automerge,
        before: &[ChangeHash],
        charges: Charges,
    ) -> bool {
        let heads = allmende_core::wire::heads_text(&doc.get_heads());
        if self.keys.len() + 1 >= self.compact_after {
            // Changes still waiting for a dependency are not part of the document yet.
            let snapshot = doc.save_with_options(automerge::SaveOptions {
                deflate: true,
                retain_orphans: false,
            });
            let size = snapshot.len();
            let replaced = std::mem::take(&mut self.keys);
            match store
                .compact(id, snapshot, replaced.clone(), &heads, charges)
                .await
            {
                Some(key) => {
                    self.keys = vec![key];
                    self.bytes = size;
                    true
                }
                None => {
                    self.keys = replaced;
                    false
                }
            }
        } else {
            let chunk = doc.save_after(before);
            if chunk.is_empty() {
                return true;
            }
            let size = chunk.len();
            match store.append(id, chunk, &heads, charges).await {
                Some(key) => {
                    if !self.keys.contains(&key) {
                        self.keys.push(key);
                        self.bytes += size;
                    }
                    true
                }
                None => false,
            }
        }
    }
}
