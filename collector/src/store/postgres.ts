import type pg from 'pg'
import { migratePostgres } from './postgres-migrations.ts'
import { inTransaction, openPool, type PostgresOptions } from './postgres-pool.ts'
import { refreshCreditPostgres, refreshExposuresPostgres } from './postgres-credit-experiment.ts'
import type { ExposureWorking, SlotCrediting } from './worked-rollup-rows.ts'
import { appendPending, clean, type PendingEvents } from './postgres-ingest.ts'
import * as derivation from './postgres-derivation.ts'
import { PostgresReports } from './postgres-reports.ts'
import { PostgresTrust } from './postgres-trust.ts'
import { PostgresGoals } from './postgres-goals.ts'
import { PostgresAlerts } from './postgres-alerts.ts'
import { newSalt } from '../ingest/visitor.ts'
import type { DerivedSession, EnrichedEvent, InsertOutcome, QuarantineRow, Site } from '../model.ts'
import type { DerivationBacklog, DerivationWrite, PendingGroup, StoredEvent, Store } from './types.ts'

const SALT_TTL_MS = 48 * 3600_000
/** Events per transaction; a bigger backlog is committed in several, one after another. */
const MAX_GROUP_EVENTS = 5000
/** One deriver at a time per schema, across every process (a transaction-scoped advisory lock). */
const DERIVE_LOCK = `SELECT pg_try_advisory_xact_lock(hashtextextended('funnelbeam:derive:' || current_schema(), 0)) AS got`

interface PendingWrite extends PendingEvents {
  resolve: (r: InsertOutcome[]) => void
  reject: (e: unknown) => void
}

export type { PostgresOptions } from './postgres-pool.ts'

type SiteRow = { id: string; origins: string[]; secret_hash: string; currency: string; timezone: string; created: number; consent_regions: Site['consentRegions'] }
const siteFromRow = (r: SiteRow): Site => ({
  id: r.id, origins: r.origins, secretHash: r.secret_hash, currency: r.currency, timezone: r.timezone, created: r.created, consentRegions: r.consent_regions,
})

/**
 * The networked store: any number of collector processes share one PostgreSQL database,
 * and deduplication, salts, sessions and reports all live there, so every process gives
 * the same answers. Writes are group-committed per process: insertEvents calls that
 * arrive while a transaction is in flight share the next one, and each call resolves
 * only after that transaction has committed. A commit claims each event's keys (exactly
 * once) and appends one inbox row per request; derivation, one process at a time, later
 * moves inbox rows into `events` and `sessions` (see `derive/deriver.ts`).
 *
 * @example
 * const store = await PostgresStore.open('postgres://postgres@127.0.0.1:5432/funnelbeam')
 * await store.insertEvents('shop', events) // ['accepted', 'duplicate', …]
 */
export class PostgresStore implements Store {
  readonly reports: PostgresReports
  readonly trust: PostgresTrust
  readonly goals: PostgresGoals
  readonly alerts: PostgresAlerts
  /** Transactions committed by group commit; fewer than requests when requests share them. */
  commits = 0
  private pending: PendingWrite[] = []
  private flushing: Promise<void> | null = null
  private closed = false
  /** Set once the pool is ended: derivation calls then find nothing to do. */
  private ended = false
  /** Derivation work running under the lock; close() waits for it before ending the pool. */
  private deriving = new Set<Promise<unknown>>()

  private constructor(readonly pool: pg.Pool) {
    this.reports = new PostgresReports(pool)
    this.trust = new PostgresTrust(pool)
    this.goals = new PostgresGoals(pool)
    this.alerts = new PostgresAlerts(pool)
  }

  /** Connects and brings the schema up to date (several processes may do this at once). */
  static async open(url: string, opts: PostgresOptions = {}): Promise<PostgresStore> {
    const pool = await openPool(url, opts)
    try {
      await migratePostgres(pool)
    } catch (err) {
      await pool.end()
      throw err
    }
    return new PostgresStore(pool)
  }

  async createSite(site: Site): Promise<boolean> {
    const r = await this.pool.query(`INSERT INTO sites (id, origins, secret_hash, currency, timezone, created, consent_regions)
      VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (id) DO NOTHING`,
    [site.id, JSON.stringify(site.origins), site.secretHash, site.currency, site.timezone, site.created,
      site.consentRegions ? JSON.stringify(site.consentRegions) : null])
    return r.rowCount === 1
  }

  async getSite(id: string): Promise<Site | null> {
    const r = (await this.pool.query<SiteRow>('SELECT * FROM sites WHERE id = $1', [id])).rows[0]
    return r ? siteFromRow(r) : null
  }

  async listSites(): Promise<Site[]> {
    return (await this.pool.query<SiteRow>('SELECT * FROM sites ORDER BY id')).rows.map(siteFromRow)
  }

  async updateSite(id: string, patch: Partial<Pick<Site, 'origins' | 'currency' | 'timezone' | 'consentRegions'>>): Promise<void> {
    await this.pool.query(`UPDATE sites SET origins = COALESCE($2::jsonb, origins), currency = COALESCE($3, currency),
      timezone = COALESCE($4, timezone) WHERE id = $1`,
    [id, patch.origins ? JSON.stringify(patch.origins) : null, patch.currency || null, patch.timezone || null])
    // null clears the setting, so it is checked for presence rather than truth.
    if (patch.consentRegions !== undefined) {
      await this.pool.query('UPDATE sites SET consent_regions = $2::jsonb WHERE id = $1', [id, patch.consentRegions ? JSON.stringify(patch.consentRegions) : null])
    }
  }

