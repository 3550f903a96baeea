// An idea's history in the app (issue 16, "never-silent merges"), with two browsers on two
// devices, driven by tests/browser.rs in two phases:
//   node history.mjs edit BASE_URL OLD_TITLE NEW_TITLE WIDTH
//     one person, in their own browser on their own device, gives the idea a new title (the
//     relay is down and the other device is off: the two edits are made apart);
//   node history.mjs check ANNA_URL BEN_URL TITLE_ANNA TITLE_BEN
//     after both devices synced again: Anna's phone browser shows both versions with who
//     wrote them (one is shown: Automerge's pick, the same on every device) and takes the
//     other with one click; Ben's wide browser then shows the title taken; both histories
//     list who changed what.
import fs from "node:fs"
import { chromium } from "playwright-core"

const [phase, ...args] = process.argv.slice(2)
const axeSource = fs.readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8")
const failures = []
const errors = []
function check(ok, what) {
  if (!ok) failures.push(what)
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`)
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
})
const seen = async (locator, timeout = 8000) => locator.first().waitFor({ timeout }).then(() => true, () => false)

async function open(base, width) {
  const page = await browser.newPage({ viewport: { width, height: width < 600 ? 780 : 900 } })
  page.on("pageerror", (e) => errors.push(e.message))
  page.setDefaultTimeout(10000)
  await page.goto(base)
  await page.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true }).click()
  await page.waitForSelector("main h1")
  return page
}

// Opens the idea under one of `titles`, waiting (with reloads) until `until` holds on it:
// the other device's change comes by the background sync through the relay.
async function idea(page, titles, until, what) {
  for (let i = 0; i < 12; i++) {
    const card = titles.reduce((l, t) => (l ? l.or(page.getByRole("button", { name: t })) : page.getByRole("button", { name: t })), null)
    if (await seen(card, 5000)) {
      await card.first().click()
      await page.waitForSelector("main h1")
      if (await until(page)) return true
    }
    await page.reload()
    await page.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true }).click()
    await page.waitForSelector("main h1")
  }
  check(false, what)
  return false
}

if (phase === "edit") {
  const [base, old, title, width] = args
  const page = await open(base, Number(width))
  await page.getByRole("button", { name: old }).first().click()
  await page.waitForSelector("main h1")
  await page.locator("summary", { hasText: "Idee bearbeiten" }).first().click()
  const form = page.locator("form[name=edit-idea]")
  await form.locator("input[name=title]").fill(title)
  await form.getByRole("button", { name: "Änderungen speichern" }).click()
  check(await seen(page.locator("main h1", { hasText: title })), `${width} px: the idea shows its new title "${title}"`)
  check(!(await page.locator(".notice.conflict").isVisible().catch(() => false)), `${width} px: no conflict yet, the other device is apart`)
} else {
  const [annaBase, benBase, anna, ben] = args
  const annaPage = await open(annaBase, 360)
  const conflict = annaPage.locator(".notice.conflict")
  await idea(annaPage, [anna, ben], async (p) => seen(p.locator(".notice.conflict"), 3000), "360 px: Ben's title reaches Anna's device")
  const shown = ((await annaPage.locator("main h1").first().textContent()) || "").trim()
  const taken = shown === anna ? ben : anna
  check(await seen(conflict), "360 px: the page says the title was written twice apart")
  const told = (await conflict.first().textContent()) || ""
  check(told.includes(anna) && told.includes(ben), "360 px: both versions are shown")
  check(told.includes("Anna") && told.includes("Ben"), "360 px: with who wrote each")
  await annaPage.addScriptTag({ content: axeSource })
  const result = await annaPage.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }))
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
  for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`)
  check(bad.length === 0, "axe: no serious or critical violations on the history")
  await conflict.getByRole("button", { name: "Diese Fassung übernehmen" }).first().click()
  check(await seen(annaPage.locator("main h1", { hasText: taken })), "360 px: the other version is taken")
  check(await conflict.first().waitFor({ state: "detached", timeout: 8000 }).then(() => true, () => false), "360 px: no conflict is left")

  const benPage = await open(benBase, 1280)
  const settled = async (p) =>
    (await seen(p.locator("main h1", { hasText: taken }), 3000)) && !(await p.locator(".notice.conflict").isVisible().catch(() => false))
  await idea(benPage, [anna, ben], settled, "1280 px: Anna's choice reaches Ben's device")
  check(await seen(benPage.locator("main h1", { hasText: taken })), "1280 px: Ben's browser shows the title Anna took")
  check(!(await benPage.locator(".notice.conflict").isVisible().catch(() => false)), "1280 px: and no conflict")

  for (const [page, width] of [[annaPage, 360], [benPage, 1280]]) {
    await page.locator("summary", { hasText: "Verlauf" }).first().click()
    const entries = page.locator(".history li")
    check(await seen(entries.filter({ hasText: "Ben: hat die Idee eingebracht" })), `${width} px: the history names who brought the idea in`)
    check(await seen(entries.filter({ hasText: "Ben: hat die Idee bearbeitet (Titel)" })), `${width} px: Ben's title`)
    check(await seen(entries.filter({ hasText: "Anna: hat die Idee bearbeitet (Titel)" })), `${width} px: and Anna's`)
  }
}
await browser.close()
for (const e of errors) console.log(`page error: ${e}`)
check(errors.length === 0, "no page errors")
if (failures.length) {
  console.log(`${failures.length} check(s) failed`)
  process.exit(1)
}
