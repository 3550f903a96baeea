//! For moderators and admins: the audit log of moderation decisions (with restoring what is
//! hidden now), and the changes that were not accepted because their author's role did not
//! allow them (flags).

use allmende_core::governance::Flag;
use allmende_core::model::Moderation;
use allmende_core::query::Query;
use yew::prelude::*;

use super::load::{run, use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(AuditLog)]
pub fn audit_log(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<Vec<Moderation>>(Some(Query::ModerationLog {
        community: props.community.clone(),
    }));
    let Loaded::Ready(log) = loaded else {
        return html! {};
    };
    // Newest first: the first entry of a key is what holds now.
    let mut seen = std::collections::HashSet::new();
    let hidden_now: Vec<bool> = log
        .iter()
        .map(|m| seen.insert(m.key.clone()) && m.hidden)
        .collect();
    let restore = |key: &str| {
        let app = app.clone();
        let (item, comment) = match key.split_once('/') {
            Some((i, c)) => (i.to_string(), Some(c.to_string())),
            None => (key.to_string(), None),
        };
        Callback::from(move |_| {
            let cmd = allmende_core::Command::Restore {
                item: item.clone(),
                comment: comment.clone(),
                reason: t(app.lang, "audit.restore_reason").to_string(),
            };
            run(&app, cmd, |_| {});
        })
    };
    html! {
        <section>
            <h2>{ t(lang, "audit.title") }</h2>
            if log.is_empty() {
                <p class="muted">{ t(lang, "empty") }</p>
            }
            <ol class="timeline audit">{ for log.iter().zip(hidden_now).map(|(m, hidden)| html! {
                <li>
                    <strong>{ t(lang, if m.hidden { "audit.hidden" } else { "audit.restored" }) }</strong>
                    { format!(" {} · {} · {}: {}", m.key, crate::i18n_dates::day(lang, m.at), m.by, m.reason) }
                    if hidden {
                        { " " }<button onclick={restore(&m.key)}>{ t(lang, "audit.restore") }</button>
                    }
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
                    { format!(" · {} · {} {} · {}", if f.at > 0 { crate::i18n_dates::day(lang, f.at) } else { "–".into() },
                        if f.member.is_empty() { "?" } else { &f.member }, f.device.get(..8).unwrap_or(""), f.reason) }
                </li>
            }) }</ul>
        </section>
    }
}
