/**
 * One group-commit transaction on PostgreSQL: each event's keys claimed in the key tables,
 * then one inbox row per request with its accepted events. Uniqueness is the key tables'
 * primary keys, so it holds across any number of collector processes: a second process
 * inserting the same key waits for the first to commit and then finds it taken.
 */
import { encodeGroup } from './inbox-codec.ts'
import type pg from 'pg'
import type { EnrichedEvent, InsertOutcome, Props } from '../model.ts'

export interface PendingEvents {
  site: string
  events: EnrichedEvent[]
}

/**
 * Appends every pending write in the transaction `client` has open; answers, per write,
 * each event's outcome, as SQLite's store does going through the events one by one: an
 * event is a duplicate when its id is taken, or, for a conversion with an order id, when
 * that order is taken (its id then stays free for a later copy). Taken means committed
 * before, or by an earlier event of this transaction.
 *
 * Keys are claimed in bulk (INSERT … ON CONFLICT DO NOTHING RETURNING) in one sorted
 * order, so two transactions never wait for each other in a cycle; the walk in arrival
 * order then settles copies within the group, and claims no event kept are released.
 * Events are cleaned first (see `storable`), so the keys claimed are the ones stored.
 *
 * @example
 * const [outcomes] = await appendPending(client, [{ site: 'shop', events }], Date.now()) // ['accepted', 'duplicate']
 */
export async function appendPending(client: pg.PoolClient, writes: PendingEvents[], received: number): Promise<InsertOutcome[][]> {
  const groups = writes.map((w) => ({ site: w.site, events: w.events.map(storable) }))
  const idKey = (site: string, e: EnrichedEvent) => `${site}\0${e.id}`
  const orderKey = (site: string, e: EnrichedEvent) => (e.type === 'conversion' && e.orderId !== null ? `${site}\0${e.name}\0${e.orderId}` : null)

  const ids = new Map<string, [string, string]>()
  for (const g of groups) for (const e of g.events) ids.set(idKey(g.site, e), [g.site, e.id])
  const freeIds = await claim(client, 'event_ids', ['site', 'id'], [...ids.values()])
  const orders = new Map<string, [string, string, string]>()
  for (const g of groups) {
    for (const e of g.events) {
      const k = orderKey(g.site, e)
      if (k !== null && freeIds.has(idKey(g.site, e))) orders.set(k, [g.site, e.name, e.orderId!])
    }
  }
  const freeOrders = await claim(client, 'order_ids', ['site', 'name', 'order_id'], [...orders.values()])

  const takenIds = new Set<string>()
  const takenOrders = new Set<string>()
  const outcomes = groups.map((g) => g.events.map((e): InsertOutcome => {
    const id = idKey(g.site, e)
    if (!freeIds.has(id) || takenIds.has(id)) return 'duplicate'
    const order = orderKey(g.site, e)
    if (order !== null) {
      if (!freeOrders.has(order) || takenOrders.has(order)) return 'duplicate'
      takenOrders.add(order)
    }
    takenIds.add(id)
    return 'accepted'
  }))
  await release(client, 'event_ids', ['site', 'id'], [...freeIds].filter((k) => !takenIds.has(k)))
  await release(client, 'order_ids', ['site', 'name', 'order_id'], [...freeOrders].filter((k) => !takenOrders.has(k)))

  await appendInbox(client, groups.map((g, i) => ({ site: g.site, events: g.events.filter((_, j) => outcomes[i][j] === 'accepted') })), received)
  return outcomes
}

/**
 * Appends one inbox row per group that has events, in the order given (their seqs follow it).
 *
 * @example
 * await appendInbox(client, [{ site: 'shop', events }], Date.now())
 */
export async function appendInbox(client: pg.PoolClient, groups: PendingEvents[], received: number): Promise<void> {
  const rows = groups.filter((g) => g.events.length > 0)
  if (rows.length === 0) return
  // VALUES rather than unnest: in a text[] literal every quote of the JSON is escaped and
  // parsed again; 2.9 MB of groups took 0.77-1.0 s that way and 0.17-0.23 s as VALUES.
  await client.query(`INSERT INTO inbox (site, received, n, events) VALUES
    ${rows.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ')}`,
  rows.flatMap((g) => [g.site, received, g.events.length, encodeGroup(g.events)]))
}

/** Inserts the keys not taken yet, in one sorted order; answers the ones this transaction claimed (joined by NUL). */
async function claim(client: pg.PoolClient, table: string, cols: string[], keys: string[][]): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const r = await client.query<string[]>({
    text: `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${cols.map((_, i) => `$${i + 1}::text[]`).join(', ')})
      AS u(${cols.join(', ')}) ORDER BY ${cols.map((c) => `${c} COLLATE "C"`).join(', ')}
      ON CONFLICT DO NOTHING RETURNING ${cols.join(', ')}`,
    values: cols.map((_, i) => keys.map((k) => k[i])),
    rowMode: 'array',
  })
  return new Set(r.rows.map((row) => row.join('\0')))
}

/** Deletes keys this transaction claimed but kept no event for (given joined by NUL, as `claim` answers them). */
async function release(client: pg.PoolClient, table: string, cols: string[], keys: string[]): Promise<void> {
  if (keys.length === 0) return
  const parts = keys.map((k) => k.split('\0'))
  await client.query(`DELETE FROM ${table} t USING unnest(${cols.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${cols.join(', ')})
    WHERE ${cols.map((c) => `t.${c} = u.${c}`).join(' AND ')}`, cols.map((_, i) => parts.map((p) => p[i])))
}

/**
 * PostgreSQL text cannot hold NUL, and jsonb refuses NUL and lone surrogates, where
 * SQLite stores them. One such string must not fail the whole group's transaction (nor,
 * later, the derivation step that stores it), so it is cleaned before its keys are
 * claimed: NUL removed, lone surrogates replaced by U+FFFD.
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
