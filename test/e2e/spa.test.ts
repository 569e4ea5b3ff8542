import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { eventually, flush, launchChromium, pageProblems, sdkReady, startShop, storedEvents, type Shop } from './harness.ts'

let browser: Browser
let shop: Shop
let context: BrowserContext
let page: Page
let problems: string[]

beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })
beforeEach(async () => {
  shop = await startShop()
  context = await browser.newContext()
  page = await context.newPage()
  problems = pageProblems(page)
})
afterEach(async () => {
  expect(problems).toEqual([])
  await context?.close()
  await shop?.close()
})

const pageviews = () => storedEvents(shop).filter((e) => e.type === 'pageview').map((e) => e.path)

describe('single-page navigation', () => {
  it('records one pageview per route change, including back, and none for a repeated click', async () => {
    await page.goto(`${shop.url}/app`)
    await sdkReady(page)
    const nav = page.getByRole('navigation', { name: 'Product tour' })
    await nav.getByRole('link', { name: 'Shared inbox' }).click()
    await nav.getByRole('link', { name: 'Shared inbox' }).click()
    await nav.getByRole('link', { name: 'Reports' }).click()
    await nav.getByRole('link', { name: 'Automations' }).click()
    await page.goBack()
    await expect.poll(() => page.evaluate(() => location.pathname)).toBe('/app/reports')
    await flush(page)

    await eventually(() => expect(pageviews()).toEqual(['/app', '/app/inbox', '/app/reports', '/app/automations', '/app/reports']))
    // The page stayed the same document the whole time: no reloads were needed.
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    const titles = storedEvents(shop).filter((e) => e.type === 'pageview').map((e) => (e as unknown as { title: string }).title)
    expect(titles[1]).toBe('Shared inbox · Brightdesk')
  })
})

describe('leaving right after a conversion', () => {
  it('delivers the lead when the signup form navigates away at once', async () => {
    await page.goto(`${shop.url}/signup?plan=team`)
    await sdkReady(page)
    await page.getByLabel('Work email').fill('grace@example.com')
    await page.getByLabel('Company').fill('Compilers Inc.')
    // Submitting goes straight to another page; nothing waits for the tracker.
    await page.getByRole('button', { name: 'Create my account' }).click()
    await page.waitForURL('**/checkout?plan=team')
    await eventually(() => expect(storedEvents(shop).filter((e) => e.type === 'conversion' && e.name === 'lead')).toHaveLength(1))
  })

  it('delivers the purchase when the visitor leaves the thank-you page immediately', async () => {
    await page.goto(`${shop.url}/thanks?plan=team&order=LEAVE-1`)
    await sdkReady(page)
    // Before the SDK's one-second batch timer fires, the visitor is gone.
    await page.goto('about:blank')
    const purchase = await eventually(() => {
      const rows = storedEvents(shop).filter((e) => e.type === 'conversion' && e.name === 'purchase')
      expect(rows).toHaveLength(1)
      return rows[0]
    })
    expect(purchase).toMatchObject({ order_id: 'LEAVE-1', value: 99, currency: 'EUR' })
  })
})
