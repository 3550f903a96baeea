//! For moderators and admins: the audit log of moderation decisions, and the changes that
//! were not accepted because their author's role did not allow them (flags).

use allmende_core::governance::Flag;
use allmende_core::model::Moderation;
use allmende_core::query::Query;
use allmende_core::time::millis_to_date;
use yew::prelude::*;

use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(AuditLog)]
pub fn audit_log(props: &Props) -> Html {
    let lang = use_app().lang;
    let loaded = use_query::<Vec<Moderation>>(Some(Query::ModerationLog {
        community: props.community.clone(),
    }));
    let Loaded::Ready(log) = loaded else {
        return html! {};
    };
    html! {
        <section>
            <h2>{ t(lang, "audit.title") }</h2>
            if log.is_empty() {
                <p class="muted">{ t(lang, "empty") }</p>
            }
            <ol class="timeline audit">{ for log.iter().map(|m| html! {
                <li>
                    <strong>{ t(lang, if m.hidden { "audit.hidden" } else { "audit.restored" }) }</strong>
                    { format!(" {} · {} · {}: {}", m.key, millis_to_date(m.at), m.by, m.reason) }
                </li>
            }) }</ol>
        </section>
    }
}

#[function_component(FlagList)]
pub fn flag_list(props: &Props) -> Html {
    let lang = use_app().lang;
    let loaded = use_query::<Vec<Flag>>(Some(Query::Flags {
        community: props.community.clone(),
    }));
    let Loaded::Ready(flags) = loaded else {
        return html! {};
    };
    html! {
        <section>
            <h2>{ t(lang, "flags.title") }</h2>
            <p class="muted">{ t(lang, "flags.explain") }</p>
            if flags.is_empty() {
                <p class="muted">{ t(lang, "flags.none") }</p>
            }
            <ul class="plain flags">{ for flags.iter().map(|f| html! {
                <li>
                    <strong>{ &f.what }</strong>
                    { format!(" · {} · {} {} · {}", if f.at > 0 { millis_to_date(f.at) } else { "–".into() },
                        if f.member.is_empty() { "?" } else { &f.member }, f.device.get(..8).unwrap_or(""), f.reason) }
                </li>
            }) }</ul>
        </section>
    }
}
