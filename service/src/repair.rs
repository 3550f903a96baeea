//! Values of the wrong kind, put back in shape.
//!
//! A member's modified client can write a field of the wrong type into an item (a number for
//! a title, a text where a map of comments belongs). The app cannot read such an item, and
//! every honest change made on top of it carries the bad write along, so an item refused
//! for it would stay refused on every device for good: one member could freeze any item.
//!
//! Instead, when an item this device holds stops reading after a merge, each value whose
//! kind differs from the last good copy is put back: the good copy's value where it has one;
//! a new map entry that does not match the shape of its siblings goes. A top-level field
//! deleted is put back too. The repair is an ordinary change of this device, so it reaches
//! everyone; honest devices repairing at the same time write the same values. Values of the
//! right kind are never touched, so honest content that arrived with the merge stays.

use automerge::{
    transaction::Transactable, AutoCommit, AutomergeError, ObjId, ObjType, Prop, ReadDoc,
    ScalarValue, Value, ROOT,
};

/// The kind of a value, as far as reading it into the model cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object(ObjType),
    Str,
    Int,
    Uint,
    F64,
    Bool,
    Timestamp,
    Bytes,
    Null,
    Other,
}

fn kind(v: &Value<'_>) -> Kind {
    match v {
        Value::Object(t) => Kind::Object(*t),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(_) => Kind::Str,
            ScalarValue::Int(_) => Kind::Int,
            ScalarValue::Uint(_) => Kind::Uint,
            ScalarValue::F64(_) => Kind::F64,
            ScalarValue::Boolean(_) => Kind::Bool,
            ScalarValue::Timestamp(_) => Kind::Timestamp,
            ScalarValue::Bytes(_) => Kind::Bytes,
            ScalarValue::Null => Kind::Null,
            _ => Kind::Other,
        },
    }
}

/// Whether a value of kind `got` can stand where the good copy has `want`. An absent
/// optional value is written as null, so null and a value stand for each other.
fn fits(got: Kind, want: Kind) -> bool {
    got == want || got == Kind::Null || want == Kind::Null
}

/// A repair of one key of a map in the document being repaired.
struct Fix {
    map: ObjId,
    key: String,
    /// The same map in the good copy, to restore from; `None` removes the key.
    from: Option<ObjId>,
    path: String,
}

/// Puts `doc` back in the shape of `good` (the last copy that read well): every value of
/// the wrong kind is restored from `good`, or removed when it is a new map entry, and a
/// top-level field that is gone is put back. Returns the paths it changed (empty when
/// everything was in shape).
///
/// # Errors
/// Automerge errors while writing the repair.
pub fn restore_shape(
    good: &AutoCommit,
    doc: &mut AutoCommit,
) -> Result<Vec<String>, AutomergeError> {
    let mut fixes = Vec::new();
    collect(good, Some(&ROOT), doc, &ROOT, "", &mut fixes);
    for key in good.keys(ROOT) {
        if doc.get(ROOT, key.as_str())?.is_none() {
            fixes.push(Fix {
                map: ROOT,
                path: format!("/{key}"),
                key,
                from: Some(ROOT),
            });
        }
    }
    let mut paths = Vec::with_capacity(fixes.len());
    for fix in fixes {
        match &fix.from {
            Some(from) => copy(good, from, &fix.key, doc, &fix.map)?,
            None => doc.delete(&fix.map, fix.key.as_str())?,
        }
        paths.push(fix.path);
    }
    Ok(paths)
}

