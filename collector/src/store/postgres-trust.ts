import type pg from 'pg'
import type { EnrichedEvent, QuarantineRow } from '../model.ts'
import { inTransaction } from './postgres-pool.ts'
import { eventFromRow, sessionFromRow } from './derived-rows.ts'
import { decodeGroup, encodeGroup } from './inbox-codec.ts'
import { quarantineNeedles, splitPending, subjectEvents, subjectVisitors } from '../privacy/subject.ts'
import type { DashboardSession, Erased, Purged, ReportToken, Subject, SubjectData, TrustStore } from './trust-types.ts'

/** Rows per retention delete: each is its own short transaction, so ingest never waits long. */
const PURGE_CHUNK = 5000

interface Found {
  visitors: Set<string>
  mine: (e: EnrichedEvent) => boolean
  pending: { seq: string; events: EnrichedEvent[] }[]
  quarantine: (QuarantineRow & { seq: string })[]
}

/**
 * Salts, retention, data-subject requests, report tokens and dashboard sessions on
 * PostgreSQL (see {@link TrustStore}); the same rules as `SqliteTrust`.
 *
 * @example
 * const trust = new PostgresTrust(pool)
 * await trust.exportSubject('shop', { kind: 'user', id: 'u-42' })
 */
export class PostgresTrust implements TrustStore {
  constructor(private readonly pool: pg.Pool) {}

  async dropSalts(before: number): Promise<number> {
    return (await this.pool.query('DELETE FROM salts WHERE created < $1', [before])).rowCount ?? 0
  }

  async purge(before: number): Promise<Purged> {
    const sites = (await this.pool.query<{ id: string }>('SELECT id FROM sites')).rows.map((r) => r.id)
    const chunked = async (sql: string, args: unknown[]) => {
      let n = 0
      for (let c; (c = (await this.pool.query(sql, [...args, PURGE_CHUNK])).rowCount ?? 0) > 0;) n += c
      return n
    }
    const out: Purged = { events: 0, sessions: 0, quarantine: 0, outbox: 0, userHashes: 0 }
    // The events' keys (event_ids, order_ids) stay: a retried old event must still be a duplicate.
    for (const site of sites) {
      for (;;) {
        const gone = await inTransaction(this.pool, async (c) => {
          const ids = (await c.query<{ id: string }>('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE site = $1 AND ts < $2 LIMIT $3) RETURNING id', [site, before, PURGE_CHUNK])).rows.map((r) => r.id)
          if (ids.length) out.userHashes += (await c.query('DELETE FROM user_hashes WHERE site = $1 AND event_id = ANY($2::text[])', [site, ids])).rowCount ?? 0
          return ids.length
        })
        if (gone === 0) break
        out.events += gone
      }
      out.outbox += await chunked('DELETE FROM outbox WHERE (site, platform, event_id) IN (SELECT site, platform, event_id FROM outbox WHERE site = $1 AND ts < $2 LIMIT $3)', [site, before])
      out.sessions += await chunked(`DELETE FROM sessions WHERE (site, id) IN (SELECT site, id FROM sessions WHERE site = $1 AND last_ts < $2 LIMIT $3)`, [site, before])
    }
    out.quarantine = await chunked('DELETE FROM quarantine WHERE seq IN (SELECT seq FROM quarantine WHERE received < $1 LIMIT $2)', [before])
    return out
  }

  /** Finds the subject's visitors, pending events (rows locked) and quarantined payloads. */
  private async find(c: pg.PoolClient, site: string, subject: Subject, lock: boolean): Promise<Found> {
    const pending = (await c.query<{ seq: string; events: string }>(`SELECT seq, events FROM inbox WHERE site = $1${lock ? ' FOR UPDATE' : ''}`, [site]))
      .rows.map((r) => ({ seq: r.seq, events: decodeGroup(r.events) }))
    const withUser = subject.kind === 'user'
      ? (await c.query<{ visitor: string }>('SELECT DISTINCT visitor FROM events WHERE site = $1 AND user_id = $2 AND visitor IS NOT NULL', [site, subject.id])).rows.map((r) => r.visitor)
      : []
    const visitors = subjectVisitors(subject, withUser, pending.flatMap((p) => p.events))
    const quarantine = (await c.query<QuarantineRow & { seq: string }>(
      'SELECT seq, site, received::float8 AS received, origin, reason, message, payload FROM quarantine WHERE site = $1 AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE strpos(payload, n) > 0)',
      [site, quarantineNeedles(subject, visitors)])).rows
    return { visitors, mine: subjectEvents(subject, visitors), pending, quarantine }
  }

  private eventsWhere(site: string, subject: Subject, visitors: Set<string>): { sql: string; args: unknown[] } {
    return subject.kind === 'user'
      ? { sql: 'site = $1 AND (visitor = ANY($2::text[]) OR user_id = $3)', args: [site, [...visitors], subject.id] }
      : { sql: 'site = $1 AND visitor = ANY($2::text[])', args: [site, [...visitors]] }
  }

