/**
 * Building and reading the SQLite funnel columns (`sqlite-funnel-schema.ts`): one chunk per
 * site, event key and UTC day, its events by visitor number, each visitor's in time then
 * arrival order (`inVisitorOrder`), as packed columns
 * (time in the day, rowid, visitor number, session number: 16 bytes an event, native byte
 * order; a label where any event has one, an exposure's variant or a conversion's currency:
 * 4 more; conversions add their value, 8 more); and one session chunk per site and day of session
 * start (session and visitor number, label of its entry attributes, flags: its visitor's
 * first, a bot's; its start in the day: 17 bytes a session; its last event's time apart, 8
 * bytes, read only by segments by variant); and one event chunk per site and day (each person's event
 * as its session's number and whether it is a pageview: 4 bytes an event).
 *
 * Bytes count twice on a cold read: a report reads a month's chunks (100-170 MB at 10M
 * events) into memory it has never touched, and this machine pays for each fresh page. So
 * times are ms since the chunk's day began (`inDayOf`) and rowids 32-bit (`rowidsU32`), a
 * chunk without labels (every pageview key's) stores none, and sessions' ends are read only
 * where asked for: 28 -> 16 bytes a pageview, 32 -> 17 a session.
 */
import type Database from 'better-sqlite3'
import { chunkCache, turnOrder, type ChunkCache, type ReadTurn } from './chunk-cache.ts'
import type { FunnelKey, SessionAttrs, VisitorShare } from './report-types.ts'
import { DAY_MS, neighbourOf } from './sqlite-funnel-schema.ts'
import { ENTRY_COLS, entryAttrs } from './derived-rows.ts'
import { binder, segmentSql } from './segment-sql.ts'

/** A (key, day) as noted and as a chunk is built from. */
export interface KeyDay extends FunnelKey {
  site: string
  day: number
}

/** One chunk's events, column by column. Visitor or session 0: the event has none; label 0: none; value NaN: none. */
export interface ChunkColumns {
  /**
   * Each event's time in ms since its chunk's UTC day began (the chunk's `day` times
   * `DAY_MS` added gives the time): 32 bits where a time takes 64.
   */
  inDay: Uint32Array
  seq: Uint32Array
  visitor: Uint32Array
  session: Uint32Array
  label: Uint32Array
  /** Conversions' values (null for other keys). */
  value: Float64Array | null
  /**
   * Events' properties as stored (JSON text): `dict[idx[i]]`, idx 0 for none. Kept for
   * every key but pageviews (null: the chunk holds none; undefined: not read, or a pageview key).
   */
  props?: PropsColumn | null
  /** Each event's previous event (null: the chunk holds none; undefined: not read). */
  prev?: PrevColumns | null
}

/**
 * Per event, its visitor's previous event of a person (in time, then arrival order, of any
 * key): its rowid (0: none) and session number (0: none). Strict mode's test of whether a
 * candidate follows the one before it.
 */
export interface PrevColumns {
  seq: Uint32Array
  session: Uint32Array
}

/** Packs a chunk's previous events (8 bytes an event). */
export function encodePrev(p: PrevColumns): Buffer {
  const n = p.seq.length
  const ab = new ArrayBuffer(8 * n)
  new Uint32Array(ab, 0, n).set(p.seq)
  new Uint32Array(ab, 4 * n, n).set(p.session)
  return Buffer.from(ab)
}

/** A chunk's previous events, or null where the blob is not of `n` events. */
export function decodePrev(blob: Uint8Array, n: number): PrevColumns | null {
  if (blob.byteLength !== 8 * n) return null
  const [ab, at] = aligned(blob)
  return { seq: new Uint32Array(ab, at, n), session: new Uint32Array(ab, at + 4 * n, n) }
}

/** The largest rowid the columns hold: they keep rowids in 32 bits. */
const MAX_CHUNK_ROWID = 0xffffffff

/**
 * Rowids as a 32-bit column. SQLite gives each event the next rowid, so an embedded store
 * would need over four billion events to pass the limit; a rowid above it is refused with
 * an error that says so (derivation then stops, and the operator moves to PostgreSQL).
 *
 * @example
 * rowidsU32([1, 2, 0]) // Uint32Array [1, 2, 0]
 */
export function rowidsU32(rowids: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(rowids.length)
  for (let i = 0; i < out.length; i++) {
    const r = rowids[i]
    if (!(r >= 0 && r <= MAX_CHUNK_ROWID)) throw new RangeError(`event rowid ${r} is beyond the funnel columns' 32-bit rowids (${MAX_CHUNK_ROWID}): move this store to PostgreSQL`)
    out[i] = r
  }
  return out
}

/**
 * `n` zero labels, as a view on shared memory (never written): the label column of a chunk
 * that stores none. Shared, so a chunk handed to another report worker (`chunk-cache.ts`)
 * takes no copy of it.
 */
function noLabels(n: number): Uint32Array {
  if (zeros.length < n) zeros = new Uint32Array(new SharedArrayBuffer(4 * Math.max(n, 2 * zeros.length)))
  return zeros.subarray(0, n)
}
let zeros = new Uint32Array(new SharedArrayBuffer(4 * 65_536))

/** A chunk's properties, dictionary-coded: most events of a key share a few. */
export interface PropsColumn {
  dict: (string | null)[]
  idx: Uint32Array
}

/**
 * Packs a chunk's properties (null when no event has any): the dictionary's size, each
 * entry's byte length, each event's entry, then the entries' UTF-8 bytes.
 *
 * @example
 * decodeProps(encodeProps(['{"plan":"pro"}', null])!, 2) // { dict: [null, '{"plan":"pro"}'], idx: [1, 0] }
 */
export function encodeProps(props: (string | null)[]): Buffer | null {
  const { dict, idx } = propsColumn(props)
  if (dict.length === 1) return null
  const texts = dict.slice(1).map((t) => Buffer.from(t!, 'utf8'))
  const head = new Uint32Array(1 + texts.length + idx.length)
  head[0] = texts.length
  texts.forEach((t, i) => { head[1 + i] = t.length })
  head.set(idx, 1 + texts.length)
  return Buffer.concat([Buffer.from(head.buffer), ...texts])
}

/** The properties of a chunk of `n` events from `encodeProps`'s blob. */
export function decodeProps(bytes: Uint8Array, n: number): PropsColumn {
  // Shared memory (`ChunkCache.memoryOf`) is a plain Uint8Array: a Buffer view on it reads the texts.
  const blob = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [ab, at] = aligned(blob)
  const d = new Uint32Array(ab, at, 1)[0]
  const lens = new Uint32Array(ab, at + 4, d)
  const idx = new Uint32Array(ab, at + 4 * (1 + d), n)
  const dict: (string | null)[] = [null]
  let off = 4 * (1 + d + n)
  for (let i = 0; i < d; i++) {
    dict.push(blob.toString('utf8', off, off + lens[i]))
    off += lens[i]
  }
  return { dict, idx }
}

