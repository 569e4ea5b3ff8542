/**
 * Data-driven attribution: a first-order Markov chain over visitors' paths of states
 * (channels, or values of another dimension), credit by removal effect. Pure; the store
 * streams visitors in.
 *
 * - A path starts in `start`, visits states with consecutive repeats collapsed, and ends
 *   in `conversion` or `null`.
 * - Transition probabilities are the observed shares from each state to the next.
 * - P(conversion) is the probability of being absorbed in `conversion` from `start`.
 * - The removal effect of a state is 1 − P(conversion with that state leading to null) ÷
 *   P(conversion): how much of the conversions would be lost without it.
 */
import type { ConversionRow, JourneyColumns, TimeRange, TouchAttrs, TouchSession } from '../store/report-types.ts'
import { CreditLedger, REVENUE_MICROS, touchesInLookback } from './credit.ts'
import type { Money } from './types.ts'

/** State ids: 0 start, 1 conversion, 2 null, then one per dimension value. */
const START = 0
const CONVERSION = 1
const NULL = 2
/** Gauss–Seidel sweeps stop when no probability moves by more than this. */
const TOLERANCE = 1e-15
const MAX_SWEEPS = 100_000
/** Up to this many states, removal effects come from one dense inverse (n² memory: 1,500 → 18 MB). */
const DENSE_MAX = 1500
/**
 * Transitions between ids below this are counted in a dense square first (every state of a
 * chain by channel): a Map update per transition was a third of building the chain of 90
 * days at 10M events (2.5M sessions).
 */
const HOT = 64

/** The absorbing states' names in `ChainTransition`s: no dimension value has them (a value is a channel, source, medium or campaign text). */
export const CONVERSION_STATE = '\u0000conversion'
export const NULL_STATE = '\u0000null'

/** A transition and how often it was seen: from a state (null: start) to a state or an absorbing state. */
export type ChainTransition = [from: string | null, to: string, n: number]

/**
 * Transition counts between states, and the conversion probabilities they imply.
 *
 * @example
 * const chain = new MarkovChain()
 * chain.addPath(['Email', 'Paid Search'], true)
 * chain.addPath(['Email'], false)
 * chain.conversionProbability()          // 0.5
 * chain.removalEffects().get('Email')    // 1
 */
export class MarkovChain {
  private readonly ids = new Map<string, number>()
  private readonly names: string[] = []
  /** Per transient state (start, then values): counts to each next state. */
  private readonly counts: Map<number, number>[] = [new Map()]
  /** Counts from id `from` to id `to` at `from * HOT + to`, not yet in `counts` (see `settle`). */
  private readonly hot = new Float64Array(HOT * HOT)
  private unsettled = false

  /** Records one path (its states, repeats collapsed here) ending in conversion or null. */
  addPath(states: readonly string[], converted: boolean): void {
    this.addIds(states.map((s) => this.idOf(s)), states.length, converted)
  }

  /**
   * The id of a state (a dimension value), added if new, for paths given as ids.
   *
   * @example
   * chain.addIds([chain.stateId('Email'), chain.stateId('Email')], 2, true) // as addPath(['Email'], true)
   */
  stateId(name: string): number {
    return this.idOf(name)
  }

  /** Records the path of the first `n` state ids of `ids` (repeats collapsed here) ending in conversion or null. */
  addIds(ids: ArrayLike<number>, n: number, converted: boolean): void {
    let from = START
    for (let i = 0; i < n; i++) {
      // START is never a state's id: the first one always counts.
      if (ids[i] === from) continue
      this.count(from, ids[i])
      from = ids[i]
    }
    this.count(from, converted ? CONVERSION : NULL)
  }

  /** The dimension values seen, in the order first seen. */
  states(): string[] {
    return this.names.slice()
  }

  /**
   * Every transition counted, by name (null: start; `CONVERSION_STATE`, `NULL_STATE`: the
   * absorbing states), to cross to another thread: report workers each count a share of
   * the visitors (`data-driven-shares.ts`).
   */
  transitions(): ChainTransition[] {
    this.settle()
    const name = (id: number) => (id === START ? null : id === CONVERSION ? CONVERSION_STATE : id === NULL ? NULL_STATE : this.names[id - 3])
    const out: ChainTransition[] = []
    this.counts.forEach((row, i) => { for (const [to, n] of row) out.push([name(i === 0 ? START : i + 2), name(to)!, n]) })
    return out
  }

