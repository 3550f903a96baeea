// End-to-end walk through the Allmende UI in real headless Chromium, against `allmende serve`
// with the demo community. Driven by tests/browser.rs:
//   node e2e.mjs BASE_URL ALLMENDE_BIN DATA_DIR SCREENSHOT_DIR [WIDTH]
// once on a wide screen (1280 px, the default) and once on a phone (360 px, the rest of the
// navigation behind "Mehr"). Every step asserts on what a person sees. axe-core checks every
// screen for serious or critical accessibility violations. The wide run takes screenshots at
// 360 px and 1280 px into SCREENSHOT_DIR.
import { execFileSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { chromium } from "playwright-core"

const [base, bin, data, shots, widthArg] = process.argv.slice(2)
const width = Number(widthArg || 1280)
const phone = width < 600
const size = { width, height: phone ? 780 : 900 }
fs.mkdirSync(shots, { recursive: true })
const axeSource = fs.readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8")
const failures = []
const errors = []

function check(ok, what) {
  if (!ok) failures.push(what)
  console.log(`${ok ? "ok  " : "FAIL"} ${width} px: ${what}`)
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
})
const page = await browser.newPage({ viewport: size, locale: "de-DE" })
page.on("pageerror", (e) => errors.push(e.message))
page.setDefaultTimeout(15000)

