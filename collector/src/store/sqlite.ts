import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts'
import { SqliteReports } from './sqlite-reports.ts'
import { campaignKey } from '../ingest/touch.ts'
import { continuesSession, type SessionState } from '../ingest/session.ts'
import { newSalt } from '../ingest/visitor.ts'
import { uuidv7 } from '../ingest/uuid.ts'
import type { EnrichedEvent, InsertOutcome, QuarantineRow, Site, Store } from './types.ts'

const SALT_TTL_MS = 48 * 3600_000

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
 * The embedded store: one SQLite file in WAL mode. Writes are group-committed: all
 * insertEvents calls that arrive while a transaction is pending share the next one, and
 * each call resolves only after that transaction has committed.
 *
 * @example
 * const store = openSqliteStore('./data/funnelbeam.db')
 * await store.insertEvents('shop', events) // ['accepted', 'duplicate', …]
 */
export class SqliteStore implements Store {
  readonly db: Database.Database
  readonly reports: SqliteReports
  /** Transactions committed by group commit; fewer than requests when requests share them. */
  commits = 0
  private pending: PendingWrite[] = []
  private scheduled = false
  private closed = false
  private readonly stmt

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a process kill (the OS has the WAL pages); only a power
    // cut can lose the last commits, and it costs an fsync per commit less.
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    migrate(this.db)
    this.reports = new SqliteReports(this.db)
    this.stmt = {
      // Positional parameters: binding 34 named ones per row measurably slowed ingest.
      insertEvent: this.db.prepare(`INSERT OR IGNORE INTO events (site, id, type, name, ts, received, visitor, user_id,
        session_id, path, url, referrer, title, source, medium, campaign, term, content, utm_id, click_id_type, click_id,
        referrer_host, channel, device, browser, country, lang, screen, value, currency, order_id, props, consent, bot, origin)
        VALUES (${Array(35).fill('?').join(', ')})`),
      hasId: this.db.prepare('SELECT 1 FROM events WHERE site = ? AND id = ?').pluck(),
      hasOrder: this.db.prepare(`SELECT 1 FROM events WHERE site = ? AND name = ? AND order_id = ? AND type = 'conversion'`).pluck(),
      latestSession: this.db.prepare(`SELECT id, started, last_ts AS lastTs, campaign_key AS campaignKey FROM sessions
        WHERE site = ? AND visitor = ? AND started <= ? ORDER BY started DESC LIMIT 1`),
      touchSession: this.db.prepare(`UPDATE sessions SET last_ts = max(last_ts, ?), events = events + 1,
        pageviews = pageviews + ? WHERE site = ? AND id = ?`),
      newSession: this.db.prepare(`INSERT INTO sessions (site, id, visitor, started, last_ts, campaign_key, source, medium,
        campaign, term, content, click_id_type, referrer_host, channel, landing_path, device, browser, country, consent, bot,
        events, pageviews) VALUES (@site, @id, @visitor, @ts, @ts, @campaignKey, @source, @medium, @campaign, @term, @content,
        @clickIdType, @referrerHost, @channel, @path, @device, @browser, @country, @consent, @bot, 1, @pageviews)`),
      getSite: this.db.prepare('SELECT * FROM sites WHERE id = ?'),
      insertSalt: this.db.prepare('INSERT OR IGNORE INTO salts (day, salt, created) VALUES (?, ?, ?)'),
      getSalt: this.db.prepare('SELECT salt FROM salts WHERE day = ?'),
      dropSalts: this.db.prepare('DELETE FROM salts WHERE created < ?'),
      quarantine: this.db.prepare(`INSERT INTO quarantine (site, received, origin, reason, message, payload)
        VALUES (@site, @received, @origin, @reason, @message, @payload)`),
    }
  }

  async createSite(site: Site): Promise<boolean> {
    const r = this.db.prepare(`INSERT OR IGNORE INTO sites (id, origins, secret_hash, currency, timezone, created)
      VALUES (?, ?, ?, ?, ?, ?)`).run(site.id, JSON.stringify(site.origins), site.secretHash, site.currency, site.timezone, site.created)
    return r.changes === 1
  }

  async getSite(id: string): Promise<Site | null> {
    // Every browser request looks its site up, so the statement is prepared once.
    const r = this.stmt.getSite.get(id) as Record<string, string | number> | undefined
    if (!r) return null
    return { id: String(r.id), origins: JSON.parse(String(r.origins)), secretHash: String(r.secret_hash), currency: String(r.currency), timezone: String(r.timezone), created: Number(r.created) }
  }

  async updateSite(id: string, patch: Partial<Pick<Site, 'origins' | 'currency' | 'timezone'>>): Promise<void> {
    if (patch.origins) this.db.prepare('UPDATE sites SET origins = ? WHERE id = ?').run(JSON.stringify(patch.origins), id)
    if (patch.currency) this.db.prepare('UPDATE sites SET currency = ? WHERE id = ?').run(patch.currency, id)
    if (patch.timezone) this.db.prepare('UPDATE sites SET timezone = ? WHERE id = ?').run(patch.timezone, id)
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
      results = this.db.transaction(() => batch.map((w) => w.events.map((e) => this.insertOne(w.site, e))))()
    } catch (err) {
      for (const w of batch) w.reject(err)
      return
    }
    this.commits++
    batch.forEach((w, i) => w.resolve(results[i]))
  }

  private insertOne(site: string, e: EnrichedEvent): InsertOutcome {
    // Duplicates are found before the session is touched, so a retried event never
    // stretches a session, and the row is written once with its session (an UPDATE
    // afterwards would rewrite the covering report indexes a second time).
    if (this.stmt.hasId.get(site, e.id)) return 'duplicate'
    if (e.type === 'conversion' && e.orderId && this.stmt.hasOrder.get(site, e.name, e.orderId)) return 'duplicate'
    const session = e.visitor ? this.assignSession(site, e) : null
    const t = e.touch
    const r = this.stmt.insertEvent.run(
      site, e.id, e.type, e.name, e.ts, e.received, e.visitor, e.userId, session, e.path, e.url, e.referrer, e.title,
      t.source, t.medium, t.campaign, t.term, t.content, t.utmId, t.clickIdType, t.clickId, t.referrerHost,
      e.channel, e.device, e.browser, e.country, e.lang, e.screen, e.value, e.currency, e.orderId,
      e.props ? JSON.stringify(e.props) : null, e.consent, e.bot ? 1 : 0, e.origin,
    )
    // Only one writer runs inside this transaction, so the checks above cannot race; the
    // unique indexes stay the guarantee all the same.
    return r.changes === 0 ? 'duplicate' : 'accepted'
  }

  private assignSession(site: string, e: EnrichedEvent): string {
    const key = campaignKey(e.touch)
    const prev = this.stmt.latestSession.get(site, e.visitor, e.ts) as SessionState | undefined
    const pageviews = e.type === 'pageview' ? 1 : 0
    if (prev && continuesSession(prev, e.ts, key)) {
      this.stmt.touchSession.run(e.ts, pageviews, site, prev.id)
      return prev.id
    }
    const t = e.touch
    const id = uuidv7(e.ts)
    this.stmt.newSession.run({
      site, id, visitor: e.visitor, ts: e.ts, campaignKey: key, source: t.source, medium: t.medium, campaign: t.campaign,
      term: t.term, content: t.content, clickIdType: t.clickIdType, referrerHost: t.referrerHost,
      channel: e.channel, path: e.path, device: e.device, browser: e.browser, country: e.country,
      consent: e.consent, bot: e.bot ? 1 : 0, pageviews,
    })
    return id
  }

  async quarantine(rows: QuarantineRow[]): Promise<void> {
    if (rows.length === 0) return
    this.db.transaction(() => { for (const r of rows) this.stmt.quarantine.run(r) })()
  }

  async quarantineCounts(site: string, since: number): Promise<Record<string, number>> {
    const rows = this.db.prepare('SELECT reason, count(*) AS n FROM quarantine WHERE site = ? AND received >= ? GROUP BY reason')
      .all(site, since) as { reason: string; n: number }[]
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.flush()
    this.db.close()
  }
}

export function openSqliteStore(file: string): SqliteStore {
  return new SqliteStore(file)
}
