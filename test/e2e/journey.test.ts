import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { eventually, flush, launchChromium, pageProblems, report, sdkReady, startShop, storedEvents, watchCollect, type CollectLog, type Shop } from './harness.ts'

let browser: Browser
let shop: Shop
let context: BrowserContext
let page: Page
let log: CollectLog
let problems: string[]

beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })
beforeEach(async () => {
  shop = await startShop()
  context = await browser.newContext()
  page = await context.newPage()
  log = watchCollect(context)
  problems = pageProblems(page)
})
afterEach(async () => {
  // The shop runs under its strict CSP: any violation or script error fails the journey.
  expect(problems).toEqual([])
  await context?.close()
  await shop?.close()
})

const AD_URL = '/?utm_source=google&utm_medium=cpc&utm_campaign=brand_search&utm_term=helpdesk&gclid=E2E-GCLID-1'

/** Pricing → Pro → signup form → checkout → thank-you page, then a reload of it. Answers the order id. */
async function buyProAndReload(): Promise<{ orderId: string; leadForm: URLSearchParams }> {
  let leadForm = ''
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/signup') leadForm = r.postData() ?? '' })
  await page.getByRole('link', { name: 'Pricing', exact: true }).click()
  await page.waitForURL('**/pricing')
  await page.getByRole('link', { name: 'Choose Pro' }).click()
  await page.waitForURL('**/signup?plan=pro')
  await sdkReady(page)
  await page.getByLabel('Work email').fill('ada@example.com')
  await page.getByLabel('Company').fill('Analytical Engines Ltd')
  await page.getByRole('button', { name: 'Create my account' }).click()
  await page.waitForURL('**/checkout?plan=pro')
  await page.getByRole('button', { name: 'Pay and subscribe' }).click()
  await page.waitForURL('**/thanks?**')
  const orderId = new URL(page.url()).searchParams.get('order')!
  await expect.poll(() => page.locator('#order-id').textContent()).toBe(orderId)
  await sdkReady(page)
  await flush(page)
  // The reload sends the purchase again; the order id makes the collector keep one.
  await page.reload()
  await sdkReady(page)
  await flush(page)
  await eventually(() => expect(log.events().filter((e) => e.y === 'c' && e.n === 'purchase')).toHaveLength(2))
  return { orderId, leadForm: new URLSearchParams(leadForm) }
}

/** What every report must say about that one €49 purchase from the brand_search ad. */
async function expectOnePaidSearchPurchase(orderId: string) {
  const purchases = await eventually(() => {
    const rows = storedEvents(shop).filter((e) => e.type === 'conversion' && e.name === 'purchase')
    expect(rows).toHaveLength(1)
    return rows
  })
  expect(purchases[0]).toMatchObject({ value: 49, currency: 'EUR', order_id: orderId })
  expect(storedEvents(shop).filter((e) => e.type === 'conversion' && e.name === 'lead')).toHaveLength(1)

  const summary = await report(shop, 'summary')
  expect(summary.revenue).toEqual({ EUR: 49 })

  const funnel = await report(shop, 'funnel?step=pageview:/pricing&step=conversion:lead&step=conversion:purchase')
  expect(funnel.steps.map((s: { visitors: number }) => s.visitors)).toEqual([1, 1, 1])

  const campaigns = await report(shop, 'campaigns?conversion=purchase')
  const credited = campaigns.rows.filter((r: { conversions: number }) => r.conversions > 0)
  expect(credited).toHaveLength(1)
  expect(credited[0], 'the purchase is credited to the ad that brought the visitor, also when consent came after the landing pageview')
    .toMatchObject({ source: 'google', medium: 'cpc', campaign: 'brand_search', conversions: 1, revenue: { EUR: 49 } })

  for (const model of ['first', 'last_non_direct', 'linear', 'position', 'time_decay']) {
    const attribution = await report(shop, `attribution?conversion=purchase&model=${model}&dimension=channel`)
    expect(attribution.rows, model).toEqual([{ value: 'Paid Search', conversions: 1, revenue: { EUR: 49 } }])
  }
}

describe('a visitor from a Google ad who signs up and buys', () => {
  it('accepting consent on the landing page: one purchase, credited to the ad, even after a reload', async () => {
    await page.goto(shop.url + AD_URL)
    // People read the banner first: by the time they accept, the landing pageview has
    // gone out anonymously (consent 0, no visitor id, no click id).
    await eventually(() => expect(log.events().filter((e) => e.y === 'p')).toHaveLength(1))
    expect(log.events()[0]).toMatchObject({ c: 0 })
    await page.getByRole('button', { name: 'Accept all' }).click()
    await expect.poll(() => page.locator('#consent').isHidden()).toBe(true)
    const { orderId, leadForm } = await buyProAndReload()

    // The lead form carried the ad click into the "CRM" through its hidden inputs.
    expect(leadForm.get('gclid')).toBe('E2E-GCLID-1')
    expect(leadForm.get('utm_campaign')).toBe('brand_search')
    await expectOnePaidSearchPurchase(orderId)
  })

  it('a returning visitor who consented earlier: one purchase, credited to the ad, even after a reload', async () => {
    await page.goto(shop.url + '/')
    await page.getByRole('button', { name: 'Accept all' }).click()
    await sdkReady(page)
    await flush(page)
    // Days later the same browser comes back through the ad; the earlier visit was direct.
    await page.goto(shop.url + AD_URL)
    await sdkReady(page)
    await expect.poll(() => page.locator('#consent').isHidden()).toBe(true)
    const { orderId, leadForm } = await buyProAndReload()
    expect(leadForm.get('gclid')).toBe('E2E-GCLID-1')
    await expectOnePaidSearchPurchase(orderId)
    // Everything after the consent belongs to one visitor with its own id.
    const consented = storedEvents(shop).filter((e) => e.consent & 1)
    expect(new Set(consented.map((e) => e.visitor)).size).toBe(1)
  })
})
