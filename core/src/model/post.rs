//! A post: news, an everyday tip, or a support offer (funding or help from a company).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Comment, Header, Report};
use crate::time::Millis;

string_enum! {
    pub enum PostKind {
        News => "news",
        Tip => "tip",
        Offer => "offer",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Post {
    pub header: Header,
    pub kind: PostKind,
    pub title: String,
    pub text: String,
    pub category: String,
    pub author: String,
    /// For support offers: who offers it (a company, a foundation, the town).
    pub offered_by: String,
    pub comments: BTreeMap<String, Comment>,
    pub reports: BTreeMap<String, Report>,
    pub updated_at: Millis,
}
