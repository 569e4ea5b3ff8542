import { describe, expect, it } from 'vitest'
import { prng } from '../../../demo-site/seeded-random.ts'
import { DataDrivenCredit, MarkovChain } from './markov.ts'
import { dimensionValue } from './dimensions.ts'
import type { TouchSession } from '../store/report-types.ts'

const near = (x: number, y: number) => expect(x).toBeCloseTo(y, 12)

describe('MarkovChain', () => {
  it('collapses consecutive repeats only', () => {
    const chain = (paths: [string[], boolean][]) => {
      const c = new MarkovChain()
      for (const [states, converted] of paths) c.addPath(states, converted)
      return [c.conversionProbability(), Object.fromEntries(c.removalEffects())]
    }
    // A→B→A→conv and B→null: without A nothing converts (effect 1); without B, 1/4 of 1/2 is left (1/2).
    const collapsed = chain([[['A', 'B', 'A'], true], [['B'], false]])
    near(collapsed[0] as number, 0.5)
    near((collapsed[1] as Record<string, number>).A, 1)
    near((collapsed[1] as Record<string, number>).B, 0.5)
    expect(chain([[['A', 'A', 'B', 'A', 'A'], true], [['B', 'B'], false]])).toEqual(collapsed)
    // The A after B is not a repeat: dropping it changes the chain (A→B→conv: the effects swap).
    const [, swapped] = chain([[['A', 'B'], true], [['B'], false]]) as [number, Record<string, number>]
    near(swapped.A, 0.5)
    near(swapped.B, 1)
  })

  it('gives removal effects of a small chain worked out by hand', () => {
    // Paths: A→B→conv, A→null, B→conv.
    // start→A 2/3, start→B 1/3; A→B 1/2, A→null 1/2; B→conv 1.
    // P(conv) = 2/3·1/2·1 + 1/3·1 = 2/3.
    // Without A: start→A leads to null, P = 1/3 → effect 1 − (1/3)/(2/3) = 1/2.
    // Without B: nothing reaches conv, P = 0 → effect 1.
    const c = new MarkovChain()
    c.addPath(['A', 'B'], true)
    c.addPath(['A'], false)
    c.addPath(['B', 'B'], true) // collapses to B
    near(c.conversionProbability(), 2 / 3)
    near(c.conversionProbability('A'), 1 / 3)
    near(c.conversionProbability('B'), 0)
    const re = c.removalEffects()
    near(re.get('A')!, 1 / 2)
    near(re.get('B')!, 1)
  })

  it('solves chains with loops', () => {
    // Paths: A→B→A→conv, B→null.
    // start→A 1/2, start→B 1/2; A→B 1/2, A→conv 1/2; B→A 1/2, B→null 1/2.
    // p(A) = 1/2·p(B) + 1/2, p(B) = 1/2·p(A) → p(A) = 2/3, p(B) = 1/3; P = 1/2·2/3 + 1/2·1/3 = 1/2.
    // Without A: p(B) = 0, P = 0 → effect 1. Without B: p(A) = 1/2, P = 1/4 → effect 1/2.
    const c = new MarkovChain()
    c.addPath(['A', 'B', 'A'], true)
    c.addPath(['B'], false)
    near(c.conversionProbability(), 1 / 2)
    near(c.conversionProbability('B'), 1 / 4)
    near(c.removalEffects().get('A')!, 1)
    near(c.removalEffects().get('B')!, 1 / 2)
  })

  it('gives, from one inverse, the effects the definition gives state by state', () => {
    // Random paths over 30 states, loops included: h(k)·p(k) ÷ P must equal
    // 1 − P(conversion with k leading to null) ÷ P, solved separately for each k.
    let seed = 7
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    const c = new MarkovChain()
    for (let i = 0; i < 3000; i++) {
      const path = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => `s${Math.floor(rnd() * rnd() * 30)}`)
      c.addPath(path, rnd() < 0.2)
    }
    const base = c.conversionProbability()
    const effects = c.removalEffects()
    expect(effects.size).toBe(c.states().length)
    for (const s of c.states()) expect(effects.get(s)!).toBeCloseTo(1 - c.conversionProbability(s) / base, 10)
  })

  it('has no effects when nothing converts', () => {
    const c = new MarkovChain()
    c.addPath(['A'], false)
    expect(c.conversionProbability()).toBe(0)
    expect(c.removalEffects().size).toBe(0)
  })
})

const email = (started: number): TouchSession => ({ started, channel: 'Email', source: 'newsletter', medium: 'email', campaign: 'nov', clickIdType: null, referrerHost: null })
const paid = (started: number): TouchSession => ({ started, channel: 'Paid Search', source: 'google', medium: 'cpc', campaign: 'brand', clickIdType: 'gclid', referrerHost: null })
const direct = (started: number): TouchSession => ({ started, channel: 'Direct', source: null, medium: null, campaign: null, clickIdType: null, referrerHost: null })

