import { describe, expect, it } from 'vitest'
import { eventually, flush, report, sdkReady, storedEvents, useShopPage } from './harness.ts'

const s = useShopPage()

const AD_URL = '/?utm_source=google&utm_medium=cpc&utm_campaign=brand_search&utm_term=helpdesk&gclid=E2E-GCLID-1'

/** Pricing → Pro → signup form → checkout → thank-you page, then a reload of it. Answers the order id. */
async function buyProAndReload(): Promise<{ orderId: string; leadForm: URLSearchParams }> {
  let leadForm = ''
  s.page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/signup') leadForm = r.postData() ?? '' })
  await s.page.getByRole('link', { name: 'Pricing', exact: true }).click()
  await s.page.waitForURL('**/pricing')
  await s.page.getByRole('link', { name: 'Choose Pro' }).click()
  await s.page.waitForURL('**/signup?plan=pro')
  await sdkReady(s.page)
  await s.page.getByLabel('Work email').fill('ada@example.com')
  await s.page.getByLabel('Company').fill('Analytical Engines Ltd')
  await s.page.getByRole('button', { name: 'Create my account' }).click()
  await s.page.waitForURL('**/checkout?plan=pro')
  await s.page.getByRole('button', { name: 'Pay and subscribe' }).click()
  await s.page.waitForURL('**/thanks?**')
  const orderId = new URL(s.page.url()).searchParams.get('order')!
  await expect.poll(() => s.page.locator('#order-id').textContent()).toBe(orderId)
  await sdkReady(s.page)
  await flush(s.page)
  // The reload sends the purchase again; the order id makes the collector keep one.
  await s.page.reload()
  await sdkReady(s.page)
  await flush(s.page)
  await eventually(() => expect(s.log.events().filter((e) => e.y === 'c' && e.n === 'purchase')).toHaveLength(2))
  return { orderId, leadForm: new URLSearchParams(leadForm) }
}

/** What every report must say about that one €49 purchase from the brand_search ad. */
async function expectOnePaidSearchPurchase(orderId: string) {
  const purchases = await eventually(() => {
    const rows = storedEvents(s.server).filter((e) => e.type === 'conversion' && e.name === 'purchase')
    expect(rows).toHaveLength(1)
    return rows
  })
  expect(purchases[0]).toMatchObject({ value: 49, currency: 'EUR', order_id: orderId })
  expect(storedEvents(s.server).filter((e) => e.type === 'conversion' && e.name === 'lead')).toHaveLength(1)

  const summary = await report(s.server, 'summary')
  expect(summary.revenue).toEqual({ EUR: 49 })

  const funnel = await report(s.server, 'funnel?step=pageview:/pricing&step=conversion:lead&step=conversion:purchase')
  expect(funnel.steps.map((s: { visitors: number }) => s.visitors)).toEqual([1, 1, 1])

  const campaigns = await report(s.server, 'campaigns?conversion=purchase')
  const credited = campaigns.rows.filter((r: { conversions: number }) => r.conversions > 0)
  expect(credited).toHaveLength(1)
  expect(credited[0], 'the purchase is credited to the ad that brought the visitor, also when consent came after the landing pageview')
    .toMatchObject({ source: 'google', medium: 'cpc', campaign: 'brand_search', conversions: 1, revenue: { EUR: 49 } })

  for (const model of ['first', 'last_non_direct', 'linear', 'position', 'time_decay']) {
    const attribution = await report(s.server, `attribution?conversion=purchase&model=${model}&dimension=channel`)
    expect(attribution.rows, model).toEqual([{ value: 'Paid Search', conversions: 1, revenue: { EUR: 49 } }])
  }
}

describe('a visitor from a Google ad who signs up and buys', () => {
  it('accepting consent on the landing page: one purchase, credited to the ad, even after a reload', async () => {
    await s.page.goto(s.server.url + AD_URL)
    // People read the banner first: by the time they accept, the landing pageview has
    // gone out anonymously (consent 0, no visitor id, no click id).
    await eventually(() => expect(s.log.events().filter((e) => e.y === 'p')).toHaveLength(1))
    expect(s.log.events()[0]).toMatchObject({ c: 0 })
    await s.page.getByRole('button', { name: 'Accept all' }).click()
    await expect.poll(() => s.page.locator('#consent').isHidden()).toBe(true)
    const { orderId, leadForm } = await buyProAndReload()

    // The lead form carried the ad click into the "CRM" through its hidden inputs.
    expect(leadForm.get('gclid')).toBe('E2E-GCLID-1')
    expect(leadForm.get('utm_campaign')).toBe('brand_search')
    await expectOnePaidSearchPurchase(orderId)
  })

  it('a returning visitor who consented earlier: one purchase, credited to the ad, even after a reload', async () => {
    await s.page.goto(s.server.url + '/')
    await s.page.getByRole('button', { name: 'Accept all' }).click()
    await sdkReady(s.page)
    await flush(s.page)
    // Days later the same browser comes back through the ad; the earlier visit was direct.
    await s.page.goto(s.server.url + AD_URL)
    await sdkReady(s.page)
    await expect.poll(() => s.page.locator('#consent').isHidden()).toBe(true)
    const { orderId, leadForm } = await buyProAndReload()
    expect(leadForm.get('gclid')).toBe('E2E-GCLID-1')
    await expectOnePaidSearchPurchase(orderId)
    // Everything after the consent belongs to one visitor with its own id.
    const consented = storedEvents(s.server).filter((e) => e.consent & 1)
    expect(new Set(consented.map((e) => e.visitor)).size).toBe(1)
  })
})
