/**
 * Trends: sessions, conversions, revenue, spend, CPA and ROAS per day (per hour for
 * ranges of two days or less) in the site's timezone, with the previous period of equal
 * length beside them. Pure: the store counts per 15-minute UTC slot, which every
 * timezone's day and hour boundaries fall on, and this module folds slots into buckets.
 * Money is summed in whole millionths of a unit (exact integers) and divided once, so
 * both stores give the same figures to the last bit.
 *
 * Hourly buckets are the hours from the local day's start, so a DST day has 23 or 25 of
 * them, each labelled with its local clock time. Spend is imported per day, so hourly
 * points carry no spend (null); the period totals do.
 */
import type { Activity, DailySpend, TimeRange } from '../store/report-types.ts'
import { addDays, dateIn, daysBetween, startOfDay } from './dates.ts'
import { campaignMetrics } from './metrics.ts'
import type { DateRangeQuery, Money, MoneyRatio } from './types.ts'

const HOUR = 3_600_000
/** Ranges of up to this many days are shown per hour. */
export const HOURLY_MAX_DAYS = 2

export interface TrendFigures {
  sessions: number
  conversions: number
  revenue: Money
  /** null on hourly points: spend is imported per day. */
  spend: Money | null
  /** Per spend currency: spend ÷ conversions. */
  cpa: MoneyRatio
  /** Per spend currency: revenue in it ÷ spend. */
  roas: MoneyRatio
}

export interface TrendPoint extends TrendFigures {
  /** Local `YYYY-MM-DD`, or `YYYY-MM-DDTHH:00` for hours. */
  start: string
  /** The bucket at the same position in the previous period; null where it has fewer. */
  previous: (TrendFigures & { start: string }) | null
}

/** Relative change against the previous period; null where the previous figure is 0 or unknown. */
export interface TrendChange {
  sessions: number | null
  conversions: number | null
  revenue: MoneyRatio
  spend: MoneyRatio
  cpa: MoneyRatio
  roas: MoneyRatio
}

export interface TimeseriesReport extends DateRangeQuery {
  timezone: string
  granularity: 'day' | 'hour'
  previousFrom: string
  previousTo: string
  conversion: string | null
  points: TrendPoint[]
  totals: { current: TrendFigures; previous: TrendFigures; change: TrendChange }
}

/** A bucket: its label and half-open UTC interval. */
export interface Bucket extends TimeRange {
  start: number
  label: string
  /** The local date it belongs to (spend is per date). */
  date: string
}

/**
 * The previous period of equal length: the same number of days right before `from`.
 *
 * @example
 * previousPeriod('2026-11-08', '2026-11-14') // { from: '2026-11-01', to: '2026-11-07' }
 */
export function previousPeriod(from: string, to: string): DateRangeQuery {
  const days = daysBetween(from, to) + 1
  return { from: addDays(from, -days), to: addDays(from, -1) }
}

/**
 * The buckets of a date range in a timezone: days, or hours for ranges of up to two days.
 *
 * @example
 * buckets('2026-11-01', '2026-11-01', 'UTC', 'hour').length // 24
 */
export function buckets(from: string, to: string, tz: string, granularity: 'day' | 'hour'): Bucket[] {
  const out: Bucket[] = []
  for (let d = from; daysBetween(d, to) >= 0; d = addDays(d, 1)) {
    const start = startOfDay(d, tz)
    const end = startOfDay(addDays(d, 1), tz)
    if (granularity === 'day') out.push({ start, end, label: d, date: d })
    else for (let h = start; h < end; h += HOUR) out.push({ start: h, end: Math.min(h + HOUR, end), label: localHour(h, tz), date: d })
  }
  return out
}

/** `YYYY-MM-DDTHH:00` of an instant on the local clock. */
function localHour(ms: number, tz: string): string {
  const hour = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', hour: '2-digit' }).format(new Date(ms))
  return `${dateIn(tz, ms)}T${hour.padStart(2, '0')}:00`
}

/** Sums so far; money in whole micros, so every addition is exact. */
interface Acc { sessions: number; conversions: number; revenue: Money; spend: Money | null }

const MICROS = 1_000_000
const fromMicros = (m: Money): Money => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v / MICROS]))

const emptyAcc = (withSpend: boolean): Acc => ({ sessions: 0, conversions: 0, revenue: {}, spend: withSpend ? {} : null })

function addMoney(m: Money, cur: string, amount: number): void {
  m[cur] = (m[cur] ?? 0) + amount
}

