/**
 * The pacing report: each budget of a month against its spend, conversions and revenue to
 * date, and reallocation hints. Spend comes from the spend import; conversions and revenue
 * are credited by the default model (last non-direct, 30-day lookback), as in the
 * channels and campaigns tables.
 */
import { z } from 'zod'
import type { Site } from '../store/types.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS, type ReportStore, type SegmentCond, type SpendTotal, type TouchAttrs } from '../store/report-types.ts'
import { addDays, dayRange, daysBetween } from './dates.ts'
import { addLabelCredit, CreditLedger, creditVisitor, labelCredit, ledgerOf, rolledUpCredit } from './credit.ts'
import { dimensionValue, isTouch } from './dimensions.ts'
import { MONTH, spendInScope, tripleInScope, type Budget } from './budgets.ts'
import { daysInMonth, pacingRow, reallocationHints, REALLOCATION_RULE, type PacingRow, type ReallocationHint, type ScopeFigures } from './pacing.ts'
import { date, parse, single } from './query.ts'
import type { AttributionModel, RuleModel, SegmentFilters } from './types.ts'
import { parseSegment, resolveSegment, spendInSegment, spendlessFilter } from './segment.ts'
import { queryError } from './query-error.ts'

const MODEL: RuleModel = 'last_non_direct'
/** The reports' default lookback, which the credit rollups are kept for. */
const LOOKBACK_MS = CREDIT_ROLLUP_LOOKBACK_MS
const HINT_DAYS = 14

export interface PacingQuery {
  month: string
  /** Last day counted, YYYY-MM-DD. */
  asOf: string
  /** Channel, source, medium and campaign filters: the spend and conversions they keep. */
  segment?: SegmentFilters
}

export interface PacingReport extends PacingQuery {
  elapsedDays: number
  daysInMonth: number
  model: AttributionModel
  rows: PacingRow[]
  hints: ReallocationHint[]
  rule: string
}

/** Pacing's parameters (also read by the OpenAPI description). */
export const pacingParams = z.object({ month: z.string().regex(MONTH, 'must be YYYY-MM').optional(), asOf: date.optional() })

/**
 * `?month=YYYY-MM&asOf=YYYY-MM-DD`: asOf defaults to yesterday (`today` − 1), month to asOf's month.
 *
 * @example
 * parsePacingQuery(new URLSearchParams('month=2026-11'), '2026-11-25') // { month: '2026-11', asOf: '2026-11-24' }
 */
export function parsePacingQuery(params: URLSearchParams, today: string): PacingQuery {
  const o = parse(pacingParams, single(params, ['month', 'asOf']))
  const asOf = o.asOf ?? addDays(today, -1)
  const segment = parseSegment(params)
  const field = spendlessFilter(segment)
  if (field !== null) {
    // Pacing is spend against budget: a segment that cannot split spend has no answer here.
    throw queryError(`Pacing compares imported spend with budgets, and spend is not known per ${field}: filter pacing by channel, source, medium or campaign only`,
      [{ path: field, message: 'not a pacing filter' }])
  }
  return segment ? { month: o.month ?? asOf.slice(0, 7), asOf, segment } : { month: o.month ?? asOf.slice(0, 7), asOf }
}

/** Credited conversions per channel and per (source, medium, campaign), from one scan. */
interface Credited {
  byChannel: CreditLedger
  byTriple: CreditLedger
}

/**
 * Credited conversions for several windows ending on `to`, from one scan from the earliest
 * start: a conversion counts in each window that holds it. Each ledger gets the additions a
 * scan of its own window would make, in the same order (touches older than a conversion's
 * lookback are left out either way), so the sums are the same to the bit.
 */