/// Finds the keys of map `d_map` of `doc` to repair; `g_map` is the same map in `good`,
/// if it has it.
fn collect(
    good: &AutoCommit,
    g_map: Option<&ObjId>,
    doc: &AutoCommit,
    d_map: &ObjId,
    path: &str,
    out: &mut Vec<Fix>,
) {
    // A new entry is held to the shape of an entry the good copy has beside it.
    let sibling = g_map.and_then(|g| {
        let first = good.keys(g).next()?;
        good.get(g, first.as_str()).ok().flatten()
    });
    for key in doc.keys(d_map) {
        let Ok(Some((value, id))) = doc.get(d_map, key.as_str()) else {
            continue;
        };
        let here = format!("{path}/{key}");
        let old = g_map.and_then(|g| good.get(g, key.as_str()).ok().flatten());
        let fix = |from: Option<&ObjId>| Fix {
            map: d_map.clone(),
            key: key.clone(),
            from: from.cloned(),
            path: here.clone(),
        };
        match (&old, &sibling) {
            (Some((was, was_id)), _) => {
                if !fits(kind(&value), kind(was)) {
                    out.push(fix(g_map));
                } else if kind(&value) == Kind::Object(ObjType::Map)
                    && kind(was) == Kind::Object(ObjType::Map)
                {
                    collect(good, Some(was_id), doc, &id, &here, out);
                } else if matches!(value, Value::Object(_))
                    && kind(&value) == kind(was)
                    && !same_shape(good, was_id, doc, &id)
                {
                    out.push(fix(g_map));
                }
            }
            (None, Some((like, like_id))) => {
                let shaped = !matches!(value, Value::Object(_))
                    || kind(&value) != kind(like)
                    || same_shape(good, like_id, doc, &id);
                if !fits(kind(&value), kind(like)) || !shaped {
                    out.push(fix(None));
                }
            }
            (None, None) => {}
        }
    }
}

