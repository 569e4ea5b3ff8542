/**
 * Derivation: turns acknowledged events into sessions and report rows, in the background
 * and in event-time order. Ingest only makes events durable; this runs after it, so a
 * report never holds up an acknowledgement and a late or out-of-order event re-derives
 * just the part of its visitor's history it changes.
 */
import type { DerivedSession, EnrichedEvent } from '../model.ts'
import type { DerivationStore, DerivationWrite, PendingGroup } from '../store/types.ts'
import { byTime, sessionEvent, sessionize, type SessionEvent } from './sessions.ts'
import { settleBacklog, type Derivation } from './background.ts'
import { goalHits, goalMoves } from './goals.ts'
import type { GoalBook } from '../store/goal-types.ts'
import { creditSlot } from './credit-slots.ts'
import { exposureRows } from './exposure-rows.ts'

/** Events per derivation step: one step is one store transaction, short enough not to hold ingest up. */
export const DERIVE_CHUNK_EVENTS = 2000
/** Noted conversions (a visitor's in one slot) credited again per step: tens of µs each. */
const CREDIT_NOTES_PER_STEP = 200
/** Visitors of the experiment rollups worked out again per step (one index seek each). */
const EXPOSED_VISITORS_PER_STEP = 500
/**
 * Funnel column events rebuilt per step at most (one chunk always); how long a noted chunk
 * waits for its day to go quiet, and at most.
 */
const FUNNEL_ROWS_PER_STEP = 20_000
const FUNNEL_QUIET_SEC = 30
const FUNNEL_MAX_WAIT_SEC = 600

export interface DeriverOptions {
  chunkEvents?: number
  /**
   * Keep each visitor's latest session between steps. Only where this deriver is the one
   * writer of sessions (a SQLite file); with several processes (PostgreSQL) another one
   * may have moved a visitor on.
   */
  cacheSessions?: boolean
  log?: (msg: string, err?: unknown) => void
  /**
   * Least time from the end of one pass to the start of the next (a backlog is still
   * derived step after step within a pass). On a SQLite file, every pass takes the write
   * lock that ingest commits wait for; passes of a few events each would take it hundreds
   * of times a second.
   */
  minIntervalMs?: number
}

/**
 * Plans one derivation step for the pending groups: each visitor's new events are put in
 * time order and either continue its latest session (all of them after its last event) or
 * re-derive its history from the session the earliest one falls into. With `goals`, each
 * event that matches a goal of its site becomes a goal conversion for its session (the
 * store keeps it to one per session), and the step carries the goals' version.
 *
 * @example
 * const w = await planDerivation(store, await store.pendingGroups(2000), null, await store.goals.goalBook())
 * await store.applyDerivation(w)
 */
export async function planDerivation(store: DerivationStore, groups: PendingGroup[], cache: LatestSessionCache | null = null,
  goals: GoalBook | null = null): Promise<DerivationWrite> {
  const w: DerivationWrite = { done: groups.map((g) => g.seq), events: [], dropSessions: [], sessions: [], moved: [] }
  const byVisitor = new Map<string, { site: string; visitor: string; events: EnrichedEvent[] }>()
  const sessionOf = new Map<EnrichedEvent, string | null>()
  for (const g of groups) {
    for (const e of g.events) {
      sessionOf.set(e, null)
      if (e.visitor === null) continue
      const k = `${g.site}\0${e.visitor}`
      let v = byVisitor.get(k)
      if (!v) byVisitor.set(k, (v = { site: g.site, visitor: e.visitor, events: [] }))
      v.events.push(e)
    }
  }
  const visitors = [...byVisitor.values()]
  const latestOf = await latestSessions(store, visitors, cache)
  for (const [i, { site, visitor, events }] of visitors.entries()) {
    events.sort(byTime)
    const fresh = events.map(sessionEvent)
    const latest = latestOf[i]
    if (!latest || fresh[0].ts > latest.lastTs) {
      const r = sessionize(visitor, fresh, latest)
      r.ids.forEach((id, i) => sessionOf.set(events[i], id))
      for (const s of r.sessions) w.sessions.push({ site, session: s })
      continue
    }
    await rederive(store, site, visitor, events, fresh, sessionOf, w)
  }
  for (const g of groups) for (const e of g.events) w.events.push({ site: g.site, event: e, sessionId: sessionOf.get(e) ?? null })
  if (goals) {
    w.goalsVersion = goals.version
    if (goals.bySite.size > 0) w.goalHits = goalHits(w.events, (site) => goals.bySite.get(site) ?? [])
  }
  return w
}

