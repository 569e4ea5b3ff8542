import { createHash, randomBytes } from 'node:crypto'

/** A fresh random salt for one UTC day. */
export function newSalt(): string {
  return randomBytes(32).toString('hex')
}

/** The UTC day (YYYY-MM-DD) whose salt hashes visitors at a given time. */
export function saltDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10)
}

/**
 * The cookieless visitor id: a hash of the day's random salt, the site, the IP and the
 * user agent. It changes every day and cannot be reversed once the salt is destroyed;
 * the IP itself is never stored.
 *
 * @example
 * anonymousVisitor(salt, 'shop', '203.0.113.9', 'Mozilla/5.0 …') // 'h:3f2a…' (32 hex chars)
 */
export function anonymousVisitor(salt: string, site: string, ip: string, ua: string): string {
  return 'h:' + createHash('sha256').update(`${salt}\n${site}\n${ip}\n${ua}`).digest('hex').slice(0, 32)
}
