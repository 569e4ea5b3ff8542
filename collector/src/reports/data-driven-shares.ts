/**
 * Data-driven attribution counted in shares of the visitors and put together: report
 * workers split one report between them (`report-runner/pool.ts`), each counting the paths,
 * conversions and revenue of its share. Transition counts and conversions add up, revenue is
 * summed in whole millionths, and the chain is solved with its states in name order, so the
 * report is the one a single count over all visitors gives.
 */
import { DataDrivenCredit, type DataDrivenState } from './markov.ts'
import { attributionKey } from './dimensions.ts'
import { attributionReport } from './attribution-report.ts'
import type { AttributionQuery, AttributionReport } from './types.ts'

/** One share's count as plain data, to cross from a report worker. */
export type DataDrivenShare = DataDrivenState

/**
 * The report of a data-driven count (`dataDrivenCount`, or shares put together by `dataDrivenOfShares`).
 *
 * @example
 * dataDrivenReport(q, (await dataDrivenCount(store.reports, site, q, attributionKey(q.dimension), null, null))!)
 */
export function dataDrivenReport(q: AttributionQuery, dd: DataDrivenCredit): AttributionReport {
  const { ledger, removalEffects } = dd.result(attributionKey(q.dimension)(null))
  return attributionReport(q, ledger, removalEffects)
}

/**
 * The count of shares over disjoint visitors: as one count over all of them.
 *
 * @example
 * dataDrivenReport(q, dataDrivenOfShares(q, await Promise.all([0, 1].map((part) => reports.attributionShare(site, q, { part, of: 2, bits: 16 })))))
 */
export function dataDrivenOfShares(q: AttributionQuery, shares: DataDrivenShare[]): DataDrivenCredit {
  const dd = new DataDrivenCredit(attributionKey(q.dimension))
  for (const s of shares) dd.merge(s)
  return dd
}
