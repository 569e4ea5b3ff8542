/**
 * One group-commit transaction on PostgreSQL: the visitors locked, the new events found
 * and given their sessions, then inserted with a single multi-row statement. Uniqueness
 * is the database's (unique indexes + ON CONFLICT DO NOTHING), so it holds across any
 * number of collector processes; the first committed copy wins.
 */
import type pg from 'pg'
import { Retry } from './postgres-pool.ts'
import { assignSessions, lockVisitors, type SessionInput } from './postgres-sessions.ts'
import type { EnrichedEvent, InsertOutcome, Props } from './types.ts'

export interface PendingEvents {
  site: string
  events: EnrichedEvent[]
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
const INSERT_SQL = `INSERT INTO events (site, session_id, ${COLUMNS.map((c) => c[0]).join(', ')})
  SELECT u.site, u.session_id, ${COLUMNS.map((c) => (c[0] === 'props' ? 'u.props::jsonb' : `u.${c[0]}`)).join(', ')}
  FROM unnest($1::text[], $2::text[], ${COLUMNS.map((c, i) => `$${i + 3}::${c[1]}[]`).join(', ')})
    AS u(site, session_id, ${COLUMNS.map((c) => c[0]).join(', ')})
  ON CONFLICT DO NOTHING`

/**
 * Inserts every pending write in the transaction `client` has open; answers, per write,
 * each event's outcome. Copies within the transaction are settled here (the first in
 * arrival order wins), copies already committed by the database.
 *
 * Under the visitor locks, the events already stored are looked up first, so the new
 * ones get their session before they are inserted: each row is written once, session id
 * included, instead of inserted and then updated in every index. Should another
 * transaction store one of them in between (an event without a visitor, or one whose
 * copy names another visitor), the insert skips it, the counts would be off, and the
 * whole transaction runs again.
 *
 * @example
 * const [outcomes] = await insertPending(client, [{ site: 'shop', events }]) // ['accepted', 'duplicate']
 */
export async function insertPending(client: pg.PoolClient, writes: PendingEvents[]): Promise<InsertOutcome[][]> {
  const seen = new Set<string>()
  const rows: { site: string; event: EnrichedEvent; sessionId: string | null }[] = []
  const candidate = writes.map((w) => w.events.map((raw) => {
    const event = storable(raw)
    const keys = [`${w.site}\0${event.id}`]
    if (event.type === 'conversion' && event.orderId !== null) keys.push(`${w.site}\0${event.name}\0${event.orderId}`)
    if (keys.some((k) => seen.has(k))) return null
    for (const k of keys) seen.add(k)
    const row = { site: w.site, event, sessionId: null }
    rows.push(row)
    return row
  }))
  if (rows.length === 0) return writes.map((w) => w.events.map(() => 'duplicate'))

  await lockVisitors(client, rows.flatMap((r) => (r.event.visitor === null ? [] : [{ site: r.site, visitor: r.event.visitor }])))
  const stored = await storedAlready(client, rows)
  const fresh = rows.filter((_, i) => !stored.has(i))
  const withVisitor = fresh.filter((r) => r.event.visitor !== null)
  const sessionIds = await assignSessions(client, withVisitor as SessionInput[])
  withVisitor.forEach((r, i) => { r.sessionId = sessionIds[i] })

  if (fresh.length > 0) {
    const inserted = await client.query(INSERT_SQL, [
      fresh.map((r) => r.site), fresh.map((r) => r.sessionId), ...COLUMNS.map(([, , get]) => fresh.map((r) => get(r.event))),
    ])
    if (inserted.rowCount !== fresh.length) throw new Retry('an event was stored by another transaction meanwhile')
  }
  const accepted = new Set(fresh)
  return writes.map((w, i) => candidate[i].map((r) => (r !== null && accepted.has(r) ? 'accepted' : 'duplicate')))
}

/** Indexes of the rows whose id, or (for conversions) name and order id, is stored already. */
async function storedAlready(client: pg.PoolClient, rows: { site: string; event: EnrichedEvent }[]): Promise<Set<number>> {
  const r = await client.query<{ i: number }>(
    `SELECT u.i - 1 AS i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(site, id, type, name, order_id, i)
     WHERE EXISTS (SELECT 1 FROM events e WHERE e.site = u.site AND e.id = u.id)
        OR (u.type = 'conversion' AND u.order_id IS NOT NULL AND EXISTS (SELECT 1 FROM events e
          WHERE e.site = u.site AND e.name = u.name AND e.order_id = u.order_id AND e.type = 'conversion'))`,
    [rows.map((x) => x.site), rows.map((x) => x.event.id), rows.map((x) => x.event.type), rows.map((x) => x.event.name), rows.map((x) => x.event.orderId)],
  )
  return new Set(r.rows.map((x) => x.i))
}

/**
 * PostgreSQL text cannot hold NUL, and jsonb refuses NUL and lone surrogates, where
 * SQLite stores them. One such string must not fail the whole group's transaction, so it
 * is cleaned here: NUL removed, lone surrogates replaced by U+FFFD.
 */
function storable(e: EnrichedEvent): EnrichedEvent {
  if (!needsCleaning(e)) return e
  const out = {} as Record<string, unknown>
  for (const [k, v] of Object.entries(e)) out[k] = typeof v === 'string' ? clean(v) : v
  out.touch = Object.fromEntries(Object.entries(e.touch).map(([k, v]) => [k, typeof v === 'string' ? clean(v) : v]))
  if (e.props) out.props = Object.fromEntries(Object.entries(e.props).map(([k, v]) => [clean(k), typeof v === 'string' ? clean(v) : v])) as Props
  return out as unknown as EnrichedEvent
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function needsCleaning(e: EnrichedEvent): boolean {
  const strings = [...Object.values(e), ...Object.values(e.touch), ...(e.props ? Object.entries(e.props).flat() : [])]
  return strings.some((v) => typeof v === 'string' && UNSAFE.test(v))
}

/**
 * `s` as PostgreSQL text can hold it: NUL removed, lone surrogates replaced by U+FFFD.
 *
 * @example
 * clean('a\u0000b\ud800') // 'ab\ufffd'
 */
export function clean(s: string): string {
  return s.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\ufffd')
}
