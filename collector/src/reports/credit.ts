/**
 * Attribution credit: which touches a conversion looks back on, how each model splits
 * one conversion over them, and a ledger summing fractional conversions and revenue per
 * dimension value. Pure; the store streams visitors in.
 *
 * Only touches that started at or before a conversion count, so a later visit can never
 * change the credit of an earlier conversion.
 */
import type { ConversionRow, CreditTotal, JourneyColumns, ReportStore, TimeRange, TouchAttrs, TouchSession } from '../store/report-types.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS, type SegmentCond } from '../store/report-types.ts'
import type { AttributionRow, Money, RuleModel } from './types.ts'
import { isTouch } from './dimensions.ts'

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
    case 'position': {
      const w = new Float64Array(n)
      positionWeights(n, w)
      return Array.from(w)
    }
    case 'time_decay': {
      const w = new Float64Array(n)
      decayWeights(Float64Array.from(touchTimes), n, convTs, w)
      return Array.from(w)
    }
  }
}

/**
 * Credit is summed in whole units: billionths of a conversion, millionths of a currency
 * unit. Each conversion's units and revenue micros are split over its touches so that the
 * parts add up exactly (`apportion`), so a model's total is the conversions' count to the
 * last digit, and integer sums do not depend on their order: a report summed from the
 * per-slot rollups (`creditTotals`) equals the same report credited visitor by visitor.
 */
export const CREDIT_UNITS = 1e9
export const REVENUE_MICROS = 1e6

/**
 * Splits `total` whole units in proportion to `weights` (above 0, summing to 1): each part
 * gets its floor, the rest goes one unit at a time to the largest remainders (the earlier
 * on a tie), so the parts add up to `total` exactly (`apportionInto`).
 *
 * @example
 * apportion(1_000_000_000, [1 / 3, 1 / 3, 1 / 3]) // [333333334, 333333333, 333333333]
 */
export function apportion(total: number, weights: number[]): number[] {
  const parts = new Float64Array(weights.length)
  apportionInto(total, Float64Array.from(weights), weights.length, parts)
  return Array.from(parts)
}

/**
 * Part `i` of `apportion(total, weights)` for `n` equal weights (linear credit), without the
 * arrays: the same floor of `total / n` (worked out as apportion does, so the float is the
 * same) and the rest one unit at a time from the first part on.
 *
 * @example
 * [0, 1, 2].map((i) => equalPart(1_000_000_000, 3, i)) // [333333334, 333333333, 333333333]
 */
export function equalPart(total: number, n: number, i: number): number {
  if (total < 0) return -equalPart(-total, n, i)
  const base = Math.floor((1 / n) * total)
  const rest = total - n * base
  return rest > 0 ? base + Math.floor(rest / n) + (i < rest % n ? 1 : 0) : base
}

interface LedgerRow { units: number; micros: Map<string, number> }

/** Sums credited conversions and revenue per dimension value. */
export class CreditLedger {
  private readonly rowsByValue = new Map<string, LedgerRow>()

  /**
   * Adds sums already in units: `units` of credit and, when `currency` is not null,
   * `micros` of revenue in it (a row then lists the currency even at 0).
   */
  addUnits(value: string, units: number, currency: string | null, micros: number): void {
    const row = this.row(value)
    row.units += units
    if (currency !== null) row.micros.set(currency, (row.micros.get(currency) ?? 0) + micros)
  }

  /** Adds conversions and revenue already worked out (data-driven credit splits totals; not rounded). */
  addAmounts(value: string, conversions: number, revenue: Money): void {
    const row = this.row(value)
    row.units += conversions * CREDIT_UNITS
    for (const [cur, amount] of Object.entries(revenue)) row.micros.set(cur, (row.micros.get(cur) ?? 0) + amount * REVENUE_MICROS)
  }

  private row(value: string): LedgerRow {
    let row = this.rowsByValue.get(value)
    if (!row) this.rowsByValue.set(value, (row = { units: 0, micros: new Map() }))
    return row
  }

  get(value: string): AttributionRow | undefined {
    const row = this.rowsByValue.get(value)
    return row && readable(value, row)
  }

  /** Rows by credited conversions, most first; ties by value. */
  rows(): AttributionRow[] {
    return [...this.rowsByValue].map(([value, row]) => readable(value, row))
      .sort((a, b) => b.conversions - a.conversions || (a.value < b.value ? -1 : 1))
  }
}