  /** Adds transitions another chain counted (`transitions`): as if its paths had been added here. */
  addTransitions(ts: readonly ChainTransition[]): void {
    for (const [from, to, n] of ts) {
      const f = from === null ? START : this.idOf(from)
      const t = to === CONVERSION_STATE ? CONVERSION : to === NULL_STATE ? NULL : this.idOf(to)
      const row = this.counts[f === START ? 0 : f - 2]
      row.set(t, (row.get(t) ?? 0) + n)
    }
  }

  /**
   * P(reaching conversion from start), optionally with one state removed (every
   * transition into it leads to null instead).
   */
  conversionProbability(removed?: string): number {
    this.settle()
    const removedId = removed === undefined ? -1 : (this.ids.get(removed) ?? -1)
    const order = this.canonical()
    const pos = positions(order)
    // Transition lists as probabilities, once per call; states are few (channels) to a
    // few hundred (campaigns), transitions a few per state. In name order, as the sweeps:
    // the answer must not depend on the order paths came in.
    const rows = this.counts.map((m) => {
      let total = 0
      for (const n of m.values()) total += n
      return [...m].sort((a, b) => rank(a[0], pos) - rank(b[0], pos)).map(([to, n]) => [to, n / total] as const)
    })
    const p = new Float64Array(this.counts.length + 3)
    p[CONVERSION] = 1
    // p(s) = Σ P(s→t)·p(t) over the transient states, solved by Gauss–Seidel sweeps; it
    // converges because every observed path is absorbed, so no set of states is closed.
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      let moved = 0
      for (let c = order.length - 1; c >= 0; c--) {
        const s = order[c]
        const id = s === 0 ? START : s + 2
        if (id === removedId) continue
        let v = 0
        for (const [to, prob] of rows[s]) v += prob * p[to]
        moved = Math.max(moved, Math.abs(v - p[id]))
        p[id] = v
      }
      if (moved <= TOLERANCE) break
    }
    return p[START]
  }

  /**
   * Removal effect per state: 1 − P(conversion without it) ÷ P(conversion); empty when
   * nothing converts.
   *
   * Removing k loses exactly the conversions of paths that visit k, so P(without k) =
   * P − h(k)·p(k), with h(k) the probability of ever visiting k from start and p(k) that
   * of converting from k, and the effect is h(k)·p(k) ÷ P. Both come from one inverse of
   * (I − Q) over the transient states, N: p = N·r, h(k) = N[start][k] ÷ N[k][k]. That is
   * one O(n³) solve instead of one iterative solve per state (400 campaigns over 200k
   * paths: 40 s → well under a second). Beyond `DENSE_MAX` states, where n² memory
   * would grow too large, each state is solved on its own.
   */
  removalEffects(): Map<string, number> {
    this.settle()
    const out = new Map<string, number>()
    const n = this.counts.length
    const order = this.canonical()
    if (n - 1 > DENSE_MAX) {
      const base = this.conversionProbability()
      if (base <= 0) return out
      for (const i of order.slice(1)) out.set(this.names[i - 1], Math.max(0, 1 - this.conversionProbability(this.names[i - 1]) / base))
      return out
    }
    // Row and column c: the transient state order[c] (0 start, i ≥ 1 the state with id
    // i + 2), states in name order, so the solve does not depend on the order paths came in.
    const pos = positions(order)
    const a = Array.from({ length: n }, (_, i) => { const row = new Float64Array(n); row[i] = 1; return row })
    const r = new Float64Array(n)
    this.counts.forEach((m, i) => {
      let total = 0
      for (const c of m.values()) total += c
      for (const [to, c] of m) {
        if (to === CONVERSION) r[pos[i]] += c / total
        else if (to !== NULL) a[pos[i]][pos[to - 2]] -= c / total
      }
    })
    const inv = invert(a)
    const p = inv.map((row) => row.reduce((acc, x, j) => acc + x * r[j], 0))
    if (p[0] <= 0) return out
    for (let k = 1; k < n; k++) {
      const h = inv[0][k] / inv[k][k]
      out.set(this.names[order[k] - 1], Math.min(1, Math.max(0, (h * p[k]) / p[0])))
    }
    return out
  }

  /** The transient states in canonical order: start, then the states by name. */
  private canonical(): number[] {
    const states = this.names.map((_, i) => i + 1).sort((a, b) => (this.names[a - 1] < this.names[b - 1] ? -1 : 1))
    return [0, ...states]
  }

  private idOf(name: string): number {
    let id = this.ids.get(name)
    if (id === undefined) {
      id = this.names.length + 3
      this.ids.set(name, id)
      this.names.push(name)
      this.counts.push(new Map())
    }
    return id
  }

  private count(from: number, to: number): void {
    if (from < HOT && to < HOT) {
      this.hot[from * HOT + to]++
      this.unsettled = true
      return
    }
    const row = this.counts[from === START ? 0 : from - 2]
    row.set(to, (row.get(to) ?? 0) + 1)
  }

  /** Adds the dense square's counts to the rows (whole numbers: the sums do not depend on the order). */
  private settle(): void {
    if (!this.unsettled) return
    for (let from = 0; from < HOT; from++) {
      for (let to = 0; to < HOT; to++) {
        const n = this.hot[from * HOT + to]
        if (n === 0) continue
        const row = this.counts[from === START ? 0 : from - 2]
        row.set(to, (row.get(to) ?? 0) + n)
        this.hot[from * HOT + to] = 0
      }
    }
    this.unsettled = false
  }
}

