//! For the host of `allmende serve` (the teacher's laptop): a class code and a QR code with
//! the join link, for pupils' phone browsers on the same Wi-Fi.

use yew::prelude::*;

use super::load::use_app;
use crate::i18n::t;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub community: String,
}

#[function_component(ClassCode)]
pub fn class_code(props: &Props) -> Html {
    let app = use_app();
    let lang = app.lang;
    let made = use_state(|| None::<serde_json::Value>);
    if !crate::api::can_make_class_codes() {
        return html! {};
    }
    let make = {
        let (app, made, community) = (app.clone(), made.clone(), props.community.clone());
        Callback::from(move |_| {
            let (app, made, community) = (app.clone(), made.clone(), community.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::api::class_code(&community, app.lang.as_str()).await {
                    Ok(v) => made.set(Some(v)),
                    Err(e) => app.dispatch(Action::Notice(false, e.message)),
                }
            });
        })
    };
    html! {
        <section class="panel">
            <h2>{ t(lang, "classcode.title") }</h2>
            <p class="muted">{ t(lang, "classcode.explain") }</p>
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
        </section>
    }
}
