/**
 * Goals without code (issue 11): per site, a rule that turns matching pageviews or events
 * into conversions named after the goal. The stores keep the goals, a version that changes
 * with every change to them, and the claims that make a goal count once per session;
 * which events match is decided in `derive/goals.ts`.
 */
import type { EnrichedEvent } from '../model.ts'

export interface Goal {
  name: string
  /** A pageview path glob (`/thanks*`), or null for an event goal. */
  path: string | null
  /** An event name, or null for a pageview goal. */
  event: string | null
  /** Property equalities an event goal's event must meet (props compared as strings). */
  props: Record<string, string>
  /** The conversion's fixed value, or null for none. */
  value: number | null
  currency: string | null
}

/** Every site's goals at one version: derivation plans with it and the store refuses a step planned with an older one. */
export interface GoalBook {
  version: number
  bySite: Map<string, Goal[]>
}

/**
 * A goal reached: its conversion row, claimed once per (site, goal, key). `key` is the
 * session id, or the event's own id when it has no session.
 */
export interface GoalHit {
  site: string
  goal: string
  key: string
  sessionId: string | null
  conversion: EnrichedEvent
}

/** A stored event the backfill looks at, with the store's handle on it for paging. */
export interface ScannedEvent {
  ref: number
  sessionId: string | null
  event: EnrichedEvent
}

/** Which stored events a backfill reads: a superset of those its goal can match. */
export interface GoalScan {
  pageviews: boolean
  eventNames: string[]
}

/** A derivation step or backfill chunk planned with goals that changed since: plan it again. */
export class StaleGoalsError extends Error {
  constructor(planned: number, current: number) {
    super(`goals changed while planning (version ${planned}, now ${current})`)
    this.name = 'StaleGoalsError'
  }
}

export interface GoalStore {
  goals(site: string): Promise<Goal[]>
  /** Every site's goals and their version. */
  goalBook(): Promise<GoalBook>
  /**
   * Inserts or replaces a goal, removes the conversions and claims made under its old
   * definition and moves the version on, in one transaction. Answers the new version.
   */
  putGoal(site: string, goal: Goal): Promise<number>
  /** Removes a goal, its conversions and claims; null when there was none, else the new version. */
  deleteGoal(site: string, name: string): Promise<number | null>
  /** Up to `limit` stored events of the site after `afterRef` (in ref order, bots and goal conversions left out) that `scan` selects. */
  scanForGoal(site: string, scan: GoalScan, afterRef: number, limit: number): Promise<ScannedEvent[]>
  /**
   * Claims each hit's (site, goal, key) and stores the conversions of the claims won, in one
   * transaction; throws StaleGoalsError when the goals are no longer at `version`. Answers
   * the conversions stored.
   */
  claimGoalHits(hits: GoalHit[], version: number): Promise<number>
}
