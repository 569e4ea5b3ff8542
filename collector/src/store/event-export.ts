/**
 * Streams a site's stored events out in time order, a page at a time, for `funnelbeam
 * export`: a SQLite cursor (`.iterate()`) or a PostgreSQL server-side cursor, each page
 * awaited by the consumer before the next is read, so memory stays flat at any size.
 */
import { SqliteStore } from './sqlite.ts'
import { PostgresStore } from './postgres.ts'
import { streamRows } from './postgres-pool.ts'
import type { Store } from './types.ts'

/** One exported event; times as ISO 8601, props as an object. Column order of the CSV. */
export interface ExportedEvent {
  id: string; type: string; name: string; ts: string; received: string
  visitor: string | null; userId: string | null; sessionId: string | null
  url: string | null; path: string | null; referrer: string | null; title: string | null
  source: string | null; medium: string | null; campaign: string | null; term: string | null; content: string | null
  utmId: string | null; clickIdType: string | null; clickId: string | null; referrerHost: string | null; channel: string
  device: string | null; browser: string | null; country: string | null; lang: string | null; screen: number | null
  value: number | null; currency: string | null; orderId: string | null; props: Record<string, unknown> | null
  consent: number; bot: boolean; origin: string
}

const COLUMNS: [keyof ExportedEvent, string][] = [
  ['id', 'id'], ['type', 'type'], ['name', 'name'], ['ts', 'ts'], ['received', 'received'], ['visitor', 'visitor'],
  ['userId', 'user_id'], ['sessionId', 'session_id'], ['url', 'url'], ['path', 'path'], ['referrer', 'referrer'], ['title', 'title'],
  ['source', 'source'], ['medium', 'medium'], ['campaign', 'campaign'], ['term', 'term'], ['content', 'content'],
  ['utmId', 'utm_id'], ['clickIdType', 'click_id_type'], ['clickId', 'click_id'], ['referrerHost', 'referrer_host'],
  ['channel', 'channel'], ['device', 'device'], ['browser', 'browser'], ['country', 'country'], ['lang', 'lang'],
  ['screen', 'screen'], ['value', 'value'], ['currency', 'currency'], ['orderId', 'order_id'], ['props', 'props'],
  ['consent', 'consent'], ['bot', 'bot'], ['origin', 'origin'],
]
export const EXPORT_COLUMNS: (keyof ExportedEvent)[] = COLUMNS.map((c) => c[0])
const SELECT = COLUMNS.map((c) => c[1]).join(', ')
const PAGE = 1000

/** Half-open time range in epoch ms: `from <= ts < to`. */
export interface TimeRange { from: number; to: number }

/**
 * How many events of the site fall in the range (for the progress bar).
 *
 * @example
 * await countEvents(store, 'shop', { from: Date.parse('2026-11-01'), to: Date.parse('2026-12-01') })
 */
export async function countEvents(store: Store, site: string, range: TimeRange): Promise<number> {
  if (store instanceof SqliteStore) {
    return store.db.prepare('SELECT count(*) FROM events WHERE site = ? AND ts >= ? AND ts < ?').pluck().get(site, range.from, range.to) as number
  }
  const r = await postgres(store).pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE site = $1 AND ts >= $2 AND ts < $3', [site, range.from, range.to])
  return r.rows[0].n
}

/**
 * Hands the site's events in the range to `onPage`, in time order (ties in arrival
 * order), a page at a time; the next page is read once `onPage` has resolved.
 *
 * @example
 * await exportEvents(store, 'shop', range, async (page) => { for (const e of page) await write(JSON.stringify(e)) })
 */
export async function exportEvents(store: Store, site: string, range: TimeRange, onPage: (events: ExportedEvent[]) => Promise<void>): Promise<void> {
  if (store instanceof SqliteStore) {
    const rows = store.db.prepare(`SELECT ${SELECT} FROM events WHERE site = ? AND ts >= ? AND ts < ? ORDER BY ts, rowid`).raw()
      .iterate(site, range.from, range.to) as IterableIterator<unknown[]>
    let page: ExportedEvent[] = []
    for (const r of rows) {
      page.push(fromRow(r))
      if (page.length === PAGE) { await onPage(page); page = [] }
    }
    if (page.length) await onPage(page)
    return
  }
  await streamRows(postgres(store).pool, `SELECT ${SELECT} FROM events WHERE site = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, seq`,
    [site, range.from, range.to], (rows) => onPage(rows.map(fromRow)))
}

function postgres(store: Store): PostgresStore {
  if (store instanceof PostgresStore) return store
  throw new Error('export needs a SQLite or PostgreSQL store')
}

function fromRow(r: unknown[]): ExportedEvent {
  const e = Object.fromEntries(COLUMNS.map(([k], i) => [k, r[i]])) as Record<string, unknown>
  e.ts = new Date(Number(e.ts)).toISOString()
  e.received = new Date(Number(e.received)).toISOString()
  // SQLite keeps props as text and bot as 0/1; PostgreSQL as jsonb and boolean.
  if (typeof e.props === 'string') e.props = JSON.parse(e.props)
  e.bot = Boolean(e.bot)
  return e as unknown as ExportedEvent
}
