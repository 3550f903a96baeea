//! The people of a community: find them by interest or name, see contact as its owner
//! allows; for admins: register someone (before they have a device), change a role, remove
//! a member, and see and remove a member's devices (a lost phone).

use allmende_core::lang::label;
use allmende_core::model::Role;
use allmende_core::permission::{allows, Action as May};
use allmende_core::query::{MemberSummary, Query};
use allmende_core::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::choices;
use super::confirm::ConfirmButton;
use super::form::{CommandForm, Field, Input, Values};
use super::load::{status, use_app, use_me, use_query, Loaded};
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[derive(Properties, PartialEq)]
struct DevicesProps {
    community: String,
    member: String,
    name: String,
}

/// A member's devices, each removable (admins, and the member for their own).
#[function_component(Devices)]
fn devices(props: &DevicesProps) -> Html {
    let lang = use_app().lang;
    let loaded = use_query::<Vec<String>>(Some(Query::Devices {
        community: props.community.clone(),
        member: props.member.clone(),
    }));
    let Loaded::Ready(keys) = loaded else {
        return html! {};
    };
    let add = {
        let (community, member) = (props.community.clone(), props.member.clone());
        Callback::from(move |v: Values| {
            Some(Command::AddDevice {
                community: community.clone(),
                member: member.clone(),
                device: v.text("device").trim().to_string(),
                until: None,
            })
        })
    };
    html! {
        <details class="devices">
            <summary>{ format!("{} ({})", t(lang, "members.devices"), keys.len()) }</summary>
            <ul class="plain">{ for keys.iter().map(|k| html! {
                <li><code>{ format!("{}…", &k[..k.len().min(16)]) }</code>{ " " }
                    <ConfirmButton label={t(lang, "members.device.remove")}
                        question={format!("{} {}", t(lang, "members.device.remove_q"), props.name)}
                        command={Command::RemoveDevice { community: props.community.clone(), member: props.member.clone(), device: k.clone() }} />
                </li>
            }) }</ul>
            <CommandForm name="add-device" title={t(lang, "members.device.add")} submit={t(lang, "members.device.add")} reset=true folded=true build={add}
                fields={vec![Field::new("device", t(lang, "members.device.key"), Input::Text).required()]} />
        </details>
    }
}

#[function_component(Members)]
pub fn members(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let loaded = use_query::<Vec<MemberSummary>>(Some(Query::Members {
        community: props.community.clone(),
    }));
    let me = use_me();
    let interest = use_state(String::new);
    let search = use_state(String::new);
    let admin = me
        .as_ref()
        .is_some_and(|(_, r)| allows(*r, May::ManageMembers))
        && app.guest == crate::state::Guest::Host;
    let on_interest = {
        let interest = interest.clone();
        Callback::from(move |e: Event| {
            interest.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            search.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let add = {
        let community = props.community.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddMember {
                community: community.clone(),
                display_name: v.text("display_name"),
                role: v.text("role").parse().ok()?,
            })
        })
    };
    let set_role = |m: &MemberSummary| {
        let (community, member) = (props.community.clone(), m.id.clone());
        Callback::from(move |v: Values| {
            Some(Command::SetRole {
                community: community.clone(),
                member: member.clone(),
                role: v.changed("role")?.parse().ok()?,
            })
        })
    };
    let card = |m: &MemberSummary| {
        let itself = me.as_ref().is_some_and(|(id, _)| *id == m.id);
        html! {
            <li class="card member">
                <span class="card-title">{ &m.display_name }</span>
                <div class="card-meta">
                    <span class="status">{ label(&m.role, lang) }</span>
                    { for m.interests.iter().map(|i| html! { <span class="tag">{ crate::i18n::category(lang, &app.categories, i) }</span> }) }
                </div>
                if !m.organisation.is_empty() { <p class="excerpt">{ &m.organisation }</p> }
                if admin {
                    <div class="admin-actions">
                        <CommandForm name="set-role" title={format!("{}: {}", t(lang, "members.role"), m.display_name)} submit={t(lang, "members.role.save")} folded=true
                            build={set_role(m)}
                            fields={vec![Field::new("role", t(lang, "members.role"), Input::Select(choices::roles(lang))).value(m.role.clone())]} />
                        if !itself {
                            <ConfirmButton label={t(lang, "members.remove")}
                                question={format!("{} {}", m.display_name, t(lang, "members.remove_q"))}
                                command={Command::RemoveMember { community: props.community.clone(), member: m.id.clone() }} />
                        }
                    </div>
                }
                if admin || itself {
                    <Devices community={props.community.clone()} member={m.id.clone()} name={m.display_name.clone()} />
                }
            </li>
        }
    };
    let needle = search.trim().to_lowercase();
    html! {
        <>
            <h1>{ t(lang, "nav.members") }</h1>
            <form class="filters" role="search" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label>{ t(lang, "members.interest") }
                    <select name="member-interest" onchange={on_interest}>
                        <option value="" selected={interest.is_empty()}>{ t(lang, "filter.all") }</option>
                        { for choices::categories(lang, &app.categories).into_iter().map(|(k, l)| html! { <option value={k.clone()} selected={*interest == k}>{ l }</option> }) }
                    </select>
                </label>
                <label>{ t(lang, "search") }
                    <input type="search" name="member-search" oninput={on_search} value={(*search).clone()} />
                </label>
            </form>
            {
                match (status(&app, &loaded), &loaded) {
                    (Some(s), _) => s,
                    (None, Loaded::Ready(list)) => {
                        let shown: Vec<&MemberSummary> = list
                            .iter()
                            .filter(|m| interest.is_empty() || m.interests.contains(&*interest))
                            .filter(|m| needle.is_empty()
                                || m.display_name.to_lowercase().contains(&needle)
                                || m.organisation.to_lowercase().contains(&needle))
                            .collect();
                        if shown.is_empty() {
                            html! { <p class="muted">{ t(lang, "members.none") }</p> }
                        } else {
                            html! { <ul class="cards">{ for shown.into_iter().map(card) }</ul> }
                        }
                    }
                    _ => html! {},
                }
            }
            if admin {
                <CommandForm name="add-member" title={t(lang, "members.add")} submit={t(lang, "members.add")} reset=true folded=true build={add}
                    fields={vec![
                        Field::new("display_name", t(lang, "invite.name"), Input::Text).required(),
                        Field::new("role", t(lang, "members.role"), Input::Select(choices::roles(lang))).value(Role::Member.as_str()),
                    ]} />
            }
        </>
    }
}
