/**
 * Numbers and dates as ad platforms print them: thousands separators (`1,234.56`,
 * `1.234,56`, `1 234,56` with a no-break space), `--` or `-` for none, and dates as
 * `2026-11-01`, `01.11.2026`, `01/11/2026` or `Nov 1, 2026`.
 */

export type DecimalMark = '.' | ','

/** Cells that mean "nothing here" in the platforms' exports. */
const NONE = new Set(['', '--', '-', '—', '–', ' --'])

/**
 * A non-negative amount, null when the cell is empty or `--`, or an error message.
 *
 * @example
 * parseAmount('1,234.56', '.') // 1234.56
 * parseAmount('1.234,56', ',') // 1234.56
 * parseAmount('--', '.')       // null
 */
export function parseAmount(raw: string, decimal: DecimalMark): number | null | { error: string } {
  const s = raw.trim()
  if (NONE.has(s)) return null
  const thousands = decimal === '.' ? /[,\s\u00a0\u202f']/g : /[.\s\u00a0\u202f']/g
  const plain = s.replace(thousands, '').replace(decimal, '.')
  if (!/^\d+(\.\d+)?$/.test(plain)) return { error: `"${s.slice(0, 40)}" is not a number like ${decimal === '.' ? '1,234.56' : '1.234,56'}` }
  const n = Number(plain)
  return n > 1e12 ? { error: `"${s.slice(0, 40)}" is too large` } : n
}

/**
 * A whole count (impressions, clicks): as {@link parseAmount}, none is 0.
 *
 * @example
 * parseCount('12,345', '.') // 12345
 */
export function parseCount(raw: string, decimal: DecimalMark): number | { error: string } {
  const n = parseAmount(raw, decimal)
  if (n === null) return 0
  if (typeof n !== 'number') return n
  return Number.isInteger(n) ? n : { error: `"${raw.trim()}" is not a whole number` }
}

const MIN_YEAR = 1970
const MAX_YEAR = 2999

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/**
 * A calendar date as YYYY-MM-DD, or null when the cell is not one. Slashed dates are
 * day-first unless `slash` says month-first (US English).
 *
 * @example
 * parseDate('01.11.2026')   // '2026-11-01'
 * parseDate('Nov 1, 2026')  // '2026-11-01'
 */
export function parseDate(raw: string, slash: 'dmy' | 'mdy' = 'dmy'): string | null {
  const s = raw.trim()
  let y: number, m: number, d: number
  let r: RegExpExecArray | null
  if ((r = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s))) [y, m, d] = [+r[1], +r[2], +r[3]]
  else if ((r = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s))) [d, m, y] = [+r[1], +r[2], +r[3]]
  else if ((r = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) [d, m, y] = slash === 'dmy' ? [+r[1], +r[2], +r[3]] : [+r[2], +r[1], +r[3]]
  else if ((r = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4})$/.exec(s)) && MONTHS.includes(r[1].toLowerCase())) {
    [y, m, d] = [+r[3], MONTHS.indexOf(r[1].toLowerCase()) + 1, +r[2]]
  } else return null
  // Ad spend has a plausible year; 9999-12-31 would also overflow the day after it.
  if (y < MIN_YEAR || y > MAX_YEAR) return null
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null
  return date.toISOString().slice(0, 10)
}
