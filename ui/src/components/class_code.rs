//! For the host of `allmende serve` (the teacher's laptop): a class code and a QR code with
//! the join link, for pupils' phone browsers on the same Wi-Fi; for how many devices and
//! days it works; the community's codes with how many joined, and withdrawing one.

use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

/// Reads the community's class codes into `codes`.
fn refresh(community: String, lang: &'static str, codes: UseStateHandle<Vec<serde_json::Value>>) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(serde_json::Value::Array(list)) = crate::api::class_codes(&community, lang).await
        {
            codes.set(list);
        }
    });
}

fn number_of(e: &Event, fallback: u32) -> u32 {
    use wasm_bindgen::JsCast as _;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.value().trim().parse().ok())
        .unwrap_or(fallback)
}

#[function_component(ClassCode)]
pub fn class_code(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let made = use_state(|| None::<serde_json::Value>);
    let codes = use_state(Vec::<serde_json::Value>::new);
    let uses = use_state(|| 40u32);
    let days = use_state(|| 7u32);
    let allowed = crate::api::can_make_class_codes();
    {
        let (community, codes) = (props.community.clone(), codes.clone());
        use_effect_with(props.community.clone(), move |_| {
            if allowed {
                refresh(community, lang.as_str(), codes);
            }
        });
    }
    if !allowed {
        return html! {};
    }
    let make = {
        let (app, made, community) = (app.clone(), made.clone(), props.community.clone());
        let (codes, uses, days) = (codes.clone(), uses.clone(), days.clone());
        Callback::from(move |_| {
            let (app, made, community, codes) =
                (app.clone(), made.clone(), community.clone(), codes.clone());
            let (uses, days) = (*uses, *days);
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::class_code(&community, days, uses, app.lang.as_str()).await {
                    Ok(v) => {
                        made.set(Some(v));
                        refresh(community, app.lang.as_str(), codes);
                    }
                    Err(e) => app.dispatch(Action::Notice(false, e.message)),
                }
            });
        })
    };
    let revoke = |code: String| {
        let (app, made, community, codes) = (
            app.clone(),
            made.clone(),
            props.community.clone(),
            codes.clone(),
        );
        Callback::from(move |_| {
            let (app, made, community, codes, code) = (
                app.clone(),
                made.clone(),
                community.clone(),
                codes.clone(),
                code.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::revoke_class_code(&code, app.lang.as_str()).await {
                    Ok(_) => {
                        if (*made).as_ref().and_then(|v| v["code"]["code"].as_str())
                            == Some(code.as_str())
                        {
                            made.set(None);
                        }
                        app.dispatch(Action::Notice(
                            true,
                            t(app.lang, "classcode.revoke_done").to_string(),
                        ));
                        refresh(community, app.lang.as_str(), codes);
                    }
                    Err(e) => app.dispatch(Action::Notice(false, e.message)),
                }
            });
        })
    };
    let on_uses = {
        let uses = uses.clone();
        Callback::from(move |e: Event| uses.set(number_of(&e, 40).clamp(1, 500)))
    };
    let on_days = {
        let days = days.clone();
        Callback::from(move |e: Event| days.set(number_of(&e, 7).clamp(1, 60)))
    };
    html! {
        <section class="panel">
            <h2>{ t(lang, "classcode.title") }</h2>
            <p class="muted">{ t(lang, "classcode.explain") }</p>
            <label>{ t(lang, "classcode.uses") }
                <input type="number" min="1" max="500" name="uses" value={uses.to_string()} onchange={on_uses} />
            </label>
            <label>{ t(lang, "classcode.days") }
                <input type="number" min="1" max="60" name="days" value={days.to_string()} onchange={on_days} />
            </label>
            <button onclick={make}>{ t(lang, "classcode.create") }</button>
            if let Some(v) = (*made).clone() {
                <div class="invite">
                    <p class="classcode" aria-label={t(lang, "classcode.code")}>{ v["code"]["code"].as_str().unwrap_or_default().to_string() }</p>
                    <div class="qr" role="img" aria-label={t(lang, "classcode.qr")}>
                        { Html::from_html_unchecked(AttrValue::from(v["qr_svg"].as_str().unwrap_or_default().to_string())) }
                    </div>
                    <p class="muted">{ v["url"].as_str().unwrap_or_default().to_string() }</p>
                </div>
            }
            if !codes.is_empty() {
                <h3>{ t(lang, "classcode.list") }</h3>
                <ul class="classcodes">
                    { for codes.iter().map(|c| {
                        let code = c["code"].as_str().unwrap_or_default().to_string();
                        let revoked = c["revoked"].as_bool().unwrap_or(false);
                        let state = if revoked {
                            t(lang, "classcode.revoked").to_string()
                        } else {
                            format!("{} {}", t(lang, "classcode.until"), crate::i18n_dates::day(lang, c["expires_at"].as_i64().unwrap_or(0)))
                        };
                        html! {
                            <li class="classcode-row">
                                <span class="classcode-small">{ code.clone() }</span>
                                { format!(" · {state} · {}/{} {}", c["uses"], c["max_uses"], t(lang, "classcode.joined")) }
                                if !revoked {
                                    <button class="secondary" onclick={revoke(code.clone())}>{ t(lang, "classcode.revoke") }</button>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}
