import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { eventually, storedEvents, useShopPage } from './harness.ts'

const s = useShopPage()

/**
 * The ESM build keeps its API in module scope; importing it again in the page gives the
 * same module instance. A string, so the test runner does not rewrite the import().
 */
const flushEsm = (p: Page) => p.evaluate("import('/_e2e/esm/index.js').then((m) => m.flush())")

describe('an SPA using the ESM build', () => {
  it('tracks route changes, events, a deduplicated purchase and one exposure per visitor', async () => {
    await s.page.goto(`${s.server.url}/_e2e/app/home?utm_source=newsletter&utm_medium=email&utm_campaign=esm`)
    await expect.poll(() => s.page.locator('#variant').textContent()).toMatch(/^(control|bold)$/)
    const variant = await s.page.locator('#variant').textContent()
    await s.page.getByRole('link', { name: 'Plans' }).click()
    await s.page.getByRole('link', { name: 'Cart' }).click()
    await s.page.getByRole('button', { name: 'Buy' }).click()
    await s.page.getByRole('button', { name: 'Buy' }).click()
    await flushEsm(s.page)
    // A reload keeps the visitor and the variant: no second exposure.
    await s.page.reload()
    await expect.poll(() => s.page.locator('#variant').textContent()).toBe(variant)
    await flushEsm(s.page)

    const events = await eventually(() => {
      const rows = storedEvents(s.server)
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
