import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { FunnelTally, matchFunnel, matchFunnelColumns, stepMatrix } from './funnel.ts'
import { matchesStep, parseStep } from './steps.ts'
import type { FunnelEvent, FunnelKey } from '../store/report-types.ts'
import type { FunnelStep } from './types.ts'

const MIN = 60_000
const range = { start: 0, end: 1000 * MIN }
const steps = (...labels: string[]) => labels.map((l) => parseStep(l) as FunnelStep)
let seq = 0
const pv = (ts: number, path: string): FunnelEvent => ({ seq: ++seq, ts, type: 'pageview', name: 'pageview', path, props: null })
const ev = (ts: number, name: string, props: FunnelEvent['props'] = null): FunnelEvent => ({ seq: ++seq, ts, type: 'event', name, path: null, props })
const conv = (ts: number, name = 'purchase'): FunnelEvent => ({ seq: ++seq, ts, type: 'conversion', name, path: null, props: null })

const opts = (o: { windowMs?: number; strict?: boolean } = {}) => ({ range, windowMs: o.windowMs ?? 60 * MIN, strict: o.strict ?? false })

describe('matchFunnel', () => {
  const s3 = steps('pageview:/pricing', 'event:signup', 'conversion:purchase')

  it('follows steps in order with other events between', () => {
    const m = matchFunnel([pv(0, '/pricing'), pv(MIN, '/about'), ev(2 * MIN, 'signup'), conv(5 * MIN)], s3, opts())
    expect(m?.reached).toBe(3)
    expect(m?.times).toEqual([0, 2 * MIN, 5 * MIN])
  })

  it('does not count steps out of order', () => {
    const m = matchFunnel([ev(0, 'signup'), pv(MIN, '/pricing'), conv(2 * MIN)], s3, opts())
    expect(m?.reached).toBe(1)
  })

  it('returns null without a step-1 event in the range', () => {
    expect(matchFunnel([ev(0, 'signup')], s3, opts())).toBeNull()
    const outside = [pv(-MIN, '/pricing'), ev(0, 'signup')]
    expect(matchFunnel(outside, s3, opts())).toBeNull()
  })

  it('lets later steps run past the range end but not past the window', () => {
    const r = { start: 0, end: 10 * MIN }
    const m = matchFunnel([pv(9 * MIN, '/pricing'), ev(30 * MIN, 'signup')], s3, { range: r, windowMs: 60 * MIN, strict: false })
    expect(m?.reached).toBe(2)
  })

  it('counts a step exactly at the window end, not one millisecond later', () => {
    const w = 10 * MIN
    expect(matchFunnel([pv(0, '/pricing'), ev(w, 'signup')], s3, opts({ windowMs: w }))?.reached).toBe(2)
    expect(matchFunnel([pv(0, '/pricing'), ev(w + 1, 'signup')], s3, opts({ windowMs: w }))?.reached).toBe(1)
  })

  it('measures the window from step 1, not from the previous step', () => {
    const w = 10 * MIN
    const m = matchFunnel([pv(0, '/pricing'), ev(6 * MIN, 'signup'), conv(12 * MIN)], s3, opts({ windowMs: w }))
    expect(m?.reached).toBe(2)
  })

  it('tries a later entry when the first one runs out of window', () => {
    const w = 10 * MIN
    const m = matchFunnel([pv(0, '/pricing'), pv(20 * MIN, '/pricing'), ev(25 * MIN, 'signup')], s3, opts({ windowMs: w }))
    expect(m?.reached).toBe(2)
    expect(m?.times).toEqual([20 * MIN, 25 * MIN])
  })

  it('prefers the earliest entry among equally deep attempts', () => {
    const m = matchFunnel([pv(0, '/pricing'), pv(MIN, '/pricing'), ev(2 * MIN, 'signup')], s3, opts())
    expect(m?.times).toEqual([0, 2 * MIN])
  })

  it('uses one event for at most one step (repeated steps need two events)', () => {
    const twice = steps('pageview:/a', 'pageview:/a')
    expect(matchFunnel([pv(0, '/a')], twice, opts())?.reached).toBe(1)
    expect(matchFunnel([pv(0, '/a'), pv(MIN, '/a')], twice, opts())?.reached).toBe(2)
  })

  it('counts a step reached twice once', () => {
    const s2 = steps('pageview:/pricing', 'conversion:purchase')
    const tally = new FunnelTally(s2.map((s) => s.label))
    tally.add(matchFunnel([pv(0, '/pricing'), conv(MIN), conv(2 * MIN)], s2, opts())!)
    expect(tally.rows().map((r) => r.visitors)).toEqual([1, 1])
    expect(tally.rows()[1].medianSecondsFromPrevious).toBe(60)
  })

  it('breaks timestamp ties by arrival order', () => {
    const s2 = steps('event:a', 'event:b')
    // same millisecond: b arrived before a, so b cannot follow a
    expect(matchFunnel([ev(5, 'b'), ev(5, 'a')], s2, opts())?.reached).toBe(1)
    expect(matchFunnel([ev(5, 'a'), ev(5, 'b')], s2, opts())?.reached).toBe(2)
  })

  it('strict mode allows no other event of the unit between steps', () => {
    const events = [pv(0, '/pricing'), pv(MIN, '/about'), ev(2 * MIN, 'signup'), conv(3 * MIN)]
    expect(matchFunnel(events, s3, opts({ strict: true }))?.reached).toBe(1)
    const tight = [pv(0, '/pricing'), ev(MIN, 'signup'), conv(2 * MIN)]
    expect(matchFunnel(tight, s3, opts({ strict: true }))?.reached).toBe(3)
  })

  it('strict mode follows `next` when the store left out events no step matches', () => {
    const a = pv(0, '/pricing')
    const b = ev(MIN, 'signup')
    // something else was stored between a and b: a.next names it, not b
    expect(matchFunnel([{ ...a, next: b.seq - 1000 }, { ...b, next: null }], s3, opts({ strict: true }))?.reached).toBe(1)
    expect(matchFunnel([{ ...a, next: b.seq }, { ...b, next: null }], s3, opts({ strict: true }))?.reached).toBe(2)
    // ordered mode ignores it
    expect(matchFunnel([{ ...a, next: b.seq - 1000 }, b], s3, opts())?.reached).toBe(2)
  })

  it('strict mode restarts at a later entry', () => {
    const events = [pv(0, '/pricing'), pv(MIN, '/about'), pv(2 * MIN, '/pricing'), ev(3 * MIN, 'signup')]
    const m = matchFunnel(events, s3, opts({ strict: true }))
    expect(m?.reached).toBe(2)
    expect(m?.times).toEqual([2 * MIN, 3 * MIN])
  })

  it('checks property equalities as strings and path globs by segment', () => {
    const s = steps('pageview:/blog/*', 'event:cta_click?plan=pro')
    expect(matchFunnel([pv(0, '/blog/a'), ev(MIN, 'cta_click', { plan: 'basic' })], s, opts())?.reached).toBe(1)
    expect(matchFunnel([pv(0, '/blog/a'), ev(MIN, 'cta_click', { plan: 'pro' })], s, opts())?.reached).toBe(2)
    expect(matchFunnel([pv(0, '/blog/a/b'), ev(MIN, 'cta_click', { plan: 'pro' })], s, opts())).toBeNull()
    const n = steps('event:x?n=3', 'event:y')
    expect(matchFunnel([ev(0, 'x', { n: 3 }), ev(1, 'y')], n, opts())?.reached).toBe(2)
  })
})

