/**
 * Pure helpers that turn report data into what the dashboard draws: chart geometry,
 * labels and plain-language verdicts. No I/O here, so each piece is tested directly.
 */
import type { CampaignRow, ExperimentReport, FunnelStepRow, Money } from '../reports/types.ts'
import type { ConsentShare, HourCount } from '../store/health-types.ts'

/**
 * Breakdown rows of a funnel: entries, completions and the end-to-end rate per value,
 * biggest first, so the channel or variant that leaks most stands out.
 */
export function breakdownRows(breakdown: Record<string, FunnelStepRow[]>): { value: string; counts: number[]; rate: number | null }[] {
  return Object.entries(breakdown)
    .map(([value, steps]) => {
      const counts = steps.map((s) => s.visitors)
      const first = counts[0] ?? 0
      return { value, counts, rate: first ? (counts[counts.length - 1] ?? 0) / first : null }
    })
    .sort((a, b) => (b.counts[0] ?? 0) - (a.counts[0] ?? 0) || a.value.localeCompare(b.value))
}

export interface FunnelBar {
  label: string
  visitors: number
  /** Bar height as a share of the first step (0..1), and the part lost since the previous step. */
  height: number
  lostHeight: number
  fromStart: number | null
  fromPrevious: number | null
  dropoff: number
  medianSeconds: number | null
}

/**
 * Funnel bars scaled to the first step, with the drop-off from the previous step drawn
 * above each bar so the leak is visible at a glance.
 */
export function funnelBars(steps: FunnelStepRow[]): FunnelBar[] {
  const top = Math.max(1, steps[0]?.visitors ?? 0)
  return steps.map((s, i) => ({
    label: stepLabel(s.step),
    visitors: s.visitors,
    height: s.visitors / top,
    lostHeight: i === 0 ? 0 : Math.max(0, steps[i - 1].visitors - s.visitors) / top,
    fromStart: s.conversionFromStart,
    fromPrevious: s.conversionFromPrevious,
    dropoff: s.dropoff,
    medianSeconds: s.medianSecondsFromPrevious,
  }))
}

/** `pageview:/pricing` → `Viewed /pricing`, `conversion:purchase` → `Converted: purchase`. */
export function stepLabel(step: string): string {
  const i = step.indexOf(':')
  if (i < 0) return step
  const type = step.slice(0, i)
  const rest = step.slice(i + 1)
  if (type === 'pageview') return rest === '/**' || rest === '**' ? 'Any page' : `Viewed ${rest}`
  if (type === 'conversion') return `Converted: ${rest}`
  if (type === 'exposure') return `Saw experiment ${rest}`
  return `Did ${rest}`
}

/** Ready-made funnel steps from what the site actually records, for the step editor. */
export function stepSuggestions(c: { paths: string[]; events: string[]; conversions: string[] }): string[] {
  return [
    'pageview:/**',
    ...c.paths.map((p) => `pageview:${p}`),
    ...c.events.map((e) => `event:${e}`),
    ...c.conversions.map((e) => `conversion:${e}`),
  ].slice(0, 60)
}

export interface HourBar {
  hour: number
  label: string
  events: number
  height: number
}

/** Hourly bars scaled to the busiest hour; labels are UTC hours (`14:00`). */
export function hourBars(hours: HourCount[]): HourBar[] {
  const max = Math.max(1, ...hours.map((h) => h.events))
  return hours.map((h) => ({
    hour: h.hour,
    label: `${new Date(h.hour).toISOString().slice(11, 13)}:00`,
    events: h.events,
    height: h.events / max,
  }))
}

const CONSENT_LABELS: Record<number, string> = {
  3: 'Analytics and ads',
  1: 'Analytics only',
  2: 'Ads only',
  0: 'No consent (anonymous)',
}

/** Visitors per consent state with their share, largest grant first. */
export function consentRows(shares: ConsentShare[]): { label: string; key: number; visitors: number; share: number }[] {
  const total = shares.reduce((s, r) => s + r.visitors, 0)
  return [3, 1, 2, 0]
    .map((key) => ({ key, label: CONSENT_LABELS[key], visitors: shares.find((s) => s.consent === key)?.visitors ?? 0 }))
    .filter((r) => r.visitors > 0)
    .map((r) => ({ ...r, share: total ? r.visitors / total : 0 }))
}

