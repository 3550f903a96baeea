//! The open community's settings (admins): name, description, code of conduct, whether a
//! new member's first posts wait for a moderator; and its categories (add one, rename,
//! archive one that is no longer offered).

use allmende_core::category::CategoryDef;
use allmende_core::query::{Overview, Query};
use allmende_core::Command;
use yew::prelude::*;

use super::form::{CommandForm, Field, Input, Values};
use super::load::{use_app, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

fn edit_category(community: &str, c: &CategoryDef) -> Callback<Values, Option<Command>> {
    let (community, key) = (community.to_string(), c.key.clone());
    Callback::from(move |v: Values| {
        Some(Command::EditCategory {
            community: community.clone(),
            key: key.clone(),
            label_de: v.changed("label_de"),
            label_en: v.changed("label_en"),
            archived: v.changed_flag("archived"),
        })
    })
}

#[function_component(CommunitySettings)]
pub fn community_settings(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let overview = use_query::<Overview>(Some(Query::Overview {
        community: props.community.clone(),
    }));
    let Loaded::Ready(o) = overview else {
        return html! {};
    };
    let edit = {
        let community = props.community.clone();
        Callback::from(move |v: Values| {
            Some(Command::EditCommunity {
                community: community.clone(),
                name: v.changed("name"),
                description: v.changed("description"),
                code_of_conduct: v.changed("code_of_conduct"),
                hold_first_posts: v.changed_flag("hold_first_posts"),
            })
        })
    };
    let add_category = {
        let community = props.community.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddCategory {
                community: community.clone(),
                key: v.text("key").trim().to_string(),
                label_de: v.text("label_de"),
                label_en: v.text("label_en"),
            })
        })
    };
    let c = &o.community;
    html! {
        <section class="panel settings">
            <h2>{ format!("{}: {}", t(lang, "settings.title"), c.name) }</h2>
            <CommandForm name="edit-community" title={t(lang, "settings.community")} submit={t(lang, "form.save")} folded=true build={edit}
                fields={vec![
                    Field::new("name", t(lang, "community.name"), Input::Text).value(c.name.clone()).required(),
                    Field::new("description", t(lang, "idea.text"), Input::Area).value(c.description.clone()),
                    Field::new("code_of_conduct", t(lang, "settings.code_of_conduct"), Input::Area).value(o.settings.code_of_conduct.clone()),
                    Field::new("hold_first_posts", t(lang, "settings.hold_first_posts"), Input::Check).value(o.settings.hold_first_posts.to_string()),
                ]} />
            <details class="panel form">
                <summary>{ t(lang, "settings.categories") }</summary>
                <ul class="plain categories">{ for o.categories.iter().map(|cat| html! {
                    <li>
                        <CommandForm name="edit-category" title={format!("{}{}", cat.label(lang), if cat.archived { format!(" ({})", t(lang, "settings.archived")) } else { String::new() })}
                            submit={t(lang, "form.save")} folded=true build={edit_category(&props.community, cat)}
                            fields={vec![
                                Field::new("label_de", t(lang, "settings.label_de"), Input::Text).value(cat.label_de.clone()).required(),
                                Field::new("label_en", t(lang, "settings.label_en"), Input::Text).value(cat.label_en.clone()).required(),
                                Field::new("archived", t(lang, "settings.archive"), Input::Check).value(cat.archived.to_string()),
                            ]} />
                    </li>
                }) }</ul>
                <CommandForm name="add-category" title={t(lang, "settings.category.add")} submit={t(lang, "settings.category.add")} reset=true build={add_category}
                    fields={vec![
                        Field::new("key", t(lang, "settings.category.key"), Input::Text).required(),
                        Field::new("label_de", t(lang, "settings.label_de"), Input::Text).required(),
                        Field::new("label_en", t(lang, "settings.label_en"), Input::Text).required(),
                    ]} />
            </details>
        </section>
    }
}
