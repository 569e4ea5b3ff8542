/**
 * Funnel matching over one unit's (visitor's or session's) time-ordered events, and the
 * tally that turns matches into the report's step rows. Pure: the store streams units in,
 * nothing here touches storage.
 *
 * Rules (DESIGN.md, "Funnel"):
 * - An attempt starts at a step-1 event inside the date range; later steps must come
 *   later in the sequence (equal timestamps: arrival order) and no more than the window
 *   after the step-1 event (a step exactly at the window's end still counts).
 * - One event fills at most one step.
 * - `ordered`: other events may come between steps. `strict`: the next step must be the
 *   very next event of the unit, of any type.
 * - Of several attempts the one reaching the most steps wins; among equals the earliest.
 */
import type { FunnelColumns, FunnelEvent, FunnelKey, TimeRange } from '../store/report-types.ts'
import { matchesStep } from './steps.ts'
import { median, ratio } from './stats.ts'
import type { FunnelStep, FunnelStepRow } from './types.ts'

export interface FunnelOptions {
  range: TimeRange
  windowMs: number
  strict: boolean
}

export interface FunnelMatch {
  /** Steps reached, from 1 to the number of steps. */
  reached: number
  /** Timestamps of the events that filled steps 1..reached. */
  times: number[]
  /** The step-1 event of the winning attempt. */
  entry: FunnelEvent
}

/**
 * The best progress of one unit through the steps, or null when it never entered.
 *
 * @example
 * matchFunnel(events, [pricing, purchase], { range, windowMs: 7 * 86_400_000, strict: false })
 * // { reached: 2, times: [t1, t2], entry: events[0] }
 */
export function matchFunnel(events: FunnelEvent[], steps: FunnelStep[], opts: FunnelOptions): FunnelMatch | null {
  let best: FunnelMatch | null = null
  for (let i = 0; i < events.length; i++) {
    const first = events[i]
    if (first.ts < opts.range.start || first.ts >= opts.range.end || !matchesStep(steps[0], first)) continue
    const times = [first.ts]
    const deadline = first.ts + opts.windowMs
    let j = i + 1
    let ranOut = true
    for (; j < events.length && times.length < steps.length; j++) {
      const ev = events[j]
      if (ev.ts > deadline) { ranOut = false; break }
      if (!matchesStep(steps[times.length], ev)) {
        if (opts.strict) { ranOut = false; break }
        continue
      }
      // Strict: the unit's very next event; a store that left out non-matching events says
      // through `next` whether this one really followed. Read only for a candidate that
      // matches, as a store may look `next` up on demand.
      if (opts.strict) {
        const prevNext = events[j - 1].next
        if (prevNext !== undefined && prevNext !== ev.seq) { ranOut = false; break }
      }
      times.push(ev.ts)
    }
    if (!best || times.length > best.reached) best = { reached: times.length, times, entry: first }
    if (best.reached === steps.length) break
    // A later start sees a subset of the same events when the window was not what stopped
    // this attempt, so it cannot get further (ordered mode only: strict restarts fresh).
    if (!opts.strict && ranOut) break
  }
  return best
}

/**
 * Which steps each key matches, row by key: `matrix[k * steps.length + s]` is 1 when key k
 * fills step s, 2 when it does if the event's properties match the step's filters, 0 when
 * it cannot.
 *
 * @example
 * stepMatrix([{ type: 'pageview', name: '', path: '/pricing' }], [pricing, purchase]) // Uint8Array [1, 0]
 */
export function stepMatrix(keys: FunnelKey[], steps: FunnelStep[]): Uint8Array {
  const m = new Uint8Array(keys.length * steps.length)
  keys.forEach((k, i) => steps.forEach((step, s) => {
    const byKey = matchesStep({ ...step, props: {} }, { type: k.type, name: k.name, path: k.path, props: null })
    m[i * steps.length + s] = !byKey ? 0 : Object.keys(step.props).length > 0 ? 2 : 1
  }))
  return m
}

/**
 * A unit's best progress from funnel columns: as `FunnelMatch`, its entry given as the
 * event's index, and the times of its first `reached` steps in `times` (which may be longer).
 */
export interface ColumnMatch {
  reached: number
  times: Float64Array
  entry: number
}

/** Where `matchFunnelColumns` writes: one for a whole report, so matching a unit allocates nothing. */
export interface ColumnMatchBuffer extends ColumnMatch {
  /** The attempt being followed. */
  work: Float64Array
}

/**
 * A buffer for funnels of `steps` steps.
 *
 * @example
 * const out = columnMatch(3)
 * for (let u = 0; u + 1 < cols.unitStart.length; u++) {
 *   const m = matchFunnelColumns(cols, cols.unitStart[u], cols.unitStart[u + 1], matrix, 3, range, windowMs, lookups, out)
 *   if (m) tally.add(m) // read before the next unit: the next call writes over it
 * }
 */
export const columnMatch = (steps: number): ColumnMatchBuffer =>
  ({ reached: 0, times: new Float64Array(steps), entry: -1, work: new Float64Array(steps) })

/** What matching columns looks up on demand: properties for a matrix's 2s, successors in strict mode. */
export interface ColumnLookups {
  strict: boolean
  /** Whether event `j` fills step `s` by its properties (its key does by type, name and path). */
  propsMatch(j: number, s: number): boolean
  /** Whether event `j` is the very next event of event `i`'s unit. */
  follows(i: number, j: number): boolean
}

