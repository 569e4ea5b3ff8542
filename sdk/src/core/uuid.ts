/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.
 * Ids that arrive in time order keep the collector's unique index fast (DESIGN.md, Storage).
 * Pure: the caller passes the clock and 16 random bytes (bytes 6 to 15 are used).
 *
 * @example
 * uuidv7(Date.now(), crypto.getRandomValues(new Uint8Array(16))) // '0193a5c2-7f1e-7c3a-9b2d-…'
 */
export function uuidv7(ms: number, rnd: Uint8Array): string {
  rnd[6] = 112 | (rnd[6] & 15) // version 7
  rnd[8] = 128 | (rnd[8] & 63) // variant 10
  let h = ms.toString(16).padStart(12, '0')
  for (let i = 6; i < 16; i++) h += (rnd[i] + 256).toString(16).slice(1)
  return h.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
}
