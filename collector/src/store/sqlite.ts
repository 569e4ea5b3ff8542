import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts'
import { SqliteReports } from './sqlite-reports.ts'
import { decodeGroup, encodeGroup } from './inbox-codec.ts'
import { SqliteTrust } from './sqlite-trust.ts'
import { newSalt } from '../ingest/visitor.ts'
import type { DerivedSession, EnrichedEvent, InsertOutcome, QuarantineRow, Site } from '../model.ts'
import type { DerivationBacklog, DerivationWrite, PendingGroup, StoredEvent, Store } from './types.ts'
import { eventFromRow, longestSessions, sessionFromRow, storedEventFromRow } from './derived-rows.ts'
import { SqliteGoals } from './sqlite-goals.ts'
import { SqliteAlerts } from './sqlite-alerts.ts'
import { SqliteRollupWriter } from './sqlite-rollup-writer.ts'
import { SqliteCreditRollup } from './sqlite-credit.ts'
import { SqliteExperimentRollup } from './sqlite-experiment.ts'
import { SqliteFunnelChunks } from './sqlite-funnel-chunks.ts'
import type { ExposureWorking, SlotCrediting } from './worked-rollup-rows.ts'

const SALT_TTL_MS = 48 * 3600_000
const SESSION_COLS = ['visitor', 'started', 'last_ts', 'campaign_key', 'source', 'medium', 'campaign', 'term', 'content', 'click_id_type',
  'referrer_host', 'channel', 'landing_path', 'device', 'browser', 'country', 'consent', 'bot', 'events', 'pageviews']

interface PendingWrite {
  site: string
  events: EnrichedEvent[]
  resolve: (r: InsertOutcome[]) => void
  reject: (e: unknown) => void
}

/** Applies the migrations the file has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined
  let version = row?.version ?? 0
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run()
  for (; version < SQLITE_MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[version])
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1)
    })()
  }
}

/**
 * The embedded store: one SQLite file in WAL mode. Ingest is group-committed: all
 * insertEvents calls that arrive while a transaction is pending share the next one, and
 * each call resolves only after that transaction has committed. A commit writes each
 * event's keys (exactly once) and one inbox row per request; derivation later moves inbox
 * rows into `events` and `sessions` (see `derive/deriver.ts`).
 *
 * @example
 * const store = openSqliteStore('./data/funnelbeam.db')
 * await store.insertEvents('shop', events) // ['accepted', 'duplicate', …]
 */
