//! A project's team: who is on it in which role; the team's leads add people (from the
//! community's members) and take them off it.

use allmende_core::lang::label;
use allmende_core::model::Project;
use allmende_core::Command;
use yew::prelude::*;

use super::choices::{self, Choices};
use super::confirm::ConfirmButton;
use super::form::{CommandForm, Field, Input, Values};
use super::load::use_app;
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
    pub project: Project,
    /// The community's current members as (id, name).
    pub members: Choices,
    /// Whether this person leads the team (or moderates).
    pub lead: bool,
}

#[function_component(ProjectTeam)]
pub fn project_team(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let (p, id) = (&props.project, props.id.clone());
    let name = |m: &str| {
        props
            .members
            .iter()
            .find(|(k, _)| k == m)
            .map(|(_, n)| n.clone())
    };
    // Only people still in the community (a removed member is not shown as on the team).
    let team: Vec<(String, String, String)> = p
        .team
        .iter()
        .filter_map(|(m, r)| Some((m.clone(), name(m)?, r.role.as_str().to_string())))
        .collect();
    let others: Choices = props
        .members
        .iter()
        .filter(|(m, _)| !p.team.contains_key(m))
        .cloned()
        .collect();
    let add = {
        let id = id.clone();
        Callback::from(move |v: Values| {
            Some(Command::AddTeamMember {
                project: id.clone(),
                member: v.text("member"),
                role: v.text("role").parse().ok()?,
            })
        })
    };
    html! {
        <section>
            <h2>{ t(lang, "project.team") }</h2>
            <ul class="plain team">{ for team.iter().map(|(m, n, role)| html! {
                <li>{ format!("{n} ({})", label(role, lang)) }
                    if props.lead && team.len() > 1 {
                        { " " }
                        <ConfirmButton label={t(lang, "project.team.remove")}
                            question={format!("{n} {}", t(lang, "project.team.remove_q"))}
                            command={Command::RemoveTeamMember { project: id.clone(), member: m.clone() }} />
                    }
                </li>
            }) }</ul>
            if props.lead && !others.is_empty() {
                <CommandForm name="add-team-member" title={t(lang, "project.team.add")} submit={t(lang, "project.team.add")} folded=true build={add}
                    fields={vec![
                        Field::new("member", t(lang, "project.team.who"), Input::Select(others.clone())).value(others[0].0.clone()),
                        Field::new("role", t(lang, "project.team.role"), Input::Select(choices::team_roles(lang))).value("member"),
                    ]} />
            }
        </section>
    }
}
