/**
 * Alert rules: what a rule may say (validated here, at the edge) and when it fires, as
 * pure functions of the figures `evaluate.ts` reads. Each judgement answers whether the
 * rule fires and the one line a person reads in Slack.
 */
import { z } from 'zod'
import { validBody, type Invalid } from '../http/body-issues.ts'

export const ALERT_ID = /^[\w.-]{1,64}$/

const webhook = z.string().max(2000).url('must be a URL').refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
const percent = z.number().finite().gt(0).max(100)

const trackingStoppedRule = z.object({
  type: z.literal('tracking_stopped'), webhook,
  /** No events for this many minutes… */
  minutes: z.number().int().min(5).max(24 * 60).default(30),
  /** …where the same hour last week had at least this many. */
  minEvents: z.number().int().min(1).max(1e9).default(10),
}).strict()
const conversionsDownRule = z.object({
  type: z.literal('conversions_down'), webhook,
  /** Today so far at least this much (%) below the average of the same weekday and hours over the last 4 weeks… */
  percent: percent.default(50),
  /** …when that average is at least this many conversions. */
  minConversions: z.number().min(1).max(1e9).default(10),
  /** Only this conversion name (a goal too); all conversions when absent. */
  conversion: z.string().trim().min(1).max(200).optional(),
}).strict()
const rejectedShareRule = z.object({
  type: z.literal('rejected_share'), webhook,
  /** Rejected share of the last hour's events above this (%)… */
  percent: percent.default(10),
  /** …out of at least this many events (accepted and rejected). */
  minEvents: z.number().int().min(1).max(1e9).default(50),
}).strict()
const cpaAboveTargetRule = z.object({
  type: z.literal('cpa_above_target'), webhook,
  /** Tolerance above each budget's target CPA (%), so a hair above does not page anyone. */
  tolerance: z.number().min(0).max(1000).default(0),
}).strict()
const pacingOutsideRule = z.object({
  type: z.literal('pacing_outside'), webhook,
  /** The band pacing (spend ÷ expected to date) must stay in. */
  low: z.number().min(0).max(10).default(0.8),
  high: z.number().min(0).max(10).default(1.2),
}).strict().refine((r) => r.low < r.high, { message: 'low must be below high', path: ['low'] })

/** An alert rule as validated (also read by the OpenAPI description). */
export const definition = z.discriminatedUnion('type', [trackingStoppedRule, conversionsDownRule, rejectedShareRule, cpaAboveTargetRule, pacingOutsideRule])

export type AlertDefinition = z.infer<typeof definition>
export const ALERT_TYPES = ['tracking_stopped', 'conversions_down', 'rejected_share', 'cpa_above_target', 'pacing_outside'] as const

/**
 * Validates `PUT /alerts/:id`; answers the rule's definition (defaults filled in) or the
 * issues naming each bad field.
 *
 * @example
 * parseAlert('stopped', { type: 'tracking_stopped', webhook: 'https://hooks.slack.com/services/T/B/x' })
 * // { type: 'tracking_stopped', webhook: '…', minutes: 30, minEvents: 10 }
 */
export function parseAlert(id: string, input: unknown): AlertDefinition | Invalid {
  return validBody(definition, input, ALERT_ID.test(id) ? [] : [{ path: 'id', message: 'id: 1-64 letters, digits, _ . or -' }])
}

/** A rule's verdict: fires or not, and the line that says why. */
export interface Verdict {
  firing: boolean
  text: string
}

const pct = (x: number) => `${Math.round(x * 100)}%`
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1))

/**
 * Tracking stopped: nothing arrived for `minutes`, while the same hour last week was busy
 * enough that silence means a broken tag rather than a quiet night.
 *
 * @example
 * trackingStopped({ minutes: 30, minEvents: 10 }, { now, lastReceived: now - 45 * 60_000, lastWeekHour: 120 }).firing // true
 */
export function trackingStopped(r: { minutes: number; minEvents: number }, f: { now: number; lastReceived: number | null; lastWeekHour: number }): Verdict {
  const quietMs = f.lastReceived === null ? Infinity : f.now - f.lastReceived
  const quiet = quietMs >= r.minutes * 60_000
  const firing = quiet && f.lastWeekHour >= r.minEvents
  const since = f.lastReceived === null ? 'ever' : `${Math.floor(quietMs / 60_000)} min`
  return {
    firing,
    text: firing
      ? `tracking stopped: no events for ${since} (the same hour last week had ${f.lastWeekHour})`
      : 'tracking is back: events are arriving',
  }
}

