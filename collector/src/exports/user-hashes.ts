/**
 * Enhanced conversions: a server-side conversion may name the buyer's email and phone so
 * the ad platforms can match it to a signed-in user. The collector keeps only SHA-256
 * hashes of the normalized values (email trimmed and lower-cased; phone in E.164), only
 * with ads consent, and uses them only in the conversion exports. Meta wants the phone
 * hashed as digits with the country code and no `+`, Google as E.164: both are kept.
 */
import { createHash } from 'node:crypto'

export interface UserHashes {
  emailSha256: string | null
  /** SHA-256 of the E.164 number, `+` included (Google). */
  phoneSha256: string | null
  /** SHA-256 of the same number's digits, no `+` (Meta). */
  phoneDigitsSha256: string | null
}

/**
 * A phone number in E.164, or null when it cannot be one: spaces, dashes, dots and
 * brackets are dropped, a leading `00` becomes `+`; the country code must be there.
 *
 * @example
 * e164('+49 (170) 123-4567') // '+491701234567'
 * e164('0170 1234567')       // null: no country code
 */
export function e164(phone: string): string | null {
  const s = phone.trim().replace(/[\s\-.()/]/g, '').replace(/^00/, '+')
  return /^\+[1-9]\d{6,14}$/.test(s) ? s : null
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * The hashes kept for a conversion's user.
 *
 * @example
 * userHashes({ email: ' Jane@Example.com ' }).emailSha256 === sha256('jane@example.com') // true
 */
export function userHashes(user: { email?: string; phone?: string }): UserHashes {
  const email = user.email?.trim().toLowerCase() || null
  const phone = user.phone ? e164(user.phone) : null
  return {
    emailSha256: email ? sha256(email) : null,
    phoneSha256: phone ? sha256(phone) : null,
    phoneDigitsSha256: phone ? sha256(phone.slice(1)) : null,
  }
}
