//! Authorship of ordinary content: who made an item, wrote a comment or a report, supports an
//! idea, signed up for an opportunity or registered for an event.
//!
//! Every such mark names a member and is signed by the device that wrote it; it counts only
//! when the signature holds and that device belonged to that member at the time the mark
//! claims. A mark that does not hold (written by another member's modified client, edited
//! after signing, or from before marks were signed) is left out of what people see and
//! flagged to admins. An item whose header does not hold keeps its content but loses its
//! author: it is shown as by nobody, and where the community holds new members' first posts
//! for review, it is held like theirs (naming a trusted author passes no rule).

use serde_json::json;

use super::entry::{check_signature, signing_bytes, Signer};
use super::Flag;
use crate::apply::Item;
use crate::model::{Comment, Community, Header, Proof, Report};
use crate::time::Millis;

fn header_payload(h: &Header) -> String {
    json!([
        h.kind.as_str(),
        h.id,
        h.community,
        h.created_at,
        h.created_by,
        h.device,
        h.nonce
    ])
    .to_string()
}

fn comment_payload(c: &Comment) -> String {
    json!([c.id, c.author, c.text, c.created_at, c.edited_at, c.device]).to_string()
}

fn report_payload(r: &Report) -> String {
    json!([
        r.id,
        r.reporter,
        r.reason,
        r.comment,
        r.created_at,
        r.device
    ])
    .to_string()
}

/// A member's mark on an item: their support, sign-up or registration (`extra` holds what
/// else the mark says, such as a sign-up's note).
fn mark_payload(key: &str, member: &str, at: Millis, extra: &str, device: &str) -> String {
    json!([key, member, at, extra, device]).to_string()
}

fn sign(signer: &dyn Signer, tag: &str, doc: &str, payload: &str) -> String {
    hex::encode(signer.sign(&signing_bytes(tag, doc, payload)))
}

fn holds(tag: &str, doc: &str, payload: &str, device: &str, sig: &str) -> bool {
    check_signature(device, &signing_bytes(tag, doc, payload), sig).is_ok()
}

/// Whether the entry at `key` is new or changed since `before` (the map as it was).
pub(super) fn fresh<T: PartialEq>(
    before: Option<&std::collections::BTreeMap<String, T>>,
    key: &str,
    now: &T,
) -> bool {
    before.is_none_or(|m| m.get(key) != Some(now))
}

/// Signs the marks this device wrote in this change (see [`super::sign_item`]): the header
/// of a new item, and marks not in `before` as they are now.
pub(super) fn sign_content(item: &mut Item, before: Option<&Item>, signer: &dyn Signer) {
    let me = signer.public_hex();
    let doc = item.header().id.clone();
    if before.is_none() {
        let h = item.header_mut();
        if h.sig.is_empty() && h.device == me {
            h.sig = sign(signer, "header", &doc, &header_payload(h));
        }
    }
    let old_comments = before.and_then(Item::comments);
    if let Some(comments) = item.comments_mut() {
        for (key, c) in comments.iter_mut() {
            if c.sig.is_empty() && c.device == me && fresh(old_comments, key, c) {
                c.sig = sign(signer, "comment", &doc, &comment_payload(c));
            }
        }
    }
    let old_reports = before.and_then(Item::reports);
    if let Some(reports) = item.reports_mut() {
        for (key, r) in reports.iter_mut() {
            if r.sig.is_empty() && r.device == me && fresh(old_reports, key, r) {
                r.sig = sign(signer, "report", &doc, &report_payload(r));
            }
        }
    }
    match (item, before) {
        (Item::Idea(x), was) => {
            let was = match was {
                Some(Item::Idea(b)) => Some(&b.support_proofs),
                _ => None,
            };
            for (member, proof) in &mut x.support_proofs {
                let Some(at) = x.supporters.get(member) else {
                    continue;
                };
                if proof.sig.is_empty() && proof.device == me && fresh(was, member, proof) {
                    let payload = mark_payload(member, member, *at, "", &proof.device);
                    proof.sig = sign(signer, "support", &doc, &payload);
                }
            }
        }
        (Item::Event(x), was) => {
            let was = match was {
                Some(Item::Event(b)) => Some(&b.registrations),
                _ => None,
            };
            for (key, r) in &mut x.registrations {
                if r.sig.is_empty() && r.device == me && fresh(was, key, r) {
                    let payload = mark_payload(key, &r.member, r.at, "", &r.device);
                    r.sig = sign(signer, "registration", &doc, &payload);
                }
            }
        }
        (Item::Opportunity(x), was) => {
            let was = match was {
                Some(Item::Opportunity(b)) => Some(&b.signups),
                _ => None,
            };
            for (key, s) in &mut x.signups {
                if s.sig.is_empty() && s.device == me && fresh(was, key, s) {
                    let payload = mark_payload(key, &s.member, s.at, &s.note, &s.device);
                    s.sig = sign(signer, "signup", &doc, &payload);
                }
            }
        }
        _ => {}
    }
}

