/**
 * Budget pacing and reallocation hints. Pure: the pacing service hands in each budget's
 * spend, credited conversions and revenue (all in the budget's currency) to date and over
 * the last 14 days.
 *
 * - expected = amount × elapsed days ÷ days in month (elapsed = days 1..asOf);
 * - pacing = spend ÷ expected; projected = spend ÷ elapsed × days in month;
 * - CPA = spend ÷ conversions, ROAS = revenue ÷ spend; null where a denominator is 0.
 */
import { ratio } from './stats.ts'
import { scopeFields, type Budget } from './budgets.ts'

/** Spend, credited conversions and revenue of one scope over some days, in one currency. */
export interface ScopeFigures {
  spend: number
  conversions: number
  revenue: number
}

export interface PacingRow extends ScopeFigures {
  month: string
  channel?: string | null
  source?: string | null
  medium?: string | null
  campaign?: string | null
  amount: number
  currency: string
  targetCpa: number | null
  targetRoas: number | null
  expected: number
  pacing: number | null
  projected: number | null
  cpa: number | null
  roas: number | null
  /** The last 14 days up to asOf (may reach into the month before), which the hints judge. */
  last14: ScopeFigures & { cpa: number | null; roas: number | null }
}

export interface ReallocationHint {
  action: 'raise' | 'cut'
  /** The budget's scope, as in its pacing row. */
  scope: Record<string, string | null>
  currency: string
  /** How much to add (raise) or take away (cut), in `currency`, rounded to cents. */
  change: number
  amount: number
  newAmount: number
  projected: number | null
  cpa14: number | null
  roas14: number | null
  targetCpa: number | null
  targetRoas: number | null
  /** The numbers behind the hint, in words. */
  reason: string
}

/** The hint rule, in the one sentence the API and the dashboard show. */
export const REALLOCATION_RULE = 'Within each currency, a budget whose CPA over the last 14 days is above its target (or whose ROAS is below it) ' +
  'is cut by its unspent amount times its shortfall (1 − target CPA ÷ CPA, or 1 − ROAS ÷ target ROAS, the worse of the two, at most 50%), ' +
  'and the money cut goes to the budgets that meet their targets and are projected to spend at least their amount, in proportion to their amounts.'
const MAX_CUT = 0.5

/** Days in a YYYY-MM month. */
export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/**
 * One budget's pacing row.
 *
 * @example
 * pacingRow(budget3000, { spend: 1200, conversions: 30, revenue: 4800 }, last14, 10, 30)
 * // { expected: 1000, pacing: 1.2, projected: 3600, cpa: 40, roas: 4, … }
 */
export function pacingRow(b: Budget, toDate: ScopeFigures, last14: ScopeFigures, elapsedDays: number, monthDays: number): PacingRow {
  const expected = (b.amount * elapsedDays) / monthDays
  return {
    month: b.month, ...scopeFields(b), amount: b.amount, currency: b.currency, targetCpa: b.targetCpa, targetRoas: b.targetRoas,
    ...toDate,
    expected,
    pacing: ratio(toDate.spend, expected),
    projected: elapsedDays > 0 ? (toDate.spend * monthDays) / elapsedDays : null,
    cpa: ratio(toDate.spend, toDate.conversions),
    roas: ratio(toDate.revenue, toDate.spend),
    last14: { ...last14, cpa: ratio(last14.spend, last14.conversions), roas: ratio(last14.revenue, last14.spend) },
  }
}

/**
 * How well a row met its targets over the last 14 days: ≥ 1 meets them, below 1 is the
 * share of the target reached (the worse of CPA and ROAS); null without a target or spend.
 */
export function efficiency(r: PacingRow): number | null {
  if (r.last14.spend <= 0) return null
  const scores: number[] = []
  if (r.targetCpa !== null) scores.push(r.last14.conversions > 0 ? r.targetCpa / (r.last14.spend / r.last14.conversions) : 0)
  if (r.targetRoas !== null) scores.push(r.last14.revenue / r.last14.spend / r.targetRoas)
  return scores.length ? Math.min(...scores) : null
}

/**
 * Reallocation hints by `REALLOCATION_RULE`; currencies are judged apart and never mixed.
 *
 * @example
 * reallocationHints(rows) // [{ action: 'cut', scope: { channel: 'Display' }, change: 450, … }, { action: 'raise', … }]
 */
export function reallocationHints(rows: PacingRow[]): ReallocationHint[] {
  const hints: ReallocationHint[] = []
  for (const currency of [...new Set(rows.map((r) => r.currency))].sort()) {
    const cuts: [PacingRow, number, number][] = []
    const raises: PacingRow[] = []
    for (const r of rows.filter((x) => x.currency === currency)) {
      const e = efficiency(r)
      if (e === null) continue
      const unspent = Math.max(0, r.amount - r.spend)
      if (e < 1 && unspent > 0) cuts.push([r, unspent * Math.min(MAX_CUT, 1 - e), e])
      else if (e >= 1 && r.projected !== null && r.projected >= r.amount) raises.push(r)
    }
    const pool = cuts.reduce((a, [, c]) => a + c, 0)
    for (const [r, change, e] of cuts) {
      hints.push(hint(r, 'cut', change, `reaches ${pct(e)} of its target over the last 14 days; ${fmt(Math.max(0, r.amount - r.spend))} ${currency} unspent`))
    }
    const weights = raises.reduce((a, r) => a + r.amount, 0)
    if (pool > 0) {
      for (const r of raises) {
        hints.push(hint(r, 'raise', (pool * r.amount) / weights, `meets its target over the last 14 days (${pct(efficiency(r)!)}) and is projected to spend ${fmt(r.projected!)} of ${fmt(r.amount)} ${currency}`))
      }
    }
  }
  return hints
}

function hint(r: PacingRow, action: 'raise' | 'cut', exact: number, reason: string): ReallocationHint {
  // A suggestion for a person to type into an ad platform: whole cents are enough.
  const change = Math.round(exact * 100) / 100
  return {
    action, scope: scopeFields({ channel: r.channel ?? null, source: r.source ?? null, medium: r.medium ?? null, campaign: r.campaign ?? null }),
    currency: r.currency, change, amount: r.amount, newAmount: action === 'raise' ? r.amount + change : r.amount - change,
    projected: r.projected, cpa14: r.last14.cpa, roas14: r.last14.roas, targetCpa: r.targetCpa, targetRoas: r.targetRoas, reason,
  }
}

const pct = (x: number) => `${Math.round(x * 100)}%`
const fmt = (x: number) => (Math.round(x * 100) / 100).toString()