async function axe(screen) {
  await page.addScriptTag({ content: axeSource })
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }))
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
  for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`)
  check(bad.length === 0, `axe: no serious or critical violations on ${screen}`)
}

async function shoot(name) {
  if (phone) return
  for (const w of [360, 1280]) {
    await page.setViewportSize({ width: w, height: w === 360 ? 780 : 900 })
    await page.waitForTimeout(150)
    await page.screenshot({ path: path.join(shots, `${name}-${w}.png`), fullPage: false })
  }
  await page.setViewportSize(size)
}

// On a phone the destinations beyond the first four wait behind "Mehr".
async function nav(name) {
  const menu = page.getByRole("navigation")
  const target = menu.getByRole("button", { name, exact: true })
  if (!(await target.isVisible().catch(() => false))) {
    await menu.getByRole("button", { name: "Mehr", exact: true }).click()
  }
  await target.click()
  await page.waitForSelector("main h1")
}

const visible = async (text) => page.getByText(text, { exact: false }).first().isVisible().catch(() => false)
const waitText = async (text, timeout = 8000) => page.getByText(text, { exact: false }).first().waitFor({ timeout }).then(() => true, () => false)

// Home with the demo community. The wasm bundle comes gzipped (a phone on a school's Wi-Fi).
const wasmEncoding = new Promise((resolve) => page.on("response", (r) => { if (r.url().endsWith(".wasm")) resolve(r.headers()["content-encoding"] || "none") }))
await page.goto(base)
check((await wasmEncoding) === "gzip", "the wasm bundle comes gzipped")
check(await waitText("Grünhausen"), "home shows the demo community")
check(await waitText("Warten auf das Rathaus"), "home shows requests waiting for the town hall")
check(await page.locator(".notifications").getByText("Eingegangen. Das Grünflächenamt meldet sich.").waitFor({ timeout: 10000 }).then(() => true, () => false), "home shows the town hall's answer on a request I follow")
check(await page.locator(".badge").waitFor({ timeout: 8000 }).then(() => true, () => false), "an unread answer is marked as new")
await page.getByRole("button", { name: "Als gelesen markieren" }).click()
check(await page.locator(".badge").waitFor({ state: "hidden", timeout: 8000 }).then(() => true, () => false), "marking as read removes the mark")
await axe("home")
await shoot("home")

// A skip link leads past the navigation to the screen.
await page.keyboard.press("Tab")
const skip = page.getByRole("link", { name: "Zum Inhalt springen" })
check(await skip.isVisible(), "the first Tab shows a skip link")
await skip.press("Enter")
check(await page.evaluate(() => document.activeElement?.id === "main"), "the skip link moves focus to the screen")
// A wide screen shows every destination; a phone four and "Mehr" (tests/js/guest.mjs).
if (phone) {
  check(!(await page.getByRole("navigation").getByRole("button", { name: "Zahlen", exact: true }).isVisible()), "a phone keeps the rarer destinations behind Mehr")
  check(await page.getByRole("navigation").getByRole("button", { name: "Mehr", exact: true }).isVisible(), "and shows Mehr")
} else {
  check(await page.getByRole("navigation").getByRole("button", { name: "Zahlen", exact: true }).isVisible(), "a wide screen shows every destination")
  check(!(await page.getByRole("navigation").getByRole("button", { name: "Mehr", exact: true }).isVisible()), "and no Mehr")
}

// Ideas: submit, support, comment, start a team.
await nav("Ideen")
await axe("ideas")
await shoot("ideas")
await page.getByLabel("Titel").fill("Blühwiese am Sportplatz")
await page.getByLabel("Beschreibung").fill("Wildblumen statt Rasen an der Laufbahn.")
await page.locator("select[name=category]").selectOption("nature")
await page.getByRole("button", { name: "Idee einreichen" }).click()
check(await waitText("Blühwiese am Sportplatz"), "a submitted idea appears on the board")
check(await page.locator("form .notice.ok", { hasText: "Gespeichert" }).first().isVisible().catch(() => false), "and the form says so next to itself")
// Supporting someone else's idea: the button turns into withdrawing, and back.
await page.getByRole("button", { name: "Trinkbrunnen in der Innenstadt" }).click()
await page.getByRole("button", { name: "Unterstützen" }).click()
check(await waitText("♥ 1"), "supporting shows one supporter")
check(await page.getByRole("button", { name: "Unterstützung zurückziehen" }).waitFor({ timeout: 8000 }).then(() => true, () => false), "once supported, the button withdraws the support")
check(!(await page.getByRole("button", { name: "Unterstützen", exact: true }).isVisible().catch(() => false)), "no second support")
await page.getByRole("button", { name: "Unterstützung zurückziehen" }).click()
check(await waitText("♥ 0"), "withdrawing removes the support")
await nav("Ideen")
// One's own idea: no support button, a word instead.
await page.getByRole("button", { name: "Blühwiese am Sportplatz" }).click()
check(await waitText("Deine Idee"), "one's own idea says so")
check(!(await page.getByRole("button", { name: "Unterstützen", exact: true }).isVisible().catch(() => false)), "one's own idea cannot be supported")
await page.getByLabel("Dein Kommentar").fill("Ich bringe Saatgut mit!")
await page.getByRole("button", { name: "Kommentieren" }).click()
check(await waitText("Ich bringe Saatgut mit!"), "a comment appears under the idea")
await axe("idea detail")
await page.getByRole("button", { name: "Team gründen" }).click()
check(await waitText("Schritte und Aufgaben"), "starting a team opens the project workspace")
check((await page.locator("main h1").textContent()) === "Blühwiese am Sportplatz", "the project carries the idea's title")

// Project: add and complete a task, edit notes.
await page.getByLabel("Neue Aufgabe").fill("Saatgut kaufen")
await page.getByRole("button", { name: "Aufgabe hinzufügen" }).click()
check(await waitText("Saatgut kaufen"), "a new task appears")
// A click, then wait for the stored state (the box follows the saved task, not the click).
await page.getByLabel("Saatgut kaufen").click()
await page.waitForFunction(() => [...document.querySelectorAll("li.task")].some((li) => li.textContent.includes("Saatgut kaufen") && li.querySelector("input").checked), null, { timeout: 10000 }).catch(() => {})
await page.waitForTimeout(500)
check(await page.getByLabel("Saatgut kaufen").isChecked(), "a completed task stays ticked")
check(await waitText("100 %"), "progress follows the completed task")
await page.locator("#notes").fill("Mähen erst im September.\nSaatgut: Wiesenmischung regional.")
await page.getByRole("button", { name: "Notizen speichern" }).click()
check(await waitText("Gespeichert"), "saving notes confirms")
await page.locator("select[name=template]").selectOption({ label: "Dorfwerkstatt: von der Idee zur Projektbörse" })
await page.getByRole("button", { name: "Vorlage anwenden" }).click()
check(await waitText("Ideenwerkstatt: Ideen sammeln und auswählen"), "a workshop template adds its steps to the project")
check(await waitText("Einladung ins Dorf verteilen"), "and the tasks of each step")
await axe("project")
await shoot("project")
await nav("Projekte")
await page.getByRole("tab", { name: "Projektbörse" }).click()
check(await waitText("Projekte, die andere Dörfer"), "the project fair explains what it shows")
await axe("project fair")
await page.getByRole("tab", { name: "Laufend" }).click()
await page.getByRole("button", { name: "Blühwiese am Sportplatz" }).click()
await page.waitForSelector("#notes")
check((await page.locator("#notes").inputValue()).includes("Wiesenmischung regional"), "notes are kept")

// Calendar: a month view, create an event, the list, and the iCal export.
await nav("Kalender")
check(await page.locator("table.month").waitFor({ timeout: 10000 }).then(() => true, () => false), "the calendar opens on a month view")
const monthName = new Date().toLocaleString("de-DE", { month: "long" })
check(await waitText(monthName), "the month view shows the current month")
await page.locator("input[name=event-title]").fill("Sensenkurs für Anfänger")
await page.locator("input[name=start]").fill("2030-06-06T17:00")
await page.locator("input[name=end]").fill("2030-06-06T19:00")
await page.locator("input[name=place]").fill("Sportplatz")
await page.locator("select[name=event-category]").selectOption("nature")
await page.getByRole("button", { name: "Termin anlegen" }).click()
check(await page.locator("form .notice.ok", { hasText: "Gespeichert" }).first().waitFor({ timeout: 8000 }).then(() => true, () => false), "creating an event confirms next to the form")
await page.getByRole("tab", { name: "Liste" }).click()
check(await waitText("Sensenkurs für Anfänger"), "a new event appears in the calendar list")
const href = await page.getByRole("link", { name: "Als iCal-Datei exportieren" }).getAttribute("href")
const ics = await (await page.request.get(new URL(href, base).toString())).text()
check(ics.includes("SUMMARY:Sensenkurs für Anfänger") && ics.includes("DTSTART:20300606T150000Z"), "the iCal export holds the event")
// Subscribing: a secret link for calendar apps, copied with one click, fetched without a session.
await page.getByRole("button", { name: "Abo-Link zeigen" }).click()
const feedField = page.locator("input[name=calendar-link]")
check(await feedField.waitFor({ timeout: 8000 }).then(() => true, () => false), "the subscription link is shown")
const feedUrl = await feedField.inputValue()
const webcal = await page.getByRole("link", { name: "Im Kalender öffnen" }).getAttribute("href")
check(webcal.startsWith("webcal://") && webcal.endsWith(feedUrl.replace(/^http:\/\//, "")), "a webcal:// link opens it in a calendar app")
const feed = await (await fetch(feedUrl)).text()
check(feed.includes("SUMMARY:Sensenkurs für Anfänger") && feed.includes("REFRESH-INTERVAL"), "a calendar app fetches the events from the link, without a session")
await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(base).origin })
await page.getByRole("button", { name: "Link kopieren" }).click()
check(await waitText("Kopiert."), "the link is copied with one click")
await axe("calendar")
await shoot("calendar")

// Directory filtered by a category.
await nav("Verzeichnis")
await page.getByRole("button", { name: "Energie", exact: true }).click()
check(await page.getByText("BUND Ortsgruppe").first().waitFor({ state: "hidden", timeout: 10000 }).then(() => true, () => false), "the energy filter hides nature groups")
check(await waitText("Energiegenossenschaft Grünhausen eG"), "the energy filter shows the energy cooperative")
await axe("directory")
await shoot("directory")
for (const [name, screen] of [["Mitmachen", "volunteering"], ["Neuigkeiten", "news"], ["Rathaus", "town hall"]]) {
  await nav(name)
  await page.waitForTimeout(400)
  await axe(screen)
}

// The town-hall inbox: filters, and how each department answers.
await nav("Rathaus")
const figures = page.locator("table.figures")
check(await figures.getByText("Grünflächenamt").waitFor({ timeout: 8000 }).then(() => true, () => false), "the inbox shows each department's answering record")
const gone = async (text) => page.locator("main .cards").getByText(text).first().waitFor({ state: "hidden", timeout: 8000 }).then(() => true, () => false)
const shown = async (text) => page.locator("main .cards").getByText(text).first().waitFor({ timeout: 8000 }).then(() => true, () => false)
await page.getByLabel("Überfällig").check()
check(await gone("Dachnutzung der Grundschule genehmigen"), "the overdue filter hides requests still in time")
check(await shown("Fläche am Mühlbach zur Pflanzung freigeben"), "the overdue filter keeps the overdue request")
await page.getByLabel("Überfällig").uncheck()
await page.locator("select[name=inbox-department]").selectOption("Bauamt")
check(await gone("Fläche am Mühlbach zur Pflanzung freigeben"), "the department filter hides other departments")
check(await shown("Dachnutzung der Grundschule genehmigen"), "the department filter shows the Bauamt's request")
await page.locator("select[name=inbox-department]").selectOption("")
// Two filters chosen quickly: the first one's answer comes late (held back here), after the
// second one's. The list must show the second filter's requests, not the late answer.
check(await shown("Dachnutzung der Grundschule genehmigen"), "back to all departments")
const late = async (route) => {
  const body = route.request().postData() || ""
  if (body.includes('"status":"in_review"')) await new Promise((r) => setTimeout(r, 2500))
  await route.continue()
}
const isQuery = (url) => url.pathname === "/api/query"
await page.route(isQuery, late)
const asked = page.waitForRequest((r) => r.url().includes("/api/query") && (r.postData() || "").includes('"status":"in_review"'))
await page.locator("select[name=inbox-status]").selectOption("in_review")
await asked
await page.locator("select[name=inbox-status]").selectOption("received")
await page.waitForTimeout(3500)
check(await page.locator("main .cards").getByText("Fläche am Mühlbach zur Pflanzung freigeben").count() > 0, "a late answer to an earlier filter does not replace the list of the filter chosen after it")
await page.unroute(isQuery, late)
await page.locator("select[name=inbox-status]").selectOption("")
await page.locator("select[name=inbox-status]").selectOption("received")
check(await shown("Fläche am Mühlbach zur Pflanzung freigeben"), "the status filter shows received requests")
await page.locator("select[name=inbox-status]").selectOption("")
await axe("town hall inbox")
await shoot("townhall")
check(await page.locator("header .current-community").getByText("Grünhausen").waitFor({ timeout: 5000 }).then(() => true, () => false), "the header names the open community")
// A reload (or a shared link) opens the same screen in the same community.
await page.reload()
check(await page.locator("main h1").getByText("Rathaus").waitFor({ timeout: 10000 }).then(() => true, () => false), "a reload keeps the screen")
check(await page.locator("header .current-community").getByText("Grünhausen").waitFor({ timeout: 5000 }).then(() => true, () => false), "a reload keeps the community")
// The browser's back button returns to the screen before.
await nav("Ideen")
await page.goBack()
check(await page.locator("main h1").getByText("Rathaus").waitFor({ timeout: 10000 }).then(() => true, () => false), "back in the browser returns to the screen before")

// The town hall: an overdue request shows how long it waits; an answer joins its history.
await page.getByRole("button", { name: "Fläche am Mühlbach zur Pflanzung freigeben" }).click()
check(await waitText("wartet seit"), "an overdue request says how long it has been waiting")
await page.locator("select[name=answer-status]").selectOption("in_review")
await page.locator("textarea[name=answer-message]").fill("Das Grünflächenamt prüft vor Ort.")
await page.getByRole("button", { name: "Antwort senden" }).click()
check(await waitText("Das Grünflächenamt prüft vor Ort."), "the answer appears in the request's history")
check(await waitText("in Prüfung"), "the request's status changes")
await axe("request")
await shoot("request")
// The project the request is about shows its whole history too.
await nav("Projekte")
await page.getByRole("button", { name: "Streuobstwiese am Mühlbach" }).first().click()
const history = page.locator(".request-history").filter({ hasText: "Fläche am Mühlbach zur Pflanzung freigeben" })
check(await history.getByText("Das Grünflächenamt prüft vor Ort.").waitFor({ timeout: 8000 }).then(() => true, () => false), "the project page shows the request's history with the latest answer")
check(await history.getByText("wartet seit").isVisible().catch(() => false), "and how long it has been waiting")
check((await history.locator(".timeline li").count()) >= 2, "with every dated status change")
await axe("project with request history")
// A decline gives its reason, once.
await nav("Rathaus")
await page.getByRole("button", { name: "Dachnutzung der Grundschule genehmigen" }).first().click()
await page.locator("select[name=answer-status]").selectOption("declined")
await page.locator("textarea[name=answer-message]").fill("Das Dach wird 2027 saniert.")
await page.getByRole("button", { name: "Antwort senden" }).click()
check(await waitText("Das Dach wird 2027 saniert."), "the decline's reason appears in the history")
check((await page.locator(".timeline").getByText("Das Dach wird 2027 saniert.").count()) === 1, "the reason is shown once")
await page.getByRole("button", { name: "← Zurück" }).click()
check(await page.locator("main h1", { hasText: "Rathaus" }).waitFor({ timeout: 8000 }).then(() => true, () => false), "back from a request leads to the town hall, not the ideas")
// The idea the project came from shows how far its implementation is.
await nav("Ideen")
await page.getByRole("button", { name: "Solardächer auf der Grundschule" }).first().click()
const implementation = page.locator(".project-progress")
check(await implementation.getByRole("heading", { name: "Stand der Umsetzung" }).waitFor({ timeout: 8000 }).then(() => true, () => false), "an idea with a project shows its implementation")
check(/Fortschritt \d+ %/.test(await implementation.locator(".pct").textContent().catch(() => "")), "with the progress in percent")
check(await implementation.getByText("Finanzierung steht").isVisible().catch(() => false), "and its milestones")
await axe("idea with implementation progress")
// Moderation: a reported post appears in the queue and can be hidden.
const posts = JSON.parse(execFileSync(bin, ["--data", data, "--json", "post", "list"]).toString())
const tip = posts.items.find((p) => p.title === "Leitungswasser statt Flaschen")
execFileSync(bin, ["--data", data, "report", tip.id, "--reason", "Werbung für Wasserfilter?"])
await nav("Moderation")
check(await waitText("Leitungswasser statt Flaschen"), "a reported post is in the moderators' queue")
await page.locator("input[name=moderation-reason]").fill("Geprüft, vorerst ausgeblendet")
await page.getByRole("button", { name: "Ausblenden" }).click()
check(await waitText("Wieder einblenden"), "a hidden post can be restored")
check(await page.locator(".audit").getByText("Geprüft, vorerst ausgeblendet").waitFor({ timeout: 8000 }).then(() => true, () => false), "the moderation log records the decision with its reason")
check(await waitText("Keine – alles in Ordnung."), "admins see that no change was refused")
await axe("moderation")
await shoot("moderation")

// Figures: totals, charts over time, CSV, and the weekly digest.
await nav("Zahlen")
check(await waitText("Projekte nach Phase"), "the dashboard shows projects by stage")
check((await page.locator(".chart svg").count()) === 6, "the dashboard charts six kinds over time")
const csvHref = (await page.getByRole("link", { name: "Als CSV herunterladen" }).getAttribute("href")) || ""
check(decodeURIComponent(csvHref).includes("month,member,idea,project"), "the CSV export holds the monthly figures")
const digestMd = await page.locator("textarea[name=digest]").inputValue().catch(() => "")
check(digestMd.startsWith("# Mach mit in Grünhausen") && digestMd.includes("Hilfe gesucht"), "the weekly digest is ready as Markdown")
await page.getByRole("tab", { name: "HTML" }).click()
check(await page.waitForFunction(() => document.querySelector("textarea[name=digest]")?.value.startsWith("<article>")).then(() => true, () => false), "and as HTML")
await axe("dashboard")
await shoot("dashboard")
// My profile: interests show in the people list.
await nav("Mein Profil")
await page.locator("textarea[name=about]").fill("Gärtnerin, mag Wildbienen.")
await page.getByLabel("Stadtgrün & Artenvielfalt").check()
await page.getByLabel("Mobilität").check()
await page.getByRole("button", { name: "Profil speichern" }).click()
check(await page.locator("form .notice.ok", { hasText: "Gespeichert" }).first().waitFor({ timeout: 8000 }).then(() => true, () => false), "saving the profile confirms next to the form")
await axe("profile")
await nav("Menschen")
const maria = page.locator("li.card", { hasText: "Maria Schneider" })
check(await maria.getByText("Stadtgrün & Artenvielfalt").first().waitFor({ timeout: 10000 }).then(() => true, () => false), "my interests show in the people list")
// The profile opens as it is, and saving one field keeps the others.
await nav("Mein Profil")
await page.locator("input[name=display-name]").waitFor({ timeout: 8000 }).catch(() => {})
check((await page.locator("input[name=display-name]").inputValue().catch(() => "")) === "Maria Schneider", "my profile opens with my name filled in")
check(await page.getByLabel("Mobilität").isChecked().catch(() => false), "and my interests ticked")
await page.locator("input[name=organisation]").fill("Gartenfreunde Grünhausen")
await page.getByRole("button", { name: "Profil speichern" }).click()
await waitText("Gespeichert")
// The answer of the first save may still stand: wait for the store, not only the notice.
const mariaNow = () => JSON.parse(execFileSync(bin, ["--data", data, "--json", "member", "list"]).toString()).find((m) => m.display_name === "Maria Schneider")
let mine = mariaNow()
for (let i = 0; i < 40 && mine?.organisation !== "Gartenfreunde Grünhausen"; i++) {
  await page.waitForTimeout(200)
  mine = mariaNow()
}
check(mine && mine.interests.includes("mobility") && mine.organisation === "Gartenfreunde Grünhausen", `saving one field keeps the interests (${JSON.stringify(mine)})`)
await nav("Abgleich")
check(await waitText("Alles, was du hier tust, ist sofort auf diesem Gerät gespeichert"), "the sync page says everything is saved on this device")
await axe("sync")
// About: what Allmende is in Leichte Sprache, the version, the accessibility statement and
// whom to tell about a barrier.
await nav("Über Allmende")
check(await waitText("Was ist Allmende? In Leichter Sprache"), "the about page explains Allmende in Leichte Sprache")
check(await waitText("Es geht auch ohne Internet."), "in short sentences")
check(await waitText("Datenformat 6"), "it names the version and the data format")
check(await waitText("Erklärung zur Barrierefreiheit"), "it holds the accessibility statement")
check(await page.locator("ul.admins").getByText("Maria Schneider").first().waitFor({ timeout: 8000 }).then(() => true, () => false), "and names whom to tell about a barrier")
await axe("about")
await shoot("about")
const reloaded = page.url()
await page.reload()
check(await waitText("Erklärung zur Barrierefreiheit") && reloaded.endsWith("/about"), "the about page survives a reload")
for (const [name, screen] of [["Menschen", "people"], ["Gemeinschaften", "communities"]]) {
  await nav(name)
  await page.waitForTimeout(400)
  await axe(screen)
}

// Switch language.
await page.getByRole("button", { name: "Sprache wechseln" }).click()
check(await waitText("Ideas"), "switching to English relabels the navigation")
check((await page.locator("html").getAttribute("lang")) === "en", "the page language follows")
await page.getByRole("button", { name: "Switch language" }).click()
check(await waitText("Ideen"), "and back to German")

// A change made through the CLI appears live, without a reload.
await nav("Ideen")
execFileSync(bin, ["--data", data, "idea", "add", "--title", "Live aus dem Terminal", "--category", "energy"])
check(await waitText("Live aus dem Terminal", 10000), "a CLI change appears without reload")

// Invite someone: a token to pass on and its QR code.
await nav("Gemeinschaften")
await page.locator("input[name=invitee]").fill("Jonas Klein")
await page.getByRole("button", { name: "Einladung erstellen" }).click()
await page.locator(".qr svg").waitFor({ timeout: 8000 }).catch(() => {})
check(await page.locator(".qr svg").isVisible().catch(() => false), "an invite shows its QR code")
check((await page.locator(".invite textarea").inputValue().catch(() => "")).startsWith("allmende-invite:"), "an invite shows its token")
await axe("invite")
await page.getByRole("button", { name: "Klassencode erstellen" }).click()
const classCode = await page.locator(".classcode").textContent({ timeout: 8000 }).catch(() => "")
check(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/.test(classCode || ""), "the host can make a class code for pupils' browsers")
check(await page.locator(".panel .qr").nth(0).isVisible().catch(() => false), "with a QR code of the join link")
// The community's codes are listed with their use; one can be withdrawn.
const row = page.locator(".classcode-row", { hasText: classCode || "none" })
await row.waitFor({ timeout: 8000 }).catch(() => {})
check(await row.getByText("0/40").isVisible().catch(() => false), "the new code is listed with 0/40 joined")
await row.getByRole("button", { name: "Zurückziehen" }).click().catch(() => {})
await page.locator(".classcode-row", { hasText: "zurückgezogen" }).waitFor({ timeout: 8000 }).catch(() => {})
check(await page.locator(".classcode-row", { hasText: "zurückgezogen" }).isVisible().catch(() => false), "a class code can be withdrawn in the app")
const withdrawn = JSON.parse(execFileSync(bin, ["--data", data, "--json", "class-code", "--list"]).toString())
check(withdrawn.some((c) => c.code === classCode && c.revoked), "the withdrawn code is withdrawn in the store")
await axe("class codes")

// Create a second community and switch to it.
await nav("Gemeinschaften")
await page.locator("input[name=community-name]").fill("Schulklasse 7b")
await page.locator("select[name=community-kind]").selectOption("school")
await page.locator("input[name=admin-name]").fill("Frau Yildiz")
await page.getByRole("button", { name: "Gemeinschaft gründen" }).click()
check(await waitText("Schulklasse 7b"), "a new community opens")
await nav("Gemeinschaften")
// On a busy machine the list can take a while to load: wait longer, and open the screen
// again once if it did not come.
const openButton = page.getByRole("button", { name: "Öffnen" }).first()
await openButton.waitFor({ timeout: 30000 }).catch(() => nav("Gemeinschaften"))
await openButton.click({ timeout: 30000 })
check(await waitText("Grünhausen"), "switching back to the demo community")
// The list names Grünhausen too: wait until the app has switched (the header says so).
await page.locator("header .current-community").getByText("Grünhausen").waitFor({ timeout: 20000 }).catch(() => {})
await page.reload()
check(await page.locator("header .current-community").getByText("Grünhausen").waitFor({ timeout: 10000 }).then(() => true, () => false), "a reload keeps the community chosen in the app")

// One journey with the keyboard alone (no mouse, no clicks): open the ideas, submit one,
// open it and comment on it. Tab moves on, Enter and Space act, as a person without a mouse
// does it.
const focused = () => page.evaluate(() => {
  const a = document.activeElement
  if (!a || a === document.body) return null
  const label = a.labels?.[0]?.textContent ?? a.getAttribute("aria-label") ?? ""
  return { tag: a.tagName, name: a.getAttribute("name") || "", text: (a.textContent || "").trim(), label: label.trim() }
})
async function tabTo(what, test, limit = 150) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab")
    const el = await focused()
    if (el && test(el)) return true
  }
  check(false, `with the keyboard: Tab reaches ${what}`)
  return false
}
if (!phone) {
  await page.goto(base)
  await page.waitForSelector("main h1")
  await tabTo("the ideas in the navigation", (e) => e.tag === "BUTTON" && e.text === "Ideen")
  await page.keyboard.press("Enter")
  check(await page.locator("main h1", { hasText: "Ideen" }).waitFor({ timeout: 8000 }).then(() => true, () => false), "with the keyboard: Enter opens the ideas")
  await tabTo("the idea's title", (e) => e.tag === "INPUT" && e.name === "title")
  await page.keyboard.type("Trinkbrunnen am Bahnhof")
  await tabTo("the idea's category", (e) => e.tag === "SELECT" && e.name === "category")
  await page.keyboard.press("ArrowDown")
  await tabTo("the submit button", (e) => e.tag === "BUTTON" && e.text === "Idee einreichen")
  await page.keyboard.press("Enter")
  check(await waitText("Trinkbrunnen am Bahnhof"), "with the keyboard: a submitted idea appears on the board")
  await tabTo("the new idea's card", (e) => e.text.includes("Trinkbrunnen am Bahnhof"))
  await page.keyboard.press("Enter")
  check(await page.locator("main h1", { hasText: "Trinkbrunnen am Bahnhof" }).waitFor({ timeout: 8000 }).then(() => true, () => false), "with the keyboard: Enter opens the idea")
  await tabTo("the comment field", (e) => e.tag === "TEXTAREA" && e.label.includes("Kommentar"))
  await page.keyboard.type("Mit Flaschen-Nachfüllstation, bitte.")
  await tabTo("the comment button", (e) => e.tag === "BUTTON" && e.text === "Kommentieren")
  await page.keyboard.press("Space")
  check(await page.locator("ul.comments").getByText("Mit Flaschen-Nachfüllstation, bitte.").waitFor({ timeout: 8000 }).then(() => true, () => false), "with the keyboard: the comment appears under the idea")
  const idea = JSON.parse(execFileSync(bin, ["--data", data, "--json", "idea", "list"]).toString()).items.find((i) => i.title === "Trinkbrunnen am Bahnhof")
  check(idea && idea.comments === 1, `with the keyboard: the idea and its comment are in the store (${JSON.stringify(idea)?.slice(0, 160)})`)
}

check(errors.length === 0, `no page errors ${errors.join("; ")}`)
await browser.close()
if (failures.length) {
  console.error(`${failures.length} checks failed:\n - ${failures.join("\n - ")}`)
  process.exit(1)
}
console.log("all browser checks passed")