  async dailySalt(day: string, now: number): Promise<string> {
    await this.pool.query('DELETE FROM salts WHERE created < $1', [now - SALT_TTL_MS])
    // The first process to ask makes the day's salt; the others' inserts do nothing, and
    // the SELECT (a new snapshot) reads the winner's, so every process hashes alike.
    await this.pool.query('INSERT INTO salts (day, salt, created) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING', [day, newSalt(), now])
    return (await this.pool.query<{ salt: string }>('SELECT salt FROM salts WHERE day = $1', [day])).rows[0].salt
  }

  insertEvents(site: string, events: EnrichedEvent[]): Promise<InsertOutcome[]> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    if (events.length === 0) return Promise.resolve([])
    return new Promise((resolve, reject) => {
      this.pending.push({ site, events, resolve, reject })
      // setImmediate lets every request parsed in this turn of the event loop join; while a
      // transaction is in flight, new writes wait for the next one.
      this.flushing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.drain())
    })
  }

  /** Commits pending writes, one group transaction at a time, until none are left. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        let take = 1
        let n = this.pending[0].events.length
        while (take < this.pending.length && n + this.pending[take].events.length <= MAX_GROUP_EVENTS) n += this.pending[take++].events.length
        await this.commitGroup(this.pending.splice(0, take))
      }
    } finally {
      this.flushing = null
    }
  }

  private async commitGroup(batch: PendingWrite[]): Promise<void> {
    try {
      const received = Date.now()
      const results = await inTransaction(this.pool, (c) => appendPending(c, batch, received))
      this.commits++
      batch.forEach((w, i) => w.resolve(results[i]))
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err)
      // One request's data must not fail the others: on an error that is not retryable,
      // each write gets its own transaction and only the faulty one is rejected.
      for (const w of batch) await this.commitGroup([w])
    }
  }

  async quarantine(rows: QuarantineRow[]): Promise<void> {
    if (rows.length === 0) return
    await this.pool.query(`INSERT INTO quarantine (site, received, origin, reason, message, payload)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])`, [
      rows.map((r) => (r.site === null ? null : clean(r.site))), rows.map((r) => r.received), rows.map((r) => r.origin),
      rows.map((r) => clean(r.reason)), rows.map((r) => clean(r.message)), rows.map((r) => clean(r.payload)),
    ])
  }

  async pendingGroups(maxEvents: number): Promise<PendingGroup[]> {
    return this.ended ? [] : derivation.pendingGroups(this.pool, maxEvents)
  }

  async latestSession(site: string, visitor: string, atOrBefore: number): Promise<DerivedSession | null> {
    return this.ended ? null : derivation.latestSession(this.pool, site, visitor, atOrBefore)
  }

  async latestSessions(visitors: { site: string; visitor: string }[]): Promise<(DerivedSession | null)[]> {
    return this.ended ? visitors.map(() => null) : derivation.latestSessions(this.pool, visitors)
  }

  async visitorEvents(site: string, visitor: string, from: number): Promise<StoredEvent[]> {
    return this.ended ? [] : derivation.visitorEvents(this.pool, site, visitor, from)
  }

  async applyDerivation(w: DerivationWrite): Promise<void> {
    if (!this.ended) await derivation.applyDerivation(this.pool, w)
  }

  async requeueAll(transform: (e: EnrichedEvent) => EnrichedEvent, onProgress?: (moved: number, total: number) => void): Promise<number> {
    return derivation.requeueAll(this.pool, transform, onProgress)
  }

  async derivationBacklog(): Promise<DerivationBacklog> {
    return this.ended ? { events: 0, oldestReceived: null, oldestSeq: null, newestSeq: null } : derivation.derivationBacklog(this.pool)
  }

  /**
   * Runs `work` while this process holds the schema's derivation lock, on a client of its
   * own kept in a transaction (work uses other connections); answers false at once when
   * another process holds it. Should this process die, its connection closes and the lock
   * goes with it.
   */
  async refreshCredit(maxSlots: number, credit: SlotCrediting): Promise<number> {
    return this.closed ? 0 : refreshCreditPostgres(this.pool, maxSlots, credit)
  }

  async refreshExposures(maxVisitors: number, work: ExposureWorking): Promise<number> {
    return this.closed ? 0 : refreshExposuresPostgres(this.pool, maxVisitors, work)
  }

  async exclusively(work: () => Promise<void>): Promise<boolean> {
    if (this.closed) return false
    const run = this.locked(work)
    const settled = run.catch(() => {})
    this.deriving.add(settled)
    try {
      return await run
    } finally {
      this.deriving.delete(settled)
    }
  }

  private async locked(work: () => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect()
    let broken = false
    try {
      await client.query('BEGIN')
      if (!(await client.query<{ got: boolean }>(DERIVE_LOCK)).rows[0].got) return false
      await work()
      return true
    } finally {
      // Nothing was written on this client: ending the transaction releases the lock.
      await client.query('ROLLBACK').catch(() => { broken = true })
      client.release(broken)
    }
  }

  /** Commits what is pending and lets a running derivation step finish, then closes the pool. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.flushing
    await Promise.all(this.deriving)
    this.ended = true
    await this.pool.end()
  }
}