/** Rows' properties dictionary-coded. */
function propsColumn(props: (string | null)[]): PropsColumn {
  const at = new Map<string, number>()
  const dict: (string | null)[] = [null]
  const idx = mapU32(props, (p) => {
    if (p === null) return 0
    let i = at.get(p)
    if (i === undefined) at.set(p, (i = dict.push(p) - 1))
    return i
  })
  return { dict, idx }
}

/**
 * `Uint32Array.from(src, f)` as a plain loop: the built-in with a map function goes through
 * the iterator protocol, about 170 ns an element here (212 ms for a funnel's 1.2M property
 * entries), where the loop costs a few.
 *
 * @example
 * mapU32([1, 2], (v) => v * 2) // Uint32Array [2, 4]
 */
export function mapU32<T>(src: ArrayLike<T>, f: (v: T) => number): Uint32Array {
  const out = new Uint32Array(src.length)
  for (let i = 0; i < out.length; i++) out[i] = f(src[i])
  return out
}

/** `Float64Array.from(src, f)` as a plain loop (see `mapU32`). */
export function mapF64<T>(src: ArrayLike<T>, f: (v: T) => number): Float64Array {
  const out = new Float64Array(src.length)
  for (let i = 0; i < out.length; i++) out[i] = f(src[i])
  return out
}

/**
 * The largest number in any of `cols` (0 when none). A function of its own: inline in a
 * function that runs once a report, V8 ran this loop several times slower (8.4M unit
 * numbers: 117 ms there, 20 ms here).
 *
 * @example
 * maxIn(parts.map((p) => p.session)) // the highest session number read
 */
export function maxIn(cols: Uint32Array[]): number {
  let m = 0
  for (const c of cols) m = Math.max(m, maxOf(c))
  return m
}

/** Each chunk column's largest number, once worked out (`maxInChunks`). */
const chunkMax = new WeakMap<Uint32Array, number>()

/**
 * `maxIn` for columns of chunks, which are never written once read: each array's largest
 * number is kept beside it, so a chunk a connection keeps (`chunk-cache.ts`) is scanned
 * once, not once a report (2.5M sessions at 10M events, three times a segmented report).
 * Not for scratch arrays, which are written again.
 *
 * @example
 * maxInChunks(sessionParts(…).map((p) => p.visitor))
 */
export function maxInChunks(cols: Uint32Array[]): number {
  let m = 0
  for (const c of cols) {
    let cm = chunkMax.get(c)
    if (cm === undefined) chunkMax.set(c, (cm = maxOf(c)))
    m = Math.max(m, cm)
  }
  return m
}

function maxOf(a: Uint32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i]
  return m
}

/**
 * The events of chunk `c` whose visitors are in `share`, as views on the chunk's memory: a
 * chunk holds its events by visitor number (`inVisitorOrder`), so each block of the share's
 * visitors is one run of it, found by binary search. Nothing is copied.
 *
 * @example
 * inShare(part, { part: 1, of: 2, bits: 16 }) // the runs of visitors 65,536–131,071, 196,608–262,143, …
 */
export function inShare<T extends ChunkColumns>(c: T, share: VisitorShare): T[] {
  const out: T[] = []
  const v = c.visitor
  const size = 2 ** share.bits
  for (let i = 0; i < v.length;) {
    const end = firstAtLeast(v, i, (Math.floor(v[i] / size) + 1) * size)
    if (inShareOf(v[i], share)) out.push(sliceOf(c, i, end))
    i = end
  }
  return out
}

/**
 * Whether visitor number `v` is in `share`. In 32-bit integers: asked once per session of
 * a segment, the same test in doubles (`Math.floor(v / 2 ** bits) % of`) made a share of
 * the variant segment's funnel slower than the whole funnel.
 */
export function inShareOf(v: number, share: VisitorShare): boolean {
  return ((v >>> share.bits) % share.of | 0) === share.part
}