/// Whether object `d` of `doc` has the shape of object `g` of `good` (both of the same
/// kind already): a map's keys that both have hold values of fitting kinds, all the way
/// down; a list's items fit the kind of the good list's items. Anything else (text,
/// scalars) fits. Keys only one side has are not judged here (a planted entry with an extra
/// key must not make honest entries without it look wrong).
fn same_shape(good: &AutoCommit, g: &ObjId, doc: &AutoCommit, d: &ObjId) -> bool {
    match (good.object_type(g), doc.object_type(d)) {
        (Ok(ObjType::Map | ObjType::Table), Ok(ObjType::Map | ObjType::Table)) => doc.keys(d).all(
            |k| match (good.get(g, k.as_str()), doc.get(d, k.as_str())) {
                (Ok(Some((gv, gid))), Ok(Some((dv, did)))) => {
                    fits(kind(&dv), kind(&gv))
                        && (!matches!(gv, Value::Object(_))
                            || kind(&dv) != kind(&gv)
                            || same_shape(good, &gid, doc, &did))
                }
                _ => true,
            },
        ),
        (Ok(ObjType::List), Ok(ObjType::List)) => {
            let Ok(Some((item, item_id))) = good.get(g, 0usize) else {
                return true;
            };
            let want = kind(&item);
            (0..doc.length(d)).all(|i| {
                doc.get(d, i).ok().flatten().is_some_and(|(v, id)| {
                    fits(kind(&v), want)
                        && (!matches!(v, Value::Object(_))
                            || kind(&v) != want
                            || same_shape(good, &item_id, doc, &id))
                })
            })
        }
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The last resort when `doc` still does not read after [`restore_shape`] (a value of the
/// right kind that does not read, a deleted nested field, a null where a value belongs, an
/// entry in a collection the good copy held empty): top-level fields are put back whole
/// from `good`, one that alone makes it read if there is one, else every field that
/// differs, until it reads. Honest changes to the fields put back are lost with it. Returns
/// the fields put back, or `None` when nothing made it read.
///
/// # Errors
/// Automerge errors while writing the repair.
pub fn restore_fields(
    good: &AutoCommit,
    doc: &mut AutoCommit,
    reads: &dyn Fn(&AutoCommit) -> bool,
) -> Result<Option<Vec<String>>, AutomergeError> {
    let mut keys: Vec<String> = doc.keys(ROOT).collect();
    for key in good.keys(ROOT) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    // One entry of a collection first (a new one removed, or one put back), so the
    // collection's other entries, honest ones that came with the merge included, stay.
    for key in &keys {
        if let Some(path) = restore_one_entry(good, doc, key, reads)? {
            return Ok(Some(vec![path]));
        }
    }
    for key in &keys {
        let mut trial = doc.clone();
        copy(good, &ROOT, key, &mut trial, &ROOT)?;
        if reads(&trial) {
            copy(good, &ROOT, key, doc, &ROOT)?;
            return Ok(Some(vec![format!("/{key}")]));
        }
    }
    let mut put_back = Vec::new();
    for key in &keys {
        copy(good, &ROOT, key, doc, &ROOT)?;
        put_back.push(format!("/{key}"));
        if reads(doc) {
            return Ok(Some(put_back));
        }
    }
    Ok(None)
}

/// Most entries of one collection tried one by one (each try copies the document).
const MAX_ENTRY_TRIES: usize = 64;

/// Where top-level field `key` is a map in both copies: the one entry whose removal (a new
/// entry) or restoring (one the good copy has) makes `doc` read, applied; its path.
fn restore_one_entry(
    good: &AutoCommit,
    doc: &mut AutoCommit,
    key: &str,
    reads: &dyn Fn(&AutoCommit) -> bool,
) -> Result<Option<String>, AutomergeError> {
    let (Some((Value::Object(ObjType::Map), g)), Some((Value::Object(ObjType::Map), d))) =
        (good.get(ROOT, key)?, doc.get(ROOT, key)?)
    else {
        return Ok(None);
    };
    // New entries first: a bad write is more often an entry added than one changed.
    let mut entries: Vec<String> = doc
        .keys(&d)
        .filter(|e| good.get(&g, e.as_str()).ok().flatten().is_none())
        .collect();
    entries.extend(good.keys(&g));
    for entry in entries.into_iter().take(MAX_ENTRY_TRIES) {
        let mut trial = doc.clone();
        copy(good, &g, &entry, &mut trial, &d)?;
        if reads(&trial) {
            copy(good, &g, &entry, doc, &d)?;
            return Ok(Some(format!("/{key}/{entry}")));
        }
    }
    Ok(None)
}

/// Writes the value of `key` in map `from` of `good` into map `to` of `doc`.
pub(crate) fn copy(
    good: &AutoCommit,
    from: &ObjId,
    key: &str,
    doc: &mut AutoCommit,
    to: &ObjId,
) -> Result<(), AutomergeError> {
    match good.get(from, key)? {
        Some((Value::Scalar(s), _)) => doc.put(to, key, s.into_owned()),
        Some((Value::Object(t), id)) => {
            let made = doc.put_object(to, key, t)?;
            fill(good, &id, t, doc, &made)
        }
        None => doc.delete(to, key),
    }
}

/// Fills the new object `to` of `doc` with the contents of object `from` of `good`.
fn fill(
    good: &AutoCommit,
    from: &ObjId,
    t: ObjType,
    doc: &mut AutoCommit,
    to: &ObjId,
) -> Result<(), AutomergeError> {
    match t {
        ObjType::Map | ObjType::Table => {
            let keys: Vec<String> = good.keys(from).collect();
            for k in keys {
                copy(good, from, &k, doc, to)?;
            }
        }
        ObjType::List => {
            for i in 0..good.length(from) {
                match good.get(from, Prop::Seq(i))? {
                    Some((Value::Scalar(s), _)) => doc.insert(to, i, s.into_owned())?,
                    Some((Value::Object(t), id)) => {
                        let made = doc.insert_object(to, i, t)?;
                        fill(good, &id, t, doc, &made)?;
                    }
                    None => {}
                }
            }
        }
        ObjType::Text => {
            let text = good.text(from)?;
            doc.splice_text(to, 0, 0, &text)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> AutoCommit {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "title", "Solardach").expect("put");
        doc.put(ROOT, "updated_at", 5i64).expect("put");
        doc.put(ROOT, "due", ScalarValue::Null).expect("put");
        let comments = doc.put_object(ROOT, "comments", ObjType::Map).expect("map");
        let c = doc
            .put_object(&comments, "c1", ObjType::Map)
            .expect("comment");
        doc.put(&c, "text", "Gute Idee").expect("put");
        doc.put(&c, "created_at", 1i64).expect("put");
        let cats = doc
            .put_object(ROOT, "categories", ObjType::List)
            .expect("list");
        doc.insert(&cats, 0, "energy").expect("insert");
        let supporters = doc
            .put_object(ROOT, "supporters", ObjType::Map)
            .expect("map");
        doc.put(&supporters, "m1", true).expect("put");
        doc
    }

    fn comments(doc: &AutoCommit) -> ObjId {
        doc.get(ROOT, "comments").expect("get").expect("comments").1
    }

    #[test]
    fn a_document_in_shape_is_left_alone_and_honest_additions_stay() {
        let mut g = good();
        let mut d = g.fork();
        d.put(ROOT, "title", "Solardach auf der Schule")
            .expect("put");
        d.put(ROOT, "due", 9i64).expect("an optional value set");
        let c = d
            .put_object(comments(&d), "c2", ObjType::Map)
            .expect("comment");
        d.put(&c, "text", "Bin dabei").expect("put");
        d.put(&c, "created_at", 2i64).expect("put");
        let supporters = d.put_object(ROOT, "supporters", ObjType::Map).expect("map");
        d.put(&supporters, "m2", true).expect("put");
        let before = d.get_heads();
        assert!(restore_shape(&g, &mut d).expect("repair").is_empty());
        assert_eq!(d.get_heads(), before, "nothing written");
    }

    #[test]
    fn wrong_kinds_are_put_back_and_malformed_new_entries_removed() {
        let mut g = good();
        let mut d = g.fork();
        d.put(ROOT, "title", 42i64).expect("a number for a title");
        d.delete(ROOT, "updated_at").expect("a field deleted");
        let c1 = d.get(comments(&d), "c1").expect("get").expect("c1").1;
        d.put(&c1, "text", true)
            .expect("a comment's text made a flag");
        let bad = d
            .put_object(comments(&d), "c3", ObjType::Map)
            .expect("comment");
        d.put(&bad, "text", 7i64)
            .expect("a new comment of the wrong shape");
        let fine = d
            .put_object(comments(&d), "c4", ObjType::Map)
            .expect("comment");
        d.put(&fine, "text", "Honest").expect("put");
        d.put(&fine, "created_at", 3i64).expect("put");
        let cats = d.get(ROOT, "categories").expect("get").expect("list").1;
        d.insert(&cats, 1, 5i64).expect("a number among categories");
        let mut paths = restore_shape(&g, &mut d).expect("repair");
        paths.sort();
        assert_eq!(
            paths,
            [
                "/categories",
                "/comments/c1/text",
                "/comments/c3",
                "/title",
                "/updated_at"
            ]
        );
        assert_eq!(
            d.get(ROOT, "title")
                .expect("get")
                .expect("title")
                .0
                .as_str(),
            Some("Solardach")
        );
        let comments = comments(&d);
        assert!(d.get(&comments, "c3").expect("get").is_none());
        assert!(
            d.get(&comments, "c4").expect("get").is_some(),
            "honest entry stays"
        );
        let c1 = d.get(&comments, "c1").expect("get").expect("c1").1;
        assert_eq!(
            d.get(&c1, "text").expect("get").expect("text").0.as_str(),
            Some("Gute Idee")
        );
        assert!(
            restore_shape(&g, &mut d).expect("again").is_empty(),
            "in shape now"
        );
    }

    /// From an adversarial review: a planted entry with an extra key made every honest new
    /// entry without it look malformed, so an honest device's repair deleted them.
    #[test]
    fn an_entry_with_an_extra_key_does_not_make_honest_entries_look_wrong() {
        let mut g = good();
        let c = g
            .put_object(comments(&g), "c0000", ObjType::Map)
            .expect("comment");
        g.put(&c, "text", "planted").expect("put");
        g.put(&c, "extra", "x").expect("put");
        let mut d = g.fork();
        let honest = d
            .put_object(comments(&d), "c5", ObjType::Map)
            .expect("comment");
        d.put(&honest, "text", "Honest").expect("put");
        d.put(&honest, "created_at", 4i64).expect("put");
        d.put(ROOT, "title", 1i64).expect("a bad write");
        assert_eq!(restore_shape(&g, &mut d).expect("repair"), ["/title"]);
        assert!(d.get(comments(&d), "c5").expect("get").is_some());
    }

    #[test]
    fn a_field_that_does_not_read_is_put_back_whole_as_a_last_resort() {
        let mut g = good();
        let mut d = g.fork();
        d.put(ROOT, "title", ScalarValue::Null)
            .expect("a null title");
        let reads = |doc: &AutoCommit| matches!(doc.get(ROOT, "title"), Ok(Some((Value::Scalar(s), _))) if s.as_str().is_some());
        assert!(
            restore_shape(&g, &mut d).expect("kinds").is_empty(),
            "null fits by kind"
        );
        let put_back = restore_fields(&g, &mut d, &reads).expect("repair");
        assert_eq!(put_back, Some(vec!["/title".to_string()]));
        assert!(reads(&d));
        assert!(
            d.get(comments(&d), "c1").expect("get").is_some(),
            "the rest stays"
        );
    }
}
