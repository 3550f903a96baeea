//! The comments under any item (ideas, projects and showcases, events, ...): read, write, and
//! report one to the moderators.

use allmende_core::model::Comment;
use allmende_core::query::ItemDetail;
use allmende_core::Command;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::load::{run, use_app, use_me};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub detail: ItemDetail,
}

#[function_component(Comments)]
pub fn comments(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let comment = use_node_ref();
    let (d, id) = (&props.detail, props.id.clone());
    let on_comment = {
        let (app, comment, id) = (app.clone(), comment.clone(), id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(area) = comment.cast::<HtmlTextAreaElement>() else {
                return;
            };
            run(
                &app,
                Command::AddComment {
                    item: id.clone(),
                    text: area.value(),
                },
                move |_| area.set_value(""),
            );
        })
    };
    let mut comments: Vec<&Comment> = d
        .item
        .comments()
        .map(|c| c.values().collect())
        .unwrap_or_default();
    comments.sort_by_key(|c| (c.created_at, c.id.clone()));
    html! {
        <section>
            <h2>{ t(lang, "comments") }</h2>
            <ul class="comments">{ for comments.iter().map(|c| {
                let hidden = d.hidden_comments.contains(&c.id);
                html! {
                    <li>
                        <strong>{ d.names.get(&c.author).cloned().unwrap_or_default() }</strong>
                        <span class="muted">{ format!(" · {}", crate::i18n_dates::day(lang, c.created_at)) }</span>
                        <p>{ if hidden { "…".to_string() } else { c.text.clone() } }</p>
                        if me.as_ref().is_some_and(|(m, _)| *m != c.author) && !hidden {
                            <super::report::Report item={id.clone()} comment={Some(c.id.clone())} />
                        }
                    </li>
                }
            }) }</ul>
            <form class="stack" onsubmit={on_comment}>
                <label>{ t(lang, "comment.placeholder") }<textarea ref={comment} rows="2" required=true /></label>
                <button type="submit">{ t(lang, "comment.add") }</button>
            </form>
        </section>
    }
}
