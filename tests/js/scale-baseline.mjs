// The same-run baseline for scripts/scale-vs-js.sh: the official automerge-repo client with
// its Node filesystem storage, syncing the same documents through the official sync server.
//
//   node scale-baseline.mjs upload URL STORE DOCS SERVER_DIR
//     imports every document in DOCS (one file per document, named by its id) into a repo
//     stored in STORE and connected to URL; done once the server's storage (SERVER_DIR) holds
//     all of them and has stopped growing.
//   node scale-baseline.mjs join URL STORE IDS
//     a fresh repo stored in STORE finds every id listed in IDS through URL (256 at a time)
//     and writes them to disk.
//
// Prints one JSON line: seconds, peak RSS (KB), bytes received on the socket, documents.
import fs from "node:fs"
import path from "node:path"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const [mode, url, store, input, serverDir] = process.argv.slice(2)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function repoAt(dir) {
  const network = new WebSocketClientAdapter(url)
  const repo = new Repo({ network: [network], storage: new NodeFSStorageAdapter(dir) })
  return { repo, network }
}

// Documents in the server's NodeFS storage: one directory per id below a two-letter prefix.
function storedOnServer() {
  let n = 0
  let bytes = 0
  for (const prefix of fs.readdirSync(serverDir)) {
    const dir = path.join(serverDir, prefix)
    if (!fs.statSync(dir).isDirectory()) continue
    for (const doc of fs.readdirSync(dir)) {
      n += 1
      const walk = (p) => {
        const s = fs.statSync(p)
        if (s.isDirectory()) fs.readdirSync(p).forEach((c) => walk(path.join(p, c)))
        else bytes += s.size
      }
      walk(path.join(dir, doc))
    }
  }
  return { n, bytes }
}

function received(network) {
  return network.socket?._socket?.bytesRead ?? 0
}

const start = process.hrtime.bigint()
const seconds = () => Number(process.hrtime.bigint() - start) / 1e9
let documents = 0
let network
if (mode === "upload") {
  const files = fs.readdirSync(input)
  const r = repoAt(store)
  network = r.network
  for (const id of files) {
    r.repo.import(new Uint8Array(fs.readFileSync(path.join(input, id))), { docId: id })
  }
  await r.repo.flush()
  // Done when the server holds every document and its storage stopped growing.
  let last = -1
  let done = 0
  for (;;) {
    await sleep(100)
    const s = storedOnServer()
    if (s.n >= files.length && s.bytes === last) break
    if (s.n >= files.length && done === 0) done = seconds()
    last = s.bytes
  }
  documents = files.length
  const result = { seconds: done, rss_kb: process.resourceUsage().maxRSS, bytes: received(network), documents }
  console.log(JSON.stringify(result))
} else if (mode === "join") {
  const ids = fs.readFileSync(input, "utf8").split("\n").filter(Boolean)
  const r = repoAt(store)
  network = r.network
  // In windows of 256 at a time, as Allmende's sync. The server answers some finds with
  // "unavailable" under this load (all 10,000 at once, or in windows); those are asked again,
  // up to 5 times a second apart, as an app would, and counted.
  const handles = []
  let retried = 0
  let unavailable = 0
  const find = async (id) => {
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        return await r.repo.find(id)
      } catch {
        if (attempt === 5) break
        retried += 1
        await sleep(1000)
      }
    }
    unavailable += 1
    return null
  }
  for (let i = 0; i < ids.length; i += 256) {
    handles.push(...(await Promise.all(ids.slice(i, i + 256).map(find))))
  }
  await r.repo.flush()
  documents = handles.filter((h) => h && Object.keys(h.doc() ?? {}).length > 0).length
  const result = { seconds: seconds(), rss_kb: process.resourceUsage().maxRSS, bytes: received(network), documents, retried, unavailable }
  console.log(JSON.stringify(result))
} else {
  console.error("usage: node scale-baseline.mjs upload|join URL STORE INPUT [SERVER_DIR]")
  process.exit(2)
}
process.exit(0)
