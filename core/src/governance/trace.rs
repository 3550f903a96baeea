//! From a value nobody entitled wrote back to the last one an entitled device signed
//! ([`super::body`], [`super::entries`]), and putting what it found into an item.

use std::cell::RefCell;

use automerge::{Automerge, ChangeHash, ObjId, ReadDoc, ScalarValue, Value, ROOT};
use serde_json::Value as Json;

use super::change_sigs::Claims;
use super::field_writes::{as_of, last_kept};
use super::writers::{Also, Owner};
use crate::apply::Item;
use crate::time::Millis;

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

/// For a field whose current value no entitled device wrote: the last value one did (see
/// [`last_entitled`]). Of values written apart, an entitled one is taken over one nobody
/// entitled wrote.
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
    let all = match &from {
        None => doc.get_all(obj, field),
        Some(h) => doc.get_all_at(obj, field, h),
    }
    .ok()?;
    // Automerge shows the last of the values written apart; no value, nothing to judge.
    let (_, shown) = all.last()?;
    if owner.wrote(doc, claims, shown) {
        return None;
    }
    // A value no change can be found for is nobody's (never taken as entitled).
    let (device, at) = doc.hash_for_opid(shown).map_or((String::new(), 0), |hash| {
        let device = claims.signers(&hash).into_iter().next();
        (device.unwrap_or_default(), claims.at(&hash))
    });
    Some(Forged {
        field: field.to_string(),
        restored: last_entitled(doc, claims, owner, obj, field, from.as_deref()),
        device,
        at,
    })
}

/// Of every value written to `field` of `obj` (in the document as it stood at `within`, or
/// in all of it), the last one an entitled device wrote: of those no later entitled write
/// (one whose change came after it) replaced, the one Automerge would show last. Values
/// nobody entitled wrote are passed over, however many there are. `None` where an entitled
/// device never wrote a value there (or wrote an object).
fn last_entitled(
    doc: &Automerge,
    claims: &Claims,
    owner: &Owner<'_>,
    obj: &ObjId,
    field: &str,
    within: Option<&[ChangeHash]>,
) -> Option<Json> {
    let writes = claims.writes(doc).of(obj, field);
    if writes.is_empty() {
        return None;
    }
    let inside = within.map(|heads| as_of(doc, heads));
    let refused = RefCell::default();
    last_kept(doc, writes, inside.as_ref(), |w| {
        owner.wrote_op_limited(claims, w.counter, &w.actor, w.change, &refused)
    })
    .and_then(|w| w.value.as_ref().and_then(to_json))
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
