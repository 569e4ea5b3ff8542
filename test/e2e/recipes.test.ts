import { describe, expect, it } from 'vitest'
import { eventually, storedEvents, useShopPage, flush } from './harness.ts'

// The README recipes that run in a browser, as the README shows them (test/e2e/fixtures/recipes/).
const s = useShopPage()

describe('recipes in Chromium', () => {
  it('plain HTML: the stub and the script tag; calls made before the script loaded are kept', async () => {
    await s.page.goto(`${s.server.url}/_e2e/recipes/plain.html?utm_source=newsletter&utm_medium=email&utm_campaign=nov`)
    await s.page.click('#cta')
    await flush(s.page)
    const events = await eventually(() => {
      const rows = storedEvents(s.server)
      expect(rows.map((e) => `${e.type}:${e.name}`).sort()).toEqual(['conversion:lead', 'event:cta_click', 'pageview:pageview'])
      return rows
    })
    expect(events.find((e) => e.type === 'pageview')).toMatchObject({ path: '/_e2e/recipes/plain.html', source: 'newsletter', medium: 'email', campaign: 'nov' })
    expect(events.find((e) => e.type === 'conversion')).toMatchObject({ value: 10, currency: 'EUR', order_id: 'L-1' })
  })

  it('Google Tag Manager: the same snippet as a Custom HTML tag, inserted after load', async () => {
    await s.page.goto(`${s.server.url}/_e2e/recipes/gtm.html?utm_source=google&utm_medium=cpc&utm_campaign=gtm`)
    await s.page.waitForFunction(() => typeof (window as unknown as { funnelbeam?: { flush?: unknown } }).funnelbeam?.flush === 'function')
    await flush(s.page)
    const events = await eventually(() => {
      const rows = storedEvents(s.server)
      expect(rows.map((e) => `${e.type}:${e.name}`).sort()).toEqual(['conversion:lead', 'pageview:pageview'])
      return rows
    })
    expect(events.find((e) => e.type === 'pageview')).toMatchObject({ path: '/_e2e/recipes/gtm.html', channel: 'Paid Search' })
    expect(events.find((e) => e.type === 'conversion')).toMatchObject({ order_id: 'GTM-1' })
  })
})
