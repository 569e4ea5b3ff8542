import { describe, expect, it } from 'vitest'
import { goalHits, goalMoves } from './goals.ts'
import { parseGoal } from '../reports/goals.ts'
import type { Goal } from '../store/goal-types.ts'
import type { EnrichedEvent, Props } from '../model.ts'

const goal = (o: Partial<Goal>): Goal => ({ name: 'g', path: null, event: null, props: {}, value: null, currency: null, ...o })
const ev = (id: string, ts: number, o: { type?: EnrichedEvent['type']; name?: string; path?: string; props?: Props; bot?: boolean; origin?: EnrichedEvent['origin'] }) => ({
  id, ts, type: o.type ?? 'pageview', name: o.name ?? 'pageview', path: o.path ?? null, props: o.props ?? null, bot: o.bot ?? false,
  origin: o.origin ?? 'browser', value: null, currency: null, orderId: null,
}) as EnrichedEvent

describe('parseGoal', () => {
  it("takes a path glob or an event with props; a value without currency is in the site's", () => {
    expect(parseGoal('signup', { path: '/thanks*' }, 'EUR')).toEqual(goal({ name: 'signup', path: '/thanks*' }))
    expect(parseGoal('pro', { event: 'plan_select', props: { plan: 'pro', seats: 5 }, value: 30 }, 'EUR'))
      .toEqual(goal({ name: 'pro', event: 'plan_select', props: { plan: 'pro', seats: '5' }, value: 30, currency: 'EUR' }))
  })
  it('names every bad field', () => {
    const r = parseGoal('bad name', { path: '/a', props: { a: 'b' }, value: -1, colour: 'red' }, 'EUR')
    if (!('message' in r)) throw new Error('expected issues')
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'value', 'colour']))
    expect(parseGoal('x', {}, 'EUR')).toMatchObject({ issues: [{ path: 'path', message: 'path: give either a path or an event' }] })
  })
})

describe('goalHits', () => {
  const goals = [goal({ name: 'thanks', path: '/thanks/*', value: 10, currency: 'EUR' }), goal({ name: 'pro', event: 'plan', props: { plan: 'pro' } })]
  it("takes each goal's earliest matching event per session, with the funnel's own matching", () => {
    const hits = goalHits([
      { site: 's', sessionId: 's1', event: ev('e2', 2, { path: '/thanks/b' }) },
      { site: 's', sessionId: 's1', event: ev('e1', 1, { path: '/thanks/a' }) },
      { site: 's', sessionId: 's1', event: ev('e3', 0, { path: '/thanks/a/deeper' }) }, // * stays within one segment
      { site: 's', sessionId: 's2', event: ev('e4', 3, { path: '/thanks/c' }) },
      { site: 's', sessionId: 's1', event: ev('e5', 4, { type: 'event', name: 'plan', props: { plan: 'basic' } }) },
      { site: 's', sessionId: 's1', event: ev('e6', 5, { type: 'event', name: 'plan', props: { plan: 'pro' } }) },
      { site: 's', sessionId: null, event: ev('e7', 6, { type: 'event', name: 'plan', props: { plan: 'pro' } }) },
      { site: 's', sessionId: 's3', event: ev('e8', 7, { path: '/thanks/bot', bot: true }) },
      { site: 'other', sessionId: 's4', event: ev('e9', 8, { path: '/thanks/x' }) },
    ], (site) => (site === 's' ? goals : []))
    expect(hits.map((h) => [h.goal, h.key, h.conversion.ts])).toEqual([['thanks', 's1', 1], ['thanks', 's2', 3], ['pro', 's1', 5], ['pro', 'e7', 6]])
    expect(hits[0].conversion).toMatchObject({ id: 'goal:thanks:s1', type: 'conversion', name: 'thanks', value: 10, currency: 'EUR', origin: 'goal', path: '/thanks/a' })
  })
  it('never matches a goal conversion itself', () => {
    expect(goalHits([{ site: 's', sessionId: 's1', event: ev('goal:x', 1, { type: 'event', name: 'plan', props: { plan: 'pro' }, origin: 'goal' }) }], () => goals)).toEqual([])
  })
})

describe('goalMoves', () => {
  it('moves claims with their sessions and keeps the earliest conversion of a goal in a merged session', () => {
    expect(goalMoves('s', [
      { goal: 'signup', was: 's1', now: 's1', ref: 1 }, // unchanged
      { goal: 'pro', was: 's2', now: 's1', ref: 2 },    // moved: its claim follows
      { goal: 'signup', was: 's2', now: 's1', ref: 3 }, // a second signup in s1: goes
      { goal: 'signup', was: 's3', now: 's3', ref: 4 },
    ])).toEqual([
      { site: 's', goal: 'pro', from: 's2', to: 's1', ref: 2, drop: false },
      { site: 's', goal: 'signup', from: 's2', to: 's1', ref: 3, drop: true },
    ])
  })
})
