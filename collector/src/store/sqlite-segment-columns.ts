/**
 * Segmented summary, trends and session groups from the SQLite columns: sessions from the
 * session chunks (tested by `sessionsInSegment`), pageviews and
 * visitors from the event chunks (each event as its session's number), conversions and
 * revenue from the conversion keys' chunks. The scans they replace read every event row of
 * the range to test its session (10M events, 30 days, mobile new visitors: 11-15 s).
 *
 * Each answers exactly what the scan in `sqlite-reports.ts` answers (revenue up to float
 * rounding: it adds in another order), or null where the columns cannot: a range not on
 * slot boundaries, or most of the range waiting to be built (`columnsMostlyBuilt`).
 */
import type Database from 'better-sqlite3'
import type { Activity, SegmentCond, SessionGroup, SummaryCounts, TimeRange } from './report-types.ts'
import { SLOT_MS } from './report-types.ts'
import { slotAligned } from './rollup-range.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'
import { scratchU8 } from './scratch.ts'
import {
  BOT_SESSION, DAY_SLOTS, eventParts, keyDayReader, keyParts, maxInChunks, Numbering, sessionParts, sessionSpan,
  type EventColumns, type KeyPart, type SessionColumns,
} from './sqlite-funnel-chunks.ts'
import { columnsMostlyBuilt, sessionsInSegment, withEnds } from './sqlite-funnel-columns.ts'
import { chunkCache } from './chunk-cache.ts'

/** What a segmented read holds: the sessions that can hold an event of the range, and which of them are in the segment. */
interface SegmentRead {
  numbers: Numbering
  sessions: SessionColumns[]
  /** 1 by session number for a session in the segment. */
  inSegment: Uint8Array
  conversions: KeyPart[]
  /** Event chunks with their UTC day (only when asked for). */
  events: [day: number, cols: EventColumns][]
}

/**
 * Reads the columns a segmented count needs in one transaction: sessions started from the
 * longest session's span before the range, conversions (of `conversion`, or all), and with
 * `withEvents` every person's event.
 */
function readSegment(db: Database.Database, site: string, range: TimeRange, segment: SegmentCond, conversion: string | null,
  withEvents: boolean): SegmentRead | null {
  if (!slotAligned(range)) return null
  const span = sessionSpan(db, site) ?? 0
  const [dayFrom, dayTo] = [Math.floor(range.start / DAY_MS), Math.floor((range.end - 1) / DAY_MS)]
  const sessionDays: [number, number] = [Math.floor((range.start - span - 1) / DAY_MS), dayTo]
  const cond: [string, unknown[]] = conversion === null ? ["type = 'conversion'", []] : ["type = 'conversion' AND name = ?", [conversion]]
  return db.transaction(() => {
    if (!columnsMostlyBuilt(db, site, [cond], dayFrom, dayTo, sessionDays, withEvents ? [dayFrom, dayTo] : null)) return null
    const numbers = new Numbering(db, site, false)
    const sessions = sessionParts(db, site, sessionDays[0], sessionDays[1], numbers, null, withEnds(segment))
    const conversions = keyParts(db, site, cond, dayFrom, dayTo, numbers, keyDayReader(db), new Set(), false, chunkCache(db))
    const events = withEvents ? eventParts(db, site, dayFrom, dayTo, numbers) : []
    const inSegment = sessionsInSegment(db, site, segment, sessions, numbers)
    return { numbers, sessions, inSegment, conversions, events }
  })()
}

/** Whether session `s` (a number) is in the segment. */
const kept = (r: SegmentRead, s: number) => s !== 0 && s < r.inSegment.length && r.inSegment[s] === 1

