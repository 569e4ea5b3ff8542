/**
 * Calendar days in a site's IANA timezone, turned into UTC instants. Reports take dates
 * as the site's local YYYY-MM-DD, so a day in `Europe/Berlin` starts at 23:00 UTC the day
 * before in winter; DST days are 23 or 25 hours long.
 */
import type { TimeRange } from '../store/report-types.ts'

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    })
    formatters.set(tz, f)
  }
  return f
}

/** Whether the runtime knows this IANA timezone name. */
export function isTimezone(tz: string): boolean {
  try {
    formatter(tz)
    return true
  } catch {
    return false
  }
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(tz: string, ms: number): number {
  const parts: Record<string, number> = {}
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second)
  return asUtc - (ms - (ms % 1000 + 1000) % 1000)
}

/**
 * The UTC instant at which a local calendar day begins in a timezone.
 *
 * @example
 * startOfDay('2026-01-15', 'Europe/Berlin') // Date.UTC(2026, 0, 14, 23)
 */
export function startOfDay(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number)
  const naive = Date.UTC(y, m - 1, d)
  // Two rounds settle the offset, also when midnight sits next to a DST change.
  let guess = naive - offsetAt(tz, naive)
  guess = naive - offsetAt(tz, guess)
  return guess
}

/** A date plus n days, on the calendar (no timezone involved). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

/** Whole days from `a` to `b` (both YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}

/** The local date in a timezone at an instant. */
export function dateIn(tz: string, ms: number): string {
  const parts: Record<string, string> = {}
  for (const p of formatter(tz).formatToParts(new Date(ms))) parts[p.type] = p.value
  return `${parts.year}-${parts.month}-${parts.day}`
}

/**
 * The local wall-clock time in a timezone at an instant, as `YYYY-MM-DD HH:mm:ss`.
 *
 * @example
 * localDateTime('Europe/Berlin', Date.UTC(2026, 10, 2, 10, 5)) // '2026-11-02 11:05:00'
 */
export function localDateTime(tz: string, ms: number): string {
  const parts: Record<string, string> = {}
  for (const p of formatter(tz).formatToParts(new Date(ms))) parts[p.type] = p.value
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`
}

/**
 * The half-open UTC interval covering local dates `from` to `to`, both inclusive.
 *
 * @example
 * dayRange('2026-11-01', '2026-11-30', 'UTC') // { start: Date.UTC(2026,10,1), end: Date.UTC(2026,11,1) }
 */
export function dayRange(from: string, to: string, tz: string): TimeRange {
  return { start: startOfDay(from, tz), end: startOfDay(addDays(to, 1), tz) }
}

/** Whether a string is a real YYYY-MM-DD calendar date (2026-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const ms = Date.parse(`${s}T00:00:00Z`)
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(s)
}
