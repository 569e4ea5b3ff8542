import type { ReportStore } from './report-types.ts'
import type { TrustStore } from './trust-types.ts'
import type { GoalHit, GoalStore } from './goal-types.ts'
import type { AlertStore } from './alert-types.ts'
import type { ExposureWorking, SlotCrediting } from './worked-rollup-rows.ts'

export type { EventType, EventOrigin, Props, Touch, EnrichedEvent, InsertOutcome, Site, QuarantineRow } from '../model.ts'
import type { DerivedSession, EnrichedEvent, InsertOutcome, QuarantineRow, SessionFields, Site } from '../model.ts'

/** Accepted events of one request, waiting to be derived (sessions, report tables). */
export interface PendingGroup {
  /** Acknowledgement order; derivation handles groups in this order. */
  seq: number
  site: string
  received: number
  events: EnrichedEvent[]
}


export interface StoredEvent {
  /** The store's handle on the row (SQLite rowid, PostgreSQL seq). */
  ref: number
  sessionId: string | null
  event: SessionFields
  /** The goal when the row is a goal conversion (origin 'goal'), else null. */
  goal: string | null
}

/** One derivation step, written in one transaction. */
export interface DerivationWrite {
  /**
   * The pending groups this step handled (their seqs): they are removed in the same
   * transaction. A list, not a high-water mark: with several processes on PostgreSQL a
   * group with a lower seq can commit after one with a higher seq.
   */
  done: number[]
  /** The pending events, each with its session (null: no visitor, no session). */
  events: { site: string; event: EnrichedEvent; sessionId: string | null }[]
  /** Sessions of a visitor started at or after `from` are re-derived: delete them first. */
  dropSessions: { site: string; visitor: string; from: number }[]
  /** Sessions to insert or replace (by site and id). */
  sessions: { site: string; session: DerivedSession }[]
  /** Stored events whose session changed. */
  moved: { ref: number; sessionId: string }[]
  /**
   * Stored goal conversions whose session a re-derivation changed, done before `goalHits`:
   * the claim on `from` goes and, unless `drop`, one on `to` is made; with `drop` (a second
   * conversion of the goal in one session) the row `ref` goes too. Drops come first.
   */
  goalMoves?: { site: string; goal: string; from: string; to: string; ref: number; drop: boolean }[]
  /** Goal conversions to claim (once per site, goal and session) and store. */
  goalHits?: GoalHit[]
  /** The goals' version the step was planned with: the store refuses the step (StaleGoalsError) if they changed since. */
  goalsVersion?: number
}

/** How far derived data lags behind what was acknowledged. */
export interface DerivationBacklog {
  events: number
  /** Receive time of the oldest pending group; null when nothing is pending. */
  oldestReceived: number | null
  /** Lowest and highest pending group seq; null when nothing is pending. */
  oldestSeq: number | null
  newestSeq: number | null
}

/**
 * What derivation needs of a store: the pending groups, the visitor history it re-derives,
 * and one transaction to write the result. The store persists and queries; the rules live
 * in `derive/`.
 */
export interface DerivationStore {
  /** The oldest pending groups, at least one when any is pending, about `maxEvents` events in all. */
  pendingGroups(maxEvents: number): Promise<PendingGroup[]>
  /** The visitor's latest session that started at or before `atOrBefore`. */
  latestSession(site: string, visitor: string, atOrBefore: number): Promise<DerivedSession | null>
  /**
   * Optional: each visitor's latest session (any start), in input order, in one query.
   * Derivation uses it when present instead of one `latestSession` per visitor, which
   * costs a network round trip each on PostgreSQL.
   */
  latestSessions?(visitors: { site: string; visitor: string }[]): Promise<(DerivedSession | null)[]>
  /** The visitor's stored events from `from` on (derived ones only), in no particular order. */
  visitorEvents(site: string, visitor: string, from: number): Promise<StoredEvent[]>
  applyDerivation(w: DerivationWrite): Promise<void>
  derivationBacklog(): Promise<DerivationBacklog>
  /**
   * Runs `work` only if no other process derives at the moment (PostgreSQL: an advisory
   * lock); answers whether it ran. One deriver at a time keeps each visitor's sessions whole.
   */
  exclusively(work: () => Promise<void>): Promise<boolean>
  /**
   * Moves every stored event back into the inbox, each passed through `transform`, and
   * empties the sessions, in chunks (one transaction each) in arrival order; derivation then
   * rebuilds everything. A crash part-way leaves every event in one of the two places: run
   * it again to finish. Answers the events moved.
   */
  requeueAll(transform: (e: EnrichedEvent) => EnrichedEvent, onProgress?: (moved: number, total: number) => void): Promise<number>
  /** Goals, their version and claims: derivation turns matching events into goal conversions. */
  readonly goals: GoalStore
  /**
   * Optional: credits up to `maxNotes` conversions noted for the credit rollups (a
   * visitor's in one slot each) again, with `credit`; answers how many (0: none was
   * noted). Stores without the rollups lack it.
   */
  refreshCredit?(maxNotes: number, credit: SlotCrediting): Promise<number>
  /**
   * Optional: works out up to `maxVisitors` visitors noted for the experiment rollups
   * again, with `work`; answers how many. Stores without those rollups lack it.
   */
  refreshExposures?(maxVisitors: number, work: ExposureWorking): Promise<number>
  /**
   * Optional: builds the funnel columns last noted at least `quietSec` ago (or first noted
   * `maxWaitSec` ago) again, about `maxRows` events' worth; answers how many chunks.
   * Stores without them lack it.
   */
  refreshFunnel?(maxRows: number, quietSec: number, maxWaitSec?: number): Promise<number>
}

/** Ingest and site storage; reports live behind `reports`. Every method is async so a networked store fits. */
export interface Store extends DerivationStore {
  createSite(site: Site): Promise<boolean>
  getSite(id: string): Promise<Site | null>
  /** Every site, by id. */
  listSites(): Promise<Site[]>
  updateSite(id: string, patch: Partial<Pick<Site, 'origins' | 'currency' | 'timezone' | 'consentRegions'>>): Promise<void>
  /** The salt for a UTC day (YYYY-MM-DD), made on first use; salts older than 48 h are destroyed. */
  dailySalt(day: string, now: number): Promise<string>
  /**
   * Stores events exactly once (by id, and by name + order id for conversions) and answers
   * once they are durable; sessions and report tables are derived from them afterwards.
   */
  insertEvents(site: string, events: EnrichedEvent[]): Promise<InsertOutcome[]>
  quarantine(rows: QuarantineRow[]): Promise<void>
  readonly reports: ReportStore
  /** Salts and retention on a schedule, data-subject requests, report tokens, dashboard sessions. */
  readonly trust: TrustStore
  /** Alert rules, incidents and their webhook messages (issue 11). */
  readonly alerts: AlertStore
  close(): Promise<void>
}
