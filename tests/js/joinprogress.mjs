// How far a join has come, on the newcomer's screen (driven by tests/browser.rs):
//   node joinprogress.mjs NEWCOMER_URL TOKEN TOTAL
// A community of TOTAL documents and more is joined with an invite in the app served by
// `allmende serve`; while the join runs, the screen says how much of it has arrived
// ("12 % von Hofheim empfangen (300 von 2.503 Einträgen)"), and the share only grows.
import { chromium } from "playwright-core"

const [url, token, total] = process.argv.slice(2)
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
const phone = await browser.newPage({ viewport: { width: 360, height: 780 } })
phone.on("pageerror", (e) => errors.push(e.message))
phone.setDefaultTimeout(15000)
const waitText = async (text, timeout = 10000) =>
  phone.getByText(text, { exact: false }).first().waitFor({ timeout }).then(() => true, () => false)

await phone.goto(url)
check(await waitText("Mit einer Einladung beitreten"), "a new device is offered to join with an invite")
await phone.locator("textarea[name=invite-token]").fill(token)
await phone.getByRole("button", { name: "Einladung prüfen", exact: true }).click()
check(await waitText("Dieser Gemeinschaft beitreten?"), "the newcomer is asked first")
// Every text the screen shows about the join, as it changes.
await phone.evaluate(() => {
  window.__seen = []
  const look = () => {
    const m = document.body.innerText.match(/(\d+) % von Hofheim empfangen \(([\d.]+) von ([\d.]+) Einträgen\)/)
    if (m && window.__seen[window.__seen.length - 1] !== m[0]) window.__seen.push(m[0])
  }
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true })
})
await phone.getByRole("button", { name: "Beitreten", exact: true }).click()
const joined = await waitText("Willkommen bei Hofheim", 300000)
if (!joined) console.log("  shown instead:", await phone.locator("main").innerText().catch(() => "?"))
check(joined, "the newcomer has joined")
const seen = await phone.evaluate(() => window.__seen)
console.log(`  shown while joining: ${seen.join(" | ")}`)
check(seen.length > 0, "the screen said how much had arrived while the join ran")
const parsed = seen.map((s) => {
  const m = s.match(/(\d+) % von Hofheim empfangen \(([\d.]+) von ([\d.]+) Einträgen\)/)
  const n = (x) => Number(x.replaceAll(".", ""))
  return { pct: Number(m[1]), done: n(m[2]), of: n(m[3]) }
})
check(parsed.every((p) => p.of >= Number(total)), `out of the whole community (at least ${total} entries, in German digit groups)`)
check(parsed.every((p) => p.done <= p.of && p.pct === Math.floor((p.done * 100) / p.of)), "the share matches the counts")
check(parsed.every((p, i) => i === 0 || p.done >= parsed[i - 1].done), "the share only grows")
check(errors.length === 0, `no page errors ${errors.join("; ")}`)
await browser.close()
if (failures.length) {
  console.error(`${failures.length} checks failed:\n - ${failures.join("\n - ")}`)
  process.exit(1)
}
