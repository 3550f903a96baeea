//! "Über Allmende": what Allmende is, in Leichte Sprache (easy-to-read German; Easy Read in
//! English), the version and data format of this installation, and the accessibility
//! statement (Erklärung zur Barrierefreiheit) with whom to tell about a barrier, as BITV 2.0
//! asks of public bodies.

use allmende_core::model::Role;
use allmende_core::query::{MemberSummary, Query};
use allmende_core::Lang;
use yew::prelude::*;

use super::load::{use_app, use_query, Loaded};

/// Easy-to-read sentences: short, one thought each.
fn easy(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::De => &[
            "Allmende ist ein Programm für Menschen in einem Ort.",
            "Zum Beispiel in einem Dorf, in einer Stadt oder in einer Schul-Klasse.",
            "Die Menschen wollen etwas für das Klima tun.",
            "Mit Allmende können sie Ideen aufschreiben.",
            "Andere können die Ideen unterstützen.",
            "Aus einer Idee kann ein Projekt werden.",
            "Im Projekt planen die Menschen zusammen: Wer macht was? Bis wann?",
            "Man kann auch das Rathaus etwas fragen.",
            "Dann sieht man: Wer antwortet? Wie lange wartet man schon?",
            "Alles ist auf Ihrem Gerät gespeichert.",
            "Es geht auch ohne Internet.",
            "Wenn wieder Internet da ist, bekommen die anderen Ihre Änderungen.",
        ],
        Lang::En => &[
            "Allmende is a program for people in one place.",
            "For example in a village, in a town or in a school class.",
            "The people want to do something for the climate.",
            "With Allmende they can write down ideas.",
            "Others can support the ideas.",
            "An idea can become a project.",
            "In the project, people plan together: Who does what? By when?",
            "You can also ask the town hall something.",
            "Then you see: Who answers? How long have you been waiting?",
            "Everything is stored on your device.",
            "It also works without the internet.",
            "When the internet is back, the others get your changes.",
        ],
    }
}

fn tr(lang: Lang, de: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

#[function_component(About)]
pub fn about() -> Html {
    let app = use_app();
    let lang = app.lang;
    let version = use_state(|| None::<(String, i64)>);
    {
        let version = version.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(s) = crate::api::session(lang.as_str()).await {
                    version.set(Some((
                        s["version"].as_str().unwrap_or_default().to_string(),
                        s["data_format"].as_i64().unwrap_or_default(),
                    )));
                }
            });
            || ()
        });
    }
    let members = use_query::<Vec<MemberSummary>>(
        app.community
            .clone()
            .map(|c| Query::Members { community: c }),
    );
    let admins: Vec<String> = match members {
        Loaded::Ready(list) => list
            .into_iter()
            .filter(|m| m.role == Role::Admin.as_str())
            .map(|m| m.display_name)
            .collect(),
        _ => Vec::new(),
    };
    html! {
        <article class="about">
            <h1>{ tr(lang, "Über Allmende", "About Allmende") }</h1>
            <section lang={lang.as_str()}>
                <h2>{ tr(lang, "Was ist Allmende? In Leichter Sprache", "What is Allmende? In Easy Read") }</h2>
                <ul class="easy">{ for easy(lang).iter().map(|line| html! { <li>{ *line }</li> }) }</ul>
            </section>
            <section>
                <h2>{ tr(lang, "Version", "Version") }</h2>
                if let Some((v, format)) = (*version).clone() {
                    <p>{ format!("Allmende {v} · {} {format}", tr(lang, "Datenformat", "data format")) }</p>
                }
            </section>
            <section>
                <h2>{ tr(lang, "Erklärung zur Barrierefreiheit", "Accessibility statement") }</h2>
                <p>{ tr(lang,
                    "Allmende soll für alle gut zu benutzen sein, nach der BITV 2.0 und den WCAG 2.1 (Stufe AA). Allmende erfüllt diese Regeln zum Teil.",
                    "Allmende is meant to be easy to use for everyone, following BITV 2.0 and WCAG 2.1 (level AA). Allmende meets these rules in part.") }</p>
                <h3>{ tr(lang, "Was wir prüfen", "What we check") }</h3>
                <ul>
                    <li>{ tr(lang, "Jeder Bildschirm wird bei jeder Änderung automatisch mit axe geprüft, im Browser Chromium, auf Handy- und Computer-Breite.", "Every screen is checked automatically with axe on every change, in the Chromium browser, at phone and computer width.") }</li>
                    <li>{ tr(lang, "Alles geht mit der Tastatur. Ein Link führt an der Navigation vorbei zum Inhalt.", "Everything works with the keyboard. A link leads past the navigation to the content.") }</li>
                    <li>{ tr(lang, "Rückmeldungen nach dem Speichern stehen neben dem Formular und werden vorgelesen.", "Feedback after saving appears next to the form and is read out.") }</li>
                </ul>
                <h3>{ tr(lang, "Was noch nicht barrierefrei ist", "What is not accessible yet") }</h3>
                <ul>
                    <li>{ tr(lang, "Mit einem Screenreader wurde Allmende noch nicht von Menschen getestet.", "Allmende has not yet been tested by people using a screen reader.") }</li>
                    <li>{ tr(lang, "Einen QR-Code mit der Kamera lesen geht nur mit Kamera. Man kann den Einladungs-Text aber auch eintippen oder einfügen.", "Reading a QR code needs a camera. The invite text can also be typed or pasted.") }</li>
                    <li>{ tr(lang, "Die Zahlen-Seite zeigt Verläufe als Grafik. Dieselben Zahlen gibt es als Tabelle und als Datei.", "The figures page shows trends as charts. The same figures are there as a table and as a file.") }</li>
                </ul>
                <h3>{ tr(lang, "Eine Barriere melden", "Report a barrier") }</h3>
                <p>{ tr(lang,
                    "Etwas geht für Sie nicht? Sagen Sie es den Menschen, die Ihre Gemeinschaft verwalten:",
                    "Something does not work for you? Tell the people who run your community:") }</p>
                if admins.is_empty() {
                    <p class="muted">{ tr(lang, "Öffnen Sie zuerst eine Gemeinschaft.", "Open a community first.") }</p>
                } else {
                    <ul class="admins">{ for admins.iter().map(|a| html! { <li>{ a.clone() }</li> }) }</ul>
                }
                <p>{ tr(lang,
                    "Bekommen Sie keine Antwort, können Sie sich an die Schlichtungsstelle nach dem Behindertengleichstellungsgesetz wenden (bei Stellen des Bundes) oder an die Stelle Ihres Bundeslandes.",
                    "If you get no answer, you can turn to the conciliation body under the German Disability Equality Act (for federal bodies) or to the body of your federal state.") }</p>
                <p class="muted">{ tr(lang, "Stand dieser Erklärung: 6. Dezember 2026.", "This statement was written on 6 December 2026.") }</p>
            </section>
        </article>
    }
}
