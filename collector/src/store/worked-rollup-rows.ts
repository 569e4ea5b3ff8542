/**
 * Rows of the credit and experiment rollups as both stores read them back: decoded the
 * same way, so the two stores answer alike (see `sqlite-credit-schema.ts`,
 * `sqlite-experiment-schema.ts`).
 */
import type { RuleModel } from '../model.ts'
import type { CreditTotal, TouchAttrs, TouchSession, VariantCounts } from './report-types.ts'
import type { CreditSlotRow, SlotConversion } from '../derive/credit-slots.ts'
import type { exposureRows } from '../derive/exposure-rows.ts'

/** Credits a slot's conversions (`creditSlot`); passed in by derivation, so the stores hold no report maths. */
export type SlotCrediting = (conversions: SlotConversion[], touchesOf: (visitor: string) => TouchSession[]) => CreditSlotRow[]
/** Works out a visitor's experiment rows (`exposureRows`); passed in likewise. */
export type ExposureWorking = typeof exposureRows

/** A summed `rollup_credit` group as stored: touch and currency still encoded. */
export interface StoredCreditTotal {
  model: RuleModel
  touch: string
  currency: string
  units: number | string
  micros: number | string
}

/**
 * Decodes summed credit rows: a touch's JSON array into its attributes ('' → null), and
 * the currency ('-' → no revenue, '' → none named, '=EUR' → EUR).
 *
 * @example
 * creditTotalsOf([{ model: 'linear', touch: '', currency: '-', units: 1e9, micros: 0 }])
 * // [{ model: 'linear', touch: null, currency: undefined, units: 1e9, micros: 0 }]
 */
export function creditTotalsOf(rows: StoredCreditTotal[]): CreditTotal[] {
  const touches = new Map<string, TouchAttrs | null>([['', null]])
  const touchOf = (t: string): TouchAttrs | null => {
    let touch = touches.get(t)
    if (touch === undefined) {
      const [channel, source, medium, campaign, clickIdType, referrerHost] = JSON.parse(t) as [string, ...(string | null)[]]
      touches.set(t, (touch = { channel, source, medium, campaign, clickIdType, referrerHost }))
    }
    return touch
  }
  return rows.map((r) => ({
    model: r.model, touch: touchOf(r.touch), units: Number(r.units), micros: Number(r.micros),
    currency: r.currency === '-' ? undefined : r.currency === '' ? null : r.currency.slice(1),
  }))
}

/**
 * A readout's rows from the exposed visitors per variant (in the readout's order) and the
 * converters per variant.
 *
 * @example
 * variantCountsOf([{ variant: 'b', n: 10 }], [{ variant: 'b', n: 3 }]) // [{ variant: 'b', visitors: 10, converters: 3 }]
 */
export function variantCountsOf(exposed: { variant: string; n: number | string }[], converted: { variant: string; n: number | string }[]): VariantCounts[] {
  const converters = new Map(converted.map((r) => [r.variant, Number(r.n)]))
  return exposed.map((r) => ({ variant: r.variant, visitors: Number(r.n), converters: converters.get(r.variant) ?? 0 }))
}
