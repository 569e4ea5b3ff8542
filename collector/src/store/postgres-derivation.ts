/**
 * What derivation reads and writes on PostgreSQL: the inbox, a visitor's latest session and
 * stored events, and one transaction per derivation step. The rules live in `derive/`;
 * this only persists and queries.
 */
import { longestSessions } from './derived-rows.ts'
import { decodeGroup, encodeGroup } from './inbox-codec.ts'
import type pg from 'pg'
import { inTransaction } from './postgres-pool.ts'
import { appendInbox, type PendingEvents } from './postgres-ingest.ts'
import { eventFromRow, sessionFromRow, storedEventFromRow } from './derived-rows.ts'
import type { DerivedSession, EnrichedEvent } from '../model.ts'
import type { DerivationBacklog, DerivationWrite, PendingGroup, StoredEvent } from './types.ts'
import { checkGoalsVersion, claimGoalHitsIn, moveGoalHitsIn } from './postgres-goals.ts'

/**
 * The oldest inbox rows, at least one when any is pending, at most `maxEvents` events in
 * all unless the first row alone holds more. Every row holds an event at least, so the
 * running sum needs only the first `maxEvents` rows' seq and size, and only the rows
 * taken have their events read.
 *
 * @example
 * const groups = await pendingGroups(pool, 2000)
 */
export async function pendingGroups(pool: pg.Pool, maxEvents: number): Promise<PendingGroup[]> {
  const r = await pool.query<{ seq: number; site: string; received: number; events: string }>(
    `SELECT i.seq, i.site, i.received, i.events
     FROM (SELECT seq, n, sum(n) OVER (ORDER BY seq) AS upto FROM (SELECT seq, n FROM inbox ORDER BY seq LIMIT $1) head) w
     JOIN inbox i USING (seq)
     WHERE w.upto <= $1 OR w.upto = w.n
     ORDER BY i.seq`,
    [Math.max(1, Math.floor(maxEvents))],
  )
  return r.rows.map((x) => ({ seq: x.seq, site: x.site, received: x.received, events: decodeGroup(x.events) }))
}

// Equal starts: the session whose first event sorts later (derive/sessions.ts: time, then
// id) is the later one, whatever order the rows were written in.
const LATEST = 'ORDER BY started DESC, id DESC LIMIT 1'

/** The visitor's latest session that started at or before `atOrBefore`. */
export async function latestSession(pool: pg.Pool, site: string, visitor: string, atOrBefore: number): Promise<DerivedSession | null> {
  const r = await pool.query('SELECT * FROM sessions WHERE site = $1 AND visitor = $2 AND started <= $3 ' + LATEST, [site, visitor, atOrBefore])
  return r.rows[0] ? sessionFromRow(r.rows[0]) : null
}

/**
 * Each visitor's latest session, in input order, in one round trip: derivation asks for
 * every visitor of a step, and one query each would cost a round trip per visitor.
 *
 * @example
 * const [s] = await latestSessions(pool, [{ site: 'shop', visitor: 'v1' }])
 */
export async function latestSessions(pool: pg.Pool, visitors: { site: string; visitor: string }[]): Promise<(DerivedSession | null)[]> {
  if (visitors.length === 0) return []
  const r = await pool.query(
    `SELECT u.i, s.* FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(site, visitor, i)
     CROSS JOIN LATERAL (SELECT * FROM sessions s WHERE s.site = u.site AND s.visitor = u.visitor ${LATEST}) s`,
    [visitors.map((v) => v.site), visitors.map((v) => v.visitor)],
  )
  const out: (DerivedSession | null)[] = visitors.map(() => null)
  for (const row of r.rows) out[Number(row.i) - 1] = sessionFromRow(row)
  return out
}

/** The visitor's stored events from `from` on. */
export async function visitorEvents(pool: pg.Pool, site: string, visitor: string, from: number): Promise<StoredEvent[]> {
  const r = await pool.query(
    `SELECT seq, session_id, id, ts, type, source, medium, campaign, term, content, utm_id, click_id_type, click_id,
       referrer_host, channel, path, device, browser, country, consent, bot, origin, name
     FROM events WHERE site = $1 AND visitor = $2 AND ts >= $3`,
    [site, visitor, from],
  )
  return r.rows.map(storedEventFromRow)
}

/** Pending events and the oldest pending group's receive time. */
export async function derivationBacklog(pool: pg.Pool): Promise<DerivationBacklog> {
  const r = await pool.query<DerivationBacklog>(`SELECT COALESCE(sum(n), 0)::bigint AS events, min(received) AS "oldestReceived", min(seq) AS "oldestSeq",
    max(seq) AS "newestSeq" FROM inbox`)
  return r.rows[0]
}

