// A pupil's phone browser against `allmende serve --guests-only` (driven by tests/browser.rs):
//   node guest.mjs JOIN_URL ALLMENDE_BIN TEACHER_DATA_DIR SCREENSHOT_DIR
// Joins with the class code from the link and a nickname, reads the class rules, adds an idea,
// then the teacher removes the device and the browser is back at the join screen.
import { execFileSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { chromium } from "playwright-core"

const [joinUrl, bin, data, shots] = process.argv.slice(2)
fs.mkdirSync(shots, { recursive: true })
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
const page = await browser.newPage({ viewport: { width: 360, height: 780 } })
page.on("pageerror", (e) => errors.push(e.message))
page.setDefaultTimeout(15000)
const waitText = async (text, timeout = 8000) => page.getByText(text, { exact: false }).first().waitFor({ timeout }).then(() => true, () => false)
async function axe(screen) {
  await page.addScriptTag({ content: axeSource })
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }))
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
  for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`)
  check(bad.length === 0, `axe: no serious or critical violations on ${screen}`)
}

await page.goto(joinUrl)
check(await waitText("Mitmachen mit einem Code"), "a new browser is asked to join with a code")
const code = new URL(joinUrl).hash.replace("#code=", "")
check((await page.locator("input[name=class-code]").inputValue()) === code, "the code from the QR link is filled in")
await axe("join")
await page.screenshot({ path: path.join(shots, "join-360.png") })
await page.locator("input[name=nickname]").fill("Sonnenblume")
await page.getByRole("button", { name: "Beitreten" }).click()
check(await waitText("Spitznamen, keine vollen Namen"), "the class rules are shown on joining")
await page.getByRole("button", { name: "Los geht's" }).click()
check(await waitText("Klasse 7b"), "the pupil is in the class")
await page.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true }).click()
check(await waitText("Noch keine Ideen. Schreib die erste"), "an empty list says what to do next")
await page.getByLabel("Titel").fill("Licht aus in der Pause")
await page.locator("select[name=category]").selectOption("energy")
await page.getByRole("button", { name: "Idee einreichen" }).click()
check(await waitText("Licht aus in der Pause"), "the pupil's idea appears")
const ideas = JSON.parse(execFileSync(bin, ["--data", data, "--json", "idea", "list"]).toString())
const mine = ideas.items.find((i) => i.title === "Licht aus in der Pause")
check(mine?.author_name === "Sonnenblume", "the idea is the pupil's own, under the nickname")
const absent = async (text) => (await page.getByText(text, { exact: false }).count()) === 0
// Their own idea: they may edit it, but its status is the moderators' to set.
await page.getByRole("button", { name: "Licht aus in der Pause" }).first().click()
check(await waitText("Idee bearbeiten"), "a pupil may edit their own idea")
check((await page.locator("form[name=edit-idea] select[name=status]").count()) === 0, "but not set its status")
// No role, removal, device or invite controls anywhere.
// On a phone the navigation shows four destinations and "Mehr", which opens the rest.
const primary = await page.locator("nav .navlist.primary .nav").filter({ visible: true }).allInnerTexts()
check(JSON.stringify(primary) === JSON.stringify(["Start", "Ideen", "Projekte", "Mitmachen", "Mehr"]), `a phone shows four destinations and "Mehr": ${JSON.stringify(primary)}`)
check(!(await page.getByRole("navigation").getByRole("button", { name: "Menschen", exact: true }).isVisible()), "the rest waits behind Mehr")
await page.getByRole("navigation").getByRole("button", { name: "Mehr", exact: true }).click()
check((await page.getByRole("navigation").getByRole("button", { name: "Mehr", exact: true }).count()) === 0
  && (await page.getByRole("navigation").locator("[aria-expanded=true]").count()) === 1, "Mehr opens, and says so")
await page.getByRole("navigation").getByRole("button", { name: "Menschen", exact: true }).click()
check(!(await page.getByRole("navigation").getByRole("button", { name: "Gemeinschaften", exact: true }).isVisible()), "choosing a destination closes the menu")
check(await waitText("Sonnenblume"), "a pupil sees the class's people")
check(await absent("Rolle ändern") && await absent("Aus der Gemeinschaft entfernen") && await absent("Person eintragen"), "a pupil sees no role or removal controls")
const deviceTexts = await page.getByText("Geräte", { exact: false }).allInnerTexts()
check(deviceTexts.length === 0, `a pupil sees no device keys, not even their own ${deviceTexts.length ? JSON.stringify(deviceTexts) : ""}`)
check(await page.locator("header .sync").getByText("Gespeichert beim Gastgeber").count() > 0, "a pupil's badge says where things are saved (not on their phone)")
check(await absent("Alles auf diesem Gerät gespeichert"), "and does not claim they are saved on the pupil's device")
await page.getByRole("navigation").getByRole("button", { name: "Mehr", exact: true }).click()
await page.getByRole("navigation").getByRole("button", { name: "Gemeinschaften", exact: true }).click()
check(!(await page.getByText("Klassencode erstellen").isVisible().catch(() => false)), "a pupil cannot make class codes")
check(await absent("Jemanden einladen") && await absent("Einstellungen"), "a pupil sees no invite form and no community settings")

// The teacher removes the pupil's device: the browser must join again.
const members = JSON.parse(execFileSync(bin, ["--data", data, "--json", "member", "list"]).toString())
const pupil = members.find((m) => m.display_name === "Sonnenblume")
const devices = JSON.parse(execFileSync(bin, ["--data", data, "--json", "member", "devices", pupil.id]).toString())
execFileSync(bin, ["--data", data, "member", "remove-device", pupil.id, devices[0]])
await page.reload()
check(await waitText("Mitmachen mit einem Code"), "after removal the browser is back at the join screen")
check(await waitText("aus der Klasse entfernt"), "and is told why")

check(errors.length === 0, `no page errors ${errors.join("; ")}`)
await browser.close()
if (failures.length) {
  console.error(`${failures.length} checks failed:\n - ${failures.join("\n - ")}`)
  process.exit(1)
}
console.log("all guest checks passed")