function readable(value: string, row: LedgerRow): AttributionRow {
  const revenue: Money = {}
  for (const [cur, micros] of row.micros) revenue[cur] = micros / REVENUE_MICROS
  return { value, conversions: row.units / CREDIT_UNITS, revenue }
}

/** The currency a conversion's revenue counts in; null when it has no value to credit. */
export function revenueCurrency(conv: ConversionRow, defaultCurrency: string): string | null {
  return conv.value !== null && conv.value !== 0 ? conv.currency ?? defaultCurrency : null
}

/**
 * One conversion's credit by `model`, in whole units: per touch (oldest first) in its
 * lookback with a weight above 0, its part of the conversion (`units`, summing to
 * `CREDIT_UNITS`) and of its value (`micros`, summing to the value in micros; 0 without a
 * value). One `null` entry takes it all when no touch is in the lookback (Direct).
 * `touches` must be sorted by start.
 *
 * @example
 * conversionCredit('linear', [t1, t2], { ts, value: 10, currency: 'EUR' }, 30 * 86_400_000)
 * // [{ touch: t1, units: 500000000, micros: 5000000 }, { touch: t2, units: 500000000, micros: 5000000 }]
 */
export function conversionCredit<T extends { started: number }>(model: RuleModel, touches: T[], conv: ConversionRow, lookbackMs: number): { touch: T | null; units: number; micros: number }[] {
  const valueMicros = conv.value === null ? 0 : Math.round(conv.value * REVENUE_MICROS)
  const inWindow = touchesInLookback(touches, conv.ts, lookbackMs)
  if (inWindow.length === 0) return [{ touch: null, units: CREDIT_UNITS, micros: valueMicros }]
  const weights = creditWeights(model, inWindow.map((t) => t.started), conv.ts)
  const credited = inWindow.flatMap((touch, i) => (weights[i] > 0 ? [{ touch, w: weights[i] }] : []))
  const units = apportion(CREDIT_UNITS, credited.map((c) => c.w))
  const micros = apportion(valueMicros, credited.map((c) => c.w))
  return credited.map((c, i) => ({ touch: c.touch, units: units[i], micros: micros[i] }))
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
    const cur = revenueCurrency(conv, defaultCurrency)
    for (const c of conversionCredit(model, touches, conv, lookbackMs)) ledger.addUnits(keyOf(c.touch), c.units, cur, c.micros)
  }
}

/**
 * `creditVisitor` for every visitor of attribution columns (the store's converting visitors,
 * `ReportStore.attributionColumns`) and every model at once: each model's ledger ends as
 * the visitor-by-visitor calls leave it. Credit is summed by touch label first
 * (`labelCredit`), so a ledger row is looked up once per label, not once per credited touch.
 * Conversions before `convFrom` are left out.
 *
 * @example
 * creditColumns(['linear'], columns, 30 * 86_400_000, (t) => t?.channel ?? 'Direct', [ledger], 'EUR')
 */
export function creditColumns(models: readonly RuleModel[], j: JourneyColumns, lookbackMs: number, keyOf: (t: TouchAttrs | null) => string,
  ledgers: CreditLedger[], defaultCurrency: string, convFrom = -Infinity): void {
  labelCredit(models, j, lookbackMs, defaultCurrency, convFrom).forEach((sums, m) => addLabelCredit(sums, j, keyOf, ledgers[m]))
}

/** One model's credit by touch label, at label + 1 (0: conversions with no touch in the lookback), in whole units. */
export type LabelCredit = LedgerRow[]

/**
 * Each model's credit of the columns' conversions (from `convFrom` on) by touch label, in
 * whole units, summed without an object per session (300,000 purchases a month at 10M
 * events): a conversion with one touch in its lookback, or a first or last non-direct
 * model, needs no weights, and linear splits with `equalPart`.
 *
 * @example
 * const [linear] = labelCredit(['linear'], columns, 30 * 86_400_000, 'EUR')
 * addLabelCredit(linear, columns, (t) => t?.channel ?? 'Direct', ledger)
 */
