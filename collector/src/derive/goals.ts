/**
 * Goals as derivation applies them: which events a goal matches (the funnel's own step
 * test, so `pageview:/thanks*` means the same in a goal and a funnel), the conversion a
 * match makes, and the backfill that applies a goal just defined to the events stored
 * before it. Pure but for `backfillGoal`, which pages through the store.
 */
import type { EnrichedEvent } from '../model.ts'
import { matchesStep } from '../reports/steps.ts'
import type { FunnelStep } from '../reports/types.ts'
import type { Goal, GoalHit, GoalScan, GoalStore } from '../store/goal-types.ts'
import type { DerivationWrite } from '../store/types.ts'
import { byTime } from './sessions.ts'

/**
 * The funnel step a goal stands for: a pageview path glob, or an event with property equalities.
 *
 * @example
 * goalStep({ name: 'signup', path: '/thanks*', event: null, props: {}, value: null, currency: null }).pathGlob // '/thanks*'
 */
export function goalStep(g: Goal): FunnelStep {
  return g.path !== null
    ? { label: `pageview:${g.path}`, type: 'pageview', name: null, pathGlob: g.path, props: {} }
    : { label: `event:${g.event}`, type: 'event', name: g.event, pathGlob: null, props: g.props }
}

/** The id of a goal's conversion: one per site, goal and claim key, so it is the same however often it is made. */
export const goalConversionId = (goal: string, key: string) => `goal:${goal}:${key}`

/**
 * The conversion a goal makes of a matching event: where, when and to whom the event
 * happened (its receive time too, so it never looks like fresh traffic), valued as the goal says.
 *
 * @example
 * goalConversion(pageview, signup, 's1') // { type: 'conversion', name: 'signup', origin: 'goal', ts: pageview.ts, … }
 */
export function goalConversion(e: EnrichedEvent, g: Goal, key: string): EnrichedEvent {
  return {
    ...e, id: goalConversionId(g.name, key), type: 'conversion', name: g.name, value: g.value, currency: g.value === null ? null : g.currency,
    orderId: null, props: null, origin: 'goal',
  }
}

/** Events a goal may match: real pageviews and events of people, never a goal's own conversions. */
const eligible = (e: EnrichedEvent) => !e.bot && e.origin !== 'goal' && (e.type === 'pageview' || e.type === 'event')

/**
 * The goal hits among events with their sessions: per goal and session (or event, without
 * one) the earliest matching event. Whether the session already has a hit is the store's
 * claim to settle.
 *
 * @example
 * goalHits([{ site: 'shop', event, sessionId: 's1' }], new Map([['shop', [signup]]]))
 * // [{ site: 'shop', goal: 'signup', key: 's1', sessionId: 's1', conversion: { … } }]
 */
export function goalHits(events: Iterable<{ site: string; event: EnrichedEvent; sessionId: string | null }>, goalsOf: (site: string) => Goal[]): GoalHit[] {
  const best = new Map<string, { site: string; goal: Goal; key: string; sessionId: string | null; event: EnrichedEvent }>()
  for (const { site, event: e, sessionId } of events) {
    if (!eligible(e)) continue
    for (const g of goalsOf(site)) {
      if (!matchesStep(goalStep(g), e)) continue
      const key = sessionId ?? e.id
      const k = `${site}\0${g.name}\0${key}`
      const had = best.get(k)
      if (!had || byTime(e, had.event) < 0) best.set(k, { site, goal: g, key, sessionId, event: e })
    }
  }
  return [...best.values()].map((h) => ({
    site: h.site, goal: h.goal.name, key: h.key, sessionId: h.sessionId, conversion: goalConversion(h.event, h.goal, h.key),
  }))
}

/**
 * What a re-derivation does to a visitor's stored goal conversions, given in time order
 * with the session each had (`was`, its claim's key) and has now: a conversion keeps its
 * goal's claim, moved to its new session, unless an earlier one of the same goal is in
 * that session now (two sessions merged), in which case it goes with its claim.
 *
 * @example
 * goalMoves('shop', [{ goal: 'signup', was: 's2', now: 's1', ref: 7 }]) // [{ site: 'shop', goal: 'signup', from: 's2', to: 's1', ref: 7, drop: false }]
 */
export function goalMoves(site: string, rows: { goal: string; was: string; now: string; ref: number }[]): NonNullable<DerivationWrite['goalMoves']> {
  const seen = new Set<string>()
  const out: NonNullable<DerivationWrite['goalMoves']> = []
  for (const r of rows) {
    const k = `${r.goal}\0${r.now}`
    const second = seen.has(k)
    seen.add(k)
    if (second || r.was !== r.now) out.push({ site, goal: r.goal, from: r.was, to: r.now, ref: r.ref, drop: second })
  }
  return out
}

/** What a backfill reads for a goal: its pageviews, or its event's name. */
export function goalScan(g: Goal): GoalScan {
  return g.path !== null ? { pageviews: true, eventNames: [] } : { pageviews: false, eventNames: [g.event!] }
}

/** Stored events per backfill chunk: one read and one short write transaction each. */
export const BACKFILL_CHUNK = 5000

/**
 * Applies a goal just defined to the events stored before it, chunk by chunk, with the
 * same claims derivation makes (so each session counts once whoever gets there first).
 * Stops without error when the goals change meanwhile: the newer definition has a
 * backfill of its own. Answers the conversions made.
 *
 * @example
 * const version = await store.goals.putGoal('shop', signup)
 * await backfillGoal(store.goals, 'shop', signup, version) // 42
 */
export async function backfillGoal(store: GoalStore, site: string, goal: Goal, version: number, chunk = BACKFILL_CHUNK): Promise<number> {
  const scan = goalScan(goal)
  let made = 0
  for (let after = 0; ;) {
    const rows = await store.scanForGoal(site, scan, after, chunk)
    if (rows.length === 0) return made
    after = rows[rows.length - 1].ref
    const hits = goalHits(rows.map((r) => ({ site, event: r.event, sessionId: r.sessionId })), () => [goal])
    try {
      made += await store.claimGoalHits(hits, version)
    } catch (err) {
      if ((err as Error).name === 'StaleGoalsError') return made
      throw err
    }
  }
}
