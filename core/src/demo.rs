//! The demo community "Grünhausen": a realistic German town workspace with content in all
//! eight categories, written as a script of ordinary commands.
//!
//! The script is pure; a [`DemoRunner`] (the runtime's service) executes each command as the
//! given member at the given time, so the demo goes through the same validation as real use.

use crate::command::{Command, ProgressInput};
use crate::model::{
    CommunityKind, NeedKind, PostKind, RequestStatus, Role, Stage, TeamRole, Term, Visibility,
};
use crate::time::{millis_to_date, Millis, DAY_MS};

/// Executes demo commands as a member at a point in time and returns the id they produced.
pub trait DemoRunner {
    type Error;
    /// `actor` is a member id of the demo community (the creator's for the first command).
    fn run(&mut self, actor: &str, at: Millis, command: Command) -> Result<String, Self::Error>;
}

/// The command that creates the demo community; run it as the local device.
#[must_use]
pub fn create_command() -> Command {
    Command::CreateCommunity {
        name: "Grünhausen".into(),
        kind: CommunityKind::Town,
        description:
            "Gemeinsam fürs Klima in Grünhausen: Ideen einbringen, Teams bilden, Projekte umsetzen."
                .into(),
        admin_name: "Maria Schneider".into(),
    }
}

fn day(now: Millis, offset: i64) -> String {
    millis_to_date(now + offset * DAY_MS)
}

fn at_local(now: Millis, offset: i64, time: &str) -> String {
    format!("{}T{time}:00+01:00", day(now, offset))
}

fn s(text: &str) -> String {
    text.to_string()
}

