//! My profile: name, a few words, interests (the categories), organisation, contact and who
//! may see it.

use allmende_core::model::ContactVisibility;
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::load::{run, use_app};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(Profile)]
pub fn profile(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let (name, about, org, contact, visibility) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let interests = use_state(Vec::<String>::new);
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
            run(&app, cmd, |_| {});
        })
    };
    html! {
        <>
            <h1>{ t(lang, "nav.profile") }</h1>
            <form class="stack" onsubmit={save}>
                <label>{ t(lang, "profile.name") }<input ref={name} name="display-name" /></label>
                <label>{ t(lang, "profile.about") }<textarea ref={about} name="about" rows="3" /></label>
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
                <label>{ t(lang, "profile.organisation") }<input ref={org} name="organisation" /></label>
                <label>{ t(lang, "profile.contact") }<input ref={contact} name="contact" /></label>
                <label>{ t(lang, "profile.visibility") }
                    <select ref={visibility} name="visibility">
                        <option value="members">{ t(lang, "profile.vis.members") }</option>
                        <option value="everyone">{ t(lang, "profile.vis.everyone") }</option>
                        <option value="nobody">{ t(lang, "profile.vis.nobody") }</option>
                    </select>
                </label>
                <button type="submit" class="primary">{ t(lang, "profile.save") }</button>
            </form>
        </>
    }
}