describe('DataDrivenCredit', () => {
  const range = { start: 1000, end: 2000 }
  const lookback = 500

  it('builds paths from lookback and range and splits conversions and revenue by removal effect', () => {
    const dd = new DataDrivenCredit((s) => dimensionValue('channel', s))
    // v1: Email@800, Paid@1100, converts @1200 for 30 EUR → path Email→Paid→conv (800 ≥ 1200 − 500).
    dd.addVisitor([email(800), paid(1100)], [{ ts: 1200, value: 30, currency: 'EUR' }], range, lookback, 'EUR')
    // v2: Paid@1300, Direct@1400, no conversion → Paid→Direct→null.
    dd.addVisitor([paid(1300), direct(1400)], [], range, lookback, 'EUR')
    // v3: Email@500 is before the range, Direct@1500 → Direct→null.
    dd.addVisitor([email(500), direct(1500)], [], range, lookback, 'EUR')
    // v4: Direct@1600 (Direct counts as a state), converts @1650 for 10 USD → Direct→conv.
    dd.addVisitor([direct(1600)], [{ ts: 1650, value: 10, currency: 'USD' }], range, lookback, 'EUR')
    // v5: a conversion without any session (no value) → start→conv.
    dd.addVisitor([], [{ ts: 1700, value: null, currency: null }], range, lookback, 'EUR')
    //
    // Transitions: start→Email 1, →Paid 1, →Direct 2, →conv 1 (of 5); Email→Paid 1;
    // Paid→conv 1, →Direct 1; Direct→null 2, →conv 1.
    // p(Direct) = 1/3, p(Paid) = 1/2 + 1/2·1/3 = 2/3, p(Email) = 2/3.
    // P = (2/3 + 2/3 + 2·1/3 + 1)/5 = 3/5.
    // Without Email: (0 + 2/3 + 2/3 + 1)/5 = 7/15 → effect 1 − 7/9 = 2/9.
    // Without Paid (Email then leads only to it): (0 + 0 + 2/3 + 1)/5 = 1/3 → effect 1 − 5/9 = 4/9.
    // Without Direct: p(Paid) = p(Email) = 1/2: (1/2 + 1/2 + 0 + 1)/5 = 2/5 → effect 1 − 6/9 = 1/3.
    // Effects sum to 1, so shares are 2/9, 4/9, 3/9 of 3 conversions, 30 EUR and 10 USD.
    const { ledger, removalEffects } = dd.result('Direct')
    near(removalEffects.get('Email')!, 2 / 9)
    near(removalEffects.get('Paid Search')!, 4 / 9)
    near(removalEffects.get('Direct')!, 1 / 3)
    const rows = ledger.rows()
    expect(rows.map((r) => r.value)).toEqual(['Paid Search', 'Direct', 'Email'])
    near(rows[0].conversions, 4 / 3)
    near(rows[0].revenue.EUR, 40 / 3)
    near(rows[0].revenue.USD, 40 / 9)
    near(rows[1].conversions, 1)
    near(rows[1].revenue.EUR, 10)
    near(rows[2].conversions, 2 / 3)
    near(rows[2].revenue.USD, 20 / 9)
    near(rows.reduce((a, r) => a + r.conversions, 0), 3)
  })

  it('gives each of a visitor\'s conversions its own path and ignores sessions after it', () => {
    const dd = new DataDrivenCredit((s) => dimensionValue('channel', s))
    // Conversions @1200 (path Email→conv) and @1900 (lookback from 1400: Paid→conv);
    // Direct@1950 comes after both and is in no path. v2: Email→null.
    // start→Email 2, start→Paid 1 (of 3);
    // Email→conv 1, →null 1; Paid→conv 1. P = 2/3·1/2 + 1/3 = 2/3.
    // Without Email: 1/3 → effect 1/2; without Paid: 1/3 → effect 1/2. Each gets 1 of 2.
    dd.addVisitor([email(1100), paid(1500), direct(1950)], [{ ts: 1200, value: 5, currency: null }, { ts: 1900, value: 7, currency: null }], range, lookback, 'EUR')
    dd.addVisitor([email(1300)], [], range, lookback, 'EUR')
    const rows = dd.result('Direct').ledger.rows()
    expect(rows.map((r) => r.value)).toEqual(['Email', 'Paid Search'])
    near(rows[0].conversions, 1)
    near(rows[1].conversions, 1)
    near(rows[0].revenue.EUR, 6)
  })

  it('states are the dimension\'s values: Direct sessions are (direct) by source', () => {
    const dd = new DataDrivenCredit((s) => dimensionValue('source', s))
    dd.addVisitor([direct(1100), paid(1150)], [{ ts: 1200, value: null, currency: null }], range, lookback, 'EUR')
    // One path (direct)→google→conv: removing either loses everything; effects 1 and 1.
    const rows = dd.result('(direct)').ledger.rows()
    expect(rows.map((r) => [r.value, r.conversions])).toEqual([['(direct)', 0.5], ['google', 0.5]])
  })

  it('gives conversions without any session to the unattributed value, and nothing without conversions', () => {
    const dd = new DataDrivenCredit((s) => dimensionValue('channel', s))
    dd.addVisitor([], [{ ts: 1200, value: 9, currency: 'EUR' }], range, lookback, 'EUR')
    dd.addVisitor([email(1300)], [], range, lookback, 'EUR')
    // Email never leads to a conversion: effect 0, so the one conversion stays unattributed.
    expect(dd.result('Direct').ledger.rows()).toEqual([{ value: 'Direct', conversions: 1, revenue: { EUR: 9 } }])
    const none = new DataDrivenCredit((s) => dimensionValue('channel', s))
    none.addVisitor([email(1300)], [], range, lookback, 'EUR')
    expect(none.result('Direct').ledger.rows()).toEqual([])
  })
})

