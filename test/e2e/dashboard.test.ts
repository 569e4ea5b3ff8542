import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, report, startShop, type Shop } from './harness.ts'
import { seedDemo } from '../../demo-site/seed-run.ts'
import { signIn } from '../helpers/app.ts'

let browser: Browser
let shop: Shop
const ARTIFACTS = new URL('../../test-results/', import.meta.url).pathname
const XSS = '<img src=x onerror=alert(1)>'

beforeAll(async () => {
  browser = await launchChromium()
  shop = await startShop()
  await seedDemo({ app: shop.t.app, site: 'demo', secret: shop.secret, adminToken: shop.t.adminToken, now: Date.now(), days: 28, visitorsPerDay: 60 })
  // A hostile campaign name, as anyone can put in a link to the site.
  const res = await shop.t.sendServerEvents(shop.secret, [{
    type: 'pageview', name: 'pageview', visitorId: 'v-xss', consent: { analytics: true, ads: true },
    url: `${shop.url}/?utm_source=evil&utm_medium=cpc&utm_campaign=${encodeURIComponent(XSS)}`,
  }])
  expect(res.body.accepted).toBe(1)
  mkdirSync(ARTIFACTS, { recursive: true })
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await shop?.close()
})

describe('marketer dashboard', () => {
  it('signs in with the admin token and renders the seeded reports safely', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (m) => { if (m.type() === 'error' && !/favicon|401/.test(m.text())) problems.push(m.text()) })
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss() })

    const first = await page.goto(`${shop.url}/dashboard/demo?model=linear`)
    expect(first!.status()).toBe(401)
    await page.getByLabel('Admin token').fill('wrong-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not right')

    await page.getByLabel('Admin token').fill(shop.t.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL('**/dashboard/demo?model=linear')
    expect(page.url()).not.toContain(shop.t.adminToken)
    const [cookie] = await context.cookies()
    expect(cookie).toMatchObject({ name: 'fb_session', httpOnly: true, sameSite: 'Strict' })
    expect(cookie.value).not.toContain(shop.t.adminToken)
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000)

    // The tiles show the same numbers as the JSON API.
    const summary = await report(shop, 'summary')
    const visitorsTile = page.locator('.tile').filter({ has: page.locator('.tile-label', { hasText: /^Visitors$/ }) }).locator('.tile-value')
    expect(await visitorsTile.textContent()).toBe(summary.visitors.toLocaleString('en-US'))
    expect(summary.visitors).toBeGreaterThan(1000)

    await expect.poll(() => page.locator('#funnel .funnel-step').count()).toBe(4)
    const channels = await page.locator('#channels tbody th').allTextContents()
    expect(channels).toEqual(expect.arrayContaining(['Paid Search', 'Paid Social', 'Email', 'Organic Search', 'Direct', 'Referral']))
    expect(await page.locator('#campaigns').textContent()).toContain('generic_helpdesk')
    expect(await page.locator('#attribution th.selected').textContent()).toBe('Linear')
    expect(await page.locator('#experiment .verdict').textContent()).toMatch(/green|control|difference/)
    expect(await page.locator('#health').textContent()).toContain('invalid_field')
    expect(await page.locator('body').textContent()).not.toContain('report is unavailable')

    // The hostile campaign name is shown as text, never run.
    expect(await page.locator('#campaigns').textContent()).toContain(XSS)
    expect(await page.locator('#campaigns img').count()).toBe(0)
    expect(await page.evaluate(() => document.scripts.length)).toBe(0)

    // CSV downloads work with the same sign-in, without a token in the link.
    const href = await page.getByRole('link', { name: 'Campaigns.csv' }).getAttribute('href')
    expect(href).not.toContain(shop.t.adminToken)
    const csv = await page.request.get(shop.url + href)
    expect(csv.status()).toBe(200)
    expect(csv.headers()['content-type']).toContain('text/csv')
    expect(await csv.text()).toContain('brand_search')

    // Breaking the funnel down by channel keeps the other filters.
    await page.getByLabel('Break down by').selectOption('channel')
    await page.getByRole('button', { name: 'Show' }).click()
    await page.waitForURL(/breakdown=channel/)
    expect(page.url()).toContain('model=linear')
    const breakdown = await page.locator('#funnel table tbody th').allTextContents()
    expect(breakdown).toEqual(expect.arrayContaining(['Paid Search', 'Email', 'Direct']))

    // The form jumps to #funnel; back to the top so the sticky header sits where it belongs.
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true })
    expect(problems).toEqual([])
    await context.close()
  })

  it('fits a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    const session = (await signIn((p, i) => fetch(shop.url + p, i), shop.t.adminToken)).split('=')[1]
    await context.addCookies([{ name: 'fb_session', value: session, url: shop.url, httpOnly: true, sameSite: 'Strict' }])
    const page = await context.newPage()
    const res = await page.goto(`${shop.url}/dashboard/demo`)
    expect(res!.status()).toBe(200)
    expect(res!.headers()['content-security-policy']).toContain("default-src 'none'")
    // Wide tables scroll inside their cards; the page itself never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true })
    await context.close()
  })
})
