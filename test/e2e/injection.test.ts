/**
 * Hostile event names, campaign names and properties on the dashboard, in real Chromium:
 * shown as text, no script runs, no element is injected, and the page's CSP is never
 * even tested (a violation would mean markup got through the escaping).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { makeTestApp, startTestServer, type TestApp } from '../helpers/app.ts'
import { launchChromium } from '../helpers/browser.ts'

const SCRIPT = '<script>window.__pwned=1</script>'
const IMG = '"><img src=x onerror=window.__pwned=2>'
const ATTR = "' autofocus onfocus=window.__pwned=3 x='"

let browser: Browser
let t: TestApp
let server: { url: string; close(): Promise<void> }

beforeAll(async () => {
  browser = await launchChromium()
  t = await makeTestApp()
  server = await startTestServer(t.app)
  const { secret } = await t.createSite('shop')
  const ts = new Date(Date.now() - 3_600_000).toISOString()
  const base = { visitorId: 'v1', consent: { analytics: true, ads: true }, ts }
  const landing = `https://shop.example/?utm_source=${encodeURIComponent(ATTR)}&utm_medium=cpc&utm_campaign=${encodeURIComponent(IMG)}`
  const res = await t.sendServerEvents(secret, [
    { ...base, type: 'pageview', name: 'pageview', url: landing },
    { ...base, type: 'exposure', name: SCRIPT, props: { variant: IMG } },
    { ...base, type: 'event', name: IMG, url: landing, props: { [SCRIPT]: IMG, plan: ATTR } },
    { ...base, type: 'conversion', name: SCRIPT, url: landing, value: 5, currency: 'EUR', orderId: IMG, props: { note: SCRIPT } },
  ])
  expect(res.body.accepted).toBe(4)
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await server?.close()
  await t?.close()
})

describe('hostile values on the dashboard', () => {
  it('are shown as text in every section, with no script run and no CSP violation', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (m) => { if (m.type() === 'error' && !/401/.test(m.text())) problems.push(`console: ${m.text()}`) })
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss() })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    // Injected by the browser driver before any page script, so it sees every violation.
    await page.addInitScript(() => {
      const w = window as unknown as { __violations: string[] }
      w.__violations = []
      document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`))
    })

    const q = new URLSearchParams({ experiment: SCRIPT, conversion: SCRIPT, breakdown: 'campaign', model: 'first' })
    for (const s of [`event:${IMG}?plan=${ATTR}`, `conversion:${SCRIPT}`]) q.append('step', s)
    const target = `/dashboard/shop?${q}`
    await page.goto(`${server.url}${target}`)
    await page.getByLabel('Admin token').fill(t.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((u) => u.pathname === '/dashboard/shop')

    // The data arrived: the funnel counts the visitor through both hostile steps.
    expect(await page.locator('#funnel .funnel-step-value').allTextContents()).toEqual(['1', '1'])
    const text = (sel: string) => page.locator(sel).textContent()
    expect(await text('#funnel')).toContain(IMG)
    expect(await text('#funnel')).toContain(SCRIPT)
    expect(await text('#campaigns')).toContain(IMG)
    expect(await text('#campaigns')).toContain(ATTR)
    expect(await page.locator('#experiment h2, #experiment h3').first().textContent()).toContain(SCRIPT)
    expect(await text('#experiment table')).toContain(IMG)
    expect(await page.locator('select[name="conversion"] option:checked').textContent()).toBe(SCRIPT)
    expect(await page.locator('select[name="experiment"] option:checked').textContent()).toBe(SCRIPT)
    // Step inputs keep the hostile text as their value, not as markup.
    expect(await page.locator('input[name="step"]').first().inputValue()).toBe(`event:${IMG}?plan=${ATTR}`)

    const dom = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      violations: (window as unknown as { __violations: string[] }).__violations,
      scripts: document.scripts.length,
      injected: document.querySelectorAll('img[src="x"], [onerror], [onfocus], [autofocus]').length,
    }))
    expect(dom).toEqual({ pwned: null, violations: [], scripts: 0, injected: 0 })
    expect(problems).toEqual([])
    await context.close()
  }, 60_000)
})
