import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { demoSiteRoutes, expandIncludes } from '../../demo-site/routes.ts'
import { demoLinks } from '../../demo-site/links.ts'

const dir = fileURLToPath(new URL('../../demo-site/public', import.meta.url))

describe('demo shop routes', () => {
  const app = demoSiteRoutes(dir)

  it('serves every page under a clean URL with a strict CSP', async () => {
    for (const path of ['/', '/pricing', '/signup', '/checkout', '/thanks', '/app', '/app/reports']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      const html = await res.text()
      expect(html).toContain('data-site="demo"')
      expect(html).not.toMatch(/<script>|style=/)
      // Every page gets the shared footer with the consent banner its buttons open.
      expect(html).toContain('data-consent-choice="reject"')
      expect(html).toContain('data-open-consent')
      expect(html).not.toContain('<!--#include')
    }
  })

  it('expands includes from partials and leaves unknown ones alone', () => {
    const partials = new Map([['footer', '<footer>f</footer>\n']])
    expect(expandIncludes('<main></main>\n<!--#include footer-->\n<!--#include nope-->', partials))
      .toBe('<main></main>\n<footer>f</footer>\n<!--#include nope-->')
  })

  it('marks the current page in the shared header', async () => {
    const pricing = await (await app.request('/pricing')).text()
    expect(pricing).toContain('<a href="/pricing" aria-current="page">Pricing</a>')
    expect(pricing).not.toContain('<a href="/app" aria-current')
    const home = await (await app.request('/')).text()
    expect(home).not.toContain('aria-current')
    expect(home).toContain('<script async src="/funnelbeam.js" data-site="demo"></script>')
  })

  it('never serves files outside its folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/js/%2e%2e/%2e%2e/routes.ts', '/routes.ts']) {
      expect((await app.request(path)).status, path).toBe(404)
    }
  })

  it('lets other routes answer paths it does not know', async () => {
    const parent = new Hono()
    parent.route('/', demoSiteRoutes(dir))
    parent.get('/funnelbeam.js', (c) => c.text('sdk'))
    expect(await (await parent.request('/funnelbeam.js')).text()).toBe('sdk')
  })

  it('sends the signup form on to checkout with the chosen plan', async () => {
    const res = await app.request('/signup', { method: 'POST', body: new URLSearchParams({ plan: 'team', email: 'a@b.example' }) })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/checkout?plan=team')
    const forged = await app.request('/signup', { method: 'POST', body: new URLSearchParams({ plan: '//evil.example' }) })
    expect(forged.headers.get('location')).toBe('/checkout?plan=pro')
  })
})

describe('demoLinks', () => {
  it('prints campaign links for Google Ads, a newsletter and a Facebook ad', () => {
    const text = demoLinks('http://localhost:8787/').join('\n')
    expect(text).toContain('http://localhost:8787/?utm_source=google&utm_medium=cpc')
    expect(text).toMatch(/gclid=/)
    expect(text).toContain('utm_medium=email')
    expect(text).toMatch(/fbclid=/)
    expect(text).toContain('http://localhost:8787/dashboard/demo')
  })
})
