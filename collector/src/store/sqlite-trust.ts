import type Database from 'better-sqlite3'
import { SESSION_UNIT, VISITOR_UNIT } from './sqlite-funnel-chunks.ts'
import type { EnrichedEvent, QuarantineRow } from '../model.ts'
import { eventFromRow, sessionFromRow } from './derived-rows.ts'
import { decodeGroup, encodeGroup } from './inbox-codec.ts'
import { quarantineNeedles, splitPending, subjectEvents, subjectVisitors } from '../privacy/subject.ts'
import type { DashboardSession, Erased, Purged, ReportToken, Subject, SubjectData, TrustStore } from './trust-types.ts'

/** Rows per retention delete: each is its own short transaction, so ingest never waits long. */
const PURGE_CHUNK = 5000

interface Found {
  visitors: Set<string>
  mine: (e: EnrichedEvent) => boolean
  pending: { seq: number; events: EnrichedEvent[] }[]
  quarantine: (QuarantineRow & { seq: number })[]
}

/**
 * Salts, retention, data-subject requests, report tokens and dashboard sessions on the
 * SQLite file (see {@link TrustStore}).
 *
 * @example
 * const trust = new SqliteTrust(db)
 * await trust.eraseSubject('shop', { kind: 'visitor', id: 'v1' }) // { events: 3, sessions: 1, … }
 */
export class SqliteTrust implements TrustStore {
  constructor(private readonly db: Database.Database) {}

  async dropSalts(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM salts WHERE created < ?').run(before).changes
  }

  async purge(before: number): Promise<Purged> {
    const sites = this.db.prepare('SELECT id FROM sites').pluck().all() as string[]
    const chunked = (sql: string, ...args: unknown[]) => {
      const stmt = this.db.prepare(sql)
      let n = 0
      for (let c; (c = stmt.run(...args, PURGE_CHUNK).changes) > 0;) n += c
      return n
    }
    const out: Purged = { events: 0, sessions: 0, quarantine: 0, outbox: 0, userHashes: 0 }
    const oldEvents = this.db.prepare('DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE site = ? AND ts < ? LIMIT ?) RETURNING id').pluck()
    const dropHashes = this.db.prepare('DELETE FROM user_hashes WHERE site = ? AND event_id IN (SELECT value FROM json_each(?))')
    // Per site, so each chunk is found through the (site, time) indexes. The events' keys
    // (event_ids, order_ids) stay: a retried old event must still be a duplicate.
    for (const site of sites) {
      for (;;) {
        const gone = this.db.transaction(() => {
          const ids = oldEvents.all(site, before, PURGE_CHUNK) as string[]
          if (ids.length) out.userHashes += dropHashes.run(site, JSON.stringify(ids)).changes
          return ids.length
        })()
        if (gone === 0) break
        out.events += gone
      }
      out.sessions += chunked('DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE site = ? AND last_ts < ? LIMIT ?)', site, before)
      out.outbox += chunked('DELETE FROM outbox WHERE rowid IN (SELECT rowid FROM outbox WHERE site = ? AND ts < ? LIMIT ?)', site, before)
    }
    out.quarantine = chunked('DELETE FROM quarantine WHERE seq IN (SELECT seq FROM quarantine WHERE received < ? LIMIT ?)', before)
    return out
  }

