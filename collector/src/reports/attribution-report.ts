/** The attribution report's shape, for every model: the rule models' credit and data-driven's. */
import { readableEffects, readableRows } from './dimensions.ts'
import { segmentOf } from './segment.ts'
import type { AttributionQuery, AttributionReport } from './types.ts'
import type { CreditLedger } from './credit.ts'

/**
 * An attribution report of credit by `q.dimension`'s values, with each value's removal
 * effect for data-driven attribution.
 *
 * @example
 * attributionReport(q, ledger) // { from, to, model, dimension, lookbackDays, rows, … }
 */
export function attributionReport(q: AttributionQuery, ledger: CreditLedger, removalEffects?: Map<string, number>): AttributionReport {
  return {
    from: q.from, to: q.to, model: q.model, dimension: q.dimension, lookbackDays: q.lookbackMs / 86_400_000,
    rows: readableRows(q.dimension, ledger.rows()), ...(removalEffects && { removalEffects: readableEffects(q.dimension, removalEffects) }), ...segmentOf(q),
  }
}