export function labelCredit(models: readonly RuleModel[], j: JourneyColumns, lookbackMs: number, defaultCurrency: string, convFrom = -Infinity): LabelCredit[] {
  const slots = maxLabel(j.label) + 2
  const sums = models.map(() => new LabelSums(slots))
  const touchKind = new Int8Array(slots).fill(-1)
  const currencies: (string | null)[] = []
  const currencyOf = (l: number) => (currencies[l] === undefined ? (currencies[l] = j.currency(l)) : currencies[l])
  // Currencies by number for the sums' arrays: a site has one or a few.
  const currencyIds = new Map<string, number>()
  const currencyNames: string[] = []
  const currencyId = (c: string) => currencyIds.get(c) ?? (currencyIds.set(c, currencyNames.push(c) - 1), currencyNames.length - 1)
  const { sessionStart, started, label, convStart, convTs, convValue, convCurrency } = j
  // One conversion's touches, and a model's split of it: typed arrays, no object per touch.
  let room = 16
  let touchAt = new Float64Array(room)
  let touchLabel = new Int32Array(room)
  let weights = new Float64Array(room)
  let parts = new Float64Array(room)
  for (let v = 0; v < j.visitors; v++) {
    for (let c = convStart[v]; c < convStart[v + 1]; c++) {
      const ts = convTs[c]
      if (ts < convFrom) continue
      const value = Number.isNaN(convValue[c]) ? null : convValue[c]
      const curName = revenueCurrency({ ts, value, currency: currencyOf(convCurrency[c]) }, defaultCurrency)
      const cur = curName === null ? -1 : currencyId(curName)
      const micros = value === null ? 0 : Math.round(value * REVENUE_MICROS)
      let n = 0
      for (let i = sessionStart[v]; i < sessionStart[v + 1]; i++) {
        if (started[i] < ts - lookbackMs || started[i] > ts) continue
        const l = label[i]
        if (touchKind[l] < 0) touchKind[l] = isTouch(j.touch(l)) ? 1 : 0
        if (touchKind[l] === 0) continue
        if (n === room) {
          room *= 2
          touchAt = grow(touchAt, room)
          touchLabel = grow(touchLabel, room)
          weights = new Float64Array(room)
          parts = new Float64Array(room)
        }
        touchAt[n] = started[i]
        touchLabel[n++] = l
      }
      for (let m = 0; m < models.length; m++) {
        const model = models[m]
        const sum = sums[m]
        if (n === 0) sum.add(0, CREDIT_UNITS, cur, micros)
        else if (n === 1 || model === 'first' || model === 'last_non_direct') {
          sum.add(touchLabel[model === 'first' ? 0 : n - 1] + 1, CREDIT_UNITS, cur, micros)
        } else if (model === 'linear') {
          for (let i = 0; i < n; i++) sum.add(touchLabel[i] + 1, equalPart(CREDIT_UNITS, n, i), cur, equalPart(micros, n, i))
        } else {
          // Position and time decay: `conversionCredit`'s weights and `apportion`'s parts, in place.
          if (model === 'position') positionWeights(n, weights)
          else decayWeights(touchAt, n, ts, weights)
          apportionInto(CREDIT_UNITS, weights, n, parts)
          for (let i = 0; i < n; i++) if (weights[i] > 0) sum.add(touchLabel[i] + 1, parts[i], cur, 0)
          apportionInto(micros, weights, n, parts)
          for (let i = 0; i < n; i++) if (weights[i] > 0) sum.add(touchLabel[i] + 1, 0, cur, parts[i])
        }
      }
    }
  }
  return sums.map((s) => s.rows(currencyNames))
}

/** The largest label of a journey's sessions (-1 for none). */
function maxLabel(label: Uint32Array): number {
  let max = -1
  for (let i = 0; i < label.length; i++) if (label[i] > max) max = label[i]
  return max
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const out = new (a.constructor as new (n: number) => T)(n)
  out.set(a)
  return out
}

/** The position model's weights for `n` > 1 touches, into `w`. */
function positionWeights(n: number, w: Float64Array): void {
  for (let i = 0; i < n; i++) w[i] = n === 2 ? 0.5 : i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)
}

/** The time-decay model's weights for `n` > 1 touches started at `at`, into `w`. */
function decayWeights(at: Float64Array, n: number, convTs: number, w: Float64Array): void {
  let sum = 0
  for (let i = 0; i < n; i++) sum += w[i] = 2 ** (-(convTs - at[i]) / HALF_LIFE_MS)
  for (let i = 0; i < n; i++) w[i] /= sum
}

/**
 * `apportion` over the weights above 0 of the first `n` of `w` (as `conversionCredit` keeps
 * them), into `out` at the same places, without an array per call: each part its floor, and
 * the rest one unit at a time to the largest remainder not yet given one (the earlier on a
 * tie), round after round.
 */