/** Each visitor's latest session: from the cache where it knows, else from the store (batched where it can). */
async function latestSessions(store: DerivationStore, visitors: { site: string; visitor: string }[], cache: LatestSessionCache | null): Promise<(DerivedSession | null)[]> {
  const out = visitors.map((v) => cache?.get(v.site, v.visitor))
  const missing = visitors.filter((_, i) => out[i] === undefined)
  if (missing.length === 0) return out as (DerivedSession | null)[]
  const found = store.latestSessions
    ? await store.latestSessions(missing)
    : await Promise.all(missing.map((v) => store.latestSession(v.site, v.visitor, Number.MAX_SAFE_INTEGER)))
  let k = 0
  return out.map((s) => (s === undefined ? found[k++] : s))
}

/**
 * The latest session of the visitors derivation saw lately, as it wrote them: with one
 * deriver owning the store (SQLite), the lookup per visitor and step is skipped. Bounded;
 * cleared whole when full or when a step fails.
 */
export class LatestSessionCache {
  private readonly map = new Map<string, DerivedSession>()

  constructor(private readonly max = 200_000) {}

  get(site: string, visitor: string): DerivedSession | undefined {
    return this.map.get(`${site}\0${visitor}`)
  }

  /** Takes in what a step wrote: per visitor, the session that started last. */
  remember(w: DerivationWrite): void {
    if (this.map.size > this.max) this.map.clear()
    const latest = new Map<string, DerivedSession>()
    for (const { site, session } of w.sessions) {
      const k = `${site}\0${session.visitor}`
      const had = latest.get(k)
      if (!had || session.started > had.started || (session.started === had.started && session.id > had.id)) latest.set(k, session)
    }
    for (const [k, s] of latest) this.map.set(k, s)
  }

  clear(): void {
    this.map.clear()
  }
}

/** A visitor whose new events reach back before its last one: re-derive from the session the earliest falls into. */
async function rederive(store: DerivationStore, site: string, visitor: string, events: EnrichedEvent[], fresh: SessionEvent[],
  sessionOf: Map<EnrichedEvent, string | null>, w: DerivationWrite): Promise<void> {
  const anchor = await store.latestSession(site, visitor, fresh[0].ts)
  const from = anchor?.started ?? fresh[0].ts
  const newIds = new Set(events.map((e) => e.id))
  // A stored copy of a pending event cannot exist (ingest accepts an id once), but a
  // store that keeps pending events in its events table (PostgreSQL) hands them back here.
  const stored = (await store.visitorEvents(site, visitor, from)).filter((s) => !newIds.has(s.event.id))
  type Item = { ev: SessionEvent; ref: number | null; was: string | null; fresh: EnrichedEvent | null; goal: string | null }
  const items: Item[] = [
    ...stored.map((s): Item => ({ ev: sessionEvent(s.event), ref: s.ref, was: s.sessionId, fresh: null, goal: s.goal })),
    ...events.map((e, i): Item => ({ ev: fresh[i], ref: null, was: null, fresh: e, goal: null })),
  ].sort((a, b) => byTime(a.ev, b.ev))
  const r = sessionize(visitor, items.map((x) => x.ev))
  w.dropSessions.push({ site, visitor, from })
  for (const s of r.sessions) w.sessions.push({ site, session: s })
  items.forEach((x, i) => {
    if (x.fresh) sessionOf.set(x.fresh, r.ids[i])
    else if (x.was !== r.ids[i]) w.moved.push({ ref: x.ref!, sessionId: r.ids[i] })
  })
  // A goal counts once per session: its conversions follow their sessions' new ids, and a merge leaves one.
  const moves = goalMoves(site, items.flatMap((x, i) => (x.goal !== null && x.was !== null ? [{ goal: x.goal, was: x.was, now: r.ids[i], ref: x.ref! }] : [])))
  if (moves.length) (w.goalMoves ??= []).push(...moves)
}

/**
 * Runs derivation in the background of the process that ingests: `poke()` after a commit
 * starts a pass unless one runs; a pass derives chunk after chunk, yielding to the event
 * loop in between, until nothing is pending. `settle()` lets a report see what was
 * acknowledged before it asked.
 *
 * @example
 * const deriver = new Deriver(store)
 * deriver.poke()
 * await deriver.settle()
 */
export class Deriver implements Derivation {
  private pass: Promise<void> | null = null
  private again = false
  private closed = false
  private failures = 0
  private retryTimer: NodeJS.Timeout | null = null
  private readonly chunk: number
  private readonly minIntervalMs: number
  private lastPassEnd = 0
  private throttle: NodeJS.Timeout | null = null
  private readonly cache: LatestSessionCache | null
  private readonly log: (msg: string, err?: unknown) => void
  /** Every site's goals as last read; read again when a step finds they changed. */
  private goals: GoalBook | null = null
  /** What the last step worked out again for the rollups: noted conversions and exposed visitors. */
  refreshed = 0
  /** Whether the last step left rollup work it had no room for (a backlog after an upgrade or a goal change). */
  private moreToRefresh = false

