// Issue 16, bug 4: the sync badge tells the truth. Driven by tests/browser.rs:
//   node badge.mjs BASE_URL IDEA_TITLE
// The device's relay has stopped. A new comment is waiting to be sent, and the badge says so,
// in the right number; a reload does not turn it into "Synchronisiert".
import { chromium } from "playwright-core"

const [base, ideaTitle] = process.argv.slice(2)
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
page.setDefaultTimeout(10000)
const badge = page.locator("header .sync")
const says = async (text, timeout = 10000) => badge.getByText(text).first().waitFor({ timeout }).then(() => true, () => false)

await page.goto(base)
check(await says("Synchronisiert"), "before: everything was synced with the relay")
await page.getByRole("navigation").getByRole("button", { name: "Ideen", exact: true }).click()
await page.getByRole("button", { name: ideaTitle }).first().click()
await page.waitForSelector("main h1")
await page.getByLabel("Dein Kommentar").fill("Ich helfe beim Pflanzen.")
await page.getByRole("button", { name: "Kommentieren" }).click()
check(await says("1 Änderung wartet"), "with the relay stopped, the new comment is waiting (and said in the singular)")
await page.reload()
check(await says("1 Änderung wartet"), "a reload keeps saying it is waiting, not Synchronisiert")
check(!(await badge.getByText("Synchronisiert").isVisible().catch(() => false)), "and does not claim to be synced")
await browser.close()
for (const e of errors) console.log(`page error: ${e}`)
check(errors.length === 0, "no page errors")
if (failures.length) {
  console.log(`${failures.length} check(s) failed`)
  process.exit(1)
}