async function credited(rs: Pick<ReportStore, 'scanAttribution' | 'attributionColumns' | 'creditTotals'>, site: Site, froms: string[], to: string, segment: SegmentCond | null): Promise<Credited[]> {
  const channelKey = (t: TouchAttrs | null) => dimensionValue('channel', t)
  const tripleKey = (t: TouchAttrs | null) => JSON.stringify([dimensionValue('source', t), dimensionValue('medium', t), dimensionValue('campaign', t)])
  const windows = froms.map((from) => ({ start: dayRange(from, to, site.timezone).start, byChannel: new CreditLedger(), byTriple: new CreditLedger() }))
  const end = dayRange(to, to, site.timezone).end
  const rolledUp = await Promise.all(windows.map(async (w) => {
    const totals = await rolledUpCredit(rs, site.id, { range: { start: w.start, end }, models: [MODEL], conversion: null, lookbackMs: LOOKBACK_MS, segment })
    return totals && { byChannel: ledgerOf(totals, MODEL, channelKey, site.currency), byTriple: ledgerOf(totals, MODEL, tripleKey, site.currency) }
  }))
  if (rolledUp.every((c) => c !== null)) return rolledUp as Credited[]
  const scan = { range: { start: Math.min(...windows.map((w) => w.start)), end }, lookbackMs: LOOKBACK_MS, conversion: null, segment }
  const fromColumns = rs.attributionColumns !== undefined && await rs.attributionColumns(site.id, scan, (j) => {
    // Each window credited once, then keyed both ways.
    for (const w of windows) {
      const [sums] = labelCredit([MODEL], j, LOOKBACK_MS, site.currency, w.start)
      addLabelCredit(sums, j, channelKey, w.byChannel)
      addLabelCredit(sums, j, tripleKey, w.byTriple)
    }
  })
  if (!fromColumns) await rs.scanAttribution(site.id, scan, (touches, conversions) => {
    const t = touches.filter(isTouch)
    for (const w of windows) {
      const inWindow = conversions.filter((c) => c.ts >= w.start)
      if (!inWindow.length) continue
      creditVisitor(MODEL, t, inWindow, LOOKBACK_MS, channelKey, w.byChannel, site.currency)
      creditVisitor(MODEL, t, inWindow, LOOKBACK_MS, tripleKey, w.byTriple, site.currency)
    }
  })
  return windows.map(({ byChannel, byTriple }) => ({ byChannel, byTriple }))
}

/** A budget's figures in its own currency: spend in other currencies is not counted. */
function figures(b: Budget, spend: SpendTotal[], c: Credited): ScopeFigures {
  let cost = 0
  for (const s of spend) if (s.currency === b.currency && spendInScope(b, s)) cost += s.cost
  const rows = b.channel !== null
    ? [c.byChannel.get(b.channel)].filter((r) => r !== undefined)
    : c.byTriple.rows().filter((r) => tripleInScope(b, JSON.parse(r.value) as [string, string, string]))
  return {
    spend: cost,
    conversions: rows.reduce((a, r) => a + r.conversions, 0),
    revenue: rows.reduce((a, r) => a + (r.revenue[b.currency] ?? 0), 0),
  }
}

const NONE = { spend: [] as SpendTotal[], credited: { byChannel: new CreditLedger(), byTriple: new CreditLedger() } }

/**
 * @example
 * const r = await pacing(store.reports, site, { month: '2026-11', asOf: '2026-11-24' })
 * r.rows[0] // { month: '2026-11', channel: 'Paid Search', amount: 3000, spend: 2480, expected: 2400, pacing: 1.03, projected: 3100, … }
 */
export async function pacing(rs: Pick<ReportStore, 'budgets' | 'spendTotals' | 'scanAttribution' | 'attributionColumns' | 'creditTotals' | 'referrerHosts'>, site: Site, q: PacingQuery): Promise<PacingReport> {
  const budgets = await rs.budgets(site.id, q.month)
  const segment = await resolveSegment(rs, site.id, q.segment)
  const spendTotals = async (from: string, to: string) => spendInSegment(q.segment, await rs.spendTotals(site.id, from, to))
  const monthDays = daysInMonth(q.month)
  const first = `${q.month}-01`
  const last = `${q.month}-${String(monthDays).padStart(2, '0')}`
  const elapsed = Math.max(0, Math.min(monthDays, daysBetween(first, q.asOf) + 1))
  const end = elapsed >= monthDays ? last : q.asOf
  const recentFrom = addDays(end, -(HINT_DAYS - 1))
  let [toDate, recent] = [NONE, NONE]
  if (elapsed > 0 && budgets.length > 0) {
    // Month to date and the last 14 days, credited from one scan.
    const [month, last14] = await credited(rs, site, [first, recentFrom], end, segment)
    toDate = { spend: await spendTotals(first, end), credited: month }
    recent = { spend: await spendTotals(recentFrom, end), credited: last14 }
  }
  const rows = budgets.map((b) => pacingRow(b, figures(b, toDate.spend, toDate.credited), figures(b, recent.spend, recent.credited), elapsed, monthDays))
  return {
    month: q.month, asOf: q.asOf, elapsedDays: elapsed, daysInMonth: monthDays, model: MODEL, rows, hints: reallocationHints(rows), rule: REALLOCATION_RULE,
    ...(q.segment ? { segment: q.segment } : {}),
  }
}