/**
 * Writes one derivation step in one transaction. Its inbox rows are deleted first: should
 * another process have derived them meanwhile (it could only if the advisory lock was lost
 * with its connection), fewer rows go and the step rolls back instead of storing them twice.
 *
 * @example
 * await applyDerivation(pool, await planDerivation(store, groups))
 */
export async function applyDerivation(pool: pg.Pool, w: DerivationWrite): Promise<void> {
  await inTransaction(pool, async (c) => {
    if (w.done.length > 0) {
      const gone = await c.query('DELETE FROM inbox WHERE seq = ANY($1::bigint[])', [w.done])
      if (gone.rowCount !== w.done.length) throw new Error(`derivation: ${w.done.length - (gone.rowCount ?? 0)} pending groups were derived by another process`)
    }
    if (w.dropSessions.length > 0) {
      await c.query(`DELETE FROM sessions s USING unnest($1::text[], $2::text[], $3::bigint[]) AS u(site, visitor, started)
        WHERE s.site = u.site AND s.visitor = u.visitor AND s.started >= u.started`,
      [w.dropSessions.map((d) => d.site), w.dropSessions.map((d) => d.visitor), w.dropSessions.map((d) => d.from)])
    }
    await putSessions(c, w.sessions)
    const spans = longestSessions(w)
    if (spans.size > 0) {
      await c.query(`INSERT INTO session_span (site, max_ms) SELECT * FROM unnest($1::text[], $2::bigint[])
        ON CONFLICT (site) DO UPDATE SET max_ms = GREATEST(session_span.max_ms, excluded.max_ms)`, [[...spans.keys()], [...spans.values()]])
    }
    if (w.moved.length > 0) {
      await c.query(`UPDATE events e SET session_id = u.session_id FROM unnest($1::bigint[], $2::text[]) AS u(seq, session_id)
        WHERE e.seq = u.seq`, [w.moved.map((m) => m.ref), w.moved.map((m) => m.sessionId)])
    }
    if (w.goalMoves?.length) await moveGoalHitsIn(c, w.goalMoves)
    await insertEvents(c, w.events)
    if (w.goalHits?.length) await claimGoalHitsIn(c, w.goalHits)
    if (w.goalsVersion !== undefined) await checkGoalsVersion(c, w.goalsVersion)
  })
}

/** Writes events rows as derivation makes them, in one statement. */
export async function insertEvents(c: pg.PoolClient, rows: { site: string; event: EnrichedEvent; sessionId: string | null }[]): Promise<void> {
  if (rows.length === 0) return
  await c.query(INSERT_EVENTS, [
    rows.map((r) => r.site), rows.map((r) => r.sessionId), ...COLUMNS.map(([, , get]) => rows.map((r) => get(r.event))),
  ])
}

/** Events moved back to the inbox per transaction. */
const REQUEUE_CHUNK = 5000

/**
 * Moves every stored event back into the inbox (through `transform`) and empties the
 * sessions, in arrival order, one transaction per chunk: after a crash part-way each event
 * is in one of the two places, and running it again finishes. The key tables stay: the
 * events are still stored once. Goal conversions and their claims are dropped, not moved:
 * derivation makes them again. Answers the events moved.
 *
 * @example
 * const n = await requeueAll(pool, (e) => ({ ...e, channel: channelOf(e.touch) }))
 */
export async function requeueAll(pool: pg.Pool, transform: (e: EnrichedEvent) => EnrichedEvent,
  onProgress?: (moved: number, total: number) => void): Promise<number> {
  // Goal conversions are derived: derivation makes them anew (with today's goals) instead.
  await inTransaction(pool, async (c) => {
    await c.query("DELETE FROM events WHERE origin = 'goal'")
    await c.query('DELETE FROM goal_hits')
  })
  const total = (await pool.query<{ n: number }>('SELECT count(*) AS n FROM events')).rows[0].n
  await pool.query('DELETE FROM sessions')
  const received = Date.now()
  let moved = 0
  for (;;) {
    const n = await inTransaction(pool, async (c) => {
      const rows = (await c.query('SELECT * FROM events ORDER BY seq LIMIT $1', [REQUEUE_CHUNK])).rows
      if (rows.length === 0) return 0
      // Consecutive events of one site share an inbox row, at most 100 to a row as ingest makes them.
      const groups: PendingEvents[] = []
      for (const r of rows) {
        const last = groups.at(-1)
        if (!last || last.site !== r.site || last.events.length === 100) groups.push({ site: r.site, events: [transform(eventFromRow(r))] })
        else last.events.push(transform(eventFromRow(r)))
      }
      await appendInbox(c, groups, received)
      await c.query('DELETE FROM events WHERE seq <= $1', [rows[rows.length - 1].seq])
      return rows.length
    })
    if (n === 0) return moved
    moved += n
    onProgress?.(moved, total)
  }
}

