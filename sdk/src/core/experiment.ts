/**
 * A 32-bit string hash that mixes every character in (multiply, then xor-shift), so
 * similar inputs spread evenly; the same on every browser.
 *
 * @example
 * hash32('visitor-1\nhero') // 0 … 2^32-1
 */
export function hash32(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995), h ^= h >>> 15
  return Math.imul(h, 0x5bd1e995) >>> 0
}

/**
 * Deterministic weighted assignment: the same visitor and experiment always land in the
 * same variant, and across visitors the variants follow the weights (equal when absent).
 *
 * @example
 * assignVariant('v-1', 'hero', ['control', 'b'], [90, 10]) // 'control' for about 90% of visitors
 */
export function assignVariant(visitor: string, name: string, variants: readonly string[], weights?: readonly number[]): string {
  // Weights must be non-negative; a missing or non-numeric one counts as 0.
  const w = variants.map((_, i) => (weights ? +weights[i] || 0 : 1))
  let x = (hash32(visitor + '\n' + name) / 2 ** 32) * w.reduce((a, b) => a + b)
  for (let i = 0; ; i++) if ((x -= w[i]) < 0 || i == w.length - 1) return variants[i]
}