/** CPA and ROAS the way the campaigns table computes them, per spend currency. */
function figures(a: Acc): TrendFigures {
  const revenue = fromMicros(a.revenue)
  const spend = a.spend && fromMicros(a.spend)
  const m = campaignMetrics(0, { value: '', conversions: a.conversions, revenue }, { cost: spend ?? {}, impressions: 0, clicks: 0 })
  return { sessions: a.sessions, conversions: a.conversions, revenue, spend, cpa: m.cpa, roas: m.roas }
}

/** Index of the bucket holding `ms`, or -1 (buckets are sorted and contiguous). */
function bucketOf(bs: Bucket[], ms: number): number {
  let lo = 0
  let hi = bs.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (ms < bs[mid].start) hi = mid - 1
    else if (ms >= bs[mid].end) lo = mid + 1
    else return mid
  }
  return -1
}

/**
 * Folds one period's slots and daily spend into its buckets, and its total.
 *
 * @example
 * fold(buckets('2026-11-01', '2026-11-07', 'UTC', 'day'), activity, spend, 'EUR')
 */
export function fold(bs: Bucket[], activity: Activity, spend: DailySpend[], defaultCurrency: string): { points: TrendFigures[]; total: TrendFigures } {
  const hourly = bs.length > 0 && bs[0].label.length > 10
  const accs = bs.map(() => emptyAcc(!hourly))
  const total = emptyAcc(true)
  for (const s of activity.sessions) {
    const i = bucketOf(bs, s.slot)
    if (i < 0) continue
    accs[i].sessions += s.n
    total.sessions += s.n
  }
  for (const c of activity.conversions) {
    const i = bucketOf(bs, c.slot)
    if (i < 0) continue
    const cur = c.currency ?? defaultCurrency
    for (const a of [accs[i], total]) {
      a.conversions += c.n
      if (c.micros !== 0) addMoney(a.revenue, cur, c.micros)
    }
  }
  const byDate = new Map<string, number>()
  bs.forEach((b, i) => { if (!byDate.has(b.date)) byDate.set(b.date, i) })
  for (const s of spend) {
    const i = byDate.get(s.date)
    if (i === undefined) continue
    addMoney(total.spend!, s.currency, s.micros)
    if (!hourly) addMoney(accs[i].spend!, s.currency, s.micros)
  }
  return { points: accs.map(figures), total: figures(total) }
}

/** (current − previous) ÷ previous; null when previous is 0. */
export const relChange = (cur: number, prev: number): number | null => (prev === 0 ? null : (cur - prev) / prev)

/**
 * The change per currency in either; an absent amount is 0 for sums (revenue, spend) and
 * unknown for ratios (CPA, ROAS: `sums` false).
 *
 * @example
 * moneyChange({ EUR: 70 }, { EUR: 40, USD: 5 }, true) // { EUR: 0.75, USD: -1 }
 */
export function moneyChange(cur: Record<string, number | null>, prev: Record<string, number | null>, sums: boolean): MoneyRatio {
  const out: MoneyRatio = {}
  const absent = sums ? 0 : null
  for (const k of [...new Set([...Object.keys(cur), ...Object.keys(prev)])].sort()) {
    const c = cur[k] ?? absent
    const p = prev[k] ?? absent
    out[k] = c === null || p === null ? null : relChange(c, p)
  }
  return out
}

/**
 * The change of each total against the previous period's.
 *
 * @example
 * trendChange(current, previous).sessions // 0.25 for 125 sessions against 100
 */
export function trendChange(cur: TrendFigures, prev: TrendFigures): TrendChange {
  return {
    sessions: relChange(cur.sessions, prev.sessions),
    conversions: relChange(cur.conversions, prev.conversions),
    revenue: moneyChange(cur.revenue, prev.revenue, true),
    spend: moneyChange(cur.spend ?? {}, prev.spend ?? {}, true),
    cpa: moneyChange(cur.cpa, prev.cpa, false),
    roas: moneyChange(cur.roas, prev.roas, false),
  }
}

/**
 * Puts a period and its previous period side by side, bucket by position.
 *
 * @example
 * pairPeriods({ buckets: cur, points: curFold.points }, { buckets: prev, points: prevFold.points })[0]
 * // { start: '2026-11-08', sessions: 12, …, previous: { start: '2026-11-01', sessions: 9, … } }
 */
export function pairPeriods(
  cur: { buckets: Bucket[]; points: TrendFigures[] },
  prev: { buckets: Bucket[]; points: TrendFigures[] },
): TrendPoint[] {
  return cur.points.map((p, i) => ({
    start: cur.buckets[i].label, ...p,
    previous: i < prev.points.length ? { start: prev.buckets[i].label, ...prev.points[i] } : null,
  }))
}

/** Day or hour buckets for a range. */
export function granularityOf(from: string, to: string): 'day' | 'hour' {
  return daysBetween(from, to) + 1 <= HOURLY_MAX_DAYS ? 'hour' : 'day'
}