/// Whether the header's signature holds, and a derived id (a header with a nonce) is the one
/// its device and nonce give: a header copied onto another id, or naming an id another
/// device derived, does not hold.
fn header_signed(h: &Header) -> bool {
    holds("header", &h.id, &header_payload(h), &h.device, &h.sig)
        && (h.nonce.is_empty() || crate::ids::DocId::derive(&h.device, &h.nonce).as_str() == h.id)
}

/// Whether `h` proves who made document `doc_id` first: it names that id, is signed by the
/// device it names, and the id is derived from that device's key and the header's nonce.
/// Nobody else can make such a header for an id, so a relay that stores a document it has
/// not seen only with one cannot have the id taken before its creator uploads it. Items
/// made before ids were derived (no nonce) have no such proof.
#[must_use]
pub fn creator_proof(doc_id: &str, h: &Header) -> bool {
    !h.nonce.is_empty() && h.id == doc_id && header_signed(h)
}

/// Whether the header was signed by a device of the member it names, at the time it names.
#[must_use]
pub fn header_holds(c: &Community, h: &Header) -> bool {
    header_signed(h)
        && c.device_of_at(&h.created_by, &h.device, h.created_at)
            .is_some()
}

struct Checker<'a> {
    community: &'a Community,
    doc: String,
    flags: Vec<Flag>,
}

impl Checker<'_> {
    /// Whether a mark sits under its own key (a comment under its id, a sign-up under its
    /// member): a copy of a signed mark under other keys would count again. Flags it when not.
    fn in_place(&mut self, tag: &str, key: &str, own: &str, member: &str, device: &str) -> bool {
        if key == own {
            return true;
        }
        self.flags.push(Flag {
            doc: self.doc.clone(),
            entry: format!("{tag}:{key}"),
            member: member.to_string(),
            device: device.to_string(),
            at: 0,
            what: format!("copy a {tag} under another key"),
            reason: "the mark is stored under a key that is not its own".to_string(),
        });
        false
    }

    /// Whether a mark holds; flags it when not.
    #[allow(clippy::too_many_arguments)]
    fn mark(
        &mut self,
        tag: &str,
        key: &str,
        payload: &str,
        member: &str,
        device: &str,
        sig: &str,
        at: Millis,
    ) -> bool {
        let reason = if !holds(tag, &self.doc, payload, device, sig) {
            Some(super::UNSIGNED)
        } else if self.community.device_of_at(member, device, at).is_none() {
            Some("the device did not belong to this member then")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.flags.push(Flag {
                doc: self.doc.clone(),
                entry: format!("{tag}:{key}"),
                member: member.to_string(),
                device: device.to_string(),
                at,
                what: format!("write a {tag} as {member}"),
                reason: reason.to_string(),
            });
        }
        reason.is_none()
    }
}