/** A `DataDrivenCredit`'s counts as plain data. */
export interface DataDrivenState {
  transitions: ChainTransition[]
  conversions: number
  /** Revenue in whole millionths by currency. */
  revenueMicros: Record<string, number>
}

/**
 * Builds the paths of data-driven attribution visitor by visitor, sums the conversions
 * and revenue to split, and splits them by removal effect at the end.
 *
 * A conversion's path holds the states of the visitor's sessions (Direct too) that
 * started within the lookback before it; a visitor without a conversion in the range
 * adds one path of their sessions in the range, ending in null.
 *
 * @example
 * const dd = new DataDrivenCredit((s) => dimensionValue('channel', s))
 * await store.reports.scanJourneys(site.id, scan, (sessions, convs) => dd.addVisitor(sessions, convs, scan.range, scan.lookbackMs, 'EUR'))
 * dd.result('Direct').ledger.rows() // [{ value: 'Paid Search', conversions: 7.5, revenue: { EUR: 750 } }, …]
 */
export class DataDrivenCredit {
  readonly chain = new MarkovChain()
  private conversions = 0
  /** Revenue in whole millionths, so its sum does not depend on the order visitors come in. */
  private readonly revenueMicros: Record<string, number> = {}

  constructor(private readonly keyOf: (s: TouchAttrs) => string) {}

  /**
   * Every visitor of a journeys scan given as columns (`ReportStore.journeyColumns`): the same
   * paths, conversions and revenue as `addVisitor` for each, with a state looked up once per
   * session label instead of once per session.
   */
  addColumns(j: JourneyColumns, range: TimeRange, lookbackMs: number, defaultCurrency: string): void {
    // Each label's state id (0: not looked up yet), by label number: a Map lookup per session cost as much as the rest.
    let stateOf = new Uint32Array(1024)
    const state = (label: number) => {
      if (label >= stateOf.length) {
        const grown = new Uint32Array(Math.max(2 * stateOf.length, label + 1))
        grown.set(stateOf)
        stateOf = grown
      }
      let s = stateOf[label]
      if (s === 0) stateOf[label] = s = this.chain.stateId(this.keyOf(j.touch(label)))
      return s
    }
    // Reused for every path (as long as the visitor with the most sessions).
    let path = new Uint32Array(64)
    const { sessionStart, started, label, convStart, convTs, convValue } = j
    for (let v = 0; v < j.visitors; v++) {
      const [s0, s1] = [sessionStart[v], sessionStart[v + 1]]
      if (s1 - s0 > path.length) path = new Uint32Array(2 * (s1 - s0))
      if (convStart[v] === convStart[v + 1]) {
        let n = 0
        for (let i = s0; i < s1; i++) if (started[i] >= range.start && started[i] < range.end) path[n++] = state(label[i])
        if (n > 0) this.chain.addIds(path, n, false)
        continue
      }
      for (let c = convStart[v]; c < convStart[v + 1]; c++) {
        let n = 0
        const from = convTs[c] - lookbackMs
        for (let i = s0; i < s1; i++) if (started[i] >= from && started[i] <= convTs[c]) path[n++] = state(label[i])
        this.chain.addIds(path, n, true)
        this.addConversion(Number.isNaN(convValue[c]) ? null : convValue[c], () => j.currency(j.convCurrency[c]) ?? defaultCurrency)
      }
    }
  }

