/**
 * The credit rollups' maths: what one 15-minute slot's conversions credit, per rule model,
 * conversion name, touch and revenue currency, summed in whole units. The same shares as
 * `creditVisitor` (`conversionCredit`, the same touch filter, the same whole units), so a report summed from slots equals the report credited visitor by visitor.
 * Pure: the store reads the slot's conversions and touches and writes the rows.
 */
import { RULE_MODELS } from '../model.ts'
import { conversionCredit } from '../reports/credit.ts'
import { isTouch } from '../reports/dimensions.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS, type TouchSession } from '../store/report-types.ts'

/** A conversion of the slot; `visitor` null when it had none (it then has no touches). */
export interface SlotConversion {
  visitor: string | null
  name: string
  ts: number
  value: number | null
  currency: string | null
}

/**
 * One row of `rollup_credit`. `touch`: '' for no touch, else the JSON array of the touch's
 * channel, source, medium, campaign, click id type and referrer host. `currency`: '-' when
 * the conversions had no value, '' when they named no currency, else '=' and the code.
 */
export interface CreditSlotRow {
  model: string
  name: string
  touch: string
  currency: string
  units: number
  micros: number
}

/**
 * Credits conversions of one slot (the store passes one visitor's) by every rule model with
 * the rollups' lookback. `touchesOf(visitor)` answers the visitor's non-Direct sessions
 * from the lookback before the first of them to the last, sorted by start.
 *
 * @example
 * creditSlot([{ visitor: 'v1', name: 'purchase', ts, value: 50, currency: 'EUR' }], () => [googleSession])
 * // [{ model: 'first', name: 'purchase', touch: '["Paid Search","google",…]', currency: '=EUR', units: 1e9, micros: 5e7 }, …]
 */
export function creditSlot(conversions: SlotConversion[], touchesOf: (visitor: string) => TouchSession[]): CreditSlotRow[] {
  const rows = new Map<string, CreditSlotRow>()
  for (const conv of conversions) {
    const touches = conv.visitor === null ? [] : touchesOf(conv.visitor).filter(isTouch)
    const valued = conv.value !== null && conv.value !== 0
    const currency = valued ? (conv.currency === null ? '' : `=${conv.currency}`) : '-'
    for (const model of RULE_MODELS) {
      for (const { touch, units, micros } of conversionCredit(model, touches, conv, CREDIT_ROLLUP_LOOKBACK_MS)) {
        const t = touch === null ? '' : JSON.stringify([touch.channel, touch.source, touch.medium, touch.campaign, touch.clickIdType, touch.referrerHost])
        const key = JSON.stringify([model, conv.name, t, currency])
        let row = rows.get(key)
        if (!row) rows.set(key, (row = { model, name: conv.name, touch: t, currency, units: 0, micros: 0 }))
        row.units += units
        row.micros += micros
      }
    }
  }
  return [...rows.values()]
}
