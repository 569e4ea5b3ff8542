/**
 * Attribution credit: which touches a conversion looks back on, how each model splits
 * one conversion over them, and a ledger summing fractional conversions and revenue per
 * dimension value. Pure; the store streams visitors in.
 *
 * Only touches that started at or before a conversion count, so a later visit can never
 * change the credit of an earlier conversion.
 */
import type { ConversionRow, TouchSession } from '../store/report-types.ts'
import type { AttributionRow, Money, RuleModel } from './types.ts'

/** Time decay halves a touch's weight for every 7 days between it and the conversion. */
export const HALF_LIFE_MS = 7 * 86_400_000

/**
 * The touches a conversion looks back on: started within `lookbackMs` before it, inclusive
 * at both ends. `touches` must be sorted by start.
 */
export function touchesInLookback<T extends { started: number }>(touches: T[], convTs: number, lookbackMs: number): T[] {
  const from = convTs - lookbackMs
  return touches.filter((t) => t.started >= from && t.started <= convTs)
}

/**
 * How a model splits one conversion over its touches (oldest first); fractions sum to 1.
 * All touches are non-direct by construction, so last non-direct is the last touch.
 *
 * @example
 * creditWeights('position', [t1, t2, t3, t4], conv) // [0.4, 0.1, 0.1, 0.4]
 * creditWeights('position', [t1, t2], conv)         // [0.5, 0.5]
 */
export function creditWeights(model: RuleModel, touchTimes: number[], convTs: number): number[] {
  const n = touchTimes.length
  if (n === 0) return []
  if (n === 1) return [1]
  switch (model) {
    case 'first': return touchTimes.map((_, i) => (i === 0 ? 1 : 0))
    case 'last_non_direct': return touchTimes.map((_, i) => (i === n - 1 ? 1 : 0))
    case 'linear': return touchTimes.map(() => 1 / n)
    case 'position':
      if (n === 2) return [0.5, 0.5]
      return touchTimes.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)))
    case 'time_decay': {
      const w = touchTimes.map((t) => 2 ** (-(convTs - t) / HALF_LIFE_MS))
      const sum = w.reduce((a, b) => a + b, 0)
      return w.map((x) => x / sum)
    }
  }
}

/** Sums credited conversions and revenue per dimension value. */
export class CreditLedger {
  private readonly rowsByValue = new Map<string, AttributionRow>()

  /** Credits `share` of a conversion (and of its value, in its currency) to `value`. */
  add(value: string, share: number, conv: ConversionRow, defaultCurrency: string): void {
    const row = this.row(value)
    row.conversions += share
    if (conv.value !== null && conv.value !== 0) {
      const cur = conv.currency ?? defaultCurrency
      row.revenue[cur] = (row.revenue[cur] ?? 0) + share * conv.value
    }
  }

  /** Adds conversions and revenue already worked out (data-driven credit splits totals). */
  addAmounts(value: string, conversions: number, revenue: Money): void {
    const row = this.row(value)
    row.conversions += conversions
    for (const [cur, amount] of Object.entries(revenue)) row.revenue[cur] = (row.revenue[cur] ?? 0) + amount
  }

  private row(value: string): AttributionRow {
    let row = this.rowsByValue.get(value)
    if (!row) this.rowsByValue.set(value, (row = { value, conversions: 0, revenue: {} }))
    return row
  }

  get(value: string): AttributionRow | undefined {
    return this.rowsByValue.get(value)
  }

  /** Rows by credited conversions, most first; ties by value. */
  rows(): AttributionRow[] {
    return [...this.rowsByValue.values()].sort((a, b) => b.conversions - a.conversions || (a.value < b.value ? -1 : 1))
  }
}

/**
 * Credits each of one visitor's conversions to the touches before it.
 * `keyOf(null)` names the value a conversion without touches goes to (Direct).
 *
 * @example
 * creditVisitor('linear', touches, conversions, 30 * 86_400_000, (t) => t?.channel ?? 'Direct', ledger, 'EUR')
 */
export function creditVisitor(
  model: RuleModel,
  touches: TouchSession[],
  conversions: ConversionRow[],
  lookbackMs: number,
  keyOf: (t: TouchSession | null) => string,
  ledger: CreditLedger,
  defaultCurrency: string,
): void {
  for (const conv of conversions) {
    const inWindow = touchesInLookback(touches, conv.ts, lookbackMs)
    if (inWindow.length === 0) {
      ledger.add(keyOf(null), 1, conv, defaultCurrency)
      continue
    }
    const weights = creditWeights(model, inWindow.map((t) => t.started), conv.ts)
    inWindow.forEach((t, i) => { if (weights[i] > 0) ledger.add(keyOf(t), weights[i], conv, defaultCurrency) })
  }
}