export class SqliteStore implements Store {
  readonly db: Database.Database
  readonly reports: SqliteReports
  readonly trust: SqliteTrust
  readonly goals: SqliteGoals
  readonly alerts: SqliteAlerts
  /** Transactions committed by group commit; fewer than requests when requests share them. */
  commits = 0
  /** Called after each ingest commit that accepted events (derivation starts a pass). */
  onCommit: (() => void) | null = null
  private pending: PendingWrite[] = []
  private scheduled = false
  private closed = false
  private readonly stmt
  private readonly rollups: SqliteRollupWriter
  private readonly credit: SqliteCreditRollup
  private readonly exposures: SqliteExperimentRollup
  private readonly funnelChunks: SqliteFunnelChunks

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a process kill (the OS has the WAL pages); only a power
    // cut can lose the last commits, and it costs an fsync per commit less.
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    migrate(this.db)
    this.reports = new SqliteReports(this.db)
    this.trust = new SqliteTrust(this.db)
    this.stmt = {
      // Positional parameters: binding 34 named ones per row measurably slowed derivation.
      insertEvent: this.db.prepare(`INSERT INTO events (site, id, type, name, ts, received, visitor, user_id,
        session_id, path, url, referrer, title, source, medium, campaign, term, content, utm_id, click_id_type, click_id,
        referrer_host, channel, device, browser, country, lang, screen, value, currency, order_id, props, consent, bot, origin)
        VALUES (${Array(35).fill('?').join(', ')})`),
      claimId: this.db.prepare('INSERT OR IGNORE INTO event_ids (site, id) VALUES (?, ?)'),
      releaseId: this.db.prepare('DELETE FROM event_ids WHERE site = ? AND id = ?'),
      claimOrder: this.db.prepare('INSERT OR IGNORE INTO order_ids (site, name, order_id) VALUES (?, ?, ?)'),
      inbox: this.db.prepare('INSERT INTO inbox (site, received, n, events) VALUES (?, ?, ?, ?)'),
      pendingGroups: this.db.prepare('SELECT seq, site, received, n, events FROM inbox ORDER BY seq LIMIT ?'),
      backlog: this.db.prepare(`SELECT COALESCE(SUM(n), 0) AS events, MIN(received) AS oldestReceived, MIN(seq) AS oldestSeq,
        MAX(seq) AS newestSeq FROM inbox`),
      doneGroups: this.db.prepare('DELETE FROM inbox WHERE seq = ?'),
      latestSession: this.db.prepare(`SELECT * FROM sessions WHERE site = ? AND visitor = ? AND started <= ?
        ORDER BY started DESC, id DESC LIMIT 1`),
      visitorEvents: this.db.prepare(`SELECT rowid, session_id, id, ts, type, source, medium, campaign, term, content, utm_id,
        click_id_type, click_id, referrer_host, channel, path, device, browser, country, consent, bot, origin, name
        FROM events WHERE site = ? AND visitor = ? AND ts >= ?`),
      dropSessions: this.db.prepare('DELETE FROM sessions WHERE site = ? AND visitor = ? AND started >= ?'),
      // An upsert, not INSERT OR REPLACE: a replace deletes without firing delete triggers, and the rollups' triggers must see the old row.
      putSession: this.db.prepare(`INSERT INTO sessions (site, id, ${SESSION_COLS.join(', ')})
        VALUES (${Array(22).fill('?').join(', ')})
        ON CONFLICT (site, id) DO UPDATE SET ${SESSION_COLS.map((c) => `${c} = excluded.${c}`).join(', ')}`),
      moveEvent: this.db.prepare('UPDATE events SET session_id = ? WHERE rowid = ?'),
      widenSpan: this.db.prepare(`INSERT INTO session_span (site, max_ms) VALUES (?, ?)
        ON CONFLICT (site) DO UPDATE SET max_ms = MAX(max_ms, excluded.max_ms)`),
      getSite: this.db.prepare('SELECT * FROM sites WHERE id = ?'),
      insertSalt: this.db.prepare('INSERT OR IGNORE INTO salts (day, salt, created) VALUES (?, ?, ?)'),
      getSalt: this.db.prepare('SELECT salt FROM salts WHERE day = ?'),
      dropSalts: this.db.prepare('DELETE FROM salts WHERE created < ?'),
      quarantine: this.db.prepare(`INSERT INTO quarantine (site, received, origin, reason, message, payload)
        VALUES (@site, @received, @origin, @reason, @message, @payload)`),
    }
    this.alerts = new SqliteAlerts(this.db)
    this.rollups = new SqliteRollupWriter(this.db)
    this.credit = new SqliteCreditRollup(this.db)
    this.exposures = new SqliteExperimentRollup(this.db)
    this.funnelChunks = new SqliteFunnelChunks(this.db)
    this.goals = new SqliteGoals(this.db, (site, e, sessionId) => this.putEvent(site, e, sessionId), this.rollups)
  }

  async createSite(site: Site): Promise<boolean> {
    const r = this.db.prepare(`INSERT OR IGNORE INTO sites (id, origins, secret_hash, currency, timezone, created, consent_regions)
      VALUES (?, ?, ?, ?, ?, ?, ?)`).run(site.id, JSON.stringify(site.origins), site.secretHash, site.currency, site.timezone, site.created,
      site.consentRegions ? JSON.stringify(site.consentRegions) : null)
    return r.changes === 1
  }

  async getSite(id: string): Promise<Site | null> {
    // Every browser request looks its site up, so the statement is prepared once.
    const r = this.stmt.getSite.get(id) as Record<string, string | number> | undefined
    return r ? siteFromRow(r) : null
  }

  async listSites(): Promise<Site[]> {
    return (this.db.prepare('SELECT * FROM sites ORDER BY id').all() as Record<string, string | number>[]).map(siteFromRow)
  }

  async updateSite(id: string, patch: Partial<Pick<Site, 'origins' | 'currency' | 'timezone' | 'consentRegions'>>): Promise<void> {
    if (patch.origins) this.db.prepare('UPDATE sites SET origins = ? WHERE id = ?').run(JSON.stringify(patch.origins), id)
    if (patch.currency) this.db.prepare('UPDATE sites SET currency = ? WHERE id = ?').run(patch.currency, id)
    if (patch.timezone) this.db.prepare('UPDATE sites SET timezone = ? WHERE id = ?').run(patch.timezone, id)
    // null clears the setting, so it is checked for presence rather than truth.
    if (patch.consentRegions !== undefined) {
      this.db.prepare('UPDATE sites SET consent_regions = ? WHERE id = ?').run(patch.consentRegions ? JSON.stringify(patch.consentRegions) : null, id)
    }
  }

  async dailySalt(day: string, now: number): Promise<string> {
    return this.db.transaction(() => {
      this.stmt.dropSalts.run(now - SALT_TTL_MS)
      this.stmt.insertSalt.run(day, newSalt(), now)
      return (this.stmt.getSalt.get(day) as { salt: string }).salt
    })()
  }

  insertEvents(site: string, events: EnrichedEvent[]): Promise<InsertOutcome[]> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    if (events.length === 0) return Promise.resolve([])
    return new Promise((resolve, reject) => {
      this.pending.push({ site, events, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        // setImmediate lets every request whose body has been parsed in this turn of the
        // event loop join the same transaction.
        setImmediate(() => this.flush())
      }
    })
  }

  /** Commits every pending write in one transaction, then answers each caller. */
  private flush(): void {
    this.scheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    let results: InsertOutcome[][]
    try {
      results = this.db.transaction(() => batch.map((w) => this.append(w.site, w.events)))()
    } catch (err) {
      for (const w of batch) w.reject(err)
      return
    }
    this.commits++
    batch.forEach((w, i) => w.resolve(results[i]))
    if (results.some((r) => r.includes('accepted'))) this.onCommit?.()
  }

  /** Claims each event's keys; the accepted ones go to the inbox as one row. */
  private append(site: string, events: EnrichedEvent[]): InsertOutcome[] {
    const accepted: EnrichedEvent[] = []
    const outcomes = events.map((e): InsertOutcome => {
      if (this.stmt.claimId.run(site, e.id).changes === 0) return 'duplicate'
      if (e.type === 'conversion' && e.orderId && this.stmt.claimOrder.run(site, e.name, e.orderId).changes === 0) {
        // The order was stored before: this copy is a duplicate and its id stays unclaimed.
        this.stmt.releaseId.run(site, e.id)
        return 'duplicate'
      }
      accepted.push(e)
      return 'accepted'
    })
    if (accepted.length) this.stmt.inbox.run(site, accepted[0].received, accepted.length, encodeGroup(accepted))
    return outcomes
  }

  async pendingGroups(maxEvents: number): Promise<PendingGroup[]> {
    // A deriver still running when the store closes finds nothing to do: what is pending
    // stays in the inbox for the next start.
    if (this.closed) return []
    const out: PendingGroup[] = []
    let n = 0
    // Every group holds at least one event; the cursor stops once the step is full.
    for (const r of this.stmt.pendingGroups.iterate(Math.max(1, maxEvents)) as IterableIterator<{ seq: number; site: string; received: number; n: number; events: string }>) {
      if (out.length > 0 && n + r.n > maxEvents) break
      out.push({ seq: r.seq, site: r.site, received: r.received, events: decodeGroup(r.events) })
      n += r.n
    }
    return out
  }

  async latestSession(site: string, visitor: string, atOrBefore: number): Promise<DerivedSession | null> {
    if (this.closed) return null
    const r = this.stmt.latestSession.get(site, visitor, atOrBefore) as Record<string, unknown> | undefined
    return r ? sessionFromRow(r) : null
  }

  async visitorEvents(site: string, visitor: string, from: number): Promise<StoredEvent[]> {
    if (this.closed) return []
    return (this.stmt.visitorEvents.all(site, visitor, from) as Record<string, unknown>[]).map(storedEventFromRow)
  }

  async applyDerivation(w: DerivationWrite): Promise<void> {
    if (this.closed) return
    this.db.transaction(() => {
      this.rollups.begin()
      for (const d of w.dropSessions) this.stmt.dropSessions.run(d.site, d.visitor, d.from)
      for (const { site, session: s } of w.sessions) {
        this.stmt.putSession.run(site, s.id, s.visitor, s.started, s.lastTs, s.campaignKey, s.source, s.medium, s.campaign,
          s.term, s.content, s.clickIdType, s.referrerHost, s.channel, s.landingPath, s.device, s.browser, s.country,
          s.consent, s.bot ? 1 : 0, s.events, s.pageviews)
      }
      for (const [site, ms] of longestSessions(w)) this.stmt.widenSpan.run(site, ms)
      for (const m of w.moved) this.stmt.moveEvent.run(m.sessionId, m.ref)
      if (w.goalMoves?.length) this.goals.moveIn(w.goalMoves)
      for (const { site, event: e, sessionId } of w.events) this.putEvent(site, e, sessionId)
      // A group gone meanwhile (an erasure rewrote it under a new seq) rolls the step back, as on PostgreSQL.
      for (const seq of w.done) if (this.stmt.doneGroups.run(seq).changes !== 1) throw new Error(`derivation: pending group ${seq} is gone`)
      if (w.goalHits?.length) this.goals.claimIn(w.goalHits)
      this.rollups.flush()
      if (w.goalsVersion !== undefined) this.goals.checkVersion(w.goalsVersion)
    })()
  }

  private putEvent(site: string, e: EnrichedEvent, sessionId: string | null): void {
    const t = e.touch
    const { lastInsertRowid } = this.stmt.insertEvent.run(
      site, e.id, e.type, e.name, e.ts, e.received, e.visitor, e.userId, sessionId, e.path, e.url, e.referrer, e.title,
      t.source, t.medium, t.campaign, t.term, t.content, t.utmId, t.clickIdType, t.clickId, t.referrerHost,
      e.channel, e.device, e.browser, e.country, e.lang, e.screen, e.value, e.currency, e.orderId,
      e.props ? JSON.stringify(e.props) : null, e.consent, e.bot ? 1 : 0, e.origin,
    )
    this.rollups.inserted(Number(lastInsertRowid))
  }

  async refreshCredit(maxNotes: number, credit: SlotCrediting): Promise<number> {
    return this.closed ? 0 : this.credit.refresh(maxNotes, credit)
  }

  async refreshExposures(maxVisitors: number, work: ExposureWorking): Promise<number> {
    return this.closed ? 0 : this.exposures.refresh(maxVisitors, work)
  }

  async refreshFunnel(maxRows: number, quietSec: number, maxWaitSec?: number): Promise<number> {
    return this.closed ? 0 : this.funnelChunks.refresh(maxRows, quietSec, maxWaitSec)
  }

  async derivationBacklog(): Promise<DerivationBacklog> {
    if (this.closed) return { events: 0, oldestReceived: null, oldestSeq: null, newestSeq: null }
    return this.stmt.backlog.get() as DerivationBacklog
  }

  async requeueAll(transform: (e: EnrichedEvent) => EnrichedEvent, onProgress?: (moved: number, total: number) => void): Promise<number> {
    // Goal conversions are derived: derivation makes them anew (with today's goals) instead.
    this.db.transaction(() => this.goals.dropAllDerived())()
    const total = this.db.prepare('SELECT count(*) FROM events').pluck().get() as number
    const chunk = this.db.prepare('SELECT rowid, * FROM events ORDER BY rowid LIMIT 5000')
    const drop = this.db.prepare('DELETE FROM events WHERE rowid <= ?')
    const received = Date.now()
    this.db.prepare('DELETE FROM sessions').run()
    let moved = 0
    for (;;) {
      const rows = chunk.all() as Record<string, unknown>[]
      if (rows.length === 0) break
      this.db.transaction(() => {
        // Consecutive events of one site share an inbox row, at most 100 to a row as ingest makes them.
        let group: EnrichedEvent[] = []
        let site = ''
        const put = () => { if (group.length) this.stmt.inbox.run(site, received, group.length, encodeGroup(group)); group = [] }
        for (const r of rows) {
          if (r.site !== site || group.length === 100) { put(); site = r.site as string }
          group.push(transform(eventFromRow(r)))
        }
        put()
        drop.run(rows[rows.length - 1].rowid)
      })()
      moved += rows.length
      onProgress?.(moved, total)
    }
    return moved
  }

  async exclusively(work: () => Promise<void>): Promise<boolean> {
    // One process owns the file; its one deriver never runs two passes at once.
    await work()
    return true
  }

  async quarantine(rows: QuarantineRow[]): Promise<void> {
    if (rows.length === 0) return
    this.db.transaction(() => { for (const r of rows) this.stmt.quarantine.run(r) })()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.flush()
    this.db.close()
  }
}

function siteFromRow(r: Record<string, string | number>): Site {
  return { id: String(r.id), origins: JSON.parse(String(r.origins)), secretHash: String(r.secret_hash), currency: String(r.currency), timezone: String(r.timezone), created: Number(r.created),
    consentRegions: r.consent_regions == null ? null : JSON.parse(String(r.consent_regions)) }
}

export function openSqliteStore(file: string): SqliteStore {
  return new SqliteStore(file)
}
