/**
 * Data-driven attribution over a store: one journeys scan feeds the Markov chain of
 * `markov.ts`, whose removal effects split the range's conversions and revenue.
 */
import type { ReportStore, SegmentCond, TouchAttrs, VisitorShare } from '../store/report-types.ts'
import type { Site } from '../store/types.ts'
import type { CreditLedger } from './credit.ts'
import { dayRange } from './dates.ts'
import { DataDrivenCredit } from './markov.ts'
import type { DateRangeQuery } from './types.ts'

export interface DataDrivenResult {
  ledger: CreditLedger
  removalEffects: Map<string, number>
}

/**
 * Credits the range's conversions by removal effect. States are `keyOf`'s values: the
 * channel, or the source, medium or campaign (Direct sessions are `(direct)` there), so
 * a chain by campaign asks what is lost without each campaign.
 *
 * @example
 * const { ledger } = await dataDriven(store.reports, site, { from, to, lookbackMs, conversion: 'purchase' }, (t) => dimensionValue('channel', t))
 */
export async function dataDriven(
  rs: Pick<ReportStore, 'scanJourneys' | 'journeyColumns'>,
  site: Site,
  q: DateRangeQuery & { conversion: string | null; lookbackMs: number },
  keyOf: (t: TouchAttrs | null) => string,
  segment: SegmentCond | null = null,
): Promise<DataDrivenResult> {
  return (await dataDrivenCount(rs, site, q, keyOf, segment, null))!.result(keyOf(null))
}

/**
 * The paths of the visitors of `share` (null: all) counted, before any credit: report
 * workers that split one report put theirs together (`data-driven-shares.ts`). Null where
 * a share was asked and the columns cannot answer: the scan answers whole reports only.
 *
 * @example
 * const dd = await dataDrivenCount(store.reports, site, q, keyOf, null, { part: 0, of: 2, bits: 16 })
 */
export async function dataDrivenCount(
  rs: Pick<ReportStore, 'scanJourneys' | 'journeyColumns'>,
  site: Site,
  q: DateRangeQuery & { conversion: string | null; lookbackMs: number },
  keyOf: (t: TouchAttrs | null) => string,
  segment: SegmentCond | null,
  share: VisitorShare | null,
): Promise<DataDrivenCredit | null> {
  const dd = new DataDrivenCredit(keyOf)
  const range = dayRange(q.from, q.to, site.timezone)
  const scan = { range, lookbackMs: q.lookbackMs, conversion: q.conversion, segment, share }
  if (rs.journeyColumns && await rs.journeyColumns(site.id, scan, (j) => dd.addColumns(j, range, q.lookbackMs, site.currency))) return dd
  if (share) return null
  await rs.scanJourneys(site.id, scan, (sessions, conversions) => dd.addVisitor(sessions, conversions, range, q.lookbackMs, site.currency))
  return dd
}