/// Fills the community `c`, created by `admin`, with the demo content.
///
/// # Errors
/// Whatever the runner refuses.
#[allow(clippy::too_many_lines)]
pub fn populate<R: DemoRunner>(
    r: &mut R,
    c: &str,
    admin: &str,
    now: Millis,
) -> Result<(), R::Error> {
    let t = |days: i64| now - days * DAY_MS;
    let member = |r: &mut R, name: &str, role: Role, days: i64| {
        r.run(
            admin,
            t(days),
            Command::AddMember {
                community: c.into(),
                display_name: name.into(),
                role,
            },
        )
    };
    let jonas = member(r, "Jonas Weber", Role::Member, 60)?;
    let aylin = member(r, "Aylin Demir", Role::Moderator, 59)?;
    let keller = member(
        r,
        "Sabine Keller (Rathaus, Umweltamt)",
        Role::MunicipalStaff,
        58,
    )?;
    let peter = member(r, "Peter Braun", Role::Member, 57)?;
    let lena = member(r, "Lena Hoffmann", Role::Member, 56)?;
    r.run(admin, t(55), Command::EditCommunity {
        community: c.into(),
        name: None,
        description: None,
        code_of_conduct: Some(s("Wir begegnen uns freundlich und mit Respekt. Kritik gilt Ideen, nicht Menschen. Keine Werbung, keine Beleidigungen.")),
        hold_first_posts: Some(false),
    })?;
    r.run(
        &jonas,
        t(54),
        Command::EditProfile {
            community: c.into(),
            member: None,
            display_name: None,
            about: Some(s("Elektriker, fährt jeden Tag mit dem Rad zur Arbeit.")),
            interests: Some(vec![s("energy"), s("mobility")]),
            organisation: Some(s("Energiegenossenschaft Grünhausen eG")),
            contact: Some(s("jonas.weber@example.org")),
            contact_visibility: None,
        },
    )?;
    r.run(
        &lena,
        t(54),
        Command::EditProfile {
            community: c.into(),
            member: None,
            display_name: None,
            about: Some(s("Lehrerin für Biologie an der Realschule am Park.")),
            interests: Some(vec![s("education"), s("nature")]),
            organisation: Some(s("Realschule am Park")),
            contact: None,
            contact_visibility: None,
        },
    )?;

    // --- ideas in all eight categories
    let idea = |r: &mut R, who: &str, days: i64, title: &str, text: &str, cat: &str| {
        r.run(
            who,
            t(days),
            Command::AddIdea {
                community: c.into(),
                title: title.into(),
                text: text.into(),
                category: cat.into(),
            },
        )
    };
    let solar = idea(r, &jonas, 50, "Solardächer auf der Grundschule",
        "Das große Dach der Grundschule liegt nach Süden und ist ungenutzt. Eine Bürger-Solaranlage könnte Strom für die Schule erzeugen und den Kindern zeigen, wie Energie entsteht.", "energy")?;
    let trees = idea(r, &lena, 48, "Obstbäume für die Streuobstwiese am Mühlbach",
        "Die alte Streuobstwiese verbuscht. Wir pflanzen alte Apfel- und Birnensorten nach und pflegen die Bäume gemeinsam mit der Schule.", "nature")?;
    let cargo = idea(r, &peter, 40, "Lastenrad zum Ausleihen am Rathaus",
        "Ein kostenloses Lastenrad für Einkäufe und Transporte, auszuleihen über eine einfache Liste im Rathaus.", "mobility")?;
    idea(r, &peter, 35, "Energieberatung für alte Fachwerkhäuser",
        "Viele Fachwerkhäuser in der Altstadt verlieren viel Wärme. Eine kostenlose Erstberatung vor Ort würde Eigentümern den Einstieg erleichtern.", "buildings")?;
    let repair = idea(r, &jonas, 30, "Repair-Café im Gemeindehaus",
        "Einmal im Monat reparieren wir gemeinsam Toaster, Fahrräder und Kleidung, statt sie wegzuwerfen.", "consumption")?;
    idea(r, &lena, 25, "Klimaschule: Projektwoche an der Realschule",
        "Eine Woche lang untersuchen Schülerinnen und Schüler, wo die Schule Energie verschwendet, und stellen ihre Ergebnisse im Rathaus vor.", "education")?;
    idea(r, &aylin, 20, "Trinkbrunnen in der Innenstadt",
        "Im Sommer wird es in der Innenstadt immer heißer. Trinkbrunnen am Marktplatz und am Busbahnhof helfen besonders älteren Menschen.", "health")?;
    idea(
        r,
        admin,
        15,
        "Klima-Bürgerrat für Grünhausen",
        "Zufällig ausgeloste Bürgerinnen und Bürger beraten den Stadtrat zu Klimafragen.",
        "politics",
    )?;
    for (who, target) in [
        (&aylin, &solar),
        (&peter, &solar),
        (&lena, &solar),
        (&jonas, &trees),
        (&peter, &trees),
        (&lena, &cargo),
        (&aylin, &repair),
    ] {
        r.run(
            who,
            t(28),
            Command::SupportIdea {
                idea: target.clone(),
            },
        )?;
    }
    r.run(&peter, t(45), Command::AddComment { item: solar.clone(), text: s("Super Idee! Ich helfe gerne beim Anschluss, ich kenne mich mit Wechselrichtern aus.") })?;
    r.run(
        &aylin,
        t(44),
        Command::AddComment {
            item: solar.clone(),
            text: s("Wir sollten vorher klären, ob das Dach die Last trägt."),
        },
    )?;
    r.run(
        &jonas,
        t(39),
        Command::AddComment {
            item: cargo.clone(),
            text: s("Die Stadtwerke haben vielleicht Fördergeld dafür."),
        },
    )?;

    // --- project 1: solar roof, in implementation
    let solar_p = r.run(&jonas, t(42), Command::CreateProject {
        community: c.into(),
        title: s("Solardächer auf der Grundschule"),
        summary: s("Bürger-Solaranlage mit 30 kWp auf dem Dach der Grundschule, finanziert über die Energiegenossenschaft."),
        category: None,
        from_idea: Some(solar.clone()),
        visibility: Some(Visibility::Public),
        stage: Some(Stage::Implementation),
    })?;
    r.run(
        &jonas,
        t(41),
        Command::AddTeamMember {
            project: solar_p.clone(),
            member: peter.clone(),
            role: TeamRole::Member,
        },
    )?;
    r.run(
        &jonas,
        t(41),
        Command::AddTeamMember {
            project: solar_p.clone(),
            member: aylin.clone(),
            role: TeamRole::Member,
        },
    )?;
    let mut steps = Vec::new();
    for title in [
        "Statik prüfen lassen",
        "Finanzierung sichern",
        "Anlage installieren",
    ] {
        steps.push(r.run(
            &jonas,
            t(40),
            Command::AddStep {
                project: solar_p.clone(),
                title: s(title),
            },
        )?);
    }
    let tasks = [
        ("Statiker beauftragen", 0, &aylin, -30, true),
        (
            "Angebote von drei Solarteuren einholen",
            1,
            &jonas,
            -20,
            true,
        ),
        (
            "Mitgliederversammlung der Genossenschaft",
            1,
            &jonas,
            -10,
            true,
        ),
        ("Gerüst bestellen", 2, &peter, 5, false),
        (
            "Einweihungsfest mit der Schule planen",
            2,
            &aylin,
            21,
            false,
        ),
    ];
    for (title, step, who, due, finished) in tasks {
        let task = r.run(
            &jonas,
            t(38),
            Command::AddTask {
                project: solar_p.clone(),
                title: s(title),
                step: Some(steps[step].clone()),
                assignee: Some(who.to_string()),
                due: Some(day(now, due)),
            },
        )?;
        if finished {
            r.run(
                who,
                t(12),
                Command::EditTask {
                    project: solar_p.clone(),
                    task,
                    title: None,
                    step: None,
                    assignee: None,
                    due: None,
                    done: Some(true),
                },
            )?;
        }
    }
    r.run(
        &jonas,
        t(37),
        Command::EditStep {
            project: solar_p.clone(),
            step: steps[0].clone(),
            title: None,
            done: Some(true),
            position: None,
        },
    )?;
    r.run(&jonas, t(10), Command::SetNotes { project: solar_p.clone(), text: s("# Solardach Grundschule\n\n- Statik: Dach trägt 25 kg/m², Gutachten liegt vor.\n- Angebot Solar Müller: 38.000 € für 30 kWp.\n- Offene Frage: Wer übernimmt die Wartung?\n") })?;
    let m1 = r.run(
        &jonas,
        t(36),
        Command::AddMilestone {
            project: solar_p.clone(),
            title: s("Finanzierung steht"),
            due: Some(day(now, -14)),
        },
    )?;
    r.run(
        &jonas,
        t(9),
        Command::EditMilestone {
            project: solar_p.clone(),
            milestone: m1,
            title: None,
            due: None,
            reached: Some(true),
        },
    )?;
    r.run(
        &jonas,
        t(36),
        Command::AddMilestone {
            project: solar_p.clone(),
            title: s("Anlage am Netz"),
            due: Some(day(now, 30)),
        },
    )?;
    r.run(
        &jonas,
        t(35),
        Command::AddNeed {
            project: solar_p.clone(),
            kind: NeedKind::Volunteers,
            description: s("Zwei Helfer für den Aufbau am Samstag"),
        },
    )?;
    let req1 = r.run(&jonas, t(34), Command::CreateRequest {
        target: solar_p.clone(),
        title: s("Dachnutzung der Grundschule genehmigen"),
        text: s("Wir bitten die Stadt als Eigentümerin, die Nutzung des Schuldachs für 20 Jahre zu gestatten."),
        department: s("Bauamt"),
    })?;
    r.run(
        &keller,
        t(31),
        Command::AnswerRequest {
            request: req1.clone(),
            status: RequestStatus::Received,
            message: s("Danke, wir prüfen das mit dem Bauamt."),
            reason: String::new(),
            contact: Some(s("Sabine Keller, Umweltamt, Tel. 0123 4567-12")),
            promised_by: Some(day(now, -20)),
            department: None,
        },
    )?;
    r.run(
        &keller,
        t(21),
        Command::AnswerRequest {
            request: req1.clone(),
            status: RequestStatus::Approved,
            message: s("Der Stadtrat hat zugestimmt. Der Nutzungsvertrag kommt per Post."),
            reason: String::new(),
            contact: None,
            promised_by: None,
            department: None,
        },
    )?;
    r.run(
        &keller,
        t(8),
        Command::AnswerRequest {
            request: req1,
            status: RequestStatus::InImplementation,
            message: s("Vertrag unterschrieben, das Bauamt begleitet den Aufbau."),
            reason: String::new(),
            contact: None,
            promised_by: None,
            department: None,
        },
    )?;

    // --- project 2: orchard, planning, with an overdue request
    let trees_p = r.run(
        &lena,
        t(33),
        Command::CreateProject {
            community: c.into(),
            title: s("Streuobstwiese am Mühlbach"),
            summary: s(
                "Nachpflanzung von 25 alten Obstbäumen und Pflegepatenschaften mit der Realschule.",
            ),
            category: None,
            from_idea: Some(trees.clone()),
            visibility: None,
            stage: Some(Stage::Planning),
        },
    )?;
    r.run(
        &lena,
        t(32),
        Command::AddTeamMember {
            project: trees_p.clone(),
            member: jonas.clone(),
            role: TeamRole::Member,
        },
    )?;
    for (title, due) in [
        ("Sortenliste mit dem Obstbauverein abstimmen", 3),
        ("Spaten und Pfähle organisieren", 8),
        ("Pflanzaktion ankündigen", 6),
    ] {
        r.run(
            &lena,
            t(30),
            Command::AddTask {
                project: trees_p.clone(),
                title: s(title),
                step: None,
                assignee: Some(lena.clone()),
                due: Some(day(now, due)),
            },
        )?;
    }
    r.run(&lena, t(29), Command::SetNotes { project: trees_p.clone(), text: s("Sorten: Boskoop, Gravensteiner, Gute Luise.\nPflanzabstand 10 m. Bäume beim Obstbauverein bestellen.\n") })?;
    r.run(
        &lena,
        t(29),
        Command::AddNeed {
            project: trees_p.clone(),
            kind: NeedKind::Municipal,
            description: s("Freigabe der städtischen Fläche am Mühlbach"),
        },
    )?;
    r.run(
        &lena,
        t(29),
        Command::AddNeed {
            project: trees_p.clone(),
            kind: NeedKind::Money,
            description: s("1.200 € für Bäume und Pfähle"),
        },
    )?;
    let req2 = r.run(
        &lena,
        t(28),
        Command::CreateRequest {
            target: trees_p.clone(),
            title: s("Fläche am Mühlbach zur Pflanzung freigeben"),
            text: s(
                "Die Wiese gehört der Stadt. Dürfen wir dort 25 Obstbäume pflanzen und pflegen?",
            ),
            department: s("Grünflächenamt"),
        },
    )?;
    // The admin follows it, so the town hall's answers reach her too.
    r.run(
        admin,
        t(27),
        Command::FollowRequest {
            request: req2.clone(),
        },
    )?;
    r.run(
        &keller,
        t(26),
        Command::AnswerRequest {
            request: req2,
            status: RequestStatus::Received,
            message: s("Eingegangen. Das Grünflächenamt meldet sich."),
            reason: String::new(),
            contact: Some(s("Grünflächenamt, Herr Yilmaz")),
            promised_by: Some(day(now, -12)),
            department: None,
        },
    )?;

    // --- a team-only project in the concept stage
    r.run(
        &peter,
        t(18),
        Command::CreateProject {
            community: c.into(),
            title: s("Lastenrad-Verleih"),
            summary: s("Konzept für einen Verleih mit zwei E-Lastenrädern."),
            category: None,
            from_idea: Some(cargo),
            visibility: Some(Visibility::Team),
            stage: Some(Stage::Concept),
        },
    )?;
    let done_p = r.run(
        admin,
        t(100),
        Command::CreateProject {
            community: c.into(),
            title: s("Blühstreifen an der Bahnhofstraße"),
            summary: s("500 m Blühstreifen für Wildbienen, angelegt mit dem Bauhof."),
            category: Some(s("nature")),
            from_idea: None,
            visibility: None,
            stage: Some(Stage::Done),
        },
    )?;
    r.run(
        admin,
        t(90),
        Command::EditProject {
            project: done_p.clone(),
            title: None,
            summary: None,
            category: None,
            stage: None,
            visibility: None,
            progress: Some(ProgressInput::Percent(100)),
        },
    )?;

    // --- directory
    let org =
        |r: &mut R, name: &str, description: &str, cats: &[&str], contact: &str, web: &str| {
            r.run(
                admin,
                t(52),
                Command::AddOrganisation {
                    community: c.into(),
                    name: name.into(),
                    description: description.into(),
                    categories: cats.iter().map(|x| (*x).to_string()).collect(),
                    contact: contact.into(),
                    website: web.into(),
                },
            )
        };
    let eg = org(
        r,
        "Energiegenossenschaft Grünhausen eG",
        "Bürgerinnen und Bürger finanzieren gemeinsam Solaranlagen in der Stadt.",
        &["energy", "buildings"],
        "info@eg-gruenhausen.example",
        "https://eg-gruenhausen.example",
    )?;
    r.run(
        admin,
        t(51),
        Command::AddOrgProject {
            organisation: eg.clone(),
            title: s("Solardächer auf der Grundschule"),
            running: true,
            project: Some(solar_p),
        },
    )?;
    r.run(
        admin,
        t(51),
        Command::AddOrgProject {
            organisation: eg,
            title: s("Solarpark an der Kläranlage"),
            running: false,
            project: None,
        },
    )?;
    let bund = org(
        r,
        "BUND Ortsgruppe Grünhausen",
        "Naturschutz vor Ort: Amphibienzaun, Nistkästen, Blühwiesen.",
        &["nature", "politics"],
        "bund@gruenhausen.example",
        "",
    )?;
    r.run(
        admin,
        t(51),
        Command::AddOrgProject {
            organisation: bund,
            title: s("Blühstreifen an der Bahnhofstraße"),
            running: false,
            project: Some(done_p),
        },
    )?;
    let repair_org = org(
        r,
        "Repair-Café Grünhausen e.V.",
        "Ehrenamtliche reparieren kaputte Dinge, jeden ersten Samstag im Monat.",
        &["consumption"],
        "Gemeindehaus, Kirchgasse 3",
        "",
    )?;
    org(
        r,
        "Stadtwerke Grünhausen",
        "Strom, Wasser und Busse für Grünhausen; Förderprogramme für Balkonkraftwerke.",
        &["energy", "mobility"],
        "service@stadtwerke-gruenhausen.example",
        "https://stadtwerke-gruenhausen.example",
    )?;
    org(
        r,
        "Realschule am Park",
        "Klimaschule mit Schulgarten und Energiedetektiven.",
        &["education"],
        "sekretariat@rs-park.example",
        "",
    )?;
    org(
        r,
        "Sportverein TSV Grünhausen",
        "Bewegung an der frischen Luft, Radgruppe und Lauftreff.",
        &["health", "mobility"],
        "",
        "",
    )?;

    // --- volunteering
    let opp = |r: &mut R,
               title: &str,
               description: &str,
               term: Term,
               commitment: &str,
               cat: &str,
               date: Option<String>,
               org: Option<String>| {
        r.run(
            admin,
            t(20),
            Command::AddOpportunity {
                community: c.into(),
                title: title.into(),
                description: description.into(),
                term,
                commitment: commitment.into(),
                category: cat.into(),
                contact: s("Maria Schneider"),
                organisation: org,
                date,
            },
        )
    };
    let plant = opp(
        r,
        "Helfende Hände bei der Pflanzaktion",
        "Wir pflanzen 25 Obstbäume. Bitte Spaten und Handschuhe mitbringen.",
        Term::Short,
        "Samstag, 3 Stunden",
        "nature",
        Some(day(now, 10)),
        None,
    )?;
    r.run(
        &peter,
        t(5),
        Command::SignUp {
            opportunity: plant,
            note: s("Bringe zwei Spaten mit."),
        },
    )?;
    opp(
        r,
        "Reparateurin oder Reparateur im Repair-Café",
        "Du kannst löten, nähen oder Fahrräder flicken? Hilf einmal im Monat mit.",
        Term::Long,
        "monatlich 3 Stunden",
        "consumption",
        None,
        Some(repair_org),
    )?;
    opp(
        r,
        "Lastenrad-Patenschaft",
        "Kümmere dich um Ausleihe und Pflege eines Lastenrads.",
        Term::Long,
        "wöchentlich 1 Stunde",
        "mobility",
        None,
        None,
    )?;

    // --- calendar
    let event = |r: &mut R,
                 title: &str,
                 description: &str,
                 offset: i64,
                 from: &str,
                 to: &str,
                 place: &str,
                 link: &str,
                 cat: &str,
                 organiser: &str| {
        r.run(
            admin,
            t(14),
            Command::AddEvent {
                community: c.into(),
                title: title.into(),
                description: description.into(),
                start: at_local(now, offset, from),
                end: at_local(now, offset, to),
                time_zone: Some(s("Europe/Berlin")),
                place: place.into(),
                online_link: link.into(),
                category: cat.into(),
                organiser: organiser.into(),
                capacity: 0,
            },
        )
    };
    let planting = event(
        r,
        "Pflanzaktion Streuobstwiese",
        "Gemeinsam pflanzen wir alte Obstsorten. Für Kinder gibt es Apfelsaft.",
        10,
        "10:00",
        "13:00",
        "Streuobstwiese am Mühlbach",
        "",
        "nature",
        "Realschule am Park",
    )?;
    r.run(&jonas, t(3), Command::Register { event: planting })?;
    event(
        r,
        "Repair-Café",
        "Bring mit, was kaputt ist.",
        5,
        "14:00",
        "17:00",
        "Gemeindehaus, Kirchgasse 3",
        "",
        "consumption",
        "Repair-Café Grünhausen e.V.",
    )?;
    event(
        r,
        "Infoabend Balkonkraftwerke",
        "Was bringt ein Balkonkraftwerk, was kostet es, wie melde ich es an?",
        14,
        "19:00",
        "20:30",
        "",
        "https://meet.example.org/balkonkraftwerk",
        "energy",
        "Stadtwerke Grünhausen",
    )?;
    event(
        r,
        "Fahrradtour zu den Solaranlagen",
        "Eine gemütliche Tour, 15 km, mit Stopps an drei Anlagen.",
        25,
        "11:00",
        "15:00",
        "Treffpunkt Marktplatz",
        "",
        "mobility",
        "TSV Grünhausen",
    )?;
    event(
        r,
        "Vortrag: Hitze und Gesundheit im Alter",
        "Eine Ärztin erklärt, wie man sich an heißen Tagen schützt.",
        18,
        "18:00",
        "19:30",
        "Stadtbücherei",
        "",
        "health",
        "Seniorenbeirat",
    )?;

    // --- news, tips, support offers
    let post =
        |r: &mut R, who: &str, kind: PostKind, title: &str, text: &str, cat: &str, by: &str| {
            r.run(
                who,
                t(7),
                Command::AddPost {
                    community: c.into(),
                    kind,
                    title: title.into(),
                    text: text.into(),
                    category: cat.into(),
                    offered_by: by.into(),
                },
            )
        };
    post(r, admin, PostKind::News, "Stadtrat beschließt Klimaschutzkonzept", "Mit großer Mehrheit hat der Stadtrat das Klimaschutzkonzept beschlossen. Bis 2035 soll Grünhausen klimaneutral werden.", "politics", "")?;
    post(r, &aylin, PostKind::Tip, "Stoßlüften statt Kipplüften", "Drei- bis viermal am Tag für fünf Minuten die Fenster weit öffnen spart Heizenergie und beugt Schimmel vor.", "buildings", "")?;
    post(
        r,
        &peter,
        PostKind::Tip,
        "Leitungswasser statt Flaschen",
        "Unser Leitungswasser ist bestens kontrolliert. Das spart Plastik, Geld und Schlepperei.",
        "health",
        "",
    )?;
    post(
        r,
        admin,
        PostKind::Offer,
        "200 € Zuschuss für Balkonkraftwerke",
        "Die Stadtwerke fördern Balkonkraftwerke mit 200 €. Antrag online oder im Kundenzentrum.",
        "energy",
        "Stadtwerke Grünhausen",
    )?;
    post(
        r,
        &jonas,
        PostKind::Offer,
        "Kostenlose Plakate für Klimaprojekte",
        "Die Druckerei Meyer druckt Plakate für gemeinnützige Klimaprojekte kostenlos.",
        "education",
        "Druckerei Meyer",
    )?;
    // The coached village process as a template any group can apply.
    if let Some(template) = crate::templates::builtin("village") {
        r.run(
            admin,
            t(50),
            Command::AddTemplate {
                community: c.into(),
                template,
            },
        )?;
    }
    Ok(())
}
