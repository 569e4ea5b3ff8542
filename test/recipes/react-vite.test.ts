import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { build } from 'vite'
import { makeTestApp, startTestServer, type TestApp } from '../helpers/app.ts'
import { eventually, launchChromium } from '../helpers/browser.ts'

// README recipe "React single-page app built with Vite": the app in react-vite/ imports
// `funnelbeam` as installed from npm (here the packed SDK tarball), Vite builds it, a
// static server hosts the build on one origin and the collector runs on another.
const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'funnelbeam-react-'))
const app = join(work, 'app')
let t: TestApp
let collector: Awaited<ReturnType<typeof startTestServer>>
let shop: Awaited<ReturnType<typeof startTestServer>>
let browser: Browser

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' }

/** The built app as a static host serves an SPA: files under /assets/, index.html for every route. */
async function serveDist(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname
  const file = path.startsWith('/assets/') ? normalize(path) : '/index.html'
  if (!file.startsWith('/assets/') && file !== '/index.html') return new Response('not found', { status: 404 })
  return readFile(join(app, 'dist', file))
    .then((body) => new Response(body, { headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' } }))
    .catch(() => new Response('not found', { status: 404 }))
}

beforeAll(async () => {
  // Headless Chromium sets navigator.webdriver: bots are allowed, as in the other browser tests.
  t = await makeTestApp({ config: { allowBots: true } })
  collector = await startTestServer(t.app)
  shop = await startTestServer({ fetch: serveDist })
  await t.createSite('shop', { origins: [shop.url] })

  // The SDK package as published: built, packed by npm, unpacked where npm install puts it.
  await run(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent'], { cwd: root })
  const packed = JSON.parse((await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: join(root, 'dist/esm') })).stdout)[0]
  cpSync(join(import.meta.dirname, 'react-vite'), app, { recursive: true })
  mkdirSync(join(app, 'node_modules/funnelbeam'), { recursive: true })
  await run('tar', ['-xzf', join(work, packed.filename), '-C', join(app, 'node_modules/funnelbeam'), '--strip-components=1'])
  // React and the Vite plugin are the repository's own (no network here).
  mkdirSync(join(app, 'node_modules/@vitejs'))
  for (const dep of ['react', 'react-dom', '@vitejs/plugin-react']) symlinkSync(join(root, 'node_modules', dep), join(app, 'node_modules', dep))
  writeFileSync(join(app, '.env.production.local'), `VITE_FUNNELBEAM_ENDPOINT=${collector.url}\n`)
  await build({ root: app, logLevel: 'warn' })
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await shop?.close()
  await collector?.close()
  await t?.close()
  rmSync(work, { recursive: true, force: true })
})

describe('recipe: React SPA built with Vite, funnelbeam from npm', () => {
  it('records a pageview per route change and per back navigation, without reloading the page', { timeout: 30_000 }, async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    let documents = 0
    page.on('request', (r) => { if (r.resourceType() === 'document') documents++ })

    await page.goto(`${shop.url}/`)
    await expect.poll(() => page.textContent('h1')).toBe('Home')
    await page.click('a[href="/pricing"]')
    await expect.poll(() => page.textContent('h1')).toBe('Pricing')
    await page.click('a[href="/signup"]')
    await expect.poll(() => page.textContent('h1')).toBe('Sign up')
    await page.goBack()
    await expect.poll(() => page.textContent('h1')).toBe('Pricing')
    expect(page.url()).toBe(`${shop.url}/pricing`)

    await eventually(async () => {
      await t.settle()
      const rows = t.store.db.prepare("SELECT path FROM events WHERE site = 'shop' AND type = 'pageview' ORDER BY ts, rowid").all() as { path: string }[]
      expect(rows.map((r) => r.path)).toEqual(['/', '/pricing', '/signup', '/pricing'])
    })
    expect(documents).toBe(1)
    expect(errors).toEqual([])
    await page.close()
  })
})
