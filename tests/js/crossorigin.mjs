// A hostile web page against `allmende serve` (driven by tests/browser.rs):
//   node crossorigin.mjs SERVE_URL ALLMENDE_BIN DATA_DIR
// The page lives on another origin (another port of this machine), and on a name that
// resolves to this machine (DNS rebinding: the page's own origin, the server's address).
// It tries every request a page can make without the user: simple POSTs (text/plain, forms),
// a JSON POST with the app's header (needs a preflight), reading answers, the live-update
// socket. None may change anything or read anything.
import { execFileSync } from "node:child_process"
import http from "node:http"
import { chromium } from "playwright-core"

const [serveUrl, bin, data] = process.argv.slice(2)
const serve = new URL(serveUrl)
const failures = []
function check(ok, what) {
  if (!ok) failures.push(what)
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`)
}
const ideas = () => JSON.parse(execFileSync(bin, ["--data", data, "--json", "idea", "list", "--limit", "1000"]).toString())
const members = () => JSON.parse(execFileSync(bin, ["--data", data, "--json", "member", "list"]).toString())
const before = { ideas: ideas().items.length, members: members().length }
// The attacker knows the community's id (ids are not secret: they travel in links and invites),
// so the idea it tries to create would be a valid one.
const community = JSON.parse(execFileSync(bin, ["--data", data, "--json", "community", "list"]).toString())[0].id

// The attack, run inside the page: every request, each result reported.
const attack = `
async function attack(target) {
  const out = {}
  const idea = JSON.stringify({ type: "add_idea", community: ${JSON.stringify(community)}, title: "Von der bösen Seite", text: "", category: "energy" })
  const tryIt = async (name, f) => { try { out[name] = await f() } catch (e) { out[name] = "blocked: " + e.name } }
  await tryIt("textPlain", async () => (await fetch(target + "/api/command", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: idea })).type)
  await tryIt("json", async () => (await fetch(target + "/api/command", { method: "POST", headers: { "content-type": "application/json", "x-allmende-request": "1" }, body: idea })).status)
  await tryIt("invite", async () => await (await fetch(target + "/api/invite", { method: "POST", headers: { "content-type": "application/json", "x-allmende-request": "1" }, body: JSON.stringify({ name: "Eve", role: "admin" }) })).text())
  await tryIt("read", async () => await (await fetch(target + "/api/query", { method: "POST", headers: { "content-type": "application/json", "x-allmende-request": "1" }, body: JSON.stringify({ type: "communities" }) })).text())
  await tryIt("session", async () => await (await fetch(target + "/api/session")).text())
  await tryIt("socket", () => new Promise((resolve) => {
    const ws = new WebSocket(target.replace("http", "ws") + "/api/events")
    ws.onopen = () => resolve("open")
    ws.onerror = () => resolve("refused")
    setTimeout(() => resolve("timeout"), 5000)
  }))
  // A form posted in a hidden frame (no script can stop the browser from sending it).
  await new Promise((resolve) => {
    const frame = document.createElement("iframe"); frame.name = "sink"; document.body.appendChild(frame)
    const form = document.createElement("form")
    form.method = "POST"; form.action = target + "/api/command"; form.enctype = "text/plain"; form.target = "sink"
    const field = document.createElement("input"); field.name = idea.slice(0, -1) + ',"x":"'; field.value = '"}'
    form.appendChild(field); document.body.appendChild(form)
    frame.onload = () => resolve(); form.submit(); setTimeout(resolve, 3000)
  })
  return out
}`
const evil = http.createServer((_, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
  res.end(`<!doctype html><html><body><h1>Gewinnspiel</h1><script>${attack}</script></body></html>`)
})
await new Promise((r) => evil.listen(0, "127.0.0.1", r))
const evilPort = evil.address().port

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    // DNS rebinding: evil.example resolves to this machine.
    "--host-resolver-rules=MAP evil.example 127.0.0.1",
    // Chromium's own guard for private addresses is off: the server must hold by itself
    // (other browsers, older versions).
    "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks"],
})
const page = await browser.newPage()

// 1. Another origin on this machine.
await page.goto(`http://127.0.0.1:${evilPort}/`)
const cross = await page.evaluate(`attack(${JSON.stringify(serve.origin)})`)
console.log("another origin:", JSON.stringify(cross))
check(!String(cross.invite).includes("allmende-invite:"), "another origin gets no invite")
check(!String(cross.read).includes("Grünhausen"), "another origin reads nothing")
check(cross.socket !== "open", "another origin gets no live updates")

// 2. DNS rebinding: the page was loaded from the attacker's server under evil.example, then
// the name was made to resolve to this machine: the page's origin is now the server's port
// under a foreign name. (The page itself is handed over by the browser's route; everything
// it then asks for goes to `allmende serve`.)
const page2 = `http://evil.example:${serve.port}/`
await page.route(page2, (route) => route.fulfill({ contentType: "text/html; charset=utf-8", body: `<!doctype html><html><body><h1>Gewinnspiel</h1><script>${attack}</script></body></html>` }))
await page.goto(page2)
const rebound = await page.evaluate(`attack(location.origin)`)
console.log("rebound name:", JSON.stringify(rebound))
check(!String(rebound.invite).includes("allmende-invite:"), "a rebound name gets no invite")
check(!String(rebound.read).includes("Grünhausen"), "a rebound name reads nothing")
check(!String(rebound.session).includes("Grünhausen"), "a rebound name reads no session")
check(rebound.json === 403, `the server itself refuses the rebound name (${rebound.json})`)

await browser.close()
evil.close()
const after = { ideas: ideas().items.length, members: members().length }
check(after.ideas === before.ideas, `no idea was created (${before.ideas} before, ${after.ideas} after)`)
check(after.members === before.members, `nobody was invited (${before.members} before, ${after.members} after)`)
if (failures.length) {
  console.error(`${failures.length} checks failed:\n - ${failures.join("\n - ")}`)
  process.exit(1)
}
console.log("all cross-origin checks passed")