  /** Finds the subject's visitors, pending events and quarantined payloads (inside the caller's transaction). */
  private find(site: string, subject: Subject): Found {
    const pending = (this.db.prepare('SELECT seq, events FROM inbox WHERE site = ?').all(site) as { seq: number; events: string }[])
      .map((r) => ({ seq: r.seq, events: decodeGroup(r.events) }))
    const withUser = subject.kind === 'user'
      ? this.db.prepare('SELECT DISTINCT visitor FROM events INDEXED BY events_site_user WHERE site = ? AND user_id = ? AND visitor IS NOT NULL')
        .pluck().all(site, subject.id) as string[]
      : []
    const visitors = subjectVisitors(subject, withUser, pending.flatMap((p) => p.events))
    const quarantine: Found['quarantine'] = []
    const q = this.db.prepare('SELECT * FROM quarantine WHERE site = ? AND instr(payload, ?) > 0')
    const seen = new Set<number>()
    for (const needle of quarantineNeedles(subject, visitors)) {
      for (const r of q.all(site, needle) as (QuarantineRow & { seq: number })[]) if (!seen.has(r.seq)) { seen.add(r.seq); quarantine.push(r) }
    }
    return { visitors, mine: subjectEvents(subject, visitors), pending, quarantine }
  }

  async exportSubject(site: string, subject: Subject): Promise<SubjectData> {
    return this.db.transaction(() => {
      const f = this.find(site, subject)
      const q = subjectEventsSql('SELECT rowid, *', site, subject, f.visitors)
      const events = (this.db.prepare(q.source).all(...q.args) as Record<string, unknown>[]).map(eventFromRow).sort((a, b) => a.ts - b.ts)
      const sessions = (this.db.prepare('SELECT * FROM sessions WHERE site = ? AND visitor IN (SELECT value FROM json_each(?)) ORDER BY started')
        .all(site, JSON.stringify([...f.visitors])) as Record<string, unknown>[]).map(sessionFromRow)
      const pending = f.pending.flatMap((p) => p.events.filter(f.mine))
      const quarantine = f.quarantine.map(({ seq: _seq, ...r }) => r)
      const ids = JSON.stringify([...events, ...pending].map((e) => e.id))
      const userHashes = this.db.prepare('SELECT * FROM user_hashes WHERE site = ? AND event_id IN (SELECT value FROM json_each(?))').all(site, ids) as Record<string, unknown>[]
      const outbox = this.db.prepare('SELECT * FROM outbox WHERE site = ? AND event_id IN (SELECT value FROM json_each(?)) ORDER BY ts').all(site, ids) as Record<string, unknown>[]
      return { visitors: [...f.visitors].sort(), events, sessions, pending, quarantine, userHashes, outbox }
    })()
  }

  async eraseSubject(site: string, subject: Subject): Promise<Erased> {
    return this.db.transaction(() => {
      const f = this.find(site, subject)
      const del = subjectEventsSql('DELETE', site, subject, f.visitors)
      const ids = (this.db.prepare(`${del.source} RETURNING id`).pluck().all(...del.args) as string[])
      const visitors = JSON.stringify([...f.visitors])
      // The funnel columns' numbers of the subject's visitors and sessions go too (their chunks are noted by the deletes).
      this.db.prepare(`DELETE FROM funnel_units WHERE site = ? AND ((kind = ${VISITOR_UNIT} AND unit IN (SELECT value FROM json_each(?)))
        OR (kind = ${SESSION_UNIT} AND unit IN (SELECT id FROM sessions WHERE site = ? AND visitor IN (SELECT value FROM json_each(?)))))`)
        .run(site, visitors, site, visitors)
      const sessions = this.db.prepare('DELETE FROM sessions WHERE site = ? AND visitor IN (SELECT value FROM json_each(?))').run(site, visitors).changes
      let pending = 0
      // A rewritten row gets a new seq: a derivation step that read the old row finds it gone and rolls back.
      const rewrite = this.db.prepare('INSERT INTO inbox (site, received, n, events) SELECT site, received, ?, ? FROM inbox WHERE seq = ?')
      const drop = this.db.prepare('DELETE FROM inbox WHERE seq = ?')
      for (const row of f.pending) {
        const { keep, gone } = splitPending(row.events, f.mine)
        if (gone.length === 0) continue
        pending += gone.length
        ids.push(...gone.map((e) => e.id))
        if (keep.length > 0) rewrite.run(keep.length, encodeGroup(keep), row.seq)
        drop.run(row.seq)
      }
      const dropQ = this.db.prepare('DELETE FROM quarantine WHERE seq = ?')
      for (const r of f.quarantine) dropQ.run(r.seq)
      const idList = JSON.stringify(ids)
      const userHashes = this.db.prepare('DELETE FROM user_hashes WHERE site = ? AND event_id IN (SELECT value FROM json_each(?))').run(site, idList).changes
      const outbox = this.db.prepare('DELETE FROM outbox WHERE site = ? AND event_id IN (SELECT value FROM json_each(?))').run(site, idList).changes
      return { events: ids.length - pending, sessions, pending, quarantine: f.quarantine.length, userHashes, outbox }
    })()
  }

