/**
 * Dashboard login. The admin token is posted once from a form and kept in an HttpOnly,
 * SameSite=Strict cookie, so it never appears in a URL, history or referrer, scripts
 * cannot read it, and other sites cannot make the browser send it.
 */
import type { Context } from 'hono'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { secretsEqual } from '../http/auth.ts'

export const ADMIN_COOKIE = 'fb_admin'
const MAX_AGE_S = 7 * 86_400

/**
 * The admin token from the dashboard cookie, or null. Pass it as the fallback of
 * `requireAdmin` so the CSV links of the dashboard work with the same login.
 *
 * @example
 * app.use('/api/sites/*', requireAdmin(() => config.adminToken, adminCookie))
 */
export function adminCookie(c: Context): string | null {
  const v = getCookie(c, ADMIN_COOKIE)
  return v && v.length <= 512 ? v : null
}

/** Whether the request carries the dashboard cookie with the right admin token. */
export function signedIn(c: Context, adminToken: string): boolean {
  const token = adminCookie(c)
  return token != null && secretsEqual(token, adminToken)
}

export function setAdminCookie(c: Context, token: string): void {
  setCookie(c, ADMIN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    // Secure where the browser used HTTPS (directly or via a TLS proxy); plain
    // http://localhost must still work.
    secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
    path: '/',
    maxAge: MAX_AGE_S,
  })
}

export function clearAdminCookie(c: Context): void {
  deleteCookie(c, ADMIN_COOKIE, { path: '/' })
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
  return typeof next === 'string' && /^\/dashboard\/[a-z0-9][a-z0-9_-]{0,63}(\/ads)?(\?[^\s]*)?$/.test(next) && !next.includes('//') ? next : '/dashboard'
}
