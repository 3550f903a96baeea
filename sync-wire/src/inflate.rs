//! How large the changes in a sync message become once inflated, found out before Automerge
//! decompresses anything, with every DEFLATE stream read only up to the limit.
//!
//! Automerge chunks (`magic, checksum, type, length, data`) may hold DEFLATE-compressed data:
//! a compressed change chunk is one stream; document and bundle chunks have compressed
//! columns. A change chunk of a few hundred kilobytes can inflate to gigabytes, and
//! `Automerge::load` would allocate all of it. [`inflated_size`] walks the chunk headers and
//! column metadata and inflates each compressed part into a counting sink, stopping at the
//! limit, so a bomb costs the relay a bounded amount of work and no memory.

use std::io::Read;

pub(crate) const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
pub(crate) const DEFLATE_BIT: u64 = 0b1000;
pub(crate) const HASH: usize = 32;

/// Why a message's changes are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    #[error("the changes inflate to more than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the changes are not Automerge chunks: {0}")]
    Malformed(&'static str),
    #[error("the changes claim more than {limit} operations")]
    TooManyOperations { limit: u64 },
}

pub(crate) struct Input<'a> {
    pub(crate) bytes: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Refused> {
        if n > self.bytes.len() {
            return Err(Refused::Malformed("truncated"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(crate) fn uleb(&mut self) -> Result<u64, Refused> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let [b] = self.take(1)? else {
                return Err(Refused::Malformed("truncated"));
            };
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Refused::Malformed("overlong number"))
    }

    pub(crate) fn len(&mut self) -> Result<usize, Refused> {
        usize::try_from(self.uleb()?).map_err(|_| Refused::Malformed("length"))
    }

    /// A signed LEB128 number.
    pub(crate) fn sleb(&mut self) -> Result<i64, Refused> {
        let mut value = 0i64;
        for shift in (0..64).step_by(7) {
            let [b] = self.take(1)? else {
                return Err(Refused::Malformed("truncated"));
            };
            value |= i64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                if shift + 7 < 64 && b & 0x40 != 0 {
                    value |= -1i64 << (shift + 7);
                }
                return Ok(value);
            }
        }
        Err(Refused::Malformed("overlong number"))
    }

    /// `count` items of `size` bytes each, or length-prefixed items when `size` is `None`.
    pub(crate) fn skip_list(&mut self, size: Option<usize>) -> Result<(), Refused> {
        let count = self.uleb()?;
        for _ in 0..count {
            let n = match size {
                Some(n) => n,
                None => self.len()?,
            };
            self.take(n)?;
        }
        Ok(())
    }

    /// Column metadata: `(is deflated, length)` for each column.
    pub(crate) fn columns(&mut self) -> Result<Vec<(bool, usize)>, Refused> {
        let count = self.uleb()?;
        let mut out = Vec::new();
        for _ in 0..count {
            let spec = self.uleb()?;
            out.push((spec & DEFLATE_BIT != 0, self.len()?));
        }
        Ok(out)
    }
}

/// A budget shared by everything in one message.
struct Budget {
    used: usize,
    limit: usize,
}

impl Budget {
    fn add(&mut self, n: usize) -> Result<(), Refused> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            Err(Refused::TooLarge { limit: self.limit })
        } else {
            Ok(())
        }
    }

    /// Inflates raw DEFLATE data into nowhere, counting, never past the budget.
    fn inflate(&mut self, data: &[u8]) -> Result<(), Refused> {
        let room = (self.limit - self.used) as u64 + 1;
        let mut reader = flate2::bufread::DeflateDecoder::new(data).take(room);
        let n = std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|_| Refused::Malformed("bad compressed data"))?;
        self.add(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn column_data(
        &mut self,
        input: &mut Input<'_>,
        cols: &[(bool, usize)],
    ) -> Result<(), Refused> {
        for (deflated, len) in cols {
            let data = input.take(*len)?;
            if *deflated {
                self.inflate(data)?;
            } else {
                self.add(*len)?;
            }
        }
        Ok(())
    }
}

/// The Automerge chunks of `changes` (each entry one or more of them, concatenated, as in a
/// sync message): each chunk's type (0 document, 1 change, 2 compressed change, 3 bundle)
/// and its bytes, header included. Automerge reads the entries joined as one stream, so a
/// check of what a message brings looks at every chunk, not at every entry.
///
/// # Errors
/// [`Refused::Malformed`] for bytes that are not chunks.
pub fn chunks<'a>(
    changes: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<(u8, &'a [u8])>, Refused> {
    let mut out = Vec::new();
    for bytes in changes {
        let mut input = Input { bytes };
        while !input.bytes.is_empty() {
            let start = input.bytes;
            if input.take(4)? != MAGIC {
                return Err(Refused::Malformed("no chunk header"));
            }
            input.take(4)?;
            let kind = input.take(1)?[0];
            let len = input.len()?;
            input.take(len)?;
            let used = start.len() - input.bytes.len();
            out.push((kind, &start[..used]));
        }
    }
    Ok(out)
}

/// The inflated size of `changes` (each entry one or more concatenated Automerge chunks, as
/// in a sync message), or a refusal once it passes `limit` or a chunk cannot be read.
///
/// # Errors
/// [`Refused::TooLarge`] past the limit, [`Refused::Malformed`] for bytes that are not chunks.
pub fn inflated_size<'a>(
    changes: impl IntoIterator<Item = &'a [u8]>,
    limit: usize,
) -> Result<usize, Refused> {
    let mut budget = Budget { used: 0, limit };
    for bytes in changes {
        let mut input = Input { bytes };
        while !input.bytes.is_empty() {
            if input.take(4)? != MAGIC {
                return Err(Refused::Malformed("no chunk header"));
            }
            input.take(4)?;
            let kind = input.take(1)?[0];
            let len = input.len()?;
            let data = input.take(len)?;
            let mut body = Input { bytes: data };
            match kind {
                // A document: actors, heads, change and op column metadata, their data.
                0 => {
                    body.skip_list(None)?;
                    body.skip_list(Some(HASH))?;
                    let changes = body.columns()?;
                    let ops = body.columns()?;
                    budget.column_data(&mut body, &changes)?;
                    budget.column_data(&mut body, &ops)?;
                    budget.add(body.bytes.len())?;
                }
                // A change: stored as it is.
                1 => budget.add(len)?,
                // A compressed change: one DEFLATE stream.
                2 => budget.inflate(data)?,
                // A bundle: deps, actors, change columns and data, op columns and data.
                3 => {
                    body.skip_list(Some(HASH))?;
                    body.skip_list(None)?;
                    let changes = body.columns()?;
                    budget.column_data(&mut body, &changes)?;
                    let ops = body.columns()?;
                    budget.column_data(&mut body, &ops)?;
                    budget.add(body.bytes.len())?;
                }
                _ => return Err(Refused::Malformed("unknown chunk type")),
            }
        }
    }
    Ok(budget.used)
}

#[cfg(test)]
mod tests;
