//! How many values the columns of a message's Automerge chunks hold, found before Automerge
//! reads them.
//!
//! Automerge stores operations (and a document's changes) in columns, most of them
//! run-length encoded: a few bytes can say "this value, 2^62 times". Automerge walks every
//! value when it reads a chunk, and allocates one entry per operation of a change: a message
//! of a few hundred bytes could keep a thread busy for good, or take gigabytes.
//! [`operations`] sums the runs of every column of every chunk (inflating compressed parts
//! within the inflated-size limit, see [`crate::inflate`]) and refuses the message once a
//! chunk's longest column, summed over the message, passes the limit. Run it after
//! [`crate::inflate::inflated_size`], which bounds what it inflates.
//!
//! Column types (the low three bits of a column's spec): 0 group counts, 1 actor indices,
//! 2 unsigned numbers, 3 deltas, 5 strings and 6 value metadata are run-length encoded (a
//! signed count: a run of one value, so many literal values, or so many nulls); 4 booleans
//! are alternating run lengths; 7 raw values hold no runs.

use std::io::Read;

use crate::inflate::{Input, Refused, DEFLATE_BIT, HASH, MAGIC};

/// How many operations a message may bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// In one change (Automerge allocates an entry per operation of a change it reads).
    pub per_change: u64,
    /// In the whole message, whole documents included (Automerge walks each once).
    pub per_message: u64,
}

/// The limits of peers and the relay: a change or a message may bring as many operations as
/// a document may hold, far past Allmende's largest (a project's notes rewritten twenty
/// times at their limit of 200,000 characters), and a bound on what reading one costs
/// (Automerge allocates an entry per operation of a change). The relay holds each document
/// to the same number (`max_document_operations`), so that what it took in reaches every
/// device, as a change or as a whole document.
pub const LIMITS: Limits = Limits {
    per_change: 4 << 20,
    per_message: 4 << 20,
};

/// The most bloom filters (`have` entries) a sync message may carry: Automerge sends one,
/// and checks every change of the document against each it gets.
pub const MAX_HAVES: usize = 8;

/// The number of operations `changes` (each entry one or more concatenated chunks, as in a
/// sync message) hold at most: per chunk its longest column, summed. A document chunk
/// counts its change columns too.
///
/// # Errors
/// [`Refused::TooManyOperations`] for a change past `limits.per_change` or a sum past
/// `limits.per_message`, [`Refused::Malformed`] for
/// bytes that are not chunks or columns, [`Refused::TooLarge`] for a compressed part that
/// inflates past `inflate_limit`.
pub fn operations<'a>(
    changes: impl IntoIterator<Item = &'a [u8]>,
    limits: Limits,
    inflate_limit: usize,
) -> Result<u64, Refused> {
    let limit = limits.per_message;
    let mut total = 0u64;
    let too_many = Refused::TooManyOperations { limit };
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
            let most = match kind {
                0 => document(data, limit, inflate_limit)?,
                1 => change(data, limits.per_change)?,
                2 => change(&inflated(data, inflate_limit)?, limits.per_change)?,
                3 => bundle(data, limit, inflate_limit)?,
                _ => return Err(Refused::Malformed("unknown chunk type")),
            };
            total = total.saturating_add(most);
            if total > limit {
                return Err(too_many);
            }
        }
    }
    Ok(total)
}

/// A change's body: dependencies, actor, numbers, message, other actors, then its operation
/// columns (never compressed inside a change).
fn change(data: &[u8], limit: u64) -> Result<u64, Refused> {
    let mut body = Input { bytes: data };
    body.skip_list(Some(HASH))?;
    let actor = body.len()?;
    body.take(actor)?;
    body.uleb()?;
    body.uleb()?;
    body.sleb()?;
    let message = body.len()?;
    body.take(message)?;
    body.skip_list(None)?;
    let cols = specs(&mut body)?;
    columns(&mut body, &cols, limit, 0)
}

/// A document: actors, heads, change column metadata, operation column metadata, then the
/// data of each.
fn document(data: &[u8], limit: u64, inflate_limit: usize) -> Result<u64, Refused> {
    let mut body = Input { bytes: data };
    body.skip_list(None)?;
    body.skip_list(Some(HASH))?;
    let changes = specs(&mut body)?;
    let ops = specs(&mut body)?;
    let changes = columns(&mut body, &changes, limit, inflate_limit)?;
    let ops = columns(&mut body, &ops, limit, inflate_limit)?;
    Ok(changes.max(ops))
}

/// A bundle: dependencies, actors, change column metadata and data, then operation column
/// metadata and data.
fn bundle(data: &[u8], limit: u64, inflate_limit: usize) -> Result<u64, Refused> {
    let mut body = Input { bytes: data };
    body.skip_list(Some(HASH))?;
    body.skip_list(None)?;
    let changes = specs(&mut body)?;
    let changes = columns(&mut body, &changes, limit, inflate_limit)?;
    let ops = specs(&mut body)?;
    let ops = columns(&mut body, &ops, limit, inflate_limit)?;
    Ok(changes.max(ops))
}