describe('FunnelTally', () => {
  it('computes rates, drop-off and medians by hand; null where the base is zero', () => {
    const t = new FunnelTally(['a', 'b', 'c'])
    t.add({ reached: 3, times: [0, 10_000, 20_000] })
    t.add({ reached: 2, times: [0, 30_000] })
    t.add({ reached: 2, times: [0, 50_000] })
    t.add({ reached: 1, times: [0] })
    expect(t.rows()).toEqual([
      { step: 'a', visitors: 4, conversionFromStart: 1, conversionFromPrevious: 1, dropoff: 0, medianSecondsFromPrevious: null },
      { step: 'b', visitors: 3, conversionFromStart: 0.75, conversionFromPrevious: 0.75, dropoff: 1, medianSecondsFromPrevious: 30 },
      { step: 'c', visitors: 1, conversionFromStart: 0.25, conversionFromPrevious: 1 / 3, dropoff: 2, medianSecondsFromPrevious: 10 },
    ])
    expect(new FunnelTally(['a', 'b']).rows()[1]).toEqual(
      { step: 'b', visitors: 0, conversionFromStart: null, conversionFromPrevious: null, dropoff: 0, medianSecondsFromPrevious: null })
  })

  it('counts as one tally when tallies of disjoint units are merged, across its buffers growing, and twice the same rows', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 2 }), { maxLength: 200, size: 'max' }), fc.nat(),
      (units, cut) => {
        const matches = units.map((gaps) => ({ reached: gaps.length + 1, times: gaps.reduce<number[]>((t, g) => [...t, t[t.length - 1] + g * 1000], [0]) }))
        const whole = new FunnelTally(['a', 'b', 'c'])
        const [left, right] = [new FunnelTally(['a', 'b', 'c']), new FunnelTally(['a', 'b', 'c'])]
        matches.forEach((m, i) => { whole.add(m); (i < cut % (matches.length + 1) ? left : right).add(m) })
        left.merge(structuredClone(right.state()))
        expect(left.rows()).toEqual(whole.rows())
        // Each step's median by sorting its gaps, apart from the tallies.
        for (const k of [1, 2]) {
          const gaps = units.filter((g) => g.length >= k).map((g) => g[k - 1]).sort((a, b) => a - b)
          const mid = gaps.length >> 1
          expect(whole.rows()[k].medianSecondsFromPrevious).toBe(gaps.length === 0 ? null : gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2)
        }
        // rows() selects medians in a copy: asking again answers the same.
        expect(left.rows()).toEqual(whole.rows())
      }))
  })
})

