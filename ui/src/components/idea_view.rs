//! An idea's own part of its page: the text and supporters, support or withdraw, start a
//! team, and (for its author and moderators) the form that edits it.

use allmende_core::model::Idea;
use allmende_core::permission::{allows, Action as May};
use allmende_core::query::ItemDetail;
use allmende_core::Command;
use yew::prelude::*;

use super::choices;
use super::form::{CommandForm, Field, Input, Values};
use super::load::{may_edit, run, use_app, use_me};
use crate::i18n::t;
use crate::state::{Action, Route};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub idea: Idea,
    pub detail: ItemDetail,
}

#[function_component(IdeaView)]
pub fn idea_view(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let me = use_me();
    let (x, id, d) = (&props.idea, props.id.clone(), &props.detail);
    let my_id = me.as_ref().map(|(m, _)| m.as_str());
    let mine = my_id == Some(x.author.as_str());
    let may_edit = may_edit(me.as_ref(), &x.author);
    let supported = my_id.is_some_and(|m| x.supporters.contains_key(m));
    let support = {
        let (app, id) = (app.clone(), id.clone());
        Callback::from(move |_| {
            let command = if supported {
                Command::WithdrawSupport { idea: id.clone() }
            } else {
                Command::SupportIdea { idea: id.clone() }
            };
            run(&app, command, |_| {})
        })
    };
    let start_team = {
        let (app, id, title, community) = (
            app.clone(),
            id.clone(),
            x.title.clone(),
            x.header.community.clone(),
        );
        Callback::from(move |_| {
            let a = app.clone();
            run(
                &app,
                Command::CreateProject {
                    community: community.clone(),
                    title: title.clone(),
                    summary: String::new(),
                    category: None,
                    from_idea: Some(id.clone()),
                    visibility: None,
                    stage: None,
                },
                move |project| a.dispatch(Action::Go(Route::Project(project))),
            );
        })
    };
    let supporters: Vec<String> = x
        .supporters
        .keys()
        .map(|m| d.names.get(m).cloned().unwrap_or_else(|| m.clone()))
        .collect();
    let edit = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            let cmd = Command::EditIdea {
                idea: id.clone(),
                title: v.changed("title"),
                text: v.changed("text"),
                category: v.changed("category"),
                status: v.changed("status").and_then(|s| s.parse().ok()),
            };
            (cmd != Command::EditIdea {
                idea: id.clone(),
                title: None,
                text: None,
                category: None,
                status: None,
            })
            .then_some(cmd)
        })
    };
    let mut fields = vec![
        Field::new("title", t(lang, "idea.title"), Input::Text)
            .value(x.title.clone())
            .required(),
        Field::new("text", t(lang, "idea.text"), Input::Area).value(x.text.clone()),
        Field::new(
            "category",
            t(lang, "filter.category"),
            Input::Select(choices::categories(lang, &app.categories)),
        )
        .value(x.category.clone()),
    ];
    if me
        .as_ref()
        .is_some_and(|(_, r)| allows(*r, May::EditAnyContent))
    {
        fields.push(
            Field::new(
                "status",
                t(lang, "filter.status"),
                Input::Select(choices::idea_states(lang)),
            )
            .value(x.status.as_str()),
        );
    }
    html! {
        <>
            <p class="text">{ &x.text }</p>
            <p class="supporters">{ format!("♥ {} · {}", x.supporters.len(), supporters.join(", ")) }</p>
            <div class="actions">
                if mine {
                    <p class="muted">{ t(lang, "idea.yours") }</p>
                } else if supported {
                    <button onclick={support}>{ t(lang, "idea.withdraw_support") }</button>
                } else if me.is_some() {
                    <button class="primary" onclick={support}>{ t(lang, "idea.support") }</button>
                }
                if x.project.is_empty() {
                    <button onclick={start_team}>{ t(lang, "idea.start_team") }</button>
                } else {
                    <button onclick={{ let app = app.clone(); let p = x.project.clone(); Callback::from(move |_| app.dispatch(Action::Go(Route::Project(p.clone())))) }}>
                        { t(lang, "nav.projects") }{ " →" }
                    </button>
                }
            </div>
            if may_edit {
                <CommandForm name="edit-idea" title={t(lang, "idea.edit")} submit={t(lang, "form.save")}
                    fields={fields} build={edit} folded=true />
            }
        </>
    }
}