describe('order of visitors', () => {
  it('gives the same chain whichever order 150 states are first seen in, and when asked before all paths are in', () => {
    // States seen first get small ids, counted in a dense square; the rest in maps: any order must agree.
    const rnd = prng(9)
    const paths = Array.from({ length: 3000 }, () => ({
      states: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `c${Math.floor(rnd() * rnd() * 150)}`), converted: rnd() < 0.25,
    }))
    const chain = (order: typeof paths, peekAt = -1) => {
      const c = new MarkovChain()
      order.forEach((p, i) => {
        if (i === peekAt) c.removalEffects()
        c.addPath(p.states, p.converted)
      })
      return { p: c.conversionProbability(), effects: [...c.removalEffects()].sort(), states: c.states().length }
    }
    const first = chain(paths)
    expect(first.states).toBeGreaterThan(100)
    expect(chain([...paths].reverse())).toEqual(first)
    expect(chain(paths, 1500)).toEqual(first)
  })


  it('does not change removal effects or credit by a single bit', () => {
    const states = ['Email', 'Paid Search', 'Organic Search', 'Referral', 'Direct', 'Display']
    const rnd = prng(5)
    const visitors = Array.from({ length: 400 }, (_, v) => {
      const sessions = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, k) => ({
        started: k * 3_600_000, channel: states[Math.floor(rnd() * states.length)], source: null, medium: null, campaign: null, clickIdType: null, referrerHost: null,
      }))
      const conversions = rnd() < 0.3 ? [{ ts: sessions.length * 3_600_000, value: Math.round(rnd() * 1e4) / 100 + 0.001 * v, currency: rnd() < 0.2 ? 'USD' : null }] : []
      return { sessions, conversions }
    })
    const range = { start: 0, end: 100 * 3_600_000 }
    const run = (order: typeof visitors) => {
      const dd = new DataDrivenCredit((s) => s?.channel ?? 'Direct')
      for (const v of order) dd.addVisitor(v.sessions, v.conversions, range, 30 * 86_400_000, 'EUR')
      const { ledger, removalEffects } = dd.result('Direct')
      return { rows: ledger.rows(), effects: [...removalEffects].sort() }
    }
    const first = run(visitors)
    expect(first.effects.length).toBe(states.length)
    for (const seed of [1, 2, 3]) {
      const r = prng(seed)
      expect(run(visitors.map((v) => ({ v, k: r() })).sort((a, b) => a.k - b.k).map((x) => x.v))).toEqual(first)
    }
    // Counted in shares (report workers), handed over as plain data and put together: the same to the bit.
    for (const of of [2, 3]) {
      const merged = new DataDrivenCredit((s) => s?.channel ?? 'Direct')
      for (let part = 0; part < of; part++) {
        const share = new DataDrivenCredit((s) => s?.channel ?? 'Direct')
        visitors.forEach((v, i) => { if (i % of === part) share.addVisitor(v.sessions, v.conversions, range, 30 * 86_400_000, 'EUR') })
        merged.merge(structuredClone(share.state()))
      }
      const { ledger, removalEffects } = merged.result('Direct')
      expect({ rows: ledger.rows(), effects: [...removalEffects].sort() }, `${of} shares`).toEqual(first)
    }
  })

  it('hands a chain\'s transitions over by name, the dense square\'s and the maps\' alike', () => {
    // More states than the dense square holds: ids above it are counted in maps.
    const rnd = prng(3)
    const paths = Array.from({ length: 2000 }, () => ({ states: [`c${Math.floor(rnd() * 90)}`, `c${Math.floor(rnd() * 90)}`], converted: rnd() < 0.3 }))
    const whole = new MarkovChain()
    const [a, b] = [new MarkovChain(), new MarkovChain()]
    paths.forEach((p, i) => { whole.addPath(p.states, p.converted); (i < 700 ? a : b).addPath(p.states, p.converted) })
    a.addTransitions(structuredClone(b.transitions()))
    expect([...a.removalEffects()].sort()).toEqual([...whole.removalEffects()].sort())
    expect(a.conversionProbability()).toBe(whole.conversionProbability())
    expect(a.transitions().reduce((n, t) => n + t[2], 0)).toBe(whole.transitions().reduce((n, t) => n + t[2], 0))
  })
})