  constructor(private readonly store: DerivationStore, opts: DeriverOptions = {}) {
    this.chunk = opts.chunkEvents ?? DERIVE_CHUNK_EVENTS
    this.minIntervalMs = opts.minIntervalMs ?? 0
    this.cache = opts.cacheSessions ? new LatestSessionCache() : null
    this.log = opts.log ?? ((msg, err) => console.error(msg, err))
  }

  /** Starts a pass soon, or another one after the running pass. */
  poke(): void {
    if (this.closed) return
    if (this.pass) {
      this.again = true
      return
    }
    const wait = this.lastPassEnd + this.minIntervalMs - Date.now()
    if (wait > 0) {
      // Under a steady trickle of requests, gather their events instead of deriving (and
      // taking the write lock) once per request.
      this.throttle ??= setTimeout(() => { this.throttle = null; this.poke() }, wait)
      return
    }
    this.pass = this.run().finally(() => {
      this.pass = null
      this.lastPassEnd = Date.now()
      if (this.again && !this.closed) {
        this.again = false
        this.poke()
      }
    })
  }

  /**
   * Waits until what was pending when called is derived, for at most `timeoutMs`: a report
   * then answers with what is derived so far.
   */
  settle(timeoutMs = 3000): Promise<void> {
    return settleBacklog(this.store, timeoutMs, () => this.poke())
  }

  /**
   * One step: derive up to a chunk of pending events, then credit a few slots noted for the
   * credit rollups again. Answers how many events were derived (0: none pending or another
   * process derives); `refreshed` how many rollup notes.
   */
  async step(): Promise<number> {
    let n = 0
    this.refreshed = 0
    this.moreToRefresh = false
    const ran = await this.store.exclusively(async () => {
      const groups = await this.store.pendingGroups(this.chunk)
      if (groups.length) n = await this.apply(groups)
      // A few per step: each holds the write lock that ingest waits on.
      const notes = this.store.refreshCredit ? await this.store.refreshCredit(CREDIT_NOTES_PER_STEP, creditSlot) : 0
      const visitors = this.store.refreshExposures ? await this.store.refreshExposures(EXPOSED_VISITORS_PER_STEP, exposureRows) : 0
      // Chunks quiet for a while (or waiting long) only: a day still being written is read from the tables, not rebuilt per event.
      const chunks = this.store.refreshFunnel ? await this.store.refreshFunnel(FUNNEL_ROWS_PER_STEP, FUNNEL_QUIET_SEC, FUNNEL_MAX_WAIT_SEC) : 0
      this.refreshed = notes + visitors + chunks
      this.moreToRefresh = notes === CREDIT_NOTES_PER_STEP || visitors === EXPOSED_VISITORS_PER_STEP || chunks > 0
    })
    return ran ? n : 0
  }

  /** Drops the remembered latest sessions; the next step reads them from the store. */
  forget(): void {
    this.cache?.clear()
  }

  /** Stops starting passes and waits for the running one. */
  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    if (this.throttle) clearTimeout(this.throttle)
    await this.pass
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        const n = await this.step()
        if ((n === 0 && !this.moreToRefresh) || this.closed) return
        this.failures = 0
        // A step that was not full took all that was pending: end the pass here.
        if (this.minIntervalMs > 0 && n < this.chunk && !this.moreToRefresh) return
        // Let requests in between steps: ingest answers while a backlog is derived.
        await new Promise((r) => setImmediate(r))
      }
    } catch (err) {
      this.failures++
      this.log('derivation step failed; retrying', err)
      // Back off so a persistent fault does not spin; the pending groups stay durable.
      const delay = Math.min(30_000, 100 * 2 ** Math.min(this.failures, 8))
      this.retryTimer = setTimeout(() => { this.retryTimer = null; this.poke() }, delay)
      this.retryTimer.unref()
    }
  }

  private async apply(groups: PendingGroup[]): Promise<number> {
    let w: DerivationWrite
    for (let attempt = 1; ; attempt++) {
      this.goals ??= await this.store.goals.goalBook()
      w = await planDerivation(this.store, groups, this.cache, this.goals)
      try {
        await this.store.applyDerivation(w)
        break
      } catch (err) {
        this.cache?.clear()
        // A goal changed while this step was planned (here or in another process): plan it again with the goals as they are now.
        if ((err as Error).name !== 'StaleGoalsError' || attempt >= 3) throw err
        this.goals = null
      }
    }
    this.cache?.remember(w)
    return w.events.length
  }
}


export type { DerivedSession }