/** The first index from `from` whose value is at least `x` in ascending `a` (its length if none). */
function firstAtLeast(a: Uint32Array, from: number, x: number): number {
  let [lo, hi] = [from, a.length]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Events `a` to `b` of a chunk, every column a view. */
function sliceOf<T extends ChunkColumns>(c: T, a: number, b: number): T {
  return {
    ...c,
    inDay: c.inDay.subarray(a, b), seq: c.seq.subarray(a, b), visitor: c.visitor.subarray(a, b), session: c.session.subarray(a, b),
    label: c.label.subarray(a, b), value: c.value && c.value.subarray(a, b),
    props: c.props && { dict: c.props.dict, idx: c.props.idx.subarray(a, b) },
    prev: c.prev && { seq: c.prev.seq.subarray(a, b), session: c.prev.session.subarray(a, b) },
  }
}

/** A session's flags: the first of its visitor, a bot's. */
export const FIRST_SESSION = 1
export const BOT_SESSION = 2

/** One session chunk: each session's number, visitor, entry attributes' label, flags and start. */
export interface SessionColumns {
  session: Uint32Array
  visitor: Uint32Array
  label: Uint32Array
  flags: Uint8Array
  /** The UTC day the sessions started on: `day * DAY_MS + startInDay[i]` is session i's start. */
  day: number
  /** Each session's start in ms since its day began. */
  startInDay: Uint32Array
  /**
   * The session's last event (of any kind), as `sessions.last_ts`: segments by variant test
   * exposures up to it. Null where not read (`sessionParts`' `withEnds`).
   */
  lastTs: Float64Array | null
}

/**
 * The site's longest session in ms (`session_span`, kept by derivation), or null when none
 * is known: sessions that can hold an event of a range started at most this long before it.
 */
export function sessionSpan(db: Database.Database, site: string): number | null {
  return (db.prepare('SELECT max_ms FROM session_span WHERE site = ?').pluck().get(site) as number | undefined) ?? null
}

/** Visitors are kind 0 of `funnel_units`, sessions kind 1. */
export const VISITOR_UNIT = 0
export const SESSION_UNIT = 1

/**
 * Packs a chunk's columns into one blob.
 *
 * @example
 * decodeChunk(encodeChunk(cols), cols.inDay.length) // the same columns
 */
export function encodeChunk(c: ChunkColumns): Buffer {
  const n = c.inDay.length
  const labelled = c.label.some((l) => l !== 0)
  const ab = new ArrayBuffer(chunkBytes(n, c.value !== null, labelled))
  if (c.value) new Float64Array(ab, 0, n).set(c.value)
  const at = c.value ? 8 * n : 0
  new Uint32Array(ab, at, n).set(c.inDay)
  new Uint32Array(ab, at + 4 * n, n).set(c.seq)
  new Uint32Array(ab, at + 8 * n, n).set(c.visitor)
  new Uint32Array(ab, at + 12 * n, n).set(c.session)
  if (labelled) new Uint32Array(ab, at + 16 * n, n).set(c.label)
  return Buffer.from(ab)
}

/** A funnel chunk's size: the value first where kept (8 bytes), then the 4-byte columns (time in the day, rowid, visitor, session, label). */
const chunkBytes = (n: number, valued: boolean, labelled: boolean) => (16 + (valued ? 8 : 0) + (labelled ? 4 : 0)) * n

/** A blob's memory as an 8-byte aligned buffer and offset (typed arrays need their element size's alignment). */
function aligned(blob: Uint8Array): [ArrayBufferLike, number] {
  // A copy where not: a Buffer's slice() is a view, not a copy (Uint8Array.from copies).
  return blob.byteOffset % 8 === 0 ? [blob.buffer, blob.byteOffset] : [Uint8Array.from(blob).buffer, 0]
}

/** The columns of a blob of `n` events (views on it where its memory is aligned, a copy where not). */
export function decodeChunk(blob: Uint8Array, n: number): ChunkColumns {
  // Each of the four layouts has a size of its own (16, 20, 24 or 28 bytes an event).
  const per = n > 0 ? blob.byteLength / n : 16
  const valued = per === 24 || per === 28
  const labelled = per === 20 || per === 28
  if (blob.byteLength !== chunkBytes(n, valued, labelled)) throw new Error(`funnel chunk of ${blob.byteLength} bytes cannot hold ${n} events`)
  const [ab, start] = aligned(blob)
  const at = start + (valued ? 8 * n : 0)
  return {
    value: valued ? new Float64Array(ab, start, n) : null,
    inDay: new Uint32Array(ab, at, n),
    seq: new Uint32Array(ab, at + 4 * n, n),
    visitor: new Uint32Array(ab, at + 8 * n, n),
    session: new Uint32Array(ab, at + 12 * n, n),
    label: labelled ? new Uint32Array(ab, at + 16 * n, n) : noLabels(n),
  }
}

/** Packs a session chunk. */
export function encodeSessions(c: SessionColumns): Buffer {
  const n = c.session.length
  const ab = new ArrayBuffer(SESSION_BYTES * n)
  new Uint32Array(ab, 0, n).set(c.startInDay)
  new Uint32Array(ab, 4 * n, n).set(c.session)
  new Uint32Array(ab, 8 * n, n).set(c.visitor)
  new Uint32Array(ab, 12 * n, n).set(c.label)
  new Uint8Array(ab, 16 * n, n).set(c.flags)
  return Buffer.from(ab)
}

/** A session chunk's bytes a session: its start in the day, three numbers and a byte of flags. */
const SESSION_BYTES = 17

/** The columns of a chunk of `n` sessions started on UTC day `day` (their ends not read: `decodeSessionEnds`). */
export function decodeSessions(blob: Uint8Array, n: number, day: number): SessionColumns {
  if (blob.byteLength !== SESSION_BYTES * n) throw new Error(`session chunk of ${blob.byteLength} bytes cannot hold ${n} sessions`)
  const [ab, at] = aligned(blob)
  return {
    day, startInDay: new Uint32Array(ab, at, n), session: new Uint32Array(ab, at + 4 * n, n), visitor: new Uint32Array(ab, at + 8 * n, n),
    label: new Uint32Array(ab, at + 12 * n, n), flags: new Uint8Array(ab, at + 16 * n, n), lastTs: null,
  }
}

/** Packs a session chunk's ends (`session_ends`: 8 bytes a session). */
export function encodeSessionEnds(c: SessionColumns): Buffer {
  if (!c.lastTs) throw new Error('a session chunk is built with its sessions\' ends')
  return Buffer.from(Float64Array.from(c.lastTs).buffer)
}

/** A session chunk's ends, or null where the blob is not of `n` sessions. */
export function decodeSessionEnds(blob: Uint8Array, n: number): Float64Array | null {
  if (blob.byteLength !== 8 * n) return null
  const [ab, at] = aligned(blob)
  return new Float64Array(ab, at, n)
}

/** 15-minute slots a day: an event chunk says where each starts. */
export const DAY_SLOTS = 96
/** The chunk of a day whose sessions or events all went (kept, not deleted: its rowid is its version). */
const EMPTY = Buffer.alloc(0)
const SLOT_MS = DAY_MS / DAY_SLOTS

/**
 * One event chunk: a day's events in time order, each as its session's number (0: none)
 * times two, plus one for a pageview; `slotStart[k]` is the first event of slot k
 * (`slotStart[DAY_SLOTS]`: the count).
 */
export interface EventColumns {
  slotStart: Uint32Array
  unit: Uint32Array
}

/** Packs an event chunk (4 bytes an event, and 4 a slot). */
export function encodeEvents(c: EventColumns): Buffer {
  const n = c.unit.length
  const ab = new ArrayBuffer(4 * (DAY_SLOTS + 1 + n))
  new Uint32Array(ab, 0, DAY_SLOTS + 1).set(c.slotStart)
  new Uint32Array(ab, 4 * (DAY_SLOTS + 1), n).set(c.unit)
  return Buffer.from(ab)
}

/** The columns of an event chunk of `n` events. */
export function decodeEvents(blob: Uint8Array, n: number): EventColumns {
  if (blob.byteLength !== 4 * (DAY_SLOTS + 1 + n)) throw new Error(`event chunk of ${blob.byteLength} bytes cannot hold ${n} events`)
  const [ab, at] = aligned(blob)
  return { slotStart: new Uint32Array(ab, at, DAY_SLOTS + 1), unit: new Uint32Array(ab, at + 4 * (DAY_SLOTS + 1), n) }
}

/**
 * One UTC day's people's events as an event chunk: merged from that day's funnel chunks,
 * which hold every one of them but pageviews without a path (read off their own index), in
 * time then arrival order. A (key, day) noted since its chunk was built is read from the
 * table, as reports read it.
 */
export function eventDayColumns(db: Database.Database, site: string, day: number, numbers: Numbering): EventColumns {
  const parts: { ts: Float64Array; seq: Float64Array; unit: Uint32Array }[] = keyParts(db, site, ['1 = 1', []], day, day, numbers, keyDayReader(db), new Set())
    .map((p) => inTimeOrder(p.inDay, p.day * DAY_MS, p.seq, mapU32(p.session, (s) => s * 2 + (p.type === 'pageview' ? 1 : 0))))
  const pathless = db.prepare(`SELECT ts, rowid, session_id FROM events INDEXED BY events_pathless_pageviews
    WHERE site = ? AND type = 'pageview' AND path IS NULL AND bot = 0 AND ts >= ? AND ts < ? ORDER BY ts, rowid`).raw(true)
    .all(site, day * DAY_MS, (day + 1) * DAY_MS) as [number, number, string | null][]
  if (pathless.length > 0) {
    parts.push({
      ts: mapF64(pathless, (r) => r[0]), seq: mapF64(pathless, (r) => r[1]),
      unit: mapU32(pathless, (r) => (r[2] === null ? 0 : numbers.unit(SESSION_UNIT, r[2])) * 2 + 1),
    })
  }
  const n = parts.reduce((sum, p) => sum + p.ts.length, 0)
  const unit = new Uint32Array(n)
  const slotStart = new Uint32Array(DAY_SLOTS + 1)
  let at = 0
  let slot = 0
  mergeRuns(parts.map((p) => p.ts), parts.map((p) => p.seq), (r, i) => {
    const k = Math.floor((parts[r].ts[i] - day * DAY_MS) / SLOT_MS)
    while (slot <= k) slotStart[slot++] = at
    unit[at++] = parts[r].unit[i]
  })
  while (slot <= DAY_SLOTS) slotStart[slot++] = n
  return { slotStart, unit }
}

/** A chunk's times (from its day's start `base`), rowids and units in time then arrival order (chunks hold their events by visitor). */
function inTimeOrder(inDay: Uint32Array, base: number, seq: Uint32Array, unit: Uint32Array): { ts: Float64Array; seq: Float64Array; unit: Uint32Array } {
  const order = Array.from(inDay, (_, i) => i).sort((a, b) => inDay[a] - inDay[b] || seq[a] - seq[b])
  return { ts: mapF64(order, (i) => base + inDay[i]), seq: mapF64(order, (i) => seq[i]), unit: mapU32(order, (i) => unit[i]) }
}

/** The rows of one key's day, as strings: what a chunk is built from and what a reader reads while it is noted. */
export interface KeyDayRows {
  ts: number[]
  seq: number[]
  visitor: (string | null)[]
  session: (string | null)[]
  /** An exposure's variant, a conversion's currency; null for other events. */
  label: (string | null)[]
  /** Conversions' values; null for other keys. */
  value: (number | null)[] | null
  /** Properties as stored; null for pageview keys (not kept). */
  props: (string | null)[] | null
  /** Each event's previous event (`PrevColumns`) as rowid and session id; null where not asked for. */
  prev: { seq: number[]; session: (string | null)[] } | null
}

/** The rows of one day's sessions, as strings. */
export interface SessionDayRows {
  session: string[]
  visitor: string[]
  label: string[]
  flags: number[]
  started: number[]
  lastTs: number[]
}

/** Prepares the read of the sessions started on one UTC day. */
export function sessionDayReader(db: Database.Database): (site: string, day: number) => SessionDayRows {
  // A session's label is its entry attributes as a JSON array in `ENTRY_COLS` order; "first" means what it means in a segment.
  const stmt = db.prepare(`SELECT s.id, s.visitor, json_array(${ENTRY_COLS.map((c) => `s.${c}`).join(', ')}),
      CASE WHEN ${segmentSql({ firstSession: true }, 'sqlite', binder('sqlite'), 's')} THEN ${FIRST_SESSION} ELSE 0 END
        + CASE WHEN s.bot = 0 THEN 0 ELSE ${BOT_SESSION} END, s.started, s.last_ts
    FROM sessions s WHERE s.site = ? AND s.started >= ? AND s.started < ?`).raw(true)
  return (site, day) => {
    const rows = stmt.all(site, day * DAY_MS, (day + 1) * DAY_MS) as [string, string, string, number, number, number][]
    return {
      session: rows.map((r) => r[0]), visitor: rows.map((r) => r[1]), label: rows.map((r) => r[2]), flags: rows.map((r) => r[3]),
      started: rows.map((r) => r[4]), lastTs: rows.map((r) => r[5]),
    }
  }
}

/**
 * Prepares the read of one (key, day)'s events off the covering report indexes (migration 2):
 * the pageview one by path, the other by type and name. With `withPrev`, each event's
 * previous event too (an index seek per row: chunk builds and strict funnels ask for it).
 */
export function keyDayReader(db: Database.Database, withPrev = false): (k: KeyDay) => KeyDayRows {
  // The visitor's person's event right before (as the strict probe counts events between).
  const prev = withPrev ? [', p.rowid, p.session_id', ` LEFT JOIN events p ON p.rowid = ${neighbourOf('e', 'prev')}`] : ['', '']
  // The index named: without statistics the planner walks the site's every event by time instead.
  const select = (cols: string, index: string, where: string) => db.prepare(`SELECT e.ts, e.rowid, e.visitor, e.session_id, ${cols}${prev[0]}
    FROM events e INDEXED BY ${index}${prev[1]} WHERE e.site = ? AND ${where} AND e.ts >= ? AND e.ts < ? AND e.bot = 0 ORDER BY e.ts, e.rowid`).raw(true)
  const pageviews = select('NULL, NULL, NULL', 'events_report_pageview_path', `e.type = 'pageview' AND e.path = ?`)
  // Properties for steps that filter on them (not for pageviews: the path index covers those reads, props would not be).
  const others = select('NULL, NULL, e.props', 'events_site_type_name_ts', 'e.type = ? AND e.name = ?')
  // The variant as the funnel scan reads it (sqlite-funnel-lookups.ts).
  const exposures = select(`CAST(json_extract(e.props, '$.variant') AS TEXT), NULL, e.props`, 'events_site_type_name_ts', `e.type = 'exposure' AND e.name = ?`)
  // A conversion's currency as its label, and its value.
  const conversions = select('e.currency, e.value, e.props', 'events_site_type_name_ts', `e.type = 'conversion' AND e.name = ?`)
  return (k) => {
    const from = k.day * DAY_MS
    const rows = (k.type === 'pageview'
      ? pageviews.all(k.site, k.path, from, from + DAY_MS)
      : k.type === 'exposure'
        ? exposures.all(k.site, k.name, from, from + DAY_MS)
        : k.type === 'conversion'
          ? conversions.all(k.site, k.name, from, from + DAY_MS)
          : others.all(k.site, k.type, k.name, from, from + DAY_MS)) as
      [number, number, string | null, string | null, string | null, number | null, string | null, (number | null)?, (string | null)?][]
    const n = rows.length
    const out: KeyDayRows = {
      ts: new Array(n), seq: new Array(n), visitor: new Array(n), session: new Array(n), label: new Array(n),
      value: k.type === 'conversion' ? new Array(n) : null, props: k.type === 'pageview' ? null : new Array(n),
      prev: withPrev ? { seq: new Array(n), session: new Array(n) } : null,
    }
    rows.forEach((r, i) => {
      out.ts[i] = r[0]
      out.seq[i] = r[1]
      out.visitor[i] = r[2]
      out.session[i] = r[3]
      out.label[i] = r[4]
      if (out.value) out.value[i] = r[5]
      if (out.props) out.props[i] = r[6]
      if (out.prev) {
        out.prev.seq[i] = r[7] ?? 0
        out.prev.session[i] = r[8] ?? null
      }
    })
    return out
  }
}

/**
 * Numbers for visitors, sessions (`funnel_units`) and labels (`funnel_labels`) of one site,
 * remembered for one build or read. Visitors and sessions are numbered from 1 per site and
 * kind, so arrays indexed by them are as long as the site has visitors or sessions. A writer
 * adds the missing ones; a reader (read-only) gives them numbers above every stored one of
 * their kind, valid for that read only.
 */
export class Numbering {
  private readonly known = new Map<string, number>()
  private readonly unitStmt
  private readonly labelStmt
  private readonly nextUnit
  private readonly addUnit
  private readonly addLabel
  private readonly labelTextStmt
  private readonly labelTexts = new Map<number, string | null>([[0, null]])
  private readonly entries = new Map<number, { values: (string | null)[]; attrs: SessionAttrs }>()
  /** The next number for this read only: visitors', sessions' and labels'. */
  private readonly nextTemp: number[] = [0, 0, 0]
  /** Names of the numbers given for this read only, by kind (visitors, sessions, labels). */
  private readonly temp = [new Map<number, string>(), new Map<number, string>(), new Map<number, string>()]

  constructor(db: Database.Database, private readonly site: string, writable: boolean) {
    this.unitStmt = db.prepare('SELECT n FROM funnel_units WHERE site = ? AND kind = ? AND unit = ?').pluck()
    this.labelStmt = db.prepare('SELECT id FROM funnel_labels WHERE site = ? AND label = ?').pluck()
    this.labelTextStmt = db.prepare('SELECT label FROM funnel_labels WHERE id = ?').pluck()
    // Each kind's next number, never given twice (an erased unit's number is not reused).
    this.nextUnit = writable ? db.prepare(`INSERT INTO funnel_unit_next (site, kind, next) VALUES (?, ?, 2)
      ON CONFLICT (site, kind) DO UPDATE SET next = next + 1 RETURNING next - 1`).pluck() : null
    this.addUnit = writable ? db.prepare('INSERT INTO funnel_units (site, kind, n, unit) VALUES (?, ?, ?, ?)') : null
    this.addLabel = writable ? db.prepare('INSERT INTO funnel_labels (site, label) VALUES (?, ?) RETURNING id').pluck() : null
    if (!writable) {
      // Above each kind's stored numbers: a temporary number never takes a stored one's.
      const next = db.prepare('SELECT next FROM funnel_unit_next WHERE site = ? AND kind = ?').pluck()
      this.nextTemp[VISITOR_UNIT] = (next.get(site, VISITOR_UNIT) as number | undefined) ?? 1
      this.nextTemp[SESSION_UNIT] = (next.get(site, SESSION_UNIT) as number | undefined) ?? 1
      this.nextTemp[LABELS] = (db.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM funnel_labels').pluck().get() as number)
    }
  }

  unit(kind: number, unit: string): number {
    return this.number(kind, `${kind}\n${unit}`, unit, () => this.unitStmt.get(this.site, kind, unit), () => {
      if (!this.nextUnit || !this.addUnit) return undefined
      const n = this.nextUnit.get(this.site, kind) as number
      this.addUnit.run(this.site, kind, n, unit)
      return n
    })
  }

  label(label: string): number {
    return this.number(LABELS, `l\n${label}`, label, () => this.labelStmt.get(this.site, label), () => this.addLabel?.get(this.site, label))
  }

  /** The text of label `id` (0: none), given for this read or stored. */
  labelText(id: number): string | null {
    let l = this.labelTexts.get(id)
    if (l === undefined) this.labelTexts.set(id, (l = this.temp[LABELS].get(id) ?? (this.labelTextStmt.get(id) as string | undefined) ?? null))
    return l
  }

  /** The visitor or session id of a number given for this read only (null: a stored number, or none). */
  tempUnit(kind: number, n: number): string | null {
    return this.temp[kind].get(n) ?? null
  }

  /** A session label's entry attributes, as its `ENTRY_COLS` values and as attributes. */
  entry(id: number): { values: (string | null)[]; attrs: SessionAttrs } {
    let e = this.entries.get(id)
    if (!e) {
      const values = JSON.parse(this.labelText(id) ?? '[]') as (string | null)[]
      this.entries.set(id, (e = { values, attrs: entryAttrs(values) }))
    }
    return e
  }

  private number(kind: number, at: string, name: string, find: () => unknown, add: () => unknown): number {
    let id = this.known.get(at)
    if (id === undefined) {
      id = (find() as number | undefined) ?? (add() as number | undefined)
      if (id === undefined) this.temp[kind].set((id = this.nextTemp[kind]++), name)
      this.known.set(at, id)
    }
    return id
  }
}

/** `Numbering`'s kind for labels (beside `VISITOR_UNIT` and `SESSION_UNIT`). */
const LABELS = 2

/**
 * A (key, day)'s rows (as read: in time then arrival order) by visitor number, none first,
 * each visitor's in the order read: a funnel places a chunk by visitor in one forward sweep
 * of each column, where time order made every write a cache miss (`groupByUnit`). Each
 * visitor's first event in a chunk is still its first of the chunk.
 *
 * @example
 * const r = inVisitorOrder(read(keyDay), numbers)
 * put(chunkOf(r, numbers), r.props)
 */
export function inVisitorOrder(r: KeyDayRows, numbers: Numbering): KeyDayRows {
  const v = r.visitor.map((x) => (x === null ? 0 : numbers.unit(VISITOR_UNIT, x)))
  // Array.prototype.sort is stable: each visitor's rows keep the order they were read in.
  const order = Array.from(v, (_, i) => i).sort((a, b) => v[a] - v[b])
  const pick = <T>(col: T[]): T[] => order.map((i) => col[i])
  return {
    ts: pick(r.ts), seq: pick(r.seq), visitor: pick(r.visitor), session: pick(r.session), label: pick(r.label),
    value: r.value && pick(r.value), props: r.props && pick(r.props), prev: r.prev && { seq: pick(r.prev.seq), session: pick(r.prev.session) },
  }
}

/** A (key, day)'s rows as chunk columns, in the rows' order (every row's time on UTC day `day`). */
export function chunkOf(r: KeyDayRows, numbers: Numbering, day: number): ChunkColumns {
  return {
    inDay: inDayOf(r.ts, day),
    seq: rowidsU32(r.seq),
    visitor: mapU32(r.visitor, (v) => (v === null ? 0 : numbers.unit(VISITOR_UNIT, v))),
    session: mapU32(r.session, (s) => (s === null ? 0 : numbers.unit(SESSION_UNIT, s))),
    label: mapU32(r.label, (l) => (l === null ? 0 : numbers.label(l))),
    value: r.value ? mapF64(r.value, (v) => v ?? NaN) : null,
    props: r.props ? propsColumn(r.props) : undefined,
    prev: r.prev ? { seq: rowidsU32(r.prev.seq), session: mapU32(r.prev.session, (s) => (s === null ? 0 : numbers.unit(SESSION_UNIT, s))) } : undefined,
  }
}

/**
 * Times as ms since UTC day `day` began; a time off that day is refused (a chunk is one
 * day's, as its reader selects).
 *
 * @example
 * inDayOf([DAY_MS * 3 + 5], 3) // Uint32Array [5]
 */
export function inDayOf(ts: ArrayLike<number>, day: number): Uint32Array {
  const base = day * DAY_MS
  const out = new Uint32Array(ts.length)
  for (let i = 0; i < out.length; i++) {
    const d = ts[i] - base
    if (!(d >= 0 && d < DAY_MS)) throw new RangeError(`time ${ts[i]} is not on UTC day ${day}`)
    out[i] = d
  }
  return out
}

/** Sessions started on UTC day `day` as session chunk columns. */
export function sessionChunkOf(r: SessionDayRows, numbers: Numbering, day: number): SessionColumns {
  return {
    day,
    startInDay: inDayOf(r.started, day),
    session: mapU32(r.session, (s) => numbers.unit(SESSION_UNIT, s)),
    visitor: mapU32(r.visitor, (v) => numbers.unit(VISITOR_UNIT, v)),
    label: mapU32(r.label, (l) => numbers.label(l)),
    flags: Uint8Array.from(r.flags),
    lastTs: Float64Array.from(r.lastTs),
  }
}

/**
 * Builds noted chunks again. Derivation runs it each step for chunks quiet for a while, so
 * a day still being written is not rebuilt for every event (reports read it from the tables
 * meanwhile), and for chunks waiting long, so a busy day's is not read that way for ever.
 */
export class SqliteFunnelChunks {
  private readonly stmt
  private readonly read: (k: KeyDay) => KeyDayRows
  private readonly readSessions: (site: string, day: number) => SessionDayRows

  constructor(private readonly db: Database.Database) {
    this.read = keyDayReader(db, true)
    this.readSessions = sessionDayReader(db)
    this.stmt = {
      noted: db.prepare('SELECT site, type, name, path, day FROM funnel_dirty WHERE noted <= unixepoch() - ? OR first <= unixepoch() - ? ORDER BY first LIMIT 64'),
      done: db.prepare('DELETE FROM funnel_dirty WHERE site = ? AND type = ? AND name = ? AND path = ? AND day = ?'),
      key: db.prepare('SELECT id FROM funnel_keys WHERE site = ? AND type = ? AND name = ? AND path = ?').pluck(),
      addKey: db.prepare('INSERT INTO funnel_keys (site, type, name, path) VALUES (?, ?, ?, ?) RETURNING id').pluck(),
      // As session and event chunks: a chunk built again takes the next rowid, and an emptied
      // (key, day) keeps an empty chunk, so the rowid is the chunk's version (`chunk-cache.ts`).
      put: db.prepare(`INSERT INTO funnel_chunks (site, key, day, n, cols, props, prev) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (site, key, day) DO UPDATE SET rowid = (SELECT MAX(rowid) + 1 FROM funnel_chunks), n = excluded.n, cols = excluded.cols,
          props = excluded.props, prev = excluded.prev`),
      drop: db.prepare(`UPDATE funnel_chunks SET rowid = (SELECT MAX(rowid) + 1 FROM funnel_chunks), n = 0, cols = x'', props = NULL, prev = NULL
        WHERE site = ? AND key = ? AND day = ?`),
      notedSessions: db.prepare('SELECT site, day FROM session_dirty WHERE noted <= unixepoch() - ? OR first <= unixepoch() - ? ORDER BY first LIMIT 16'),
      doneSessions: db.prepare('DELETE FROM session_dirty WHERE site = ? AND day = ?'),
      // A chunk built again takes the table's next rowid, and an emptied day keeps an empty chunk: the rowid is the chunk's version (`chunk-cache.ts`).
      putSessions: db.prepare(`INSERT INTO session_chunks (site, day, n, cols) VALUES (?, ?, ?, ?)
        ON CONFLICT (site, day) DO UPDATE SET rowid = (SELECT MAX(rowid) + 1 FROM session_chunks), n = excluded.n, cols = excluded.cols
        RETURNING rowid`).pluck(),
      // Beside the chunk, with its version: a table of its own, so neither blob is read to reach the other.
      putEnds: db.prepare('INSERT OR REPLACE INTO session_ends (site, day, chunk, ends) VALUES (?, ?, ?, ?)'),
      notedEvents: db.prepare('SELECT site, day FROM event_dirty WHERE noted <= unixepoch() - ? OR first <= unixepoch() - ? ORDER BY first LIMIT 16'),
      doneEvents: db.prepare('DELETE FROM event_dirty WHERE site = ? AND day = ?'),
      putEvents: db.prepare(`INSERT INTO event_chunks (site, day, n, cols) VALUES (?, ?, ?, ?)
        ON CONFLICT (site, day) DO UPDATE SET rowid = (SELECT MAX(rowid) + 1 FROM event_chunks), n = excluded.n, cols = excluded.cols`),
    }
  }

  /**
   * Builds chunks last noted at least `quietSec` ago or first noted at least `maxWaitSec`
   * ago, about `maxRows` events' and sessions' worth, in one transaction; answers how many.
   *
   * @example
   * while (chunks.refresh(100_000, 0) > 0);
   */
  refresh(maxRows: number, quietSec: number, maxWaitSec = quietSec): number {
    return this.db.transaction(() => {
      const numbers = new Map<string, Numbering>()
      const numbering = (site: string) => {
        let n = numbers.get(site)
        if (!n) numbers.set(site, (n = new Numbering(this.db, site, true)))
        return n
      }
      let rows = 0
      let built = 0
      // Batches of noted chunks until about `maxRows` are read: one transaction, one numbering cache.
      for (let more = true; more && rows < maxRows;) {
        more = false
        for (const d of this.stmt.notedSessions.all(quietSec, maxWaitSec) as { site: string; day: number }[]) {
          if (built > 0 && rows >= maxRows) return built
          more = true
          this.stmt.doneSessions.run(d.site, d.day)
          const r = this.readSessions(d.site, d.day)
          rows += r.session.length
          built++
          const c = r.session.length === 0 ? null : sessionChunkOf(r, numbering(d.site), d.day)
          const version = this.stmt.putSessions.get(d.site, d.day, r.session.length, c ? encodeSessions(c) : EMPTY)
          this.stmt.putEnds.run(d.site, d.day, version, c ? encodeSessionEnds(c) : EMPTY)
        }
        for (const k of this.stmt.noted.all(quietSec, maxWaitSec) as KeyDay[]) {
          if (built > 0 && rows >= maxRows) return built
          more = true
          this.stmt.done.run(k.site, k.type, k.name, k.path, k.day)
          const r = inVisitorOrder(this.read(k), numbering(k.site))
          rows += r.ts.length
          built++
          const key = this.stmt.key.get(k.site, k.type, k.name, k.path) as number | undefined
          if (r.ts.length === 0) {
            if (key !== undefined) this.stmt.drop.run(k.site, key, k.day)
            continue
          }
          const c = chunkOf(r, numbering(k.site), k.day)
          this.stmt.put.run(k.site, key ?? this.stmt.addKey.get(k.site, k.type, k.name, k.path), k.day, r.ts.length, encodeChunk(c),
            r.props ? encodeProps(r.props) : null, c.prev ? encodePrev(c.prev) : null)
        }
        // Event days last: they are merged from the key chunks just built.
        for (const d of this.stmt.notedEvents.all(quietSec, maxWaitSec) as { site: string; day: number }[]) {
          if (built > 0 && rows >= maxRows) return built
          more = true
          this.stmt.doneEvents.run(d.site, d.day)
          const cols = eventDayColumns(this.db, d.site, d.day, numbering(d.site))
          rows += cols.unit.length
          built++
          this.stmt.putEvents.run(d.site, d.day, cols.unit.length, cols.unit.length === 0 ? EMPTY : encodeEvents(cols))
        }
      }
      return built
    })()
  }
}

export interface KeyPart extends ChunkColumns, FunnelKey {
  day: number
}

/**
 * Every (key, day) of the keys matching `cond` from `dayFrom` to `dayTo`: its chunk, or its
 * events where it is noted. Keys in `seen` are skipped, and the ones read added. With
 * `cache` (a report connection's), decoded chunks are kept for the next report while there
 * is room: a funnel reads its keys' days in the same order every time, so evicting the
 * least recent would evict what the next read wants first (the dashboard's funnel reads
 * 228 MB of chunks at 10M events, more than a cache holds). With `turn`, a report worker
 * splitting the read with others reads its own turns first (`turnOrder`); the parts come
 * out in the same order either way.
 */
export function keyParts(db: Database.Database, site: string, [cond, args]: [string, unknown[]], dayFrom: number, dayTo: number,
  numbers: Numbering, read: (k: KeyDay) => KeyDayRows, seen: Set<string>, withProps = false, cache: ChunkCache | null = null, withPrev = false,
  turn: ReadTurn | null = null): KeyPart[] {
  const out: KeyPart[] = []
  const noted = db.prepare(`SELECT site, type, name, path, day FROM funnel_dirty WHERE site = ? AND ${cond} AND day BETWEEN ? AND ?`)
    .all(site, ...args, dayFrom, dayTo) as KeyDay[]
  const stale = new Set(noted.map((d) => `${d.type}\n${d.name}\n${d.path}\n${d.day}`))
  const stored = db.prepare(`SELECT id, type, name, path FROM funnel_keys WHERE site = ? AND ${cond}`).all(site, ...args) as ({ id: number } & FunnelKey)[]
  // The rowids first (a chunk's version), then only the blobs not kept.
  const chunks = db.prepare('SELECT rowid AS version, day, n FROM funnel_chunks WHERE site = ? AND key = ? AND day BETWEEN ? AND ?')
  const colsOf = db.prepare('SELECT cols FROM funnel_chunks WHERE rowid = ?').pluck()
  const propsOf = db.prepare('SELECT props FROM funnel_chunks WHERE rowid = ?').pluck()
  const prevOf = db.prepare('SELECT prev FROM funnel_chunks WHERE rowid = ?').pluck()
  // A chunk's columns, and its properties and previous events for the reports that ask for them: each read once, then kept.
  const column = <T>(at: string, version: number, read: Database.Statement, decode: (blob: Uint8Array) => T): T | null => {
    let cols = cache?.get<T | null>(at, version)
    if (cols === undefined) {
      const blob = read.get(version) as Buffer | null
      cols = blob ? decode(cache ? cache.memoryOf(blob) : blob) : null
      cache?.putIfRoom(at, version, blob?.byteLength ?? 0, cols)
    }
    return cols
  }
  const readKeys = new Set<string>()
  const wanted: { k: FunnelKey & { id: number }; c: { version: number; day: number; n: number } }[] = []
  for (const k of stored) {
    const at = `${k.type}\n${k.name}\n${k.path}`
    if (seen.has(at)) continue
    readKeys.add(at)
    for (const c of chunks.all(site, k.id, dayFrom, dayTo) as { version: number; day: number; n: number }[]) {
      // An empty chunk: a (key, day) whose events all went.
      if (c.n === 0 || stale.has(`${at}\n${c.day}`)) continue
      wanted.push({ k, c })
    }
  }
  const got: KeyPart[] = new Array(wanted.length)
  for (const i of turnOrder(wanted.length, turn)) {
    const { k, c } = wanted[i]
    const kept = `key\n${site}\n${k.id}\n${c.day}`
    // The columns are NOT NULL: never null here.
    const cols = column(kept, c.version, colsOf, (b) => decodeChunk(b, c.n))!
    const props = !withProps || k.type === 'pageview' ? undefined : column(`props\n${kept}`, c.version, propsOf, (b) => decodeProps(b, c.n))
    const prev = withPrev ? column(`prev\n${kept}`, c.version, prevOf, (b) => decodePrev(b, c.n)) : undefined
    got[i] = { type: k.type, name: k.name, path: k.path, day: c.day, ...cols, props, prev }
  }
  out.push(...got)
  for (const d of noted) {
    const at = `${d.type}\n${d.name}\n${d.path}`
    if (seen.has(at)) continue
    readKeys.add(at)
    out.push({ type: d.type, name: d.name, path: d.path, day: d.day, ...chunkOf(inVisitorOrder(read(d), numbers), numbers, d.day) })
  }
  for (const at of readKeys) seen.add(at)
  return out
}

/**
 * Each day's chunk of a per-day table (`session_chunks`, `event_chunks`) from `dayFrom` to
 * `dayTo`; a day noted since its chunk was built (in `session_dirty`, `event_dirty`), or
 * whose chunk `decode` refuses (an older layout), is built from the tables instead. Chunks
 * this connection read before and that were not built again since come from its
 * `chunkCache`.
 */
function dayParts<T>(db: Database.Database, site: string, kind: 'session' | 'event', dayFrom: number, dayTo: number,
  decode: (blob: Uint8Array, n: number, day: number) => T | null, build: (day: number) => T, turn: ReadTurn | null): DayPart<T>[] {
  const noted = new Set(db.prepare(`SELECT day FROM ${kind}_dirty WHERE site = ? AND day BETWEEN ? AND ?`).pluck().all(site, dayFrom, dayTo) as number[])
  const cache = chunkCache(db)
  const blob = db.prepare(`SELECT cols FROM ${kind}_chunks WHERE rowid = ?`).pluck()
  // The rowids first (a chunk's version), then only the blobs this connection does not keep.
  // An empty chunk: a day whose sessions or events all went.
  const wanted = (db.prepare(`SELECT rowid AS version, day, n FROM ${kind}_chunks WHERE site = ? AND day BETWEEN ? AND ?`)
    .all(site, dayFrom, dayTo) as { version: number; day: number; n: number }[]).filter((c) => !noted.has(c.day) && c.n > 0)
  const got: (T | null)[] = new Array(wanted.length)
  for (const i of turnOrder(wanted.length, turn)) {
    const c = wanted[i]
    const key = `${kind}\n${site}\n${c.day}`
    let cols: T | null = cache.get<T>(key, c.version) ?? null
    if (cols === null) {
      const b = blob.get(c.version) as Buffer
      cols = decode(cache.memoryOf(b), c.n, c.day)
      if (cols) cache.put(key, c.version, b.byteLength, cols)
    }
    got[i] = cols
  }
  const out: DayPart<T>[] = []
  wanted.forEach((c, i) => {
    const cols = got[i]
    if (cols) out.push({ day: c.day, cols, chunk: c })
    else noted.add(c.day)
  })
  for (const day of noted) out.push({ day, cols: build(day), chunk: null })
  return out
}

/** A day's columns, and the chunk they were read from (null: built from the tables). */
interface DayPart<T> {
  day: number
  cols: T
  chunk: { version: number; n: number } | null
}

/**
 * The sessions started from `dayFrom` to `dayTo` (UTC days): each day's chunk, or its
 * sessions where the day is noted (or its chunk is of an older layout). Their ends
 * (`lastTs`) only `withEnds`: segments by variant read them, 8 bytes a session that the
 * other reports leave unread.
 */
export function sessionParts(db: Database.Database, site: string, dayFrom: number, dayTo: number, numbers: Numbering,
  turn: ReadTurn | null = null, withEnds = false): SessionColumns[] {
  const readDay = sessionDayReader(db)
  const parts = dayParts(db, site, 'session', dayFrom, dayTo, (blob, n, day) => (blob.byteLength === SESSION_BYTES * n ? decodeSessions(blob, n, day) : null),
    (day) => sessionChunkOf(readDay(site, day), numbers, day), turn)
  if (!withEnds) return parts.map((p) => p.cols)
  const cache = chunkCache(db)
  const endsOf = db.prepare('SELECT ends FROM session_ends WHERE site = ? AND day = ? AND chunk = ?').pluck()
  const out: SessionColumns[] = new Array(parts.length)
  // In the same turns as the chunks: workers splitting a report each read half, and find the rest handed over.
  for (const i of turnOrder(parts.length, turn)) {
    const { day, cols, chunk } = parts[i]
    if (!chunk) {
      out[i] = cols
      continue
    }
    const key = `ends\nsession\n${site}\n${day}`
    let lastTs = cache.get<Float64Array>(key, chunk.version) ?? null
    if (lastTs === null) {
      const blob = endsOf.get(site, day, chunk.version) as Buffer | undefined
      lastTs = blob ? decodeSessionEnds(cache.memoryOf(blob), chunk.n) : null
      if (blob && lastTs) cache.put(key, chunk.version, blob.byteLength, lastTs)
    }
    // A chunk built before its ends were kept apart (migration 29 notes them all): its day from the tables.
    out[i] = lastTs ? { ...cols, lastTs } : sessionChunkOf(readDay(site, day), numbers, day)
  }
  return out
}

/** Every person's events from `dayFrom` to `dayTo` (UTC days), with their day: each day's event chunk, or the day merged anew where noted. */
export function eventParts(db: Database.Database, site: string, dayFrom: number, dayTo: number, numbers: Numbering): [day: number, cols: EventColumns][] {
  return dayParts(db, site, 'event', dayFrom, dayTo, decodeEvents, (day) => eventDayColumns(db, site, day, numbers), null).map((p) => [p.day, p.cols])
}


/**
 * Visits the events of runs each sorted by time then arrival (rowid) in that order across
 * all runs: a k-way merge over a binary heap of the runs' heads.
 */
export function mergeRuns(ts: Float64Array[], seq: Float64Array[], visit: (run: number, i: number) => void): void {
  if (ts.length === 1) {
    for (let i = 0; i < ts[0].length; i++) visit(0, i)
    return
  }
  const pos = new Int32Array(ts.length)
  const heap: number[] = []
  // The head of run r as a key: its time, and its rowid for ties.
  const headTs = new Float64Array(ts.length)
  const headSeq = new Float64Array(ts.length)
  const head = (r: number) => {
    headTs[r] = ts[r][pos[r]]
    headSeq[r] = seq[r][pos[r]]
  }
  const before = (r: number, q: number) => headTs[r] < headTs[q] || (headTs[r] === headTs[q] && headSeq[r] < headSeq[q])
  const down = (at: number) => {
    const n = heap.length
    for (;;) {
      const l = 2 * at + 1
      let min = at
      if (l < n && before(heap[l], heap[min])) min = l
      if (l + 1 < n && before(heap[l + 1], heap[min])) min = l + 1
      if (min === at) return
      const t = heap[at]
      heap[at] = heap[min]
      heap[min] = t
      at = min
    }
  }
  ts.forEach((_, r) => head(r))
  ts.forEach((run, r) => { if (run.length > 0) heap.push(r) })
  for (let at = (heap.length >> 1) - 1; at >= 0; at--) down(at)
  while (heap.length > 0) {
    const r = heap[0]
    visit(r, pos[r]++)
    if (pos[r] === ts[r].length) {
      const last = heap.pop()!
      if (heap.length === 0) return
      heap[0] = last
    } else head(r)
    down(0)
  }
}
