/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, version 7, variant 10, then
 * 72 random bits. Ids that arrive in time order keep the collector's unique index fast
 * (DESIGN.md, Storage). Event and visitor ids must be unique, not secret, so the caller's
 * `random` (Math.random in the browser) is enough and keeps the script small.
 * Pure: the caller passes the clock and the random source.
 *
 * @example
 * uuidv7(Date.now(), Math.random) // '019ab5c2-7f1e-7c3a-8b2d-4e5f60718293'
 */
export function uuidv7(ms: number, random: () => number): string {
  const h = ms.toString(16).padStart(12, '0')
  return (h.slice(0, 8) + '-' + h.slice(8) + '-7xxx-8xxx-xxxxxxxxxxxx').replace(/x/g, () => ((random() * 16) | 0).toString(16))
}