/** Visits the segment's people's sessions started in the range: their label and start. */
function eachSession(r: SegmentRead, range: TimeRange, visit: (label: number, started: number) => void): void {
  for (const p of r.sessions) {
    const { session, startInDay, flags, label } = p
    const base = p.day * DAY_MS
    for (let i = 0; i < session.length; i++) {
      const t = base + startInDay[i]
      if (t >= range.start && t < range.end && (flags[i] & BOT_SESSION) === 0 && kept(r, session[i])) visit(label[i], t)
    }
  }
}

/** Visits the conversions in the range in the segment's sessions. */
function eachConversion(r: SegmentRead, range: TimeRange, visit: (p: KeyPart, i: number) => void): void {
  for (const p of r.conversions) {
    const base = p.day * DAY_MS
    for (let i = 0; i < p.inDay.length; i++) {
      const t = base + p.inDay[i]
      if (t >= range.start && t < range.end && kept(r, p.session[i])) visit(p, i)
    }
  }
}

/**
 * The summary of a segment (see `SqliteReports.scanSummary`), or null where the columns cannot answer.
 *
 * @example
 * segmentedSummary(db, 'shop', range, { col: 'device', eq: 'mobile' }) ?? scanSummary(…)
 */
export function segmentedSummary(db: Database.Database, site: string, range: TimeRange, segment: SegmentCond): SummaryCounts | null {
  const r = readSegment(db, site, range, segment, null, true)
  if (!r) return null
  let sessions = 0
  eachSession(r, range, () => { sessions++ })
  // Pageviews: whole slots of each day's events. Visitors with an event in the range: those
  // of the sessions that have one.
  const hasEvent = scratchU8('segment.hasEvent', r.inSegment.length)
  let pageviews = 0
  for (const [day, cols] of r.events) pageviews += markEventsInRange(cols, day, range, r.inSegment, hasEvent)
  const seen = scratchU8('segment.seen', maxInChunks(r.sessions.map((p) => p.visitor)) + 1)
  let visitors = 0
  for (const p of r.sessions) visitors += countVisitors(p, hasEvent, seen)
  let conversions = 0
  let convertingVisitors = 0
  const converted = new Set<number>()
  const revenue = new Map<number, number>()
  eachConversion(r, range, (p, i) => {
    conversions++
    if (p.visitor[i] !== 0 && !converted.has(p.visitor[i])) {
      converted.add(p.visitor[i])
      convertingVisitors++
    }
    if (p.value && !Number.isNaN(p.value[i])) revenue.set(p.label[i], (revenue.get(p.label[i]) ?? 0) + p.value[i])
  })
  return {
    visitors, sessions, pageviews, conversions, convertingVisitors,
    revenue: [...revenue].map(([label, amount]) => ({ currency: r.numbers.labelText(label), amount })).sort(byCurrency),
  }
}

/** SQLite's order of a nullable text: NULL first. */
const byCurrency = (a: { currency: string | null }, b: { currency: string | null }) =>
  a.currency === b.currency ? 0 : a.currency === null ? -1 : b.currency === null ? 1 : a.currency < b.currency ? -1 : 1

/** The segment's sessions and conversions per slot (see `SqliteReports.scanActivity`), or null where the columns cannot answer. */
export function segmentedActivity(db: Database.Database, site: string, range: TimeRange, conversion: string | null, segment: SegmentCond): Activity | null {
  const r = readSegment(db, site, range, segment, conversion, false)
  if (!r) return null
  const sessions = new Map<number, number>()
  eachSession(r, range, (_, started) => {
    const slot = Math.floor(started / SLOT_MS) * SLOT_MS
    sessions.set(slot, (sessions.get(slot) ?? 0) + 1)
  })
  const conversions = new Map<string, Activity['conversions'][number]>()
  eachConversion(r, range, (p, i) => {
    const slot = Math.floor((p.day * DAY_MS + p.inDay[i]) / SLOT_MS) * SLOT_MS
    const at = `${slot} ${p.label[i]}`
    let row = conversions.get(at)
    if (!row) conversions.set(at, (row = { slot, currency: r.numbers.labelText(p.label[i]), n: 0, micros: 0 }))
    row.n++
    if (p.value && !Number.isNaN(p.value[i])) row.micros += sqliteRound(p.value[i] * 1_000_000)
  })
  return {
    sessions: [...sessions].sort((a, b) => a[0] - b[0]).map(([slot, n]) => ({ slot, n })),
    conversions: [...conversions.values()].sort((a, b) => a.slot - b.slot || byCurrency(a, b)),
  }
}

