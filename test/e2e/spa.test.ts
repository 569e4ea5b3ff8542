import { describe, expect, it } from 'vitest'
import { eventually, flush, sdkReady, storedEvents, useShopPage } from './harness.ts'

const s = useShopPage()

const pageviews = () => storedEvents(s.server).filter((e) => e.type === 'pageview').map((e) => e.path)

describe('single-page navigation', () => {
  it('records one pageview per route change, including back, and none for a repeated click', async () => {
    await s.page.goto(`${s.server.url}/app`)
    await sdkReady(s.page)
    const nav = s.page.getByRole('navigation', { name: 'Product tour' })
    await nav.getByRole('link', { name: 'Shared inbox' }).click()
    await nav.getByRole('link', { name: 'Shared inbox' }).click()
    await nav.getByRole('link', { name: 'Reports' }).click()
    await nav.getByRole('link', { name: 'Automations' }).click()
    await s.page.goBack()
    await expect.poll(() => s.page.evaluate(() => location.pathname)).toBe('/app/reports')
    await flush(s.page)

    await eventually(() => expect(pageviews()).toEqual(['/app', '/app/inbox', '/app/reports', '/app/automations', '/app/reports']))
    // The page stayed the same document the whole time: no reloads were needed.
    expect(await s.page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    const titles = storedEvents(s.server).filter((e) => e.type === 'pageview').map((e) => (e as unknown as { title: string }).title)
    expect(titles[1]).toBe('Shared inbox · Brightdesk')
  })
})

describe('leaving right after a conversion', () => {
  it('delivers the lead when the signup form navigates away at once', async () => {
    await s.page.goto(`${s.server.url}/signup?plan=team`)
    await sdkReady(s.page)
    await s.page.getByLabel('Work email').fill('grace@example.com')
    await s.page.getByLabel('Company').fill('Compilers Inc.')
    // Submitting goes straight to another page; nothing waits for the tracker.
    await s.page.getByRole('button', { name: 'Create my account' }).click()
    await s.page.waitForURL('**/checkout?plan=team')
    await eventually(() => expect(storedEvents(s.server).filter((e) => e.type === 'conversion' && e.name === 'lead')).toHaveLength(1))
  })

  it('delivers the purchase when the visitor leaves the thank-you page immediately', async () => {
    await s.page.goto(`${s.server.url}/thanks?plan=team&order=LEAVE-1`)
    await sdkReady(s.page)
    // Before the SDK's one-second batch timer fires, the visitor is gone.
    await s.page.goto('about:blank')
    const purchase = await eventually(() => {
      const rows = storedEvents(s.server).filter((e) => e.type === 'conversion' && e.name === 'purchase')
      expect(rows).toHaveLength(1)
      return rows[0]
    })
    expect(purchase).toMatchObject({ order_id: 'LEAVE-1', value: 99, currency: 'EUR' })
  })
})
