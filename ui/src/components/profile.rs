//! My profile: name, a few words, interests (the categories), organisation, contact and who
//! may see it.

use allmende_core::apply::Item;
use allmende_core::model::ContactVisibility;
use allmende_core::query::{CommunitySummary, ItemDetail, MemberSummary, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::load::{answer_view, run_here, use_app, use_query, Answer, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Profile)]
pub fn profile(props: &Props) -> Html {
    let app = use_app();
    let answer: Answer = use_state(|| None);
    let lang = app.lang;
    let (name, about, org, contact, visibility) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let interests = use_state(Vec::<String>::new);
    // The profile as it is, so the form opens filled in and saving keeps what is not retyped.
    let communities = use_query::<Vec<CommunitySummary>>(Some(Query::Communities));
    let members = use_query::<Vec<MemberSummary>>(Some(Query::Members {
        community: props.community.clone(),
    }));
    let me = match &communities {
        Loaded::Ready(all) => all
            .iter()
            .find(|c| c.id == props.community)
            .and_then(|c| c.me.clone()),
        _ => None,
    };
    let profile_id = match (&members, &me) {
        (Loaded::Ready(all), Some(me)) => {
            all.iter().find(|m| m.id == *me).map(|m| m.profile.clone())
        }
        _ => None,
    };
    let detail = use_query::<ItemDetail>(profile_id.map(|id| Query::Show { id }));
    let current = match &detail {
        Loaded::Ready(d) => match &d.item {
            Item::Profile(p) => Some(p.clone()),
            _ => None,
        },
        _ => None,
    };
    {
        let interests = interests.clone();
        let known = current.as_ref().map(|p| p.interests.clone());
        use_effect_with(known, move |known| {
            if let Some(k) = known {
                interests.set(k.clone());
            }
        });
    }
    let Some(current) = current else {
        return html! { <><h1>{ t(lang, "nav.profile") }</h1><p class="muted">{ t(lang, "loading") }</p></> };
    };
    let toggle = |key: String| {
        let interests = interests.clone();
        Callback::from(move |_| {
            let mut next = (*interests).clone();
            if let Some(i) = next.iter().position(|k| *k == key) {
                next.remove(i);
            } else {
                next.push(key.clone());
            }
            interests.set(next);
        })
    };
    let save = {
        let answer = answer.clone();
        let (app, community, interests) = (app.clone(), props.community.clone(), interests.clone());
        let (name, about, org, contact, visibility) = (
            name.clone(),
            about.clone(),
            org.clone(),
            contact.clone(),
            visibility.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .filter(|v| !v.is_empty())
            };
            let cmd = Command::EditProfile {
                community: community.clone(),
                member: None,
                display_name: input(&name),
                about: about
                    .cast::<HtmlTextAreaElement>()
                    .map(|a| a.value())
                    .filter(|v| !v.is_empty()),
                interests: Some((*interests).clone()),
                organisation: input(&org),
                contact: input(&contact),
                contact_visibility: visibility
                    .cast::<HtmlSelectElement>()
                    .and_then(|s| s.value().parse::<ContactVisibility>().ok()),
            };
            run_here(&app, cmd, &answer, |_| {});
        })
    };
    html! {
        <>
            <h1>{ t(lang, "nav.profile") }</h1>
            <form class="stack" onsubmit={save}>
                <label>{ t(lang, "profile.name") }<input ref={name} name="display-name" value={current.display_name.clone()} /></label>
                <label>{ t(lang, "profile.about") }<textarea ref={about} name="about" rows="3" value={current.about.clone()} /></label>
                <fieldset class="chips">
                    <legend>{ t(lang, "profile.interests") }</legend>
                    { for app.categories.iter().filter(|c| !c.archived).map(|c| {
                        let id = format!("interest-{}", c.key);
                        html! {
                            <label class="check" for={id.clone()}>
                                <input type="checkbox" id={id} checked={interests.contains(&c.key)} onchange={toggle(c.key.clone())} />
                                { c.label(lang) }
                            </label>
                        }
                    }) }
                </fieldset>
                <label>{ t(lang, "profile.organisation") }<input ref={org} name="organisation" value={current.organisation.clone()} /></label>
                <label>{ t(lang, "profile.contact") }<input ref={contact} name="contact" value={current.contact.clone()} /></label>
                <label>{ t(lang, "profile.visibility") }
                    <select ref={visibility} name="visibility">
                        { for [
                            (ContactVisibility::Members, "profile.vis.members"),
                            (ContactVisibility::Everyone, "profile.vis.everyone"),
                            (ContactVisibility::Nobody, "profile.vis.nobody"),
                        ].into_iter().map(|(v, key)| html! {
                            <option value={v.as_str()} selected={current.contact_visibility == v}>{ t(lang, key) }</option>
                        }) }
                    </select>
                </label>
                <button type="submit" class="primary">{ t(lang, "profile.save") }</button>
                { answer_view(&answer) }
            </form>
        </>
    }
}
