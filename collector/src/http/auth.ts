import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { apiError } from './errors.ts'

/** SHA-256 hex of a secret; sites store only this. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so neither the
 * content nor the length of the expected secret leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S{1,512})\s*$/i)
  return m ? m[1] : null
}

/**
 * Requires the admin token as a Bearer token: 401 without one, 403 with a wrong one. Only
 * a Bearer header counts: the dashboard's session cookie opens reading routes only
 * (see `http/access.ts`).
 *
 * @example
 * app.use('/api/sites/*', requireAdmin(() => config.adminToken))
 */
export function requireAdmin(adminToken: () => string): MiddlewareHandler {
  return async function adminAuth(c, next) {
    const token = bearerToken(c.req.header('authorization'))
    if (!token) throw apiError(401, 'unauthorized', 'Missing Authorization: Bearer <admin token>')
    if (!secretsEqual(token, adminToken())) throw apiError(403, 'forbidden', 'Wrong admin token')
    await next()
  }
}

/** Compares a given secret with a stored SHA-256 hex hash in constant time. */
export function hashMatches(given: string, expectedHash: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = Buffer.from(expectedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
