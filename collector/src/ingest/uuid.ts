import { randomBytes } from 'node:crypto'

/**
 * A time-ordered UUID (version 7, RFC 9562). Time-ordered keys keep the unique index
 * append-mostly, which DESIGN.md measured at ~6× the insert rate of random v4 keys.
 *
 * @example
 * uuidv7(Date.now()) // '0193a1b2-…-7…'
 */
export function uuidv7(ms: number): string {
  const b = randomBytes(16)
  let t = Math.max(0, Math.floor(ms))
  for (let i = 5; i >= 0; i--) { b[i] = t % 256; t = Math.floor(t / 256) }
  b[6] = (b[6] & 0x0f) | 0x70
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