  /** One visitor: sessions (time-ordered, from the range start minus the lookback) and conversions in the range. */
  addVisitor(sessions: TouchSession[], conversions: ConversionRow[], range: TimeRange, lookbackMs: number, defaultCurrency: string): void {
    if (conversions.length === 0) {
      const inRange = sessions.filter((s) => s.started >= range.start && s.started < range.end)
      if (inRange.length) this.chain.addPath(inRange.map(this.keyOf), false)
      return
    }
    for (const conv of conversions) {
      this.chain.addPath(touchesInLookback(sessions, conv.ts, lookbackMs).map(this.keyOf), true)
      this.addConversion(conv.value, () => conv.currency ?? defaultCurrency)
    }
  }

  /** What it counted, to cross to another thread (`data-driven-shares.ts`). */
  state(): DataDrivenState {
    return { transitions: this.chain.transitions(), conversions: this.conversions, revenueMicros: { ...this.revenueMicros } }
  }

  /** Adds what another counted (`state`) over other visitors: as if their paths had been added here. */
  merge(s: DataDrivenState): void {
    this.chain.addTransitions(s.transitions)
    this.conversions += s.conversions
    for (const [cur, micros] of Object.entries(s.revenueMicros)) this.revenueMicros[cur] = (this.revenueMicros[cur] ?? 0) + micros
  }

  /** Counts one conversion and its revenue (in the currency `currency` names, asked only for a value). */
  private addConversion(value: number | null, currency: () => string): void {
    this.conversions++
    if (value === null || value === 0) return
    const cur = currency()
    this.revenueMicros[cur] = (this.revenueMicros[cur] ?? 0) + Math.round(value * REVENUE_MICROS)
  }

  /**
   * Conversions and revenue split over states in proportion to their removal effects,
   * and the effects themselves. When no state has any effect (every conversion came
   * without a session), all of it goes to `unattributed`, the value a conversion without
   * touches has in the other models.
   */
  result(unattributed: string): { ledger: CreditLedger; removalEffects: Map<string, number> } {
    const ledger = new CreditLedger()
    const removalEffects = this.conversions === 0 ? new Map<string, number>() : this.chain.removalEffects()
    if (this.conversions === 0) return { ledger, removalEffects }
    const total: Money = {}
    for (const cur of Object.keys(this.revenueMicros).sort()) total[cur] = this.revenueMicros[cur] / REVENUE_MICROS
    const effects = [...removalEffects].filter(([, e]) => e > 0)
    const sum = effects.reduce((a, [, e]) => a + e, 0)
    if (sum === 0) ledger.addAmounts(unattributed, this.conversions, total)
    for (const [state, e] of effects) {
      const share = e / sum
      const revenue: Money = {}
      for (const [cur, amount] of Object.entries(total)) revenue[cur] = amount * share
      ledger.addAmounts(state, this.conversions * share, revenue)
    }
    return { ledger, removalEffects }
  }
}

/** Where each transient state sits in `order`. */
function positions(order: number[]): Int32Array {
  const pos = new Int32Array(order.length)
  order.forEach((s, c) => { pos[s] = c })
  return pos
}

/** The canonical rank of a transition's target: the absorbing states first, then transient states by their position. */
function rank(to: number, pos: Int32Array): number {
  return to < 3 ? to - 3 : pos[to - 2]
}

/**
 * The inverse of a square matrix by Gauss–Jordan elimination with partial pivoting
 * (consumes `a`). I − Q of an absorbing chain is always invertible.
 */
function invert(a: Float64Array[]): Float64Array[] {
  const n = a.length
  const inv = Array.from({ length: n }, (_, i) => { const row = new Float64Array(n); row[i] = 1; return row })
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let i = col + 1; i < n; i++) if (Math.abs(a[i][col]) > Math.abs(a[pivot][col])) pivot = i
    if (pivot !== col) {
      ;[a[col], a[pivot]] = [a[pivot], a[col]]
      ;[inv[col], inv[pivot]] = [inv[pivot], inv[col]]
    }
    const d = a[col][col]
    const ac = a[col]
    const ic = inv[col]
    for (let j = 0; j < n; j++) { ac[j] /= d; ic[j] /= d }
    for (let i = 0; i < n; i++) {
      if (i === col) continue
      const f = a[i][col]
      if (f === 0) continue
      const ai = a[i]
      const ii = inv[i]
      for (let j = 0; j < n; j++) { ai[j] -= f * ac[j]; ii[j] -= f * ic[j] }
    }
  }
  return inv
}
