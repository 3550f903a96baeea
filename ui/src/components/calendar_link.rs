//! "Kalender abonnieren": the community's calendar in a phone's or laptop's calendar app,
//! through a secret link (`webcal://`) that the app fetches every hour; copied with one
//! click; the host can make a new one, which ends the old.

use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(CalendarLink)]
pub fn calendar_link(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let link = use_state(|| None::<(String, String)>);
    let told = use_state(String::new);
    if !crate::api::can_subscribe_calendar() {
        return html! {};
    }
    let fetch = |renew: bool| {
        let (link, told, community) = (link.clone(), told.clone(), props.community.clone());
        Callback::from(move |_: MouseEvent| {
            let (link, told, community) = (link.clone(), told.clone(), community.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::calendar_link(&community, renew, lang.as_str()).await {
                    Ok(v) => {
                        let get = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                        link.set(Some((get("webcal"), get("http"))));
                        told.set(if renew {
                            t(lang, "calendar.renewed").to_string()
                        } else {
                            String::new()
                        });
                    }
                    Err(e) => told.set(e.message),
                }
            });
        })
    };
    let copy = {
        let (link, told) = (link.clone(), told.clone());
        Callback::from(move |_: MouseEvent| {
            let Some((_, http)) = (*link).clone() else {
                return;
            };
            let told = told.clone();
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            wasm_bindgen_futures::spawn_local(async move {
                let copied = match clipboard {
                    Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&http))
                        .await
                        .is_ok(),
                    None => false,
                };
                told.set(
                    t(
                        lang,
                        if copied {
                            "calendar.copied"
                        } else {
                            "calendar.copy_by_hand"
                        },
                    )
                    .to_string(),
                );
            });
        })
    };
    html! {
        <section class="panel calendar-link">
            <h2>{ t(lang, "calendar.subscribe") }</h2>
            <p class="muted">{ t(lang, "calendar.subscribe.explain") }</p>
            if let Some((webcal, http)) = (*link).clone() {
                <p><a class="button primary" href={webcal}>{ t(lang, "calendar.open_in_app") }</a></p>
                <label>{ t(lang, "calendar.link") }
                    <input name="calendar-link" readonly=true value={http} />
                </label>
                <p class="row">
                    <button type="button" onclick={copy}>{ t(lang, "calendar.copy") }</button>
                    if crate::api::can_make_class_codes() {
                        <button type="button" class="link" onclick={fetch(true)}>{ t(lang, "calendar.renew") }</button>
                    }
                </p>
            } else {
                <p><button type="button" onclick={fetch(false)}>{ t(lang, "calendar.show_link") }</button></p>
            }
            <p role="status" class="muted">{ (*told).clone() }</p>
        </section>
    }
}
