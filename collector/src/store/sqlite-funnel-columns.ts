/**
 * A funnel's candidate events from the SQLite funnel columns: the chunks of every key its
 * steps may match, and for a (key, day) noted since its chunk was built, that day's events
 * read from the table. All of it is read in one transaction, so it is one moment's.
 *
 * The events are then grouped by unit with a counting sort over the unit numbers and put in
 * time then arrival order within each unit, in typed arrays: no per-row object, no SQL sort.
 */
import type Database from 'better-sqlite3'
import type { FunnelColumns, FunnelKey, FunnelScan, SegmentCond, StepFilter } from './report-types.ts'
import { ENTRY_COLS, entryAttrs } from './derived-rows.ts'
import { needsExposures, segmentMatches } from './segment-match.ts'
import type { EventType } from './types.ts'
import { sqlGlob } from '../reports/steps.ts'
import { distinctStepFilters } from './funnel-filters.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'
import {
  chunkOf, decodeChunk, FIRST_SESSION, decodeSessions, keyDayReader, Numbering, sessionChunkOf, sessionDayReader,
  type ChunkColumns, type KeyDay, type KeyDayRows, type SessionColumns,
} from './sqlite-funnel-chunks.ts'

interface Part extends ChunkColumns {
  day: number
  key: number
}

/** The SQL condition on `type, name, path` (of `funnel_keys` or `funnel_dirty`) for the keys a step filter may match. */
function keyCondition(f: StepFilter): [string, unknown[]] {
  if (f.pathGlob === null) return ['type = ? AND name = ?', [f.type, f.name]]
  if (!f.pathGlob.includes('*')) return [`type = 'pageview' AND path = ?`, [f.pathGlob]]
  // A superset of the glob's paths, as the scan reads: the report tests each key exactly.
  return [`type = 'pageview' AND path GLOB '${sqlGlob(f.pathGlob).replace(/'/g, "''")}'`, []]
}

/**
 * The funnel's events as columns, or null for a scan the columns cannot answer (a segment by
 * experiment variant, property filters or strict mode: those read the events). A segment
 * by session attributes or new/returning keeps the events of its sessions.
 *
 * @example
 * const cols = readFunnelColumns(db, 'shop', scan) // then match each unit's events
 */
export function readFunnelColumns(db: Database.Database, site: string, q: FunnelScan): FunnelColumns | null {
  if ((q.segment && needsExposures(q.segment)) || q.withProps || q.allEvents) return null
  const lastTs = q.range.end + q.windowMs
  const [dayFrom, dayTo] = [Math.floor(q.range.start / DAY_MS), Math.floor(lastTs / DAY_MS)]
  const read = keyDayReader(db)
  const keys: FunnelKey[] = []
  const keyAt = new Map<string, number>()
  const parts: Part[] = []
  let numbers!: Numbering
  let entries: EntryColumns | null = null
  let variants: Map<number, number> | null = null

  const span = q.withEntry || q.segment ? ((db.prepare('SELECT max_ms FROM session_span WHERE site = ?').pluck().get(site) as number | undefined) ?? 0) : 0
  const sessionDays: [number, number] | null = q.withEntry || q.segment ? [dayFrom - Math.ceil(span / DAY_MS) - 1, dayTo] : null
  const built = db.transaction(() => {
    if (!columnsMostlyBuilt(db, site, distinctStepFilters(q.steps).map(keyCondition), dayFrom, dayTo, sessionDays)) return false
    numbers = new Numbering(db, site, false)
    const keyIndex = (type: EventType, name: string, path: string) => {
      const at = `${type}\n${name}\n${path}`
      let k = keyAt.get(at)
      if (k === undefined) {
        keyAt.set(at, (k = keys.length))
        keys.push({ type, name, path })
      }
      return k
    }
    const seen = new Set<string>()
    for (const f of distinctStepFilters(q.steps)) {
      // Overlapping globs share keys: each key is read once.
      for (const p of keyParts(db, site, keyCondition(f), dayFrom, dayTo, numbers, read, seen)) {
        parts.push({ ...p, key: keyIndex(p.type, p.name, p.path) })
      }
    }
    if (sessionDays) entries = readEntries(db, site, sessionDays, numbers)
    if (q.experiment !== null) {
      // The first exposure of the visitor decides, whenever it was (as the scan's lookups).
      variants = new Map()
      const exposures = keyParts(db, site, ["type = 'exposure' AND name = ?", [q.experiment]], 0, Number.MAX_SAFE_INTEGER, numbers, read, new Set())
      for (const p of exposures.sort((a, b) => a.day - b.day)) {
        for (let i = 0; i < p.visitor.length; i++) if (!variants.has(p.visitor[i])) variants.set(p.visitor[i], p.label[i])
      }
    }
    return true
  })()
  if (!built) return null

  // A segment keeps the events of its sessions (the sessions that can hold an event of the range are all read).
  const sessionIn = q.segment ? segmentSessions(entries!, q.segment, numbers) : null
  const grouped = groupByUnit(parts, q.unit === 'visitor', q.range.start, lastTs, q.withEntry || q.experiment !== null, sessionIn)
  // Entrants share a few thousand distinct entries (label, first flag, variant): one object each, not one per entrant.
  const made = new Map<string, ReturnType<FunnelColumns['entry']>>()
  const none = entryAttrs([])
  return {
    keys, ts: grouped.ts, key: grouped.key, unitStart: grouped.unitStart,
    entry(i) {
      const s = grouped.session[i]
      const e = entries as EntryColumns | null
      // A session not read (none, or gone) is as the scan finds it: Direct, nothing known.
      const [label, first] = e !== null && s < e.first.length && e.first[s] !== 0 ? [e.label[s], e.first[s]] : [0, 0]
      const v = variants as Map<number, number> | null
      const variant = v === null ? -1 : (v.get(grouped.visitor[i]) ?? 0)
      const at = `${label} ${first} ${variant}`
      let out = made.get(at)
      if (!out) {
        out = {
          ...(first !== 0 ? numbers.entry(label).attrs : none),
          firstSession: first !== 0 ? first === 2 : undefined,
          variant: variant < 0 ? null : numbers.labelText(variant),
        }
        made.set(at, out)
      }
      return out
    },
  }
}