/// Column metadata: each column's spec and length.
fn specs(input: &mut Input<'_>) -> Result<Vec<(u64, usize)>, Refused> {
    let count = input.uleb()?;
    let mut out = Vec::new();
    for _ in 0..count {
        let spec = input.uleb()?;
        out.push((spec, input.len()?));
    }
    Ok(out)
}

/// The most values any of `cols` holds; compressed columns are inflated (within
/// `inflate_limit`; a change's columns are never compressed, `0` refuses them).
fn columns(
    input: &mut Input<'_>,
    cols: &[(u64, usize)],
    limit: u64,
    inflate_limit: usize,
) -> Result<u64, Refused> {
    let mut most = 0u64;
    for (spec, len) in cols {
        let data = input.take(*len)?;
        let count = if spec & DEFLATE_BIT != 0 {
            if inflate_limit == 0 {
                return Err(Refused::Malformed("a compressed column in a change"));
            }
            values(spec & 0b111, &inflated(data, inflate_limit)?, limit)?
        } else {
            values(spec & 0b111, data, limit)?
        };
        most = most.max(count);
    }
    Ok(most)
}

/// How many values one column of type `kind` holds; refused once past `limit`.
fn values(kind: u64, data: &[u8], limit: u64) -> Result<u64, Refused> {
    let too_many = || Refused::TooManyOperations { limit };
    let mut input = Input { bytes: data };
    let mut total = 0u64;
    let mut add = |n: u64| -> Result<(), Refused> {
        total = total.saturating_add(n);
        if total > limit {
            Err(too_many())
        } else {
            Ok(())
        }
    };
    match kind {
        // Raw values: their count is the value metadata's.
        7 => {}
        // Booleans: run lengths, alternating false and true.
        4 => {
            while !input.bytes.is_empty() {
                add(input.uleb()?)?;
            }
        }
        _ => {
            while !input.bytes.is_empty() {
                let count = input.sleb()?;
                if count > 0 {
                    skip_value(kind, &mut input)?;
                    add(count.unsigned_abs())?;
                } else if count < 0 {
                    // Each literal takes at least a byte: a count past the data ends at
                    // its end.
                    for _ in 0..count.unsigned_abs() {
                        skip_value(kind, &mut input)?;
                        add(1)?;
                    }
                } else {
                    add(input.uleb()?)?;
                }
            }
        }
    }
    Ok(total)
}

/// Skips one value of a run-length encoded column of type `kind`.
fn skip_value(kind: u64, input: &mut Input<'_>) -> Result<(), Refused> {
    match kind {
        3 => {
            input.sleb()?;
        }
        5 => {
            let n = input.len()?;
            input.take(n)?;
        }
        _ => {
            input.uleb()?;
        }
    }
    Ok(())
}

/// `data` (raw DEFLATE) inflated, refused past `limit` bytes.
fn inflated(data: &[u8], limit: usize) -> Result<Vec<u8>, Refused> {
    let room = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    flate2::bufread::DeflateDecoder::new(data)
        .take(room)
        .read_to_end(&mut out)
        .map_err(|_| Refused::Malformed("bad compressed data"))?;
    if out.len() > limit {
        return Err(Refused::TooLarge { limit });
    }
    Ok(out)
}

/// Whether what a sync message asks for can be answered safely: its `need` (the hashes'
/// bytes) names no change twice (Automerge 0.12 panics building such an answer), and it
/// carries at most [`MAX_HAVES`] bloom filters. How many changes it asks for is not
/// bounded here (a member can make a document with thousands of heads, and an honest
/// device then asks for all of them); the message's size bounds it.
///
/// # Errors
/// [`Refused::Malformed`] with the reason.
pub fn asks<'a>(need: impl IntoIterator<Item = &'a [u8; 32]>, haves: usize) -> Result<(), Refused> {
    if haves > MAX_HAVES {
        return Err(Refused::Malformed(
            "more bloom filters than a sync message sends",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for hash in need {
        if !seen.insert(hash) {
            return Err(Refused::Malformed("a change asked for twice"));
        }
    }
    Ok(())
}

/// Whether a sync message's bloom filter (one `have`'s, as Automerge encodes it: entries,
/// bits per entry, probes, then the bits) is one Automerge can use. Automerge reads its
/// numbers as they are sent: with no bits it divides by zero for every change it holds, and
/// with four billion probes it allocates 16 GiB for each (an abort no guard catches).
/// Automerge writes 10 bits per entry and 7 probes.
///
/// # Errors
/// [`Refused::Malformed`] for numbers outside what a filter needs, or truncated bytes.
pub fn bloom(bytes: &[u8]) -> Result<(), Refused> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut input = Input { bytes };
    let entries = input.uleb()?;
    let bits = input.uleb()?;
    let probes = input.uleb()?;
    if entries > 0 && !(1..=64).contains(&bits) {
        return Err(Refused::Malformed(
            "a bloom filter with no bits, or too many",
        ));
    }
    if probes > 64 {
        return Err(Refused::Malformed("a bloom filter with too many probes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
