/**
 * The marketer dashboard at `/dashboard`: a login form, then one server-rendered page per
 * site with the same numbers as the JSON reports. No scripts at all, so the
 * Content-Security-Policy allows none; filters are plain GET forms and links.
 */
import { readFileSync } from 'node:fs'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import type { ReportRunner } from '../report-runner/runner.ts'
import { systemClock } from '../clock.ts'
import { principalOfToken, mayRead } from '../http/access.ts'
import { clientIp } from '../http/client.ts'
import { RateLimiter } from '../http/rate-limit.ts'
import { todayIn } from '../reports/service.ts'
import { LoginPage, MessagePage, SitesPage } from '../dashboard/layout.tsx'
import { DashboardPage } from '../dashboard/page.tsx'
import { endSession, safeNext, sameOrigin, sessionOf, startSession } from '../dashboard/session.ts'
import type { Metrics } from '../http/metrics.ts'
import { refusalCounts } from '../http/refusals.ts'

/** No scripts, no inline styles, no framing, forms only to ourselves. */
export const DASHBOARD_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/** The dashboard's response headers: no scripts, no sniffing, no caching unless a route says so. */
export const dashboardHeaders: MiddlewareHandler = async function dashboardHeaders(c, next) {
  await next()
  c.header('content-security-policy', DASHBOARD_CSP)
  c.header('x-content-type-options', 'nosniff')
  c.header('referrer-policy', 'same-origin')
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store')
}

const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
const MAX_LOGIN_BYTES = 4096
/** Sign-in attempts per client IP per window: plenty for people, useless for guessing a token. */
const LOGIN_ATTEMPTS = 10
const LOGIN_WINDOW_MS = 15 * 60_000

/**
 * The dashboard routes, to mount at `/dashboard`.
 *
 * @example
 * app.route('/dashboard', dashboardRoutes(deps))
 */
export function dashboardRoutes(deps: AppDeps & { runner: ReportRunner; metrics: Metrics }): Hono {
  const app = new Hono()
  const clock = deps.clock ?? systemClock
  const log = deps.log ?? ((msg: string, err?: unknown) => console.error(msg, err))
  const css = readFileSync(new URL('../dashboard/dashboard.css', import.meta.url))
  const attempts = new RateLimiter(LOGIN_ATTEMPTS, LOGIN_WINDOW_MS, () => clock.now())
  const session = (c: Context) => sessionOf(c, deps.store.trust, clock.now())

  app.use('*', dashboardHeaders)

  app.get('/_/dashboard.css', function dashboardCss(c) {
    return c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' })
  })

  app.get('/', async function dashboardHome(c) {
    const p = await session(c)
    if (p === null || p === 'expired') return c.html(LoginPage({ next: '/dashboard' }), 401)
    // A report reader has one site: take them straight there.
    if (p.role === 'report') return c.redirect(`/dashboard/${p.site}`, 303)
    return c.html(SitesPage({ sites: [] }))
  })

  app.post('/login', async function dashboardLogin(c) {
    if (!sameOrigin(c)) return c.html(MessagePage({ title: 'Sign-in refused', message: 'The sign-in form was sent from another site.' }), 403)
    if (Number(c.req.header('content-length') ?? 0) > MAX_LOGIN_BYTES) return c.html(LoginPage({ next: '/dashboard', error: 'That request was too large.' }), 413)
    try {
      attempts.hit(clientIp(c, deps.config.trustProxy) ?? 'unknown')
    } catch (err) {
      const retry = err instanceof HTTPException ? err.getResponse().headers.get('retry-after') ?? '900' : '900'
      const minutes = Math.ceil(Number(retry) / 60)
      return c.html(LoginPage({ next: '/dashboard', error: `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` }), 429, { 'retry-after': retry })
    }
    const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
    const next = safeNext(form.next)
    const token = typeof form.token === 'string' ? form.token.trim() : ''
    const p = token && token.length <= 512 ? await principalOfToken(token, deps.config.adminToken, deps.store.trust) : null
    if (!p) return c.html(LoginPage({ next, error: 'That token is not right. Check the admin or report token and try again.' }), 401)
    await startSession(c, deps.store.trust, p, clock.now())
    return c.redirect(p.role === 'report' && next === '/dashboard' ? `/dashboard/${p.site}` : next, 303)
  })

  app.get('/logout', async function dashboardLogout(c) {
    await endSession(c, deps.store.trust)
    return c.redirect('/dashboard', 303)
  })

  app.get('/open', function dashboardOpen(c) {
    const id = siteId.safeParse(c.req.query('site'))
    return c.redirect(id.success ? `/dashboard/${id.data}` : '/dashboard', 303)
  })

  app.get('/:site', async function dashboardSite(c) {
    const id = siteId.safeParse(c.req.param('site'))
    const self = `/dashboard/${id.success ? id.data : ''}${new URL(c.req.url).search}`
    const p = await session(c)
    if (p === null || p === 'expired') {
      const error = p === 'expired' ? 'Your session has expired. Please sign in again.' : undefined
      return c.html(LoginPage({ next: safeNext(self), error }), 401)
    }
    if (!mayRead(p, id.success ? id.data : '')) {
      return c.html(MessagePage({ title: 'Not your site', message: 'This sign-in can read another site only. Sign out and sign in with a token for this site.' }), 403)
    }
    const site = id.success ? await deps.store.getSite(id.data) : null
    if (!site) return c.html(MessagePage({ title: 'No such site', message: 'There is no site with that id on this collector.' }), 404)
    const now = clock.now()
    // Refusal counters live in this process; a report worker cannot see them, so they travel with the request.
    const data = await deps.runner.run('dashboard', { site, today: todayIn(site, now), now, params: new URL(c.req.url).search, refusals: refusalCounts(deps.metrics) })
    return c.html(DashboardPage({ d: data }))
  })

  return app
}
