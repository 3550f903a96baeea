//! A piece of news, an everyday tip or a support offer, and its edit form.

use allmende_core::model::Post;
use allmende_core::query::ItemDetail;
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};
use super::load::{may_edit, use_app, use_me};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub post: Post,
    pub detail: ItemDetail,
}

#[function_component(PostView)]
pub fn post_view(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let p = &props.post;
    let may_edit = may_edit(me.as_ref(), &props.detail.summary.author);
    let edit = {
        let id = props.id.clone();
        Callback::from(move |v: Values| {
            Some(Command::EditPost {
                post: id.clone(),
                title: v.changed("title"),
                text: v.changed("text"),
                category: v.changed("category"),
                offered_by: v.changed("offered_by"),
            })
        })
    };
    html! {
        <>
            <p class="text">{ &p.text }</p>
            if !p.offered_by.is_empty() { <p class="muted">{ format!("{}: {}", t(lang, "post.offered_by"), p.offered_by) }</p> }
            if may_edit {
                <CommandForm name="edit-post" title={t(lang, "post.edit")} submit={t(lang, "form.save")} folded=true build={edit}
                    fields={vec![
                        Field::new("title", t(lang, "idea.title"), Input::Text).value(p.title.clone()).required(),
                        Field::new("text", t(lang, "idea.text"), Input::Area).value(p.text.clone()),
                        Field::new("category", t(lang, "filter.category"), Input::Select(choices::categories(lang, &app.categories))).value(p.category.clone()),
                        Field::new("offered_by", t(lang, "post.offered_by"), Input::Text).value(p.offered_by.clone()),
                    ]} />
            }
        </>
    }
}