  async addToken(t: ReportToken & { hash: string }): Promise<void> {
    this.db.prepare('INSERT INTO report_tokens (id, site, hash, label, created) VALUES (?, ?, ?, ?, ?)').run(t.id, t.site, t.hash, t.label, t.created)
  }

  async tokens(site: string): Promise<ReportToken[]> {
    return this.db.prepare('SELECT id, site, label, created FROM report_tokens WHERE site = ? ORDER BY created, id').all(site) as ReportToken[]
  }

  async token(id: string): Promise<(ReportToken & { hash: string }) | null> {
    return (this.db.prepare('SELECT id, site, hash, label, created FROM report_tokens WHERE id = ?').get(id) as (ReportToken & { hash: string }) | undefined) ?? null
  }

  async revokeToken(site: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const gone = this.db.prepare('DELETE FROM report_tokens WHERE site = ? AND id = ?').run(site, id).changes === 1
      if (gone) this.db.prepare('DELETE FROM dashboard_sessions WHERE token_id = ?').run(id)
      return gone
    })()
  }

  async addSession(hash: string, s: DashboardSession): Promise<void> {
    this.db.prepare('INSERT INTO dashboard_sessions (hash, site, token_id, expires) VALUES (?, ?, ?, ?)').run(hash, s.site, s.tokenId, s.expires)
  }

  async session(hash: string, now: number): Promise<DashboardSession | null> {
    const r = this.db.prepare('SELECT site, token_id, expires FROM dashboard_sessions WHERE hash = ?').get(hash) as { site: string | null; token_id: string | null; expires: number } | undefined
    if (!r) return null
    if (r.expires <= now) {
      this.db.prepare('DELETE FROM dashboard_sessions WHERE hash = ?').run(hash)
      return null
    }
    return { site: r.site, tokenId: r.token_id, expires: r.expires }
  }

  async dropSession(hash: string): Promise<void> {
    this.db.prepare('DELETE FROM dashboard_sessions WHERE hash = ?').run(hash)
  }

  async dropExpiredSessions(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM dashboard_sessions WHERE expires <= ?').run(now).changes
  }
}

/**
 * The SQL of a subject's events: of its visitors, or (for a user id) carrying it.
 *
 * @example
 * const q = subjectEventsSql('DELETE', 'shop', { kind: 'user', id: 'u1' }, new Set(['v1']))
 * db.prepare(q.source).run(...q.args)
 */
export function subjectEventsSql(what: string, site: string, subject: Subject, visitors: Set<string>): { source: string; args: unknown[] } {
  const user = subject.kind === 'user'
  // Two index lookups, not an OR the planner answers by reading every event of the site.
  const byVisitor = 'SELECT rowid FROM events WHERE site = ? AND visitor IN (SELECT value FROM json_each(?))'
  const byUser = 'SELECT rowid FROM events INDEXED BY events_site_user WHERE site = ? AND user_id = ?'
  return {
    source: `${what} FROM events WHERE rowid IN (${byVisitor}${user ? ` UNION ALL ${byUser}` : ''})`,
    args: user ? [site, JSON.stringify([...visitors]), site, subject.id] : [site, JSON.stringify([...visitors])],
  }
}
