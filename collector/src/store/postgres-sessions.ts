/**
 * Session assignment on PostgreSQL, inside the ingest transaction. Two processes may get
 * events of one visitor at the same moment, so each visitor is serialized with a
 * transaction-scoped advisory lock, taken before the events are inserted: one
 * transaction at a time decides which of a visitor's events are new and which session
 * they join, so a visitor's events are assigned in the order the transactions commit.
 * Under the lock the rule is SQLite's, event by event in arrival order: join the latest
 * session that started at or before the event if `continuesSession` says so, else start
 * one. Reads and writes are batched (one statement each for the whole transaction)
 * instead of three round trips per event.
 */
import type pg from 'pg'
import { campaignKey } from '../ingest/touch.ts'
import { continuesSession, type SessionState } from '../ingest/session.ts'
import { uuidv7 } from '../ingest/uuid.ts'
import type { EnrichedEvent } from './types.ts'

/** A new event (not stored yet) with a visitor, in arrival order. */
export interface SessionInput {
  site: string
  event: EnrichedEvent & { visitor: string }
}

interface Known extends SessionState {
  /** Made in this transaction: inserted at the end with its final counts. */
  fresh: EnrichedEvent | null
  site: string
  events: number
  pageviews: number
}

/**
 * Takes the transaction-scoped lock of every (site, visitor) given, all in one statement
 * and in hash order, so two transactions never wait for each other in a cycle. Call it
 * before inserting the events, so deciding what is new and assigning sessions happen
 * under the same lock.
 *
 * @example
 * await lockVisitors(client, [{ site: 'shop', visitor: 'v1' }])
 */
export async function lockVisitors(client: pg.PoolClient, visitors: { site: string; visitor: string }[]): Promise<void> {
  if (visitors.length === 0) return
  const keys = [...new Set(visitors.map((v) => lockKey(v.site, v.visitor)))]
  await client.query(`SELECT count(pg_advisory_xact_lock(h)) FROM
    (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) k ORDER BY h) locks`, [keys])
}

/**
 * Assigns each event a session (creating and updating session rows) and answers the
 * session id per input, in input order. Call inside the transaction that took `lockVisitors`.
 *
 * @example
 * const ids = await assignSessions(client, [{ site: 'shop', event }]) // ['0193…']
 */
export async function assignSessions(client: pg.PoolClient, inputs: SessionInput[]): Promise<string[]> {
  if (inputs.length === 0) return []
  const byVisitor = new Map<string, { site: string; visitor: string; lo: number; hi: number; sessions: Known[] }>()
  for (const { site, event } of inputs) {
    const k = lockKey(site, event.visitor)
    const v = byVisitor.get(k)
    if (!v) byVisitor.set(k, { site, visitor: event.visitor, lo: event.ts, hi: event.ts, sessions: [] })
    else { v.lo = Math.min(v.lo, event.ts); v.hi = Math.max(v.hi, event.ts) }
  }
  // Under the locks (see lockVisitors): for each visitor, the latest session that started
  // at or before the batch's earliest event, and every session started up to its latest.
  const vs = [...byVisitor.values()]
  const known = await client.query<{ site: string; visitor: string; id: string; started: number; last_ts: number; campaign_key: string | null }>(
    `SELECT u.site, u.visitor, s.id, s.started, s.last_ts, s.campaign_key
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS u(site, visitor, lo, hi)
     JOIN LATERAL (
       SELECT id, started, last_ts, campaign_key FROM sessions s
       WHERE s.site = u.site AND s.visitor = u.visitor AND s.started <= u.hi
         AND s.started >= COALESCE((SELECT max(p.started) FROM sessions p
           WHERE p.site = u.site AND p.visitor = u.visitor AND p.started <= u.lo), u.lo)
     ) s ON true`,
    [vs.map((v) => v.site), vs.map((v) => v.visitor), vs.map((v) => v.lo), vs.map((v) => v.hi)],
  )
  for (const r of known.rows) {
    byVisitor.get(lockKey(r.site, r.visitor))!.sessions.push({
      id: r.id, started: r.started, lastTs: r.last_ts, campaignKey: r.campaign_key, fresh: null, site: r.site, events: 0, pageviews: 0,
    })
  }

  const ids = inputs.map(({ site, event }) => {
    const sessions = byVisitor.get(lockKey(site, event.visitor))!.sessions
    const key = campaignKey(event.touch)
    const prev = latestAtOrBefore(sessions, event.ts)
    const pageviews = event.type === 'pageview' ? 1 : 0
    if (prev && continuesSession(prev, event.ts, key)) {
      prev.lastTs = Math.max(prev.lastTs, event.ts)
      prev.events++
      prev.pageviews += pageviews
      return prev.id
    }
    const s: Known = { id: uuidv7(event.ts), started: event.ts, lastTs: event.ts, campaignKey: key, fresh: event, site, events: 1, pageviews }
    sessions.push(s)
    return s.id
  })

  const all = vs.flatMap((v) => v.sessions)
  await insertSessions(client, all.filter((s) => s.fresh !== null))
  await touchSessions(client, all.filter((s) => s.fresh === null && s.events > 0))
  return ids
}

function lockKey(site: string, visitor: string): string {
  return `${site}:${visitor}`
}

/** SQLite's `started <= ts ORDER BY started DESC LIMIT 1`; on equal starts the newer row wins. */
function latestAtOrBefore(sessions: Known[], ts: number): Known | null {
  let best: Known | null = null
  for (const s of sessions) if (s.started <= ts && (!best || s.started >= best.started)) best = s
  return best
}

async function insertSessions(client: pg.PoolClient, sessions: Known[]): Promise<void> {
  if (sessions.length === 0) return
  const col = <T>(f: (e: EnrichedEvent, s: Known) => T) => sessions.map((s) => f(s.fresh!, s))
  await client.query(
    `INSERT INTO sessions (site, id, visitor, started, last_ts, campaign_key, source, medium, campaign, term, content,
       click_id_type, referrer_host, channel, landing_path, device, browser, country, consent, bot, events, pageviews)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
       $18::text[], $19::int[], $20::bool[], $21::int[], $22::int[])`,
    [
      col((_, s) => s.site), col((_, s) => s.id), col((e) => e.visitor), col((_, s) => s.started), col((_, s) => s.lastTs),
      col((_, s) => s.campaignKey), col((e) => e.touch.source), col((e) => e.touch.medium), col((e) => e.touch.campaign),
      col((e) => e.touch.term), col((e) => e.touch.content), col((e) => e.touch.clickIdType), col((e) => e.touch.referrerHost),
      col((e) => e.channel), col((e) => e.path), col((e) => e.device), col((e) => e.browser), col((e) => e.country),
      col((e) => e.consent), col((e) => e.bot), col((_, s) => s.events), col((_, s) => s.pageviews),
    ],
  )
}

async function touchSessions(client: pg.PoolClient, sessions: Known[]): Promise<void> {
  if (sessions.length === 0) return
  await client.query(
    `UPDATE sessions s SET last_ts = GREATEST(s.last_ts, u.last_ts), events = s.events + u.events, pageviews = s.pageviews + u.pageviews
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[]) AS u(site, id, last_ts, events, pageviews)
     WHERE s.site = u.site AND s.id = u.id`,
    [sessions.map((s) => s.site), sessions.map((s) => s.id), sessions.map((s) => s.lastTs), sessions.map((s) => s.events), sessions.map((s) => s.pageviews)],
  )
}