/**
 * Whether the columns are built enough to answer: a noted (key, day) or session day is read
 * from the tables, which costs more per row than the scan it replaces (each id is looked up
 * for its number). Right after an upgrade, or while a big erasure waits to be rebuilt, most
 * of a range is noted: then the scan answers. Up to 8 noted days, or a quarter, are read.
 * `sessionDays` and `eventDays` count the session and event chunks of those days too.
 */
export function columnsMostlyBuilt(db: Database.Database, site: string, conds: [string, unknown[]][], dayFrom: number, dayTo: number,
  sessionDays: [number, number] | null, eventDays: [number, number] | null = null): boolean {
  let noted = 0
  let built = 0
  for (const [cond, args] of conds) {
    noted += db.prepare(`SELECT COUNT(*) FROM funnel_dirty WHERE site = ? AND ${cond} AND day BETWEEN ? AND ?`).pluck().get(site, ...args, dayFrom, dayTo) as number
    built += db.prepare(`SELECT COUNT(*) FROM funnel_chunks c JOIN funnel_keys k ON k.id = c.key WHERE c.site = ? AND ${cond} AND c.day BETWEEN ? AND ?`)
      .pluck().get(site, ...args, dayFrom, dayTo) as number
  }
  if (sessionDays) {
    noted += db.prepare('SELECT COUNT(*) FROM session_dirty WHERE site = ? AND day BETWEEN ? AND ?').pluck().get(site, ...sessionDays) as number
    built += db.prepare('SELECT COUNT(*) FROM session_chunks WHERE site = ? AND day BETWEEN ? AND ?').pluck().get(site, ...sessionDays) as number
  }
  if (eventDays) {
    noted += db.prepare('SELECT COUNT(*) FROM event_dirty WHERE site = ? AND day BETWEEN ? AND ?').pluck().get(site, ...eventDays) as number
    built += db.prepare('SELECT COUNT(*) FROM event_chunks WHERE site = ? AND day BETWEEN ? AND ?').pluck().get(site, ...eventDays) as number
  }
  return noted <= 8 || noted * 4 <= noted + built
}

export interface KeyPart extends ChunkColumns, FunnelKey {
  day: number
}

/**
 * Every (key, day) of the keys matching `cond` from `dayFrom` to `dayTo`: its chunk, or its
 * events where it is noted. Keys in `seen` are skipped, and the ones read added.
 */
