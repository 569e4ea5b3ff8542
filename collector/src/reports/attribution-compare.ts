/**
 * Every attribution model over one scan of the data. Comparing the models side by side
 * used to take one store scan per model (five), while the scan — not the crediting — is
 * what grows with the data; here each visitor is read once and credited by every model.
 * The numbers are those of the reports service's `attribution()`: same scan, same touch
 * filter, same credit functions.
 *
 * With `data_driven` among the models, the scan is the journeys scan (every visitor's
 * sessions, Direct and non-converting ones too), which holds every converting visitor's
 * touches as well: the rule-based models take the converting visitors from it, in the
 * same visitor order, so their sums do not change.
 */
import { resolveSegment, segmentOf } from './segment.ts'
import type { Site } from '../model.ts'
import type { ConversionRow, ReportStore, TouchSession } from '../store/report-types.ts'
import type { AttributionModel, AttributionQuery, AttributionReport, RuleModel } from './types.ts'
import { dayRange } from './dates.ts'
import { CreditLedger, conversionCredit, creditColumns, ledgerOf, revenueCurrency, rolledUpCredit } from './credit.ts'
import { attributionKey, isTouch, readableEffects, readableRows } from './dimensions.ts'
import { DataDrivenCredit } from './markov.ts'

export const ATTRIBUTION_MODELS: readonly AttributionModel[] = ['first', 'last_non_direct', 'linear', 'position', 'time_decay', 'data_driven']

/**
 * The attribution report of every model in `models`, from one scan.
 *
 * @example
 * const byModel = await compareModels(store.reports, site, parseAttributionQuery(params, today))
 * byModel.linear.rows // [{ value: 'Paid Search', conversions: 12.5, revenue: { EUR: 1234.5 } }, …]
 */
export async function compareModels(
  rs: Pick<ReportStore, 'scanAttribution' | 'scanJourneys' | 'journeyColumns' | 'attributionColumns' | 'creditTotals' | 'referrerHosts'>,
  site: Site,
  q: Omit<AttributionQuery, 'model'>,
  models: readonly AttributionModel[] = ATTRIBUTION_MODELS,
): Promise<Record<AttributionModel, AttributionReport>> {
  const rules = models.filter((m): m is RuleModel => m !== 'data_driven')
  const ledgers = rules.map(() => new CreditLedger())
  const keyOf = attributionKey(q.dimension)
  const range = dayRange(q.from, q.to, site.timezone)
  const dd = models.includes('data_driven') ? new DataDrivenCredit(keyOf) : null
  const scan = { range, lookbackMs: q.lookbackMs, conversion: q.conversion, segment: await resolveSegment(rs, site.id, q.segment) }

  const creditRules = (touches: TouchSession[], conversions: ConversionRow[]) => {
    const credited = touches.filter(isTouch)
    // What `creditVisitor` does per model, with each ledger getting the same additions as a lone call.
    for (const conv of conversions) {
      const cur = revenueCurrency(conv, site.currency)
      rules.forEach((model, i) => {
        for (const c of conversionCredit(model, credited, conv, q.lookbackMs)) ledgers[i].addUnits(keyOf(c.touch), c.units, cur, c.micros)
      })
    }
  }
  // The rule models from the credit rollups where the store keeps them; the scans then only serve data-driven.
  const totals = await rolledUpCredit(rs, site.id, { ...scan, models: rules })
  if (totals) rules.forEach((model, i) => { ledgers[i] = ledgerOf(totals, model, keyOf, site.currency) })
  // Data-driven reads the journeys as columns where the store keeps them, and the rule models
  // not rolled up are credited from the same columns: they hold every converting visitor's
  // sessions from the lookback start, and credit reads only the touches in each lookback.
  const asColumns = dd !== null && rs.journeyColumns !== undefined && await rs.journeyColumns(site.id, scan, (j) => {
    dd.addColumns(j, range, q.lookbackMs, site.currency)
    if (!totals) creditColumns(rules, j, q.lookbackMs, keyOf, ledgers, site.currency)
  })
  if (dd && !asColumns) {
    await rs.scanJourneys(site.id, scan, (sessions, conversions) => {
      dd.addVisitor(sessions, conversions, range, q.lookbackMs, site.currency)
      // The attribution scan reads sessions from the lookback start for converting visitors only.
      if (conversions.length && !totals) creditRules(sessions, conversions)
    })
  } else if (!dd && !totals && rules.length > 0) {
    const fromColumns = rs.attributionColumns !== undefined
      && await rs.attributionColumns(site.id, scan, (j) => creditColumns(rules, j, q.lookbackMs, keyOf, ledgers, site.currency))
    if (!fromColumns) await rs.scanAttribution(site.id, scan, creditRules)
  }

  const out = {} as Record<AttributionModel, AttributionReport>
  const head = { from: q.from, to: q.to, dimension: q.dimension, lookbackDays: q.lookbackMs / 86_400_000, ...segmentOf(q) }
  rules.forEach((model, i) => { out[model] = { ...head, model, rows: readableRows(q.dimension, ledgers[i].rows()) } })
  if (dd) {
    const { ledger, removalEffects } = dd.result(keyOf(null))
    out.data_driven = { ...head, model: 'data_driven', rows: readableRows(q.dimension, ledger.rows()), removalEffects: readableEffects(q.dimension, removalEffects) }
  }
  return out
}