function apportionInto(total: number, w: Float64Array, n: number, out: Float64Array): void {
  if (total < 0) {
    apportionInto(-total, w, n, out)
    for (let i = 0; i < n; i++) out[i] = -out[i]
    return
  }
  let rest = total
  let kept = 0
  for (let i = 0; i < n; i++) {
    if (!(w[i] > 0)) continue
    out[i] = Math.floor(w[i] * total)
    rest -= out[i]
    kept++
  }
  // One unit at a time to the largest remainder not yet given one (cycling, as apportion's order does).
  const given = rest > 0 ? new Uint8Array(n) : null
  for (let round = 0; rest > 0 && kept > 0; round++) {
    let best = -1
    let bestRem = 0
    for (let i = 0; i < n; i++) {
      if (!(w[i] > 0) || given![i] === 1) continue
      const rem = w[i] * total - Math.floor(w[i] * total)
      if (best < 0 || rem > bestRem) {
        best = i
        bestRem = rem
      }
    }
    if (best < 0) {
      given!.fill(0)
      continue
    }
    given![best] = 1
    out[best]++
    rest--
  }
}

/** One model's sums by touch label (at label + 1) while crediting: units, and micros by currency number, in arrays. */
class LabelSums {
  private readonly units: Float64Array
  private readonly micros: Float64Array[] = []
  /** When each (currency, label) was first added to: a row lists its currencies in that order, as a map would. */
  private readonly firstSeen: Float64Array[] = []
  private readonly used: Uint8Array
  private seen = 0

  constructor(private readonly slots: number) {
    this.units = new Float64Array(slots)
    this.used = new Uint8Array(slots)
  }

  add(at: number, units: number, currency: number, micros: number): void {
    this.units[at] += units
    this.used[at] = 1
    if (currency < 0) return
    while (this.micros.length <= currency) {
      this.micros.push(new Float64Array(this.slots))
      this.firstSeen.push(new Float64Array(this.slots).fill(Infinity))
    }
    this.micros[currency][at] += micros
    if (this.firstSeen[currency][at] === Infinity) this.firstSeen[currency][at] = this.seen++
  }

  rows(names: string[]): LabelCredit {
    const out: LabelCredit = []
    for (let at = 0; at < this.slots; at++) {
      if (this.used[at] === 0) continue
      const curs = this.micros.map((_, c) => c).filter((c) => this.firstSeen[c][at] !== Infinity)
        .sort((a, b) => this.firstSeen[a][at] - this.firstSeen[b][at])
      out[at] = { units: this.units[at], micros: new Map(curs.map((c) => [names[c], this.micros[c][at]])) }
    }
    return out
  }
}

/** Adds one model's credit by label to `ledger`, each label's touch keyed by `keyOf` (`keyOf(null)` for no touch). */
export function addLabelCredit(sums: LabelCredit, j: Pick<JourneyColumns, 'touch'>, keyOf: (t: TouchAttrs | null) => string, ledger: CreditLedger): void {
  sums.forEach((row, at) => {
    const key = keyOf(at === 0 ? null : j.touch(at - 1))
    ledger.addUnits(key, row.units, null, 0)
    for (const [currency, micros] of row.micros) ledger.addUnits(key, 0, currency, micros)
  })
}

/**
 * The range's credit as the store's rollups hold it (per model, touch and currency), or
 * null when the store cannot answer this way (no rollups, a segment, another lookback, or
 * slots still to be credited): scan then. `ledgerOf` turns it into a report's ledger.
 *
 * @example
 * const totals = await rolledUpCredit(rs, site.id, { range, models: ['linear'], conversion: null, lookbackMs, segment: null })
 * if (totals) ledgerOf(totals, 'linear', keyOf, site.currency).rows()
 */
export async function rolledUpCredit(
  rs: Pick<ReportStore, 'creditTotals'>,
  site: string,
  q: { range: TimeRange; models: readonly RuleModel[]; conversion: string | null; lookbackMs: number; segment: SegmentCond | null },
): Promise<CreditTotal[] | null> {
  if (!rs.creditTotals || q.segment || q.lookbackMs !== CREDIT_ROLLUP_LOOKBACK_MS) return null
  return rs.creditTotals(site, { range: q.range, models: q.models, conversion: q.conversion })
}

/** One model's ledger from rolled-up credit, keyed by `keyOf`: what crediting the scanned visitors gives. */
export function ledgerOf(totals: CreditTotal[], model: RuleModel, keyOf: (t: TouchAttrs | null) => string, defaultCurrency: string): CreditLedger {
  const ledger = new CreditLedger()
  for (const t of totals) {
    if (t.model === model) ledger.addUnits(keyOf(t.touch), t.units, t.currency === undefined ? null : t.currency ?? defaultCurrency, t.micros)
  }
  return ledger
}