const ORDERED: ColumnLookups = { strict: false, propsMatch: () => false, follows: () => true }

/**
 * `matchFunnel` over one unit of funnel columns, events `from` to `to`, with the steps each
 * key fills from `stepMatrix`. Same rules, same answer. The match is `out` itself (a fresh
 * buffer when none is given): the next call with the same buffer writes over it.
 *
 * @example
 * matchFunnelColumns(cols, cols.unitStart[0], cols.unitStart[1], stepMatrix(cols.keys, steps), steps.length, { start, end }, 7 * 86_400_000)
 */
export function matchFunnelColumns(cols: Pick<FunnelColumns, 'ts' | 'key'>, from: number, to: number, matrix: Uint8Array,
  steps: number, range: TimeRange, windowMs: number, lookups: ColumnLookups = ORDERED, out: ColumnMatchBuffer = columnMatch(steps)): ColumnMatch | null {
  const { ts, key } = cols
  const { strict } = lookups
  // Written in place: an array and an object per attempt were most of this loop's cost (a million units at 10M events).
  const { work, times } = out
  out.reached = 0
  for (let i = from; i < to; i++) {
    const first = matrix[key[i] * steps]
    if (ts[i] < range.start || ts[i] >= range.end || first === 0 || (first === 2 && !lookups.propsMatch(i, 0))) continue
    work[0] = ts[i]
    let n = 1
    const deadline = ts[i] + windowMs
    let ranOut = true
    for (let j = i + 1, prev = i; j < to && n < steps; j++) {
      if (ts[j] > deadline) { ranOut = false; break }
      // Inline, not a helper: this loop runs once per candidate event of every unit.
      const m = matrix[key[j] * steps + n]
      if (m === 0 || (m === 2 && !lookups.propsMatch(j, n))) {
        if (strict) { ranOut = false; break }
        continue
      }
      // Strict: the step must be the unit's very next event (looked up only for a candidate that fills it).
      if (strict && !lookups.follows(prev, j)) { ranOut = false; break }
      work[n++] = ts[j]
      prev = j
    }
    if (n > out.reached) {
      for (let k = 0; k < n; k++) times[k] = work[k]
      out.reached = n
      out.entry = i
    }
    if (n === steps) break
    // As in matchFunnel: a later start cannot get further when the window did not stop this one (ordered mode).
    if (!strict && ranOut) break
  }
  return out.reached === 0 ? null : out
}

/** A `FunnelTally`'s counts and gaps as plain data (`FunnelTally.state`). */
export interface TallyState {
  counts: number[]
  gaps: Float64Array[]
}

/**
 * Seconds between steps, appended to a typed array that doubles as it fills: a funnel at
 * 10M events collects about 400,000, and report workers hand them over to be merged. As a
 * `number[]` pushed one by one, merging two workers' halves took 60-77 ms of the main
 * thread (the array's growth and element kind); appending typed arrays is a copy.
 */
class GapList {
  private buf = new Float64Array(16)
  length = 0

  push(v: number): void {
    if (this.length === this.buf.length) this.grow(this.length + 1)
    this.buf[this.length++] = v
  }

  append(vs: Float64Array): void {
    if (this.length + vs.length > this.buf.length) this.grow(this.length + vs.length)
    this.buf.set(vs, this.length)
    this.length += vs.length
  }

  /** The values, as a view on the buffer (valid until the next push). */
  values(): Float64Array {
    return this.buf.subarray(0, this.length)
  }

  private grow(atLeast: number): void {
    const next = new Float64Array(Math.max(atLeast, this.buf.length * 2))
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }
}

/** Counts matches per step and collects the seconds between consecutive steps. */
export class FunnelTally {
  private readonly counts: number[]
  private readonly gaps: GapList[]

  constructor(private readonly labels: string[]) {
    this.counts = labels.map(() => 0)
    this.gaps = labels.map(() => new GapList())
  }

  add(m: { reached: number; times: ArrayLike<number> }): void {
    for (let k = 0; k < m.reached; k++) {
      this.counts[k]++
      if (k > 0) this.gaps[k].push((m.times[k] - m.times[k - 1]) / 1000)
    }
  }

  /** What it counted, to cross to another thread: each step's count and its gaps, in seconds. */
  state(): TallyState {
    // Copies: a view would cross whole, with the buffer's unused room.
    return { counts: [...this.counts], gaps: this.gaps.map((g) => g.values().slice()) }
  }

  /** Adds what another tally counted (`state`) over other units: as if this one had counted them. */
  merge(s: TallyState): void {
    for (let k = 0; k < this.counts.length; k++) {
      this.counts[k] += s.counts[k]
      this.gaps[k].append(s.gaps[k])
    }
  }

  /** Step rows as the report shows them; rates are null where the base is zero. */
  rows(): FunnelStepRow[] {
    return this.labels.map((step, k) => ({
      step,
      visitors: this.counts[k],
      conversionFromStart: ratio(this.counts[k], this.counts[0]),
      conversionFromPrevious: k === 0 ? ratio(this.counts[0], this.counts[0]) : ratio(this.counts[k], this.counts[k - 1]),
      dropoff: k === 0 ? 0 : this.counts[k - 1] - this.counts[k],
      medianSecondsFromPrevious: k === 0 ? null : median(this.gaps[k].values()),
    }))
  }
}