export function keyParts(db: Database.Database, site: string, [cond, args]: [string, unknown[]], dayFrom: number, dayTo: number,
  numbers: Numbering, read: (k: KeyDay) => KeyDayRows, seen: Set<string>): KeyPart[] {
  const out: KeyPart[] = []
  const noted = db.prepare(`SELECT site, type, name, path, day FROM funnel_dirty WHERE site = ? AND ${cond} AND day BETWEEN ? AND ?`)
    .all(site, ...args, dayFrom, dayTo) as KeyDay[]
  const stale = new Set(noted.map((d) => `${d.type}\n${d.name}\n${d.path}\n${d.day}`))
  const stored = db.prepare(`SELECT id, type, name, path FROM funnel_keys WHERE site = ? AND ${cond}`).all(site, ...args) as ({ id: number } & FunnelKey)[]
  const chunks = db.prepare('SELECT day, n, cols FROM funnel_chunks WHERE site = ? AND key = ? AND day BETWEEN ? AND ?')
  const readKeys = new Set<string>()
  for (const k of stored) {
    const at = `${k.type}\n${k.name}\n${k.path}`
    if (seen.has(at)) continue
    readKeys.add(at)
    for (const c of chunks.iterate(site, k.id, dayFrom, dayTo) as IterableIterator<{ day: number; n: number; cols: Buffer }>) {
      if (!stale.has(`${at}\n${c.day}`)) out.push({ type: k.type, name: k.name, path: k.path, day: c.day, ...decodeChunk(c.cols, c.n) })
    }
  }
  for (const d of noted) {
    const at = `${d.type}\n${d.name}\n${d.path}`
    if (seen.has(at)) continue
    readKeys.add(at)
    out.push({ type: d.type, name: d.name, path: d.path, day: d.day, ...chunkOf(read(d), numbers) })
  }
  for (const at of readKeys) seen.add(at)
  return out
}

/**
 * The sessions started from `dayFrom` to `dayTo` (UTC days): each day's chunk, or its
 * sessions where the day is noted.
 */
export function sessionParts(db: Database.Database, site: string, dayFrom: number, dayTo: number, numbers: Numbering): SessionColumns[] {
  const noted = new Set(db.prepare('SELECT day FROM session_dirty WHERE site = ? AND day BETWEEN ? AND ?').pluck().all(site, dayFrom, dayTo) as number[])
  const parts: SessionColumns[] = []
  for (const c of db.prepare('SELECT day, n, cols FROM session_chunks WHERE site = ? AND day BETWEEN ? AND ?')
    .iterate(site, dayFrom, dayTo) as IterableIterator<{ day: number; n: number; cols: Buffer }>) {
    if (!noted.has(c.day)) parts.push(decodeSessions(c.cols, c.n))
  }
  const readDay = sessionDayReader(db)
  for (const day of noted) parts.push(sessionChunkOf(readDay(site, day), numbers))
  return parts
}

/**
 * The segment's test of a session by its label and whether it is its visitor's first, as
 * `segmentMatches` gives it; remembered per label and flag (sessions share a few thousand labels).
 */
export function segmentTest(c: SegmentCond, numbers: Numbering): (label: number, first: boolean) => boolean {
  const known = new Map<number, boolean>()
  return (label, first) => {
    const at = label * 2 + (first ? 1 : 0)
    let m = known.get(at)
    if (m === undefined) {
      const { values } = numbers.entry(label)
      known.set(at, (m = segmentMatches(c, { col: (col) => values[ENTRY_COLS.indexOf(col)] ?? null, first })))
    }
    return m
  }
}

/** Which sessions (by number) are in the segment: 1 for those in it. */
function segmentSessions(e: EntryColumns, c: SegmentCond, numbers: Numbering): Uint8Array {
  const out = new Uint8Array(e.first.length)
  const test = segmentTest(c, numbers)
  for (let s = 1; s < e.first.length; s++) if (e.first[s] !== 0 && test(e.label[s], e.first[s] === 2)) out[s] = 1
  return out
}

/** Entry attributes by session number: its label, and 2 when it is its visitor's first, 1 when not, 0 when not read. */
interface EntryColumns {
  label: Uint32Array
  first: Uint8Array
}

