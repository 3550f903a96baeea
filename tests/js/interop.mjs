// Interoperability checks driven by tests/interop.rs, using the official automerge-repo client.
//
//   node interop.mjs create WS_URL SECRET_HEX       creates a document, prints its id once the
//                                                   relay serves it to a second, fresh client
//   node interop.mjs watch WS_URL SECRET_HEX DOC_ID FIELD VALUE
//                                                   prints "seen" when DOC.FIELD === VALUE
//   node interop.mjs server PORT DATA_DIR           runs @automerge/automerge-repo-sync-server
//                                                   on 127.0.0.1:PORT
//
// SECRET_HEX is an ed25519 device secret; the client signs the relay's auth query with it.
import crypto from "node:crypto"
import http from "node:http"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

process.on("unhandledRejection", (e) => console.error("unhandled rejection:", e))

const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex")

// A login answers one challenge of the relay and names the relay as dialed (see
// core/src/wire.rs): good for one connection, so the client is made after it is signed.
async function signedUrl(base, secretHex) {
  const key = crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, Buffer.from(secretHex, "hex")]),
    format: "der",
    type: "pkcs8",
  })
  const pub = crypto.createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32)
  const session = crypto.randomBytes(8).toString("hex")
  const url = new URL(base)
  const challenge = new URL(base)
  challenge.protocol = "http:"
  challenge.pathname = challenge.pathname.replace(/\/$/, "") + "/auth/challenge"
  const nonce = (await (await fetch(challenge)).text()).trim()
  const relay = url.host.toLowerCase()
  const sig = crypto.sign(null, Buffer.from(`allmende-relay-auth/2:${relay}:${nonce}:${session}`), key)
  url.searchParams.set("device", pub.toString("hex"))
  url.searchParams.set("session", session)
  url.searchParams.set("relay", relay)
  url.searchParams.set("nonce", nonce)
  url.searchParams.set("sig", sig.toString("hex"))
  return url.toString()
}

async function client(base, secretHex) {
  const url = await signedUrl(base, secretHex)
  // The relay binds the connection to the signing device: the handshake must claim it.
  const params = new URL(url).searchParams
  const peerId = `device:${params.get("device")}:${params.get("session")}`
  return new Repo({ network: [new WebSocketClientAdapter(url, 500)], peerId })
}

function withTimeout(promise, ms, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout: ${what}`)), ms)),
  ])
}

async function create(base, secretHex) {
  const repo = await client(base, secretHex)
  const handle = repo.create({ title: "Hallo aus JavaScript", tags: ["klima", "rad"], count: 3 })
  await handle.whenReady()
  // A second, empty client must get the document from the relay.
  for (let attempt = 0; attempt < 40; attempt++) {
    await new Promise((r) => setTimeout(r, 250))
    const probe = await client(base, secretHex)
    try {
      const found = await withTimeout(probe.find(handle.url), 3000, "probe")
      const doc = found.doc()
      if (doc && doc.title === "Hallo aus JavaScript") {
        console.log(handle.documentId)
        await Promise.allSettled([probe.shutdown(), repo.shutdown()])
        process.exit(0)
      }
    } catch (e) {
      // not there yet
    }
    await probe.shutdown().catch(() => {})
  }
  console.error("the relay never served the document")
  process.exit(1)
}

async function watch(base, secretHex, docId, field, value) {
  const repo = await client(base, secretHex)
  const handle = await withTimeout(repo.find(`automerge:${docId}`), 20000, "find")
  const matches = () => String(handle.doc()?.[field]) === value
  console.log(`found ${JSON.stringify(handle.doc()?.[field])}`)
  if (!matches()) {
    await withTimeout(
      new Promise((resolve) => handle.on("change", () => matches() && resolve())),
      30000,
      `waiting for ${field} = ${value}`,
    )
  }
  console.log("seen")
  await repo.shutdown().catch(() => {})
  process.exit(0)
}

async function server(port, dir) {
  // The official server listens on all interfaces; tests keep it on loopback.
  const listen = http.Server.prototype.listen
  http.Server.prototype.listen = function (p, ...rest) {
    return typeof p === "number" || typeof p === "string" ? listen.call(this, p, "127.0.0.1", ...rest) : listen.call(this, p, ...rest)
  }
  process.env.PORT = port
  process.env.DATA_DIR = dir
  const { Server } = await import("@automerge/automerge-repo-sync-server/src/server.js")
  const s = new Server()
  await s.ready()
  console.log(`listening on 127.0.0.1:${port}`)
  const stop = () => { try { s.close() } catch (e) {} process.exit(0) }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
}

const [cmd, ...args] = process.argv.slice(2)
const commands = { create, watch, server }
if (!commands[cmd]) {
  console.error("usage: interop.mjs create|watch|server ...")
  process.exit(2)
}
commands[cmd](...args).catch((e) => {
  console.error(e)
  process.exit(1)
})
