// An idea's history in the app (issue 16, "never-silent merges"), driven by tests/browser.rs:
//   node history.mjs BASE_URL TITLE_ANNA TITLE_BEN
// Anna and Ben each gave the same idea a new title apart (two devices, synced through a
// relay). Anna's browser shows both versions with who wrote them (one is shown: Automerge's
// pick, the same on every device), takes the other with one click, and the history lists
// who changed what.
import fs from "node:fs"
import { chromium } from "playwright-core"

const [base, anna, ben] = process.argv.slice(2)
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
let taken = null
for (const width of [360, 1280]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } })
  page.on("pageerror", (e) => errors.push(e.message))
  page.setDefaultTimeout(10000)
  await page.goto(base)
  const menu = page.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true })
  await menu.click()
  await page.waitForSelector("main h1")
  const card = page.getByRole("button", { name: taken ?? anna }).or(page.getByRole("button", { name: ben }))
  await card.first().click()
  await page.waitForSelector("main h1")
  if (width === 360) {
    const shown = ((await page.locator("main h1").first().textContent()) || "").trim()
    taken = shown === anna ? ben : anna
    const conflict = page.locator(".notice.conflict")
    check(await seen(conflict), `${width} px: the page says the title was written twice apart`)
    const told = (await conflict.first().textContent()) || ""
    check(told.includes(anna) && told.includes(ben), `${width} px: both versions are shown`)
    check(told.includes("Anna") && told.includes("Ben"), `${width} px: with who wrote each`)
    await page.addScriptTag({ content: axeSource })
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }))
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`)
    check(bad.length === 0, "axe: no serious or critical violations on the history")
    await conflict.getByRole("button", { name: "Diese Fassung übernehmen" }).first().click()
    check(await seen(page.locator("main h1", { hasText: taken })), `${width} px: the other version is taken`)
    check(
      await page.locator(".notice.conflict").first().waitFor({ state: "detached", timeout: 8000 }).then(() => true, () => false),
      `${width} px: no conflict is left`,
    )
  } else {
    check(await seen(page.locator("main h1", { hasText: taken })), `${width} px: another browser shows the title taken`)
  }
  await page.locator("summary", { hasText: "Verlauf" }).first().click()
  const entries = page.locator(".history li")
  check(await seen(entries.filter({ hasText: "Anna: hat die Idee eingebracht" })), `${width} px: the history names who brought the idea in`)
  check(await seen(entries.filter({ hasText: "Ben: hat etwas geändert" })), `${width} px: and Ben's change`)
  check(await seen(entries.filter({ hasText: "hat die Idee bearbeitet (Titel)" })), `${width} px: and which field an edit touched`)
  await page.close()
}
await browser.close()
for (const e of errors) console.log(`page error: ${e}`)
check(errors.length === 0, "no page errors")
if (failures.length) {
  console.log(`${failures.length} check(s) failed`)
  process.exit(1)
}