/** The sessions started in `days`: those that can hold an event of a range start the longest session's span before it. */
function readEntries(db: Database.Database, site: string, [dayFrom, dayTo]: [number, number], numbers: Numbering): EntryColumns {
  const parts = sessionParts(db, site, dayFrom, dayTo, numbers)
  let max = 0
  for (const p of parts) for (let i = 0; i < p.session.length; i++) if (p.session[i] > max) max = p.session[i]
  const out: EntryColumns = { label: new Uint32Array(max + 1), first: new Uint8Array(max + 1) }
  for (const p of parts) {
    for (let i = 0; i < p.session.length; i++) {
      out.label[p.session[i]] = p.label[i]
      out.first[p.session[i]] = p.flags[i] & FIRST_SESSION ? 2 : 1
    }
  }
  return out
}

/**
 * Groups the parts' events from `from` to `to` (inclusive) by unit, in time then arrival
 * order within each; events without the unit (no session) are left out.
 */
function groupByUnit(parts: Part[], byVisitor: boolean, from: number, to: number, withUnits: boolean, sessionIn: Uint8Array | null) {
  parts.sort((a, b) => a.day - b.day)
  // Plain column lists: the hot loops below must not read properties of differently shaped part objects.
  // Outside the segment an event counts as having no unit.
  const unitCols = parts.map((p) => {
    const units = byVisitor ? p.visitor : p.session
    if (!sessionIn) return units
    const kept = units.slice()
    for (let i = 0; i < kept.length; i++) if (!(p.session[i] < sessionIn.length && sessionIn[p.session[i]] === 1)) kept[i] = 0
    return kept
  })
  const tsCols = parts.map((p) => p.ts)
  const seqCols = parts.map((p) => p.seq)
  const keyOf = parts.map((p) => p.key)
  let maxUnit = 0
  for (const units of unitCols) for (let i = 0; i < units.length; i++) if (units[i] > maxUnit) maxUnit = units[i]
  const counts = new Uint32Array(maxUnit + 2)
  for (let k = 0; k < parts.length; k++) {
    const units = unitCols[k]
    const pts = tsCols[k]
    for (let i = 0; i < units.length; i++) {
      if (units[i] !== 0 && pts[i] >= from && pts[i] <= to) counts[units[i] + 1]++
    }
  }
  // Prefix sums: counts[u] becomes where unit u's events start.
  for (let u = 1; u < counts.length; u++) counts[u] += counts[u - 1]
  const kept = counts[counts.length - 1]
  const ts = new Float64Array(kept)
  const key = new Uint32Array(kept)
  // Visitor and session numbers only where entries are looked up: each column scattered costs a cache miss per event.
  const visitor = new Uint32Array(withUnits ? kept : 0)
  const session = new Uint32Array(withUnits ? kept : 0)
  const fill = counts.slice()
  const place = (k: number, i: number) => {
    const u = unitCols[k][i]
    const t = tsCols[k][i]
    if (u === 0 || t < from || t > to) return
    const at = fill[u]++
    ts[at] = t
    key[at] = keyOf[k]
    if (withUnits) {
      visitor[at] = parts[k].visitor[i]
      session[at] = parts[k].session[i]
    }
  }
  // Each day's keys merged in time then arrival order, then placed: each unit's events land
  // in that order (a counting sort keeps it), with no sort per unit.
  for (let a = 0; a < parts.length;) {
    let b = a + 1
    while (b < parts.length && parts[b].day === parts[a].day) b++
    mergeRuns(tsCols.slice(a, b), seqCols.slice(a, b), (r, i) => place(a + r, i))
    a = b
  }
  // Unit starts, skipping units without events.
  let units = 0
  for (let u = 1; u <= maxUnit; u++) if (counts[u + 1] > counts[u]) units++
  const unitStart = new Uint32Array(units + 1)
  let n = 0
  for (let u = 1; u <= maxUnit; u++) if (counts[u + 1] > counts[u]) unitStart[n++] = counts[u]
  unitStart[n] = kept
  return { ts, key, visitor, session, unitStart }
}

/**
 * Visits the events of runs each sorted by time then arrival (rowid) in that order across
 * all runs: a k-way merge over a binary heap of the runs' heads.
 */
function mergeRuns(ts: Float64Array[], seq: Float64Array[], visit: (run: number, i: number) => void): void {
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
