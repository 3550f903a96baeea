// UI benchmarks in headless Chromium (see BENCHMARKS.md):
//   node ui-bench.mjs DEMO_URL BIG_URL
// DEMO_URL serves the demo community, BIG_URL one with 10,000 items. Baselines in the same
// run: a static page from the same server (load) and a static list of 1,000 entries (scroll).
import { chromium } from "playwright-core"

const [demoUrl, bigUrl] = process.argv.slice(2)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
})

async function firstInteractive(url, rounds = 7) {
  const times = []
  for (let i = 0; i < rounds; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const t0 = Date.now()
    await page.goto(url)
    await page.waitForSelector("main h1", { timeout: 30000 })
    await page.getByRole("navigation").getByRole("button").first().waitFor()
    times.push(Date.now() - t0)
    await page.close()
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

async function staticLoad(url, rounds = 7) {
  const times = []
  for (let i = 0; i < rounds; i++) {
    const page = await browser.newPage()
    const t0 = Date.now()
    await page.goto(new URL("style.css", url).toString())
    times.push(Date.now() - t0)
    await page.close()
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

async function scrollFrames(page) {
  return await page.evaluate(async () => {
    const frames = []
    let last = performance.now()
    window.scrollTo(0, 0)
    const end = document.body.scrollHeight
    await new Promise((resolve) => {
      function step(now) {
        frames.push(now - last)
        last = now
        window.scrollBy(0, 120)
        if (window.scrollY + window.innerHeight >= end - 10 || frames.length > 2000) resolve()
        else requestAnimationFrame(step)
      }
      requestAnimationFrame(step)
    })
    frames.shift()
    frames.sort((a, b) => a - b)
    return { median: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)], count: frames.length }
  })
}

const demo = await firstInteractive(demoUrl)
const big = await firstInteractive(bigUrl)
const base = await staticLoad(demoUrl)

const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
await page.goto(bigUrl)
await page.waitForSelector("main h1")
await page.getByRole("navigation").getByRole("button", { name: "Ideen" }).click()
await page.waitForFunction(() => document.querySelectorAll("li.card").length >= 1000, null, { timeout: 30000 })
const cards = await page.evaluate(() => document.querySelectorAll("li.card").length)
const list = await scrollFrames(page)
await page.setContent(`<html><body>${Array.from({ length: 1000 }, (_, i) => `<div style="padding:12px;border:1px solid #ccc;margin:6px">Eintrag ${i}</div>`).join("")}</body></html>`)
const baseline = await scrollFrames(page)
await browser.close()
console.log(JSON.stringify({ demo, big, base, cards, list, baseline }))