/**
 * Conversions down: today so far against the average of the same weekday and hours of the
 * last 4 weeks, when that average is big enough to mean something.
 *
 * @example
 * conversionsDown({ percent: 50, minConversions: 10 }, { today: 4, weeks: [20, 22, 18, 20] }).firing // true (−80%)
 */
export function conversionsDown(r: { percent: number; minConversions: number; conversion?: string }, f: { today: number; weeks: number[] }): Verdict {
  const baseline = f.weeks.reduce((a, b) => a + b, 0) / Math.max(1, f.weeks.length)
  const drop = baseline > 0 ? 1 - f.today / baseline : 0
  const firing = baseline >= r.minConversions && drop * 100 >= r.percent
  const what = r.conversion ? `${r.conversion} conversions` : 'conversions'
  return {
    firing,
    text: firing
      ? `${what} down ${pct(drop)}: ${f.today} today so far against ${num(baseline)} on average by this time on the last ${f.weeks.length} same weekdays`
      : `${what} recovered: ${f.today} today so far against ${num(baseline)} on average`,
  }
}

/**
 * Rejected share: the part of the last hour's events the collector refused (quarantined).
 *
 * @example
 * rejectedShare({ percent: 10, minEvents: 50 }, { rejected: 30, accepted: 170 }).firing // true (15%)
 */
export function rejectedShare(r: { percent: number; minEvents: number }, f: { rejected: number; accepted: number }): Verdict {
  const total = f.rejected + f.accepted
  const share = total > 0 ? f.rejected / total : 0
  const firing = total >= r.minEvents && share * 100 > r.percent
  return {
    firing,
    text: firing
      ? `${pct(share)} of events rejected in the last hour (${f.rejected} of ${total})`
      : `rejected events back to ${pct(share)} in the last hour`,
  }
}

/** A budget's figures as the CPA and pacing rules read them (a pacing report row). */
export interface BudgetFigures {
  scope: string
  currency: string
  cpa: number | null
  targetCpa: number | null
  pacing: number | null
}

/**
 * CPA above target: budgets of this month whose CPA to date is above their target
 * (plus the tolerance).
 *
 * @example
 * cpaAboveTarget({ tolerance: 0 }, [{ scope: 'Paid Search', currency: 'EUR', cpa: 42, targetCpa: 30, pacing: 1 }]).firing // true
 */
export function cpaAboveTarget(r: { tolerance: number }, rows: BudgetFigures[]): Verdict {
  const over = rows.filter((b) => b.cpa !== null && b.targetCpa !== null && b.cpa > b.targetCpa * (1 + r.tolerance / 100))
  return {
    firing: over.length > 0,
    text: over.length > 0
      ? `CPA above target: ${over.map((b) => `${b.scope} ${b.cpa!.toFixed(2)} ${b.currency} (target ${b.targetCpa} ${b.currency})`).join('; ')}`
      : 'CPA back within target for every budget',
  }
}

/**
 * Pacing outside the band: budgets of this month spending too fast or too slow.
 *
 * @example
 * pacingOutside({ low: 0.8, high: 1.2 }, [{ scope: 'Paid Search', currency: 'EUR', cpa: null, targetCpa: null, pacing: 1.35 }]).firing // true
 */
export function pacingOutside(r: { low: number; high: number }, rows: BudgetFigures[]): Verdict {
  const out = rows.filter((b) => b.pacing !== null && (b.pacing < r.low || b.pacing > r.high))
  return {
    firing: out.length > 0,
    text: out.length > 0
      ? `pacing outside ${pct(r.low)}–${pct(r.high)}: ${out.map((b) => `${b.scope} at ${pct(b.pacing!)}`).join('; ')}`
      : `pacing back within ${pct(r.low)}–${pct(r.high)} for every budget`,
  }
}

/**
 * The webhook body: Slack's incoming webhooks read `text`; the rest is for other receivers.
 *
 * @example
 * webhookBody({ site: 'shop', rule: 'stopped', type: 'tracking_stopped', state: 'open', incident: 3, at: 0, line: 'tracking stopped: …' })
 * // '{"text":"🔴 shop · stopped: tracking stopped: …", …}'
 */
export function webhookBody(m: { site: string; rule: string; type: string; state: 'open' | 'resolved'; incident: number; at: number; line: string }): string {
  const mark = m.state === 'open' ? '🔴' : '✅'
  return JSON.stringify({
    text: `${mark} ${m.site} · ${m.rule}: ${m.line}`,
    site: m.site, rule: m.rule, type: m.type, state: m.state, incident: m.incident, at: new Date(m.at).toISOString(),
  })
}
