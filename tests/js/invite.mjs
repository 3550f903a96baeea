// Joining with an invite inside the app (driven by tests/browser.rs):
//   node invite.mjs ADMIN_URL NEWCOMER_URL ALLMENDE_BIN ADMIN_DATA NEWCOMER_DATA SCREENSHOT_DIR
// The admin's browser creates an invite; its QR code is photographed (a screenshot of the code
// on screen) and picked on the newcomer's device, which reads the code, joins through the relay,
// shows the code of conduct, and an idea posted there reaches the admin's device by the
// background sync of both `allmende serve` processes.
import { execFileSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { chromium } from "playwright-core"

const [adminUrl, newcomerUrl, bin, adminData, newcomerData, shots] = process.argv.slice(2)
fs.mkdirSync(shots, { recursive: true })
const axeSource = fs.readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8")
const failures = []
const errors = []
function check(ok, what) {
  if (!ok) failures.push(what)
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`)
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const cli = (data, args) => JSON.parse(execFileSync(bin, ["--data", data, "--json", ...args]).toString())
async function until(what, f, seconds = 30) {
  for (let i = 0; i < seconds * 2; i++) {
    try {
      if (await f()) return true
    } catch {}
    await sleep(500)
  }
  return false
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
})
// deviceScaleFactor 2: the "photo" has the detail a phone camera would capture.
const admin = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 })
const phone = await browser.newPage({ viewport: { width: 360, height: 780 } })
for (const p of [admin, phone]) {
  p.on("pageerror", (e) => errors.push(e.message))
  p.setDefaultTimeout(15000)
}
const waitText = async (page, text, timeout = 10000) =>
  page.getByText(text, { exact: false }).first().waitFor({ timeout }).then(() => true, () => false)

// The admin invites Jonas.
await admin.goto(adminUrl)
await admin.getByRole("navigation").getByRole("button", { name: "Gemeinschaften", exact: true }).click()
await admin.locator("input[name=invitee]").fill("Jonas Klein")
await admin.getByRole("button", { name: "Einladung erstellen" }).click()
await admin.locator(".invite .qr svg").waitFor({ timeout: 10000 })
const token = await admin.locator(".invite textarea").inputValue()
const photo = path.join(shots, "invite-qr.png")
await admin.locator(".invite .qr").screenshot({ path: photo })
// The admin's server sends the new member to the relay in the background.
check(
  await until("invite on the relay", () => {
    const status = cli(adminData, ["sync", "--status"])
    const list = Array.isArray(status) ? status : status.sync ?? []
    return list.length > 0 && list.every((s) => s.waiting === 0 && s.last_synced)
  }),
  "the admin's server sends the invite to the relay by itself",
)

// A new device starts at the communities screen and joins with the photo of the QR code.
await phone.goto(newcomerUrl)
check(await waitText(phone, "Mit einer Einladung beitreten"), "a new device is offered to join with an invite")
fs.writeFileSync(path.join(shots, "not-a-picture.txt"), "hello")
await phone.locator("input[name=invite-qr]").setInputFiles(path.join(shots, "not-a-picture.txt"))
check(await waitText(phone, "Diese Datei ist kein Bild"), "a file that is no picture gets a clear message")
await phone.locator("input[name=invite-qr]").setInputFiles(photo)
check(await waitText(phone, "QR-Code gelesen"), "the QR code in the photo is read")
check((await phone.locator("textarea[name=invite-token]").inputValue()) === token, "and fills in the invite")
await phone.addScriptTag({ content: axeSource })
const result = await phone.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }))
const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
for (const v of bad) console.log(`  axe ${v.impact}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`)
check(bad.length === 0, "axe: no serious or critical violations on joining with an invite")
await phone.screenshot({ path: path.join(shots, "join-invite-360.png") })
// The invite is read on the device and the newcomer confirms what it opens first.
await phone.getByRole("button", { name: "Einladung prüfen", exact: true }).click()
check(await waitText(phone, "Dieser Gemeinschaft beitreten?"), "the newcomer is asked before anything is joined")
check((await phone.locator(".invite-community").innerText()) === "Hofheim", "the question names the community")
const relayShown = await phone.locator(".invite-relay").innerText()
check(relayShown.startsWith("ws://"), `and the relay its data goes through (${relayShown})`)
check(await waitText(phone, "sieht alles, was die Gemeinschaft dort teilt"), "and what that relay's operator sees")
const asked = await phone.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }))
const askedBad = asked.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
for (const v of askedBad) console.log(`  axe ${v.impact}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`)
check(askedBad.length === 0, "axe: no serious or critical violations on the question")
check(cli(newcomerData, ["community", "list"]).length === 0, "nothing is joined before the newcomer says so")
await phone.getByRole("button", { name: "Abbrechen", exact: true }).click()
check(await waitText(phone, "Mit einer Einladung beitreten"), "cancelling goes back to the invite")
await phone.getByRole("button", { name: "Einladung prüfen", exact: true }).click()
await phone.getByRole("button", { name: "Beitreten", exact: true }).click()
const joinedOk = await waitText(phone, "Willkommen bei Hofheim", 30000)
if (!joinedOk) console.log("  shown instead:", await phone.locator("main").innerText().catch(() => "?"))
check(joinedOk, "the newcomer has joined the community")
check(await waitText(phone, "Wir gehen freundlich miteinander um"), "and reads its code of conduct")
await phone.getByRole("button", { name: "Zur Gemeinschaft" }).click()
check(await waitText(phone, "Hofheim"), "the community opens")
const members = cli(newcomerData, ["member", "list"])
check(members.some((m) => m.display_name === "Jonas Klein"), "the newcomer's device holds the roster with Jonas")

// An idea from the new device reaches the admin's device through the relay, by itself.
await phone.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true }).click()
await phone.getByLabel("Titel").fill("Lastenrad für alle")
await phone.locator("select[name=category]").selectOption("mobility")
await phone.getByRole("button", { name: "Idee einreichen" }).click()
check(await waitText(phone, "Lastenrad für alle"), "the newcomer posts an idea")
check(
  await until("idea at the admin", () => cli(adminData, ["idea", "list"]).items.some((i) => i.title === "Lastenrad für alle" && i.author_name === "Jonas Klein")),
  "the idea reaches the admin's device, under the newcomer's name",
)
await admin.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true }).click()
check(await waitText(admin, "Lastenrad für alle"), "and shows on the admin's screen")

// A damaged invite is refused with a clear message, nothing joined twice.
await phone.getByRole("navigation").getByRole("button", { name: "Mehr", exact: true }).click()
await phone.getByRole("navigation").getByRole("button", { name: "Gemeinschaften", exact: true }).click()
await phone.locator("textarea[name=invite-token]").fill("allmende-invite:kaputt")
await phone.getByRole("button", { name: "Einladung prüfen", exact: true }).click()
check(await waitText(phone, "beschädigt"), "a damaged invite is refused on the device with a clear message")

check(errors.length === 0, `no page errors ${errors.join("; ")}`)
await browser.close()
if (failures.length) {
  console.error(`${failures.length} checks failed:\n - ${failures.join("\n - ")}`)
  process.exit(1)
}
console.log("all invite checks passed")
