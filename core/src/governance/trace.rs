//! The walk back from a value nobody entitled wrote to the last one an entitled device
//! signed ([`super::body`], [`super::entries`]), and putting what it found into an item.

use automerge::{Automerge, ChangeHash, ObjId, ReadDoc, ScalarValue, Value, ROOT};
use serde_json::Value as Json;

use super::change_sigs::Claims;
use super::writers::{Also, Owner};
use crate::apply::Item;
use crate::time::Millis;

/// How far back a reader looks for a value an entitled device wrote.
const MAX_STEPS: usize = 64;

fn to_json(v: &ScalarValue) -> Option<Json> {
    Some(match v {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(n) | ScalarValue::Timestamp(n) => Json::from(*n),
        ScalarValue::Uint(n) => Json::from(*n),
        ScalarValue::F64(n) => Json::from(*n),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        // An optional value left empty (a project's progress "from the tasks").
        ScalarValue::Null => Json::Null,
        _ => return None,
    })
}

pub(super) fn scalar(v: &Value<'_>) -> Option<Json> {
    match v {
        Value::Scalar(s) => to_json(s),
        Value::Object(_) => None,
    }
}

/// One field whose value no entitled device wrote.
pub(super) struct Forged {
    pub(super) field: String,
    /// The value an entitled device wrote last, if the walk back found one.
    pub(super) restored: Option<Json>,
    pub(super) device: String,
    pub(super) at: Millis,
}

/// Walks back from a field's current value to the last one an entitled device signed. Of
/// values written apart, an entitled one is taken over one nobody entitled wrote.
pub(super) fn trace(
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    obj: &ObjId,
    field: &str,
) -> Option<Forged> {
    trace_from(doc, claims, owner, obj, field, None)
}

/// The value of root field `field` as readers judge it at `heads` (the document as it stood
/// then): the value there if an entitled device wrote it, else the last one an entitled
/// device wrote before; `None` where there is none.
pub(super) fn value_at(
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    field: &str,
    heads: &[ChangeHash],
) -> Option<Json> {
    if heads.is_empty() {
        return None;
    }
    match trace_from(doc, claims, owner, &ROOT, field, Some(heads.to_vec())) {
        None => match doc.get_at(ROOT, field, heads) {
            Ok(Some((v, _))) => scalar(&v),
            _ => None,
        },
        Some(f) => f.restored,
    }
}

/// [`trace`] from the document as it stood at `from` (`None`: as it is now).
fn trace_from(
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    obj: &ObjId,
    field: &str,
    from: Option<Vec<ChangeHash>>,
) -> Option<Forged> {
    let mut heads: Option<Vec<ChangeHash>> = from;
    let mut first: Option<(String, Millis)> = None;
    let found = |first: Option<(String, Millis)>, restored: Option<Json>| {
        first.map(|(device, at)| Forged {
            field: field.to_string(),
            restored,
            device,
            at,
        })
    };
    for _ in 0..MAX_STEPS {
        let got = match &heads {
            None => doc.get_all(obj, field),
            Some(h) => doc.get_all_at(obj, field, h),
        };
        // Automerge shows the last of the values written apart.
        let Some((value, shown)) = got.ok().and_then(|all| {
            let apart = all
                .iter()
                .rev()
                .find(|(_, id)| owner.wrote(doc, claims, id))
                .map(|(v, _)| scalar(v));
            all.last().map(|(v, id)| ((v.clone(), apart), id.clone()))
        }) else {
            // No value here: deleted (a repair may have put one back). Step back past the
            // deletion, one layer of changes at a time.
            let Some(h) = &heads else {
                break;
            };
            let mut back: Vec<ChangeHash> = h
                .iter()
                .filter_map(|x| doc.get_change_meta_by_hash(x))
                .flat_map(|m| m.deps)
                .collect();
            back.sort_unstable();
            back.dedup();
            if back.is_empty() {
                break;
            }
            heads = Some(back);
            continue;
        };
        let (value, apart) = value;
        if owner.wrote(doc, claims, &shown) {
            return found(first, scalar(&value));
        }
        // A value no change can be found for is nobody's (never taken as entitled).
        let Some(hash) = doc.hash_for_opid(&shown) else {
            return found(first.or_else(|| Some((String::new(), 0))), None);
        };
        if first.is_none() {
            let device = claims.signers(&hash).into_iter().next();
            first = Some((device.unwrap_or_default(), claims.at(&hash)));
        }
        if let Some(restored) = apart {
            return found(first, restored);
        }
        let Some(meta) = doc.get_change_meta_by_hash(&hash) else {
            return found(first, None);
        };
        heads = Some(meta.deps);
    }
    found(first, None)
}

/// Why a change of a field does not count, for a flag.
pub(super) fn not_entitled(also: Also) -> &'static str {
    match also {
        Also::Nobody => "the change was not signed by a device of its author or a moderator",
        Also::Team => {
            "the change was not signed by a device of its author, a moderator or a team member"
        }
        Also::Leads => "the change was not signed by a device of its author, a moderator or a lead",
        Also::Answerers => {
            "the change was not signed by a device of its author, a moderator or the town hall"
        }
    }
}

/// Sets the field at `path` (from the item's own fields down) to `value`, or removes it when
/// `value` is `None`; false (and nothing changed) where the item would not read so.
pub(super) fn put_path(item: &mut Item, path: &[&str], value: Option<Json>) -> bool {
    let Ok(mut json) = serde_json::to_value(&*item) else {
        return false;
    };
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut at = json.as_object_mut().and_then(|o| o.values_mut().next());
    for key in parents {
        at = at.and_then(|v| v.get_mut(*key));
    }
    let Some(fields) = at.and_then(Json::as_object_mut) else {
        return false;
    };
    match value {
        Some(v) => {
            fields.insert((*last).to_string(), v);
        }
        None => {
            fields.remove(*last);
        }
    }
    match serde_json::from_value::<Item>(json) {
        Ok(changed) => {
            *item = changed;
            true
        }
        Err(_) => false,
    }
}
