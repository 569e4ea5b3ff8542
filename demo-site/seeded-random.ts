/**
 * Deterministic randomness for the demo seed: the same seed gives the same stream, so a
 * regenerated day has the same visitors and the same event ids.
 */

/**
 * A small, fast, seedable PRNG (mulberry32): the same seed gives the same stream.
 *
 * @example
 * const r = prng(hashSeed('2026-11-01')); r() // 0.734…, the same on every run
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a of a string: turns a day and a salt into a PRNG seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * A UUIDv7 whose time part is `ts` and whose random part comes from `rand`, so ids are
 * time-ordered (fast inserts) and still identical when the same day is generated again.
 */
export function seededUuidV7(ts: number, rand: () => number): string {
  const hex = (n: number, len: number) => Math.floor(n).toString(16).padStart(len, '0').slice(-len)
  const time = hex(ts, 12)
  const r = () => rand() * 0x10000
  const variant = (0x8000 | (r() & 0x3fff)).toString(16)
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(r(), 3)}-${variant}-${hex(r(), 4)}${hex(r(), 4)}${hex(r(), 4)}`
}

/** A weighted random choice. */
export function pick<T extends { weight: number }>(items: T[], rand: () => number): T {
  let x = rand() * items.reduce((s, i) => s + i.weight, 0)
  for (const item of items) if ((x -= item.weight) < 0) return item
  return items[items.length - 1]
}