describe('matchFunnelColumns', () => {
  // Keys a generated event may carry, and step lists over them (globs, repeats, any page).
  const KEYS: FunnelKey[] = [
    { type: 'pageview', name: '', path: '/pricing' }, { type: 'pageview', name: '', path: '/blog/a' },
    { type: 'pageview', name: '', path: '/blog/a/b' }, { type: 'event', name: 'signup', path: '' },
    { type: 'conversion', name: 'purchase', path: '' }, { type: 'conversion', name: 'lead', path: '' },
  ]
  const STEP_LISTS = [
    ['pageview:/pricing', 'event:signup', 'conversion:purchase'],
    ['pageview:/**', 'pageview:/pricing', 'conversion:lead', 'conversion:purchase'],
    ['pageview:/blog/*', 'pageview:/blog/*', 'conversion:purchase'],
    ['event:signup', 'event:signup'],
    ['pageview:/pricing'],
  ]
  const toEvent = (k: FunnelKey, ts: number, i: number): FunnelEvent =>
    ({ seq: i, ts, type: k.type, name: k.type === 'pageview' ? 'pageview' : k.name, path: k.type === 'pageview' ? k.path : null, props: null })

  it('gives the same match as matchFunnel on generated units: ordered and strict, with property filters, other events between', () => {
    // Events of a key no step reads ("other") are not handed over: in strict mode they still break a chain.
    const OTHER = KEYS.length
    const PLANS = [undefined, 'pro', 'free'] as const
    const PROP_LISTS = [...STEP_LISTS, ['pageview:/pricing', 'event:signup?plan=pro', 'conversion:purchase'], ['event:signup?plan=free', 'event:signup']]
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: OTHER }), fc.integer({ min: -30, max: 1100 }), fc.integer({ min: 0, max: 2 })), { maxLength: 25, size: 'max' }),
      fc.integer({ min: 0, max: PROP_LISTS.length - 1 }), fc.integer({ min: 1, max: 400 }), fc.boolean(),
      (raw, which, windowMin, strict) => {
        // A unit's events in time then arrival order, as both stores hand them over.
        const all = raw.map(([k, t, plan], i) => ({ k, ts: t * MIN, i, props: PLANS[plan] ? { plan: PLANS[plan]! } : null }))
          .sort((a, b) => a.ts - b.ts || a.i - b.i)
        const nextOf = new Map(all.map((e, n) => [e.i, n + 1 < all.length ? all[n + 1].i : null]))
        const evs = all.filter((e) => e.k !== OTHER)
        const st = steps(...PROP_LISTS[which])
        const cols = { ts: Float64Array.from(evs, (e) => e.ts), key: Uint32Array.from(evs, (e) => e.k) }
        const rows = evs.map((e) => ({ ...toEvent(KEYS[e.k], e.ts, e.i), props: e.props, next: nextOf.get(e.i)! }))
        const byRows = matchFunnel(rows, st, { range, windowMs: windowMin * MIN, strict })
        const byCols = matchFunnelColumns(cols, 0, evs.length, stepMatrix(KEYS, st), st.length, range, windowMin * MIN, {
          strict,
          propsMatch: (j, s) => matchesStep(st[s], rows[j]),
          follows: (i, j) => nextOf.get(evs[i].i) === evs[j].i,
        })
        expect(byCols === null).toBe(byRows === null)
        if (byRows && byCols) {
          expect(byCols.reached).toBe(byRows.reached)
          expect([...byCols.times.subarray(0, byCols.reached)]).toEqual(byRows.times)
          expect(evs[byCols.entry].i).toBe(byRows.entry.seq)
        }
      }), { numRuns: 3000 })
  })

  it('reads only its unit: events outside from..to are not looked at', () => {
    const st = steps('pageview:/pricing', 'conversion:purchase')
    const cols = { ts: Float64Array.from([0, MIN, 2 * MIN]), key: Uint32Array.from([0, 0, 4]) }
    expect(matchFunnelColumns(cols, 0, 2, stepMatrix(KEYS, st), 2, range, 60 * MIN)?.reached).toBe(1)
    const m = matchFunnelColumns(cols, 1, 3, stepMatrix(KEYS, st), 2, range, 60 * MIN)
    expect(m && { reached: m.reached, times: [...m.times], entry: m.entry }).toEqual({ reached: 2, times: [MIN, 2 * MIN], entry: 1 })
  })
})
