import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { eventually, launchChromium, pageProblems, startShop, storedEvents, type Shop } from './harness.ts'

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

/**
 * The ESM build keeps its API in module scope; importing it again in the page gives the
 * same module instance. A string, so the test runner does not rewrite the import().
 */
const flushEsm = (p: Page) => p.evaluate("import('/_e2e/esm/index.js').then((m) => m.flush())")

describe('an SPA using the ESM build', () => {
  it('tracks route changes, events, a deduplicated purchase and one exposure per visitor', async () => {
    await page.goto(`${shop.url}/_e2e/app/home?utm_source=newsletter&utm_medium=email&utm_campaign=esm`)
    await expect.poll(() => page.locator('#variant').textContent()).toMatch(/^(control|bold)$/)
    const variant = await page.locator('#variant').textContent()
    await page.getByRole('link', { name: 'Plans' }).click()
    await page.getByRole('link', { name: 'Cart' }).click()
    await page.getByRole('button', { name: 'Buy' }).click()
    await page.getByRole('button', { name: 'Buy' }).click()
    await flushEsm(page)
    // A reload keeps the visitor and the variant: no second exposure.
    await page.reload()
    await expect.poll(() => page.locator('#variant').textContent()).toBe(variant)
    await flushEsm(page)

    const events = await eventually(() => {
      const rows = storedEvents(shop)
      expect(rows.filter((e) => e.type === 'pageview').map((e) => e.path)).toEqual(['/_e2e/app/home', '/_e2e/app/plans', '/_e2e/app/cart', '/_e2e/app/cart'])
      return rows
    })
    expect(events.filter((e) => e.type === 'exposure')).toEqual([expect.objectContaining({ name: 'hero', props: JSON.stringify({ variant }) })])
    expect(events.filter((e) => e.name === 'checkout_started')).toHaveLength(2)
    expect(events.filter((e) => e.name === 'purchase')).toEqual([expect.objectContaining({ value: 10, currency: 'EUR', order_id: 'ESM-1' })])
    expect(new Set(events.map((e) => e.visitor)).size).toBe(1)
    expect(events.every((e) => (e as unknown as { user_id: string }).user_id === 'user-42')).toBe(true)
  })
})
