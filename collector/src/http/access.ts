/**
 * Who may do what. Three kinds of credential, each for its own door:
 * - the admin token (Bearer): everything under `/api/sites`, and the dashboard;
 * - a report token (Bearer, per site): that site's reports, CSV and dashboard, nothing else;
 * - the site secret (Bearer): `POST /api/events` only (see routes/server-events.ts).
 * The dashboard's cookie holds a random session id, never a token (dashboard/session.ts).
 */
import { randomBytes } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { bearerToken, hashMatches, secretsEqual } from './auth.ts'
import { apiError } from './errors.ts'
import type { TrustStore } from '../store/trust-types.ts'
import type { Store } from '../store/types.ts'
import type { Clock } from '../clock.ts'
import { sessionOf } from '../dashboard/session.ts'

export type Principal = { role: 'admin' } | { role: 'report'; site: string; tokenId: string }

/** `fbr_<id>.<secret>`: the id finds the stored hash, the secret is compared in constant time. */
const REPORT_TOKEN = /^fbr_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/

/**
 * A new report token and its id; only `hashSecret(token)` is stored.
 *
 * @example
 * const { id, token } = newReportToken() // token: 'fbr_3f2a….Xk9…'
 */
export function newReportToken(): { id: string; token: string } {
  const id = randomBytes(8).toString('hex')
  return { id, token: `fbr_${id}.${randomBytes(32).toString('base64url')}` }
}

/**
 * Whom a token stands for: the admin, a site's report reader, or null (not a token we issued).
 *
 * @example
 * await principalOfToken('fbr_…', config.adminToken, store.trust) // { role: 'report', site: 'shop', tokenId: '…' }
 */
export async function principalOfToken(token: string, adminToken: string, trust: TrustStore): Promise<Principal | null> {
  if (secretsEqual(token, adminToken)) return { role: 'admin' }
  const m = REPORT_TOKEN.exec(token)
  if (!m) return null
  const stored = await trust.token(m[1])
  return stored && hashMatches(token, stored.hash) ? { role: 'report', site: stored.site, tokenId: stored.id } : null
}

/** Whether a principal may read a site's reports. */
export function mayRead(p: Principal, site: string): boolean {
  return p.role === 'admin' || p.site === site
}

export interface AccessDeps {
  adminToken: () => string
  trust: TrustStore
  /** The principal of the request's dashboard session: null without one, 'expired' when it is gone. */
  fromSession: (c: Context) => Promise<Principal | 'expired' | null>
}

/**
 * Requires the admin token or that site's report token as a Bearer token, or else a
 * dashboard session (`fromSession`, so the dashboard's CSV links need no token in the
 * URL) for `:site`. 401 without any credential, 403 with one that does not open this site.
 *
 * @example
 * app.get('/:site/summary', requireAccess('reader', deps), handler)
 */
export function requireAccess(need: 'admin' | 'reader', deps: AccessDeps): MiddlewareHandler {
  return async function access(c, next) {
    const token = bearerToken(c.req.header('authorization'))
    const p = token ? await principalOfToken(token, deps.adminToken(), deps.trust) : await deps.fromSession(c)
    if (p === null && !token) throw apiError(401, 'unauthorized', `Missing Authorization: Bearer <${need === 'admin' ? 'admin token' : 'admin or report token'}>`)
    if (p === 'expired') throw apiError(401, 'unauthorized', 'The dashboard session has expired; sign in again')
    const ok = p !== null && (need === 'admin' ? p.role === 'admin' : mayRead(p, c.req.param('site') ?? ''))
    if (!ok) throw apiError(403, 'forbidden', need === 'admin' ? 'This needs the admin token' : 'This token cannot read this site')
    await next()
  }
}

/**
 * The two guards of the site routes: `admin` (the admin token, or an admin's dashboard
 * session, so the dashboard's download links work) and `reader` (also the site's report
 * token or a report session for the site).
 *
 * @example
 * const { admin, reader } = siteGuards({ store, clock, config })
 * app.get('/:site/summary', reader, handler)
 */
export function siteGuards(deps: { store: Store; clock?: Clock; config: { adminToken: string } }): { admin: MiddlewareHandler; reader: MiddlewareHandler } {
  const access: AccessDeps = {
    adminToken: () => deps.config.adminToken,
    trust: deps.store.trust,
    fromSession: (c) => sessionOf(c, deps.store.trust, deps.clock?.now() ?? Date.now()),
  }
  return { admin: requireAccess('admin', access), reader: requireAccess('reader', access) }
}
