import type { WireProps } from '../wire.js'

/**
 * Keeps the props the wire can carry (strings, numbers, booleans; no objects, arrays,
 * functions or null), so one odd value cannot get a whole event rejected by the collector.
 * Undefined when nothing is left.
 *
 * @example
 * cleanProps({ plan: 'pro', seats: 3, tags: ['a'] }) // { plan: 'pro', seats: 3 }
 */
export function cleanProps(p: unknown): WireProps | undefined {
  let out: WireProps | undefined
  for (const [k, v] of Object.entries(p instanceof Object ? p : {})) if (/^[sbn]/.test(typeof v) && v === v) (out ||= {})[k] = v
  return out
}