/** SQLite's ROUND(x): half away from zero. */
function sqliteRound(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5)
}

/** The segment's sessions started in the range per touch (see `SqliteReports.scanSessionGroups`), or null where the columns cannot answer. */
export function segmentedSessionGroups(db: Database.Database, site: string, range: TimeRange, segment: SegmentCond): SessionGroup[] | null {
  const r = readSegment(db, site, range, segment, null, false)
  if (!r) return null
  // Counted by label in an array: a map update per session cost more than the rest of the loop.
  const byLabel = new Uint32Array(maxInChunks(r.sessions.map((p) => p.label)) + 1)
  for (const p of r.sessions) countByLabel(p, range, r.inSegment, byLabel)
  const groups = new Map<string, SessionGroup>()
  for (let label = 0; label < byLabel.length; label++) {
    const n = byLabel[label]
    if (n === 0) continue
    const { channel, source, medium, campaign, clickIdType, referrerHost } = r.numbers.entry(label).attrs
    const at = JSON.stringify([channel, source, medium, campaign, clickIdType, referrerHost])
    const g = groups.get(at)
    if (g) g.sessions += n
    else groups.set(at, { channel, source, medium, campaign, clickIdType, referrerHost, sessions: n })
  }
  return [...groups.values()]
}

/**
 * Marks the sessions of the segment with an event in the range (`hasEvent`, by session
 * number) from one day's event chunk, and answers how many of those events are pageviews.
 * The loops over events and sessions live in small functions: see `maxIn`.
 */
function markEventsInRange({ slotStart, unit }: EventColumns, day: number, range: TimeRange, inSegment: Uint8Array, hasEvent: Uint8Array): number {
  const dayStart = day * DAY_MS
  const from = slotStart[Math.min(DAY_SLOTS, Math.max(0, Math.ceil((range.start - dayStart) / SLOT_MS)))]
  const to = slotStart[Math.min(DAY_SLOTS, Math.max(0, Math.ceil((range.end - dayStart) / SLOT_MS)))]
  let pageviews = 0
  for (let i = from; i < to; i++) {
    const s = unit[i] >>> 1
    if (s === 0 || s >= inSegment.length || inSegment[s] !== 1) continue
    pageviews += unit[i] & 1
    hasEvent[s] = 1
  }
  return pageviews
}

/** Counts the visitors of chunk `p`'s sessions marked in `hasEvent` not `seen` before (and marks them seen). */
function countVisitors(p: SessionColumns, hasEvent: Uint8Array, seen: Uint8Array): number {
  const { session, visitor } = p
  let n = 0
  for (let i = 0; i < session.length; i++) {
    const v = visitor[i]
    if (session[i] < hasEvent.length && hasEvent[session[i]] === 1 && v !== 0 && seen[v] === 0) {
      seen[v] = 1
      n++
    }
  }
  return n
}

/** Counts chunk `p`'s people's sessions started in the range and in the segment, by label. */
function countByLabel(p: SessionColumns, range: TimeRange, inSegment: Uint8Array, byLabel: Uint32Array): void {
  const { session, startInDay, flags, label } = p
  const base = p.day * DAY_MS
  for (let i = 0; i < session.length; i++) {
    const s = session[i]
    const t = base + startInDay[i]
    if (t >= range.start && t < range.end && (flags[i] & BOT_SESSION) === 0 && s !== 0 && s < inSegment.length && inSegment[s] === 1) byLabel[label[i]]++
  }
}
