import { describe, expect, it } from 'vitest'
import { eventually, flush, sdkReady, storedEvents, useShopPage } from './harness.ts'

const s = useShopPage()

/** Serves the shop's pages with another consent mode on its script tag, as a site owner would set it. */
async function useConsentMode(mode: 'opt-in' | 'anonymous') {
  await s.context.route(/\/(\?.*)?$|\/(pricing|signup|checkout|thanks|app)(\/[a-z]*)?(\?.*)?$/, async (route) => {
    const res = await route.fetch()
    const html = (await res.text()).replace('data-site="demo"', `data-site="demo" data-consent="${mode}"`)
    await route.fulfill({ response: res, body: html })
  })
}

/** Clicks through a few pages, a tagged button and the SPA, giving the SDK every chance to send. */
async function browseAround() {
  await s.page.goto(`${s.server.url}/?utm_source=newsletter&utm_medium=email&utm_campaign=nov&gclid=CONSENT-GCLID`)
  await sdkReady(s.page)
  await s.page.getByRole('link', { name: 'See plans and pricing' }).click()
  await s.page.waitForURL('**/pricing')
  await sdkReady(s.page)
  await s.page.getByRole('link', { name: 'Product tour' }).click()
  await s.page.waitForURL('**/app')
  await sdkReady(s.page)
  await s.page.getByRole('link', { name: 'Reports' }).click()
  await s.page.evaluate(() => (window as unknown as { funnelbeam(...a: unknown[]): void }).funnelbeam('track', 'early_click'))
  await flush(s.page)
}

/** Everything the page can keep about a visitor: cookies, localStorage and sessionStorage. */
async function browserStorage() {
  const cookies = await s.context.cookies()
  const storage = await s.page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }))
  return { cookies: cookies.map((c) => c.name), ...storage }
}

describe('consent', () => {
  it('opt-in: nothing reaches the collector before consent, and rejecting keeps it so', async () => {
    await useConsentMode('opt-in')
    await browseAround()
    await new Promise((r) => setTimeout(r, 1500))
    expect(s.log.requests).toEqual([])

    await s.page.getByRole('button', { name: 'Reject' }).click()
    await flush(s.page)
    await s.page.getByRole('link', { name: 'Automations' }).click()
    await s.page.getByRole('link', { name: 'Pricing', exact: true }).click()
    await s.page.waitForURL('**/pricing')
    await sdkReady(s.page)
    await flush(s.page)
    await new Promise((r) => setTimeout(r, 1500))
    expect(s.log.requests).toEqual([])
    expect(storedEvents(s.server)).toEqual([])
  })

  it('opt-in: events made before the choice are sent once analytics is granted', async () => {
    await useConsentMode('opt-in')
    await browseAround()
    expect(s.log.requests).toEqual([])
    await s.page.getByRole('button', { name: 'Analytics only' }).click()
    await flush(s.page)
    const events = await eventually(() => {
      const rows = storedEvents(s.server)
      expect(rows.some((e) => e.name === 'early_click')).toBe(true)
      return rows
    })
    // Analytics only: a visitor id, but the ad click id is removed everywhere.
    expect(events.every((e) => e.consent === 1 && e.visitor && e.click_id == null)).toBe(true)
    expect(s.log.requests.map((r) => r.body).join('\n')).not.toContain('CONSENT-GCLID')
  })

  it('anonymous: before any choice the browser keeps nothing, while visits are still counted', async () => {
    await useConsentMode('anonymous')
    await browseAround()
    expect(await browserStorage()).toEqual({ cookies: [], local: [], session: [] })
    const events = await eventually(() => {
      const rows = storedEvents(s.server)
      expect(rows.filter((e) => e.type === 'pageview').length).toBeGreaterThanOrEqual(4)
      return rows
    })
    // Counted by the collector's daily hash: no persistent id, no click id.
    expect(s.log.events().every((e) => e.v === undefined && e.c === 0)).toBe(true)
    expect(events.every((e) => e.consent === 0 && e.click_id == null)).toBe(true)
    expect(new Set(events.map((e) => e.visitor)).size).toBe(1)

    // The storage stays empty only until the visitor agrees; after that an id is kept.
    await s.page.getByRole('button', { name: 'Accept all' }).click()
    await expect.poll(async () => (await browserStorage()).local.length).toBeGreaterThan(0)
  })

  it('revoking consent in the privacy settings deletes what the SDK stored', async () => {
    await s.page.goto(`${s.server.url}/?utm_source=google&utm_medium=cpc&gclid=REVOKE-1`)
    await s.page.getByRole('button', { name: 'Accept all' }).click()
    await sdkReady(s.page)
    await flush(s.page)
    const sdkKeys = () => s.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('_fb') && k !== '_fb_c'))
    await expect.poll(sdkKeys).not.toEqual([])

    await s.page.getByRole('button', { name: 'Privacy settings' }).click()
    await s.page.getByRole('button', { name: 'Reject' }).click()
    await expect.poll(sdkKeys).toEqual([])
    expect(await s.page.evaluate(() => document.cookie)).toBe('')
    // A new pageview after revoking carries no visitor id again.
    const before = s.log.events().length
    await s.page.getByRole('link', { name: 'Pricing', exact: true }).click()
    await s.page.waitForURL('**/pricing')
    await sdkReady(s.page)
    await flush(s.page)
    await eventually(() => expect(s.log.events().length).toBeGreaterThan(before))
    expect(s.log.events().slice(before).every((e) => e.v === undefined && e.c === 0)).toBe(true)
  })
})