  async exportSubject(site: string, subject: Subject): Promise<SubjectData> {
    return inTransaction(this.pool, async (c) => {
      const f = await this.find(c, site, subject, false)
      const w = this.eventsWhere(site, subject, f.visitors)
      const events = (await c.query(`SELECT * FROM events WHERE ${w.sql} ORDER BY ts, seq`, w.args)).rows.map(eventFromRow)
      const sessions = (await c.query('SELECT * FROM sessions WHERE site = $1 AND visitor = ANY($2::text[]) ORDER BY started', [site, [...f.visitors]])).rows.map(sessionFromRow)
      const pending = f.pending.flatMap((p) => p.events.filter(f.mine))
      const quarantine = f.quarantine.map(({ seq: _seq, ...r }) => r)
      const ids = [...events, ...pending].map((e) => e.id)
      const userHashes = (await c.query('SELECT * FROM user_hashes WHERE site = $1 AND event_id = ANY($2::text[])', [site, ids])).rows
      const outbox = (await c.query('SELECT * FROM outbox WHERE site = $1 AND event_id = ANY($2::text[]) ORDER BY ts', [site, ids])).rows
      return { visitors: [...f.visitors].sort(), events, sessions, pending, quarantine, userHashes, outbox }
    })
  }

  async eraseSubject(site: string, subject: Subject): Promise<Erased> {
    return inTransaction(this.pool, async (c) => {
      const f = await this.find(c, site, subject, true)
      const w = this.eventsWhere(site, subject, f.visitors)
      const ids = (await c.query<{ id: string }>(`DELETE FROM events WHERE ${w.sql} RETURNING id`, w.args)).rows.map((r) => r.id)
      const events = ids.length
      const sessions = (await c.query('DELETE FROM sessions WHERE site = $1 AND visitor = ANY($2::text[])', [site, [...f.visitors]])).rowCount ?? 0
      let pending = 0
      for (const row of f.pending) {
        const { keep, gone } = splitPending(row.events, f.mine)
        if (gone.length === 0) continue
        pending += gone.length
        ids.push(...gone.map((e) => e.id))
        // A rewritten row gets a new seq: a derivation step that read the old row finds it gone and rolls back.
        if (keep.length > 0) await c.query('INSERT INTO inbox (site, received, n, events) SELECT site, received, $1, $2 FROM inbox WHERE seq = $3', [keep.length, encodeGroup(keep), row.seq])
        await c.query('DELETE FROM inbox WHERE seq = $1', [row.seq])
      }
      if (f.quarantine.length) await c.query('DELETE FROM quarantine WHERE seq = ANY($1::bigint[])', [f.quarantine.map((r) => r.seq)])
      const userHashes = (await c.query('DELETE FROM user_hashes WHERE site = $1 AND event_id = ANY($2::text[])', [site, ids])).rowCount ?? 0
      const outbox = (await c.query('DELETE FROM outbox WHERE site = $1 AND event_id = ANY($2::text[])', [site, ids])).rowCount ?? 0
      return { events, sessions, pending, quarantine: f.quarantine.length, userHashes, outbox }
    })
  }

  async addToken(t: ReportToken & { hash: string }): Promise<void> {
    await this.pool.query('INSERT INTO report_tokens (id, site, hash, label, created) VALUES ($1, $2, $3, $4, $5)', [t.id, t.site, t.hash, t.label, t.created])
  }

  async tokens(site: string): Promise<ReportToken[]> {
    return (await this.pool.query<ReportToken>('SELECT id, site, label, created::float8 AS created FROM report_tokens WHERE site = $1 ORDER BY created, id', [site])).rows
  }

  async token(id: string): Promise<(ReportToken & { hash: string }) | null> {
    return (await this.pool.query<ReportToken & { hash: string }>('SELECT id, site, hash, label, created::float8 AS created FROM report_tokens WHERE id = $1', [id])).rows[0] ?? null
  }

  async revokeToken(site: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const gone = (await c.query('DELETE FROM report_tokens WHERE site = $1 AND id = $2', [site, id])).rowCount === 1
      if (gone) await c.query('DELETE FROM dashboard_sessions WHERE token_id = $1', [id])
      return gone
    })
  }

  async addSession(hash: string, s: DashboardSession): Promise<void> {
    await this.pool.query('INSERT INTO dashboard_sessions (hash, site, token_id, expires) VALUES ($1, $2, $3, $4)', [hash, s.site, s.tokenId, s.expires])
  }

  async session(hash: string, now: number): Promise<DashboardSession | null> {
    const r = (await this.pool.query<{ site: string | null; token_id: string | null; expires: number }>(
      'SELECT site, token_id, expires::float8 AS expires FROM dashboard_sessions WHERE hash = $1', [hash])).rows[0]
    if (!r) return null
    if (r.expires <= now) {
      await this.dropSession(hash)
      return null
    }
    return { site: r.site, tokenId: r.token_id, expires: r.expires }
  }

  async dropSession(hash: string): Promise<void> {
    await this.pool.query('DELETE FROM dashboard_sessions WHERE hash = $1', [hash])
  }

  async dropExpiredSessions(now: number): Promise<number> {
    return (await this.pool.query('DELETE FROM dashboard_sessions WHERE expires <= $1', [now])).rowCount ?? 0
  }
}