const SESSION_COLUMNS: [name: string, type: string, get: (s: DerivedSession) => unknown][] = [
  ['id', 'text', (s) => s.id], ['visitor', 'text', (s) => s.visitor], ['started', 'bigint', (s) => s.started],
  ['last_ts', 'bigint', (s) => s.lastTs], ['campaign_key', 'text', (s) => s.campaignKey], ['source', 'text', (s) => s.source],
  ['medium', 'text', (s) => s.medium], ['campaign', 'text', (s) => s.campaign], ['term', 'text', (s) => s.term],
  ['content', 'text', (s) => s.content], ['click_id_type', 'text', (s) => s.clickIdType], ['referrer_host', 'text', (s) => s.referrerHost],
  ['channel', 'text', (s) => s.channel], ['landing_path', 'text', (s) => s.landingPath], ['device', 'text', (s) => s.device],
  ['browser', 'text', (s) => s.browser], ['country', 'text', (s) => s.country], ['consent', 'int', (s) => s.consent],
  ['bot', 'bool', (s) => s.bot], ['events', 'int', (s) => s.events], ['pageviews', 'int', (s) => s.pageviews],
]
const PUT_SESSIONS = `INSERT INTO sessions (site, ${SESSION_COLUMNS.map((c) => c[0]).join(', ')})
  SELECT * FROM unnest($1::text[], ${SESSION_COLUMNS.map((c, i) => `$${i + 2}::${c[1]}[]`).join(', ')})
  ON CONFLICT (site, id) DO UPDATE SET ${SESSION_COLUMNS.slice(1).map(([c]) => `${c} = EXCLUDED.${c}`).join(', ')}`

/** Inserts or replaces sessions by (site, id); of two writes of one session the last wins, as SQLite's INSERT OR REPLACE. */
async function putSessions(c: pg.PoolClient, sessions: DerivationWrite['sessions']): Promise<void> {
  // One statement cannot upsert a row twice: keep each session's last write.
  const last = [...new Map(sessions.map((s) => [`${s.site}\0${s.session.id}`, s])).values()]
  if (last.length === 0) return
  await c.query(PUT_SESSIONS, [last.map((s) => s.site), ...SESSION_COLUMNS.map(([, , get]) => last.map((s) => get(s.session)))])
}

const COLUMNS: [name: string, type: string, get: (e: EnrichedEvent) => unknown][] = [
  ['id', 'text', (e) => e.id], ['type', 'text', (e) => e.type], ['name', 'text', (e) => e.name],
  ['ts', 'bigint', (e) => Math.round(e.ts)], ['received', 'bigint', (e) => Math.round(e.received)],
  ['visitor', 'text', (e) => e.visitor], ['user_id', 'text', (e) => e.userId], ['path', 'text', (e) => e.path],
  ['url', 'text', (e) => e.url], ['referrer', 'text', (e) => e.referrer], ['title', 'text', (e) => e.title],
  ['source', 'text', (e) => e.touch.source], ['medium', 'text', (e) => e.touch.medium], ['campaign', 'text', (e) => e.touch.campaign],
  ['term', 'text', (e) => e.touch.term], ['content', 'text', (e) => e.touch.content], ['utm_id', 'text', (e) => e.touch.utmId],
  ['click_id_type', 'text', (e) => e.touch.clickIdType], ['click_id', 'text', (e) => e.touch.clickId],
  ['referrer_host', 'text', (e) => e.touch.referrerHost], ['channel', 'text', (e) => e.channel], ['device', 'text', (e) => e.device],
  ['browser', 'text', (e) => e.browser], ['country', 'text', (e) => e.country], ['lang', 'text', (e) => e.lang],
  ['screen', 'int', (e) => (e.screen === null ? null : Math.round(e.screen))], ['value', 'float8', (e) => e.value],
  ['currency', 'text', (e) => e.currency], ['order_id', 'text', (e) => e.orderId],
  // Passed as text and cast, so the JSON is ours (node-postgres would send a JS array as a PG array).
  ['props', 'text', (e) => (e.props ? JSON.stringify(e.props) : null)],
  ['consent', 'int', (e) => e.consent], ['bot', 'bool', (e) => e.bot], ['origin', 'text', (e) => e.origin],
]
// One multi-row statement per step; rows go in in the order given, so seq follows arrival.
const INSERT_EVENTS = `INSERT INTO events (site, session_id, ${COLUMNS.map((c) => c[0]).join(', ')})
  SELECT u.site, u.session_id, ${COLUMNS.map((c) => (c[0] === 'props' ? 'u.props::jsonb' : `u.${c[0]}`)).join(', ')}
  FROM unnest($1::text[], $2::text[], ${COLUMNS.map((c, i) => `$${i + 3}::${c[1]}[]`).join(', ')})
    AS u(site, session_id, ${COLUMNS.map((c) => c[0]).join(', ')})`
