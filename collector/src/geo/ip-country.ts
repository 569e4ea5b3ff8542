/**
 * IP address -> country, from the `*-num.csv` files of `@ip-location-db/geo-whois-asn-country`
 * (lines `rangeStart,rangeEnd,CC`, ranges sorted and disjoint). The tables live in typed
 * arrays (IPv4: 334k ranges in ~3.3 MB; IPv6: 216k ranges in ~7 MB) and a lookup is a
 * binary search. Parsing and searching are pure; loading the package's files is `ipCountryDb`.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The ranges of one address family, sorted by start. */
export interface RangeTable {
  family: 4 | 6
  /** IPv4: start and end per range. IPv6: start and end as (high, low) 64-bit halves. */
  v4Start: Uint32Array
  v4End: Uint32Array
  v6Start: BigUint64Array
  v6End: BigUint64Array
  /** ISO 3166-1 alpha-2 per range, two char codes packed in one number. */
  country: Uint16Array
}

const MASK64 = (1n << 64n) - 1n

/**
 * Reads a `*-ipv4-num.csv` or `*-ipv6-num.csv` text. A line it cannot read throws, naming it:
 * a changed file format must not silently become "no country".
 *
 * @example
 * const t = parseRanges('134744064,134744319,US\n', 4)
 * lookupRange(t, parseIp('8.8.8.8')!) // 'US'
 */
export function parseRanges(text: string, family: 4 | 6): RangeTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const n = lines.length
  const t: RangeTable = {
    family,
    v4Start: new Uint32Array(family === 4 ? n : 0), v4End: new Uint32Array(family === 4 ? n : 0),
    v6Start: new BigUint64Array(family === 6 ? 2 * n : 0), v6End: new BigUint64Array(family === 6 ? 2 * n : 0),
    country: new Uint16Array(n),
  }
  let i = 0
  for (const line of lines) {
    const m = /^(\d+),(\d+),([A-Z]{2})\r?$/.exec(line)
    if (!m) throw new Error(`IPv${family} country table, line ${i + 1}: cannot read ${JSON.stringify(line.slice(0, 80))}`)
    if (family === 4) {
      t.v4Start[i] = Number(m[1])
      t.v4End[i] = Number(m[2])
    } else {
      const s = BigInt(m[1])
      const e = BigInt(m[2])
      t.v6Start[2 * i] = s >> 64n
      t.v6Start[2 * i + 1] = s & MASK64
      t.v6End[2 * i] = e >> 64n
      t.v6End[2 * i + 1] = e & MASK64
    }
    t.country[i] = (m[3].charCodeAt(0) << 8) | m[3].charCodeAt(1)
    i++
  }
  return t
}

/** A parsed address: IPv4 as a number, IPv6 as a 128-bit bigint. */
export type ParsedIp = { family: 4; value: number } | { family: 6; value: bigint }

function parseV4(s: string): number | null {
  const parts = s.split('.')
  if (parts.length !== 4) return null
  let v = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null
    v = v * 256 + Number(p)
  }
  return v
}

/**
 * Parses an IPv4 or IPv6 address (with `::`, a zone id, or an embedded IPv4 tail).
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 clients) is IPv4.
 *
 * @example
 * parseIp('::ffff:8.8.8.8') // { family: 4, value: 134744072 }
 */
export function parseIp(input: string): ParsedIp | null {
  const s = input.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  if (!s.includes(':')) {
    const v = parseV4(s)
    return v === null ? null : { family: 4, value: v }
  }
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes its two 16-bit groups.
  const v4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  const tailValue = v4 ? parseV4(v4[1]) : 0
  if (tailValue === null) return null
  const head = v4 ? s.slice(0, -v4[1].length) + `${(tailValue >>> 16).toString(16)}:${(tailValue & 0xffff).toString(16)}` : s
  const halves = head.split('::')
  if (halves.length > 2) return null
  const group = (g: string) => (g === '' ? [] : g.split(':'))
  const left = group(halves[0])
  const right = halves.length === 2 ? group(halves[1]) : []
  const missing = 8 - left.length - right.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const words: number[] = []
  for (const g of [...left, ...Array<string>(missing).fill('0'), ...right]) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null
    words.push(parseInt(g, 16))
  }
  let value = 0n
  for (const w of words) value = (value << 16n) | BigInt(w)
  if (value >> 32n === 0xffffn) return { family: 4, value: Number(value & 0xffffffffn) }
  return { family: 6, value }
}

/**
 * The country of an address in a table of its family, or null when no range holds it.
 *
 * @example
 * lookupRange(parseRanges('134744064,134744319,US', 4), { family: 4, value: 134744072 }) // 'US'
 */
export function lookupRange(t: RangeTable, ip: ParsedIp): string | null {
  if (ip.family !== t.family) return null
  let lo = 0
  let hi = t.country.length - 1
  let found = -1
  // The last range starting at or before the address.
  if (ip.family === 4) {
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (t.v4Start[mid] <= ip.value) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    if (found < 0 || t.v4End[found] < ip.value) return null
  } else {
    const h = ip.value >> 64n
    const l = ip.value & MASK64
    const cmp = (a: BigUint64Array, i: number) => (a[2 * i] < h || (a[2 * i] === h && a[2 * i + 1] <= l))
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (cmp(t.v6Start, mid)) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    if (found < 0) return null
    const eh = t.v6End[2 * found]
    if (eh < h || (eh === h && t.v6End[2 * found + 1] < l)) return null
  }
  const c = t.country[found]
  return String.fromCharCode(c >> 8, c & 0xff)
}

/** Looks an address up in the right table; null for unparsable, private or unknown addresses. */
export interface IpCountryDb {
  country(ip: string): string | null
}

/**
 * Builds a lookup from the two tables.
 *
 * @example
 * ipCountryFrom(v4, v6).country('8.8.8.8') // 'US'
 */
export function ipCountryFrom(v4: RangeTable, v6: RangeTable): IpCountryDb {
  return {
    country(ip) {
      const p = parseIp(ip)
      return p ? lookupRange(p.family === 4 ? v4 : v6, p) : null
    },
  }
}

const PACKAGE = '@ip-location-db/geo-whois-asn-country'
let loaded: Promise<IpCountryDb> | undefined

/**
 * The package's database, read and parsed on first use (~1 s, then shared by the process).
 * A failed load is not kept, so the next call tries again.
 *
 * @example
 * (await ipCountryDb()).country('2a01:4f8::1') // 'DE'
 */
export function ipCountryDb(): Promise<IpCountryDb> {
  loaded ??= (async () => {
    const dir = dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`))
    const [v4, v6] = await Promise.all([4, 6].map((f) => readFile(join(dir, `geo-whois-asn-country-ipv${f}-num.csv`), 'utf8')))
    return ipCountryFrom(parseRanges(v4, 4), parseRanges(v6, 6))
  })().catch((err) => {
    loaded = undefined
    throw err
  })
  return loaded
}
