import { describe, expect, it } from 'vitest'
import { eventually, flush, sdkReady, storedEvents, useShopPage } from './harness.ts'

const s = useShopPage()

/**
 * Gives the demo site consent regions (the United States anonymous, everyone else opt-in)
 * and serves its pages with the script loaded as `funnelbeam.js?site=demo`, as the README
 * tells a site with regions to do; `attrs` are more attributes on the tag.
 */
async function useRegionScript(attrs = '') {
  const res = await s.server.t.app.request('/api/sites/demo', {
    method: 'PATCH',
    headers: { authorization: `Bearer ${s.server.t.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ consentRegions: { default: 'opt-in', rules: [{ countries: ['US'], mode: 'anonymous' }] } }),
  })
  expect(res.status).toBe(200)
  await s.context.route(/\/(\?.*)?$|\/pricing$/, async (route) => {
    const page = await route.fetch()
    const html = (await page.text()).replace('src="/funnelbeam.js" data-site="demo"', `src="/funnelbeam.js?site=demo" data-site="demo"${attrs}`)
    await route.fulfill({ response: page, body: html })
  })
}

const tagConsent = () => s.page.evaluate(() => document.querySelector('script[data-site]')!.getAttribute('data-consent'))

describe('region-aware consent default in Chromium', () => {
  it('a visitor of no listed country (loopback: unknown) starts opt-in: nothing is sent before consent', async () => {
    await useRegionScript()
    await s.page.goto(s.server.url)
    await sdkReady(s.page)
    expect(await tagConsent()).toBe('opt-in')
    await flush(s.page)
    await new Promise((r) => setTimeout(r, 1000))
    expect(s.log.requests).toEqual([])
  })

  it("a visitor whose IP is in the United States starts anonymous (the proxy's X-Forwarded-For, looked up)", async () => {
    s.server.t.config.trustProxy = true
    await s.context.setExtraHTTPHeaders({ 'x-forwarded-for': '8.8.8.8' })
    await useRegionScript()
    await s.page.goto(s.server.url)
    await sdkReady(s.page)
    expect(await tagConsent()).toBe('anonymous')
    await flush(s.page)
    await eventually(() => expect(storedEvents(s.server).map((e) => e.type)).toContain('pageview'))
  })

  it('an explicit data-consent on the tag wins over the served default', async () => {
    await useRegionScript(' data-consent="anonymous"')
    await s.page.goto(s.server.url)
    await sdkReady(s.page)
    expect(await tagConsent()).toBe('anonymous')
    await flush(s.page)
    await eventually(() => expect(storedEvents(s.server).map((e) => e.type)).toContain('pageview'))
  })
})
