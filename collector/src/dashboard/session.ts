/**
 * Dashboard sign-in. The admin token or a site's report token is posted once from a form;
 * the browser then holds only a random session id in an HttpOnly, SameSite=Strict,
 * expiring cookie, so no token ever sits in a cookie jar, URL, history or referrer. The
 * server keeps the id's SHA-256 with its expiry and the site it may read; signing out
 * (or revoking the report token) deletes it.
 */
import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { hashSecret } from '../http/auth.ts'
import type { Principal } from '../http/access.ts'
import type { TrustStore } from '../store/trust-types.ts'

export const SESSION_COOKIE = 'fb_session'
export const SESSION_MAX_AGE_S = 7 * 86_400

function cookieId(c: Context): string | null {
  const v = getCookie(c, SESSION_COOKIE)
  return v && /^[A-Za-z0-9_-]{43}$/.test(v) ? v : null
}

/**
 * Signs a principal in: stores a new session and sets its cookie.
 *
 * @example
 * await startSession(c, store.trust, { role: 'admin' }, clock.now())
 */
export async function startSession(c: Context, trust: TrustStore, p: Principal, now: number): Promise<void> {
  const id = randomBytes(32).toString('base64url')
  await trust.addSession(hashSecret(id), {
    site: p.role === 'report' ? p.site : null, tokenId: p.role === 'report' ? p.tokenId : null, expires: now + SESSION_MAX_AGE_S * 1000,
  })
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    // Secure where the browser used HTTPS (directly or via a TLS proxy); plain
    // http://localhost must still work.
    secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
    path: '/',
    maxAge: SESSION_MAX_AGE_S,
  })
}

/**
 * The principal of the request's session cookie: null without a cookie, 'expired' when
 * the cookie names no live session (expired, signed out, token revoked).
 *
 * @example
 * const p = await sessionOf(c, store.trust, clock.now())
 */
export async function sessionOf(c: Context, trust: TrustStore, now: number): Promise<Principal | 'expired' | null> {
  const id = cookieId(c)
  if (!id) return getCookie(c, SESSION_COOKIE) ? 'expired' : null
  const s = await trust.session(hashSecret(id), now)
  if (!s) return 'expired'
  return s.site == null ? { role: 'admin' } : { role: 'report', site: s.site, tokenId: s.tokenId ?? '' }
}

/** Signs out: deletes the session server-side and clears the cookie. */
export async function endSession(c: Context, trust: TrustStore): Promise<void> {
  const id = cookieId(c)
  if (id) await trust.dropSession(hashSecret(id))
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
}

/**
 * Login CSRF guard: a browser always sends `Origin` on a cross-site POST, so a POST whose
 * Origin (or, failing that, Referer) names another host is refused.
 */
export function sameOrigin(c: Context): boolean {
  const own = new URL(c.req.url)
  const from = c.req.header('origin') ?? c.req.header('referer')
  if (!from) return true
  try {
    return new URL(from).host === own.host
  } catch {
    return false
  }
}

/** Only same-site dashboard paths are valid targets after login (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/dashboard\/[a-z0-9][a-z0-9_-]{0,63}(\?[^\s]*)?$/.test(next) && !next.includes('//') ? next : '/dashboard'
}