export type HealthLevel = 'ok' | 'warn' | 'bad'

/**
 * One line a marketer can act on: no events for hours, or many rejected events, means the
 * tag is broken and today's numbers are wrong.
 */
export function healthVerdict(h: { hourly: HourCount[] | null; lastReceived: number | null; rejected: { day: number }[] }, now: number): { level: HealthLevel; message: string } {
  const rejectedToday = h.rejected.reduce((s, r) => s + r.day, 0)
  const dayTotal = h.hourly?.reduce((s, x) => s + x.events, 0) ?? null
  if (h.lastReceived == null && (dayTotal ?? 0) === 0) return { level: 'bad', message: 'No events received yet. Check that the script tag is on your pages.' }
  if (h.lastReceived != null && now - h.lastReceived > 6 * 3_600_000) {
    return { level: 'bad', message: `No events for ${Math.floor((now - h.lastReceived) / 3_600_000)} hours. The tag may have been removed or blocked.` }
  }
  if (dayTotal != null && rejectedToday > 0 && rejectedToday / (dayTotal + rejectedToday) > 0.05) {
    return { level: 'warn', message: `${rejectedToday} events were rejected in the last 24 hours (more than 5%). See the reasons below.` }
  }
  if (rejectedToday > 0) return { level: 'ok', message: `Tracking works. ${rejectedToday} events were rejected in the last 24 hours.` }
  return { level: 'ok', message: 'Tracking works: events are arriving and none were rejected in the last 24 hours.' }
}

export interface ExperimentVerdict {
  level: 'win' | 'lose' | 'flat' | 'srm' | 'empty'
  message: string
}

/** A plain-language readout: the best variant against control, or why not to trust it. */
export function experimentVerdict(r: ExperimentReport): ExperimentVerdict {
  if (!r.variants.length || r.variants.every((v) => v.visitors === 0)) return { level: 'empty', message: 'No visitors have seen this experiment in the selected range.' }
  if (r.srm.warning) return { level: 'srm', message: 'Sample ratio mismatch: the split differs from the planned weights. Check the assignment before trusting these numbers.' }
  const challengers = r.variants.filter((v) => v.variant !== r.control && v.pValue != null && v.relativeLift != null)
  if (!challengers.length) return { level: 'flat', message: 'Not enough data yet to compare the variants.' }
  const best = challengers.reduce((a, b) => ((a.pValue ?? 1) <= (b.pValue ?? 1) ? a : b))
  const lift = `${best.relativeLift! > 0 ? '+' : '−'}${(Math.abs(best.relativeLift!) * 100).toFixed(1)}%`
  const p = best.pValue! < 0.001 ? 'p < 0.001' : `p = ${best.pValue!.toFixed(3)}`
  if (best.pValue! < 0.05) {
    return best.relativeLift! > 0
      ? { level: 'win', message: `${best.variant} beats ${r.control}: ${lift} conversion rate (${p}, significant at 95%).` }
      : { level: 'lose', message: `${best.variant} does worse than ${r.control}: ${lift} conversion rate (${p}, significant at 95%).` }
  }
  return { level: 'flat', message: `No significant difference yet: ${best.variant} vs ${r.control} ${lift} (${p}). Keep the test running.` }
}

/** Spend per currency over campaign rows. */
export function spendTotal(rows: CampaignRow[]): Money {
  const cost: Money = {}
  for (const r of rows) for (const [c, v] of Object.entries(r.cost)) cost[c] = (cost[c] ?? 0) + v
  return cost
}

/** Blended ROAS: all revenue over all ad spend, per currency (never across currencies). */
export function blendedRoas(revenue: Money, cost: Money): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const [c, v] of Object.entries(cost)) out[c] = v > 0 ? (revenue[c] ?? 0) / v : null
  return out
}