/// Leaves out the marks that do not hold and takes the author off an item whose header does
/// not hold; returns what was left out.
pub(super) fn check_content(community: &Community, item: &mut Item) -> Vec<Flag> {
    let mut ck = Checker {
        community,
        doc: item.header().id.clone(),
        flags: Vec::new(),
    };
    check_author(&mut ck, item);
    if let Some(comments) = item.comments_mut() {
        comments.retain(|key, c| {
            if !ck.in_place("comment", key, &c.id, &c.author, &c.device) {
                return false;
            }
            let at = c.created_at.max(c.edited_at);
            let payload = comment_payload(c);
            ck.mark("comment", key, &payload, &c.author, &c.device, &c.sig, at)
        });
    }
    if let Some(reports) = item.reports_mut() {
        reports.retain(|key, r| {
            if !ck.in_place("report", key, &r.id, &r.reporter, &r.device) {
                return false;
            }
            let payload = report_payload(r);
            ck.mark(
                "report",
                key,
                &payload,
                &r.reporter,
                &r.device,
                &r.sig,
                r.created_at,
            )
        });
    }
    match item {
        Item::Idea(x) => {
            let proofs = &x.support_proofs;
            x.supporters.retain(|member, at| {
                let none = Proof::default();
                let p = proofs.get(member).unwrap_or(&none);
                let payload = mark_payload(member, member, *at, "", &p.device);
                ck.mark("support", member, &payload, member, &p.device, &p.sig, *at)
            });
            let kept = x.supporters.clone();
            x.support_proofs.retain(|m, _| kept.contains_key(m));
        }
        Item::Event(x) => x.registrations.retain(|key, r| {
            if !ck.in_place("registration", key, &r.member, &r.member, &r.device) {
                return false;
            }
            let payload = mark_payload(key, &r.member, r.at, "", &r.device);
            ck.mark(
                "registration",
                key,
                &payload,
                &r.member,
                &r.device,
                &r.sig,
                r.at,
            )
        }),
        Item::Opportunity(x) => x.signups.retain(|key, s| {
            if !ck.in_place("signup", key, &s.member, &s.member, &s.device) {
                return false;
            }
            let payload = mark_payload(key, &s.member, s.at, &s.note, &s.device);
            ck.mark("signup", key, &payload, &s.member, &s.device, &s.sig, s.at)
        }),
        _ => {}
    }
    ck.flags
}

/// The item's author. A header that holds names it, and the kind's own author field follows
/// the header; an item whose header does not hold (unsigned, edited, or signed by a device
/// that was not its creator's) is by nobody.
fn check_author(ck: &mut Checker<'_>, item: &mut Item) {
    let h = item.header().clone();
    if let Item::Profile(p) = item {
        // A profile is made by whoever added the member (an admin's device, at the invite);
        // the signed roster names each member's profile document, which settles whose it is.
        let listed = ck
            .community
            .members
            .get(&p.member)
            .is_some_and(|m| m.profile == h.id);
        if !listed {
            ck.flags.push(Flag {
                doc: ck.doc.clone(),
                entry: "header".to_string(),
                member: p.member.clone(),
                device: h.device.clone(),
                at: h.created_at,
                what: "write a profile as this member's".to_string(),
                reason: "the roster names another profile for this member".to_string(),
            });
            p.member.clear();
        }
        return;
    }
    let named = match &*item {
        Item::Idea(x) => Some(x.author.clone()),
        Item::Post(x) => Some(x.author.clone()),
        Item::Request(x) => Some(x.author.clone()),
        _ => None,
    };
    let signed = header_signed(&h);
    let creator_holds = signed
        && ck
            .community
            .device_of_at(&h.created_by, &h.device, h.created_at)
            .is_some();
    let reason = if !signed {
        super::UNSIGNED
    } else if !creator_holds {
        "the device did not belong to this member then"
    } else if named.as_ref().is_some_and(|n| *n != h.created_by) {
        "the item names another author than its creator"
    } else {
        return;
    };
    ck.flags.push(Flag {
        doc: ck.doc.clone(),
        entry: "header".to_string(),
        member: named.unwrap_or_else(|| h.created_by.clone()),
        device: h.device.clone(),
        at: h.created_at,
        what: format!("create this {} as its author", h.kind.as_str()),
        reason: reason.to_string(),
    });
    let author = if creator_holds {
        h.created_by
    } else {
        String::new()
    };
    item.header_mut().created_by.clone_from(&author);
    match item {
        Item::Idea(x) => x.author = author,
        Item::Post(x) => x.author = author,
        Item::Request(x) => x.author = author,
        _ => {}
    }
}
