/**
 * The attribution and journeys scans from the SQLite funnel columns: conversions from the
 * conversion keys' chunks, sessions from the session chunks, grouped by visitor number in
 * typed arrays instead of sorting every session of the range in SQL (at 10M events over 90
 * days: millions of sessions, most of the models compared's 8.5 s). A segment is tested on
 * each session's columns (`sessionsInSegment`).
 *
 * It hands `onVisitor` the same visitors, sessions and conversions as the scan, each in
 * time order; visitors come in another order (by number, not by id).
 */
import type Database from 'better-sqlite3'
import type { AttributionScan, ConversionRow, JourneyColumns, TouchAttrs, TouchSession, VisitorShare } from './report-types.ts'
import { scratchF64, scratchU32, scratchU8 } from './scratch.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'
import { BOT_SESSION, inShare, inShareOf, keyDayReader, keyParts, maxInChunks, Numbering, sessionParts, sessionSpan, type KeyPart, type SessionColumns } from './sqlite-funnel-chunks.ts'
import { columnsMostlyBuilt, sessionsInSegment, withEnds } from './sqlite-funnel-columns.ts'
import { chunkCache } from './chunk-cache.ts'

/**
 * A scan's visitors from the columns: with `journeys`, every visitor's sessions (Direct too)
 * and conversions, as data-driven attribution reads them; without, converting visitors'
 * non-Direct sessions, as the rule models do. Null while most of the range waits to be
 * built (`columnsMostlyBuilt`): the scan answers then. The arrays are scratch arrays
 * (`scratch.ts`), valid until the next read.
 *
 * @example
 * const j = journeyColumns(db, 'shop', scan, true)
 * if (j) for (let v = 0; v < j.visitors; v++) … j.started[j.sessionStart[v]] …
 */
export function journeyColumns(db: Database.Database, site: string, q: AttributionScan, journeys: boolean): JourneyColumns | null {
  const segment = q.segment ?? null
  const share = q.share ?? null
  const { start, end } = q.range
  let numbers!: Numbering
  let convs: KeyPart[] = []
  let sessions: SessionColumns[] = []
  // Set in the read's transaction (exposures are read with the sessions); `as`: assigned in a callback.
  let inSegment = null as Uint8Array | null
  const [dayFrom, dayTo] = [Math.floor(start / DAY_MS), Math.floor((end - 1) / DAY_MS)]
  // Under a segment, also every session that can hold a conversion of the range (the longest session's span before it).
  const span = segment ? (sessionSpan(db, site) ?? 0) : 0
  const sessionDays: [number, number] = [Math.floor((start - Math.max(q.lookbackMs, span + 1)) / DAY_MS), dayTo]
  const cond: [string, unknown[]] = q.conversion === null ? ["type = 'conversion'", []] : ["type = 'conversion' AND name = ?", [q.conversion]]
  const built = db.transaction(() => {
    if (!columnsMostlyBuilt(db, site, [cond], dayFrom, dayTo, sessionDays)) return false
    numbers = new Numbering(db, site, false)
    // A share (a report worker's part of one report) reads its turns first and keeps its visitors' runs of each chunk.
    convs = keyParts(db, site, cond, dayFrom, dayTo, numbers, keyDayReader(db), new Set(), false, chunkCache(db), false, share)
    if (share) convs = convs.flatMap((p) => inShare(p, share))
    sessions = sessionParts(db, site, sessionDays[0], sessionDays[1], numbers, share, withEnds(segment))
    if (segment) inSegment = sessionsInSegment(db, site, segment, sessions, numbers, share)
    return true
  })()
  if (!built) return null

  const touch = (id: number): TouchAttrs => numbers.entry(id).attrs
  // The rule models' touches leave Direct out: tested once per label, kept by label (1: a touch, 2: Direct).
  const touchKind: number[] = []
  const isTouch = (label: number) => {
    if (touchKind[label] === undefined) touchKind[label] = touch(label).channel === 'Direct' ? 2 : 1
    return touchKind[label] === 1
  }

  // Conversions in the range, counted by visitor (a conversion without a visitor is a visitor of its own).
  const maxVisitor = maxInChunks([...convs.map((p) => p.visitor), ...sessions.map((p) => p.visitor)])
  const converts = scratchU8('journeys.converts', maxVisitor + 1)
  const convCount = scratchU32('journeys.convCount', maxVisitor + 2)
  let alone = 0
  for (const p of convs) alone += countConversions(p, start, end, inSegment, converts, convCount)
  // Sessions from the range start minus the lookback for converters, from the range start for the rest (people's only).
  const counts = scratchU32('journeys.counts', maxVisitor + 2)
  const keep = scratchU8('journeys.keep', sessions.reduce((n, p) => n + p.visitor.length, 0), null)
  const window: SessionWindow = { start, end, lookbackStart: start - q.lookbackMs, journeys, inSegment, converts, isTouch: journeys ? null : isTouch, share }
  let at = 0
  for (const p of sessions) at = keepSessions(p, window, keep, at, counts)
  // Visitors that come out (any conversion, or with journeys any session), in number order: their
  // sessions and conversions land in that order by a counting sort, so each one's are contiguous.
  const visitors = alone + prefixSums(maxVisitor, converts, journeys, counts, convCount)
  const total = counts[maxVisitor + 1]
  const convTotal = convCount[maxVisitor + 1]
  const started = scratchF64('journeys.started', total, null)
  const labelAt = scratchU32('journeys.label', total, null)
  const convTs = scratchF64('journeys.convTs', convTotal + alone, null)
  const convValue = scratchF64('journeys.convValue', convTotal + alone, null)
  const convCurrency = scratchU32('journeys.convCurrency', convTotal + alone, null)
  const fill = scratchU32('journeys.fill', maxVisitor + 1, null)
  fill.set(counts.subarray(0, maxVisitor + 1))
  at = 0
  for (const p of sessions) at = placeSessions(p, keep, at, fill, started, labelAt)
  fill.set(convCount.subarray(0, maxVisitor + 1))
  const placedConvs = { ts: convTs, value: convValue, currency: convCurrency }
  let aloneAt = convTotal
  for (const p of convs) aloneAt = placeConversions(p, start, end, inSegment, fill, aloneAt, placedConvs)
  const sessionStart = scratchU32('journeys.sessionStart', visitors + 1, null)
  const convStart = scratchU32('journeys.convStart', visitors + 1, null)
  let n = 0
  for (let v = 1; v <= maxVisitor; v++) {
    if (!(converts[v] === 1 || (journeys && counts[v + 1] > counts[v]))) continue
    sessionStart[n] = counts[v]
    convStart[n++] = convCount[v]
    // Days read from the tables come after the chunks, and sessions of one day in no set order.
    sortPairs(started, labelAt, null, counts[v], counts[v + 1])
    sortPairs(convTs, convValue, convCurrency, convCount[v], convCount[v + 1])
  }
  for (let c = convTotal; c < convTotal + alone; c++) {
    sessionStart[n] = total
    convStart[n++] = c
  }
  sessionStart[n] = total
  convStart[n] = convTotal + alone
  return {
    visitors, sessionStart, started, label: labelAt, convStart, convTs, convValue, convCurrency, touch, currency: (id) => numbers.labelText(id),
  }
}

// The loops over every session and conversion live in small functions: inside journeyColumns,
// which runs once a report, V8 ran them several times slower (see `maxIn`).

/** Under a segment an event counts only in a session of it (`inSegment`: 1 by session number). */
const inSeg = (inSegment: Uint8Array | null, session: number) => inSegment === null || (session < inSegment.length && inSegment[session] === 1)

/** Counts chunk `p`'s conversions in [start, end) by visitor (`convCount[v + 1]`, `converts[v]`); answers how many have no visitor. */
function countConversions(p: KeyPart, start: number, end: number, inSegment: Uint8Array | null, converts: Uint8Array, convCount: Uint32Array): number {
  const { inDay, visitor, session } = p
  const base = p.day * DAY_MS
  let alone = 0
  for (let i = 0; i < inDay.length; i++) {
    const t = base + inDay[i]
    if (t < start || t >= end || !inSeg(inSegment, session[i])) continue
    if (visitor[i] === 0) alone++
    else {
      convCount[visitor[i] + 1]++
      converts[visitor[i]] = 1
    }
  }
  return alone
}

/** Which sessions `keepSessions` keeps: see `journeyColumns`. */
interface SessionWindow {
  start: number
  end: number
  lookbackStart: number
  journeys: boolean
  inSegment: Uint8Array | null
  converts: Uint8Array
  /** Null: every session is a touch (journeys). */
  isTouch: ((label: number) => boolean) | null
  /** Only these visitors' sessions (null: all). */
  share: VisitorShare | null
}

/** Marks chunk `p`'s kept sessions in `keep` from `at` and counts them by visitor (`counts[v + 1]`); answers where the next chunk's marks go. */
function keepSessions(p: SessionColumns, w: SessionWindow, keep: Uint8Array, at: number, counts: Uint32Array): number {
  const { visitor, startInDay, flags, session, label } = p
  const base = p.day * DAY_MS
  const { start, end, lookbackStart, journeys, inSegment, converts, isTouch, share } = w
  for (let i = 0; i < visitor.length; i++) {
    const t = base + startInDay[i]
    const kept = (flags[i] & BOT_SESSION) === 0 && t < end && ((journeys && t >= start) || (t >= lookbackStart && converts[visitor[i]] === 1))
      && inSeg(inSegment, session[i]) && (isTouch === null || isTouch(label[i])) && (share === null || inShareOf(visitor[i], share))
    keep[at + i] = kept ? 1 : 0
    if (kept) counts[visitor[i] + 1]++
  }
  return at + visitor.length
}

/** Places chunk `p`'s conversions in [start, end) at their visitor's next place (those without one from `aloneAt`); answers the next place for those. */
function placeConversions(p: KeyPart, start: number, end: number, inSegment: Uint8Array | null, fill: Uint32Array, aloneAt: number,
  to: { ts: Float64Array; value: Float64Array; currency: Uint32Array }): number {
  const { inDay, visitor, session, value, label } = p
  const base = p.day * DAY_MS
  for (let i = 0; i < inDay.length; i++) {
    const t = base + inDay[i]
    if (t < start || t >= end || !inSeg(inSegment, session[i])) continue
    const at = visitor[i] === 0 ? aloneAt++ : fill[visitor[i]]++
    to.ts[at] = t
    to.value[at] = value && !Number.isNaN(value[i]) ? value[i] : NaN
    to.currency[at] = label[i]
  }
  return aloneAt
}

/** Turns the counts by visitor into starts (prefix sums); answers how many visitors come out. */
function prefixSums(maxVisitor: number, converts: Uint8Array, journeys: boolean, counts: Uint32Array, convCount: Uint32Array): number {
  let visitors = 0
  for (let v = 1; v <= maxVisitor; v++) {
    if (converts[v] === 1 || (journeys && counts[v + 1] > 0)) visitors++
    counts[v + 1] += counts[v]
    convCount[v + 1] += convCount[v]
  }
  return visitors
}

/** Places chunk `p`'s kept sessions (marks from `at`) at their visitor's next place; answers where the next chunk's marks start. */
function placeSessions(p: SessionColumns, keep: Uint8Array, at: number, fill: Uint32Array, started: Float64Array, labelAt: Uint32Array): number {
  const { visitor, startInDay, label } = p
  const base = p.day * DAY_MS
  for (let i = 0; i < visitor.length; i++) {
    if (keep[at + i] === 0) continue
    const to = fill[visitor[i]]++
    started[to] = base + startInDay[i]
    labelAt[to] = label[i]
  }
  return at + visitor.length
}

/** Stable insertion sort of `a` to `b` by `key`, carrying `x` and `y` along (most runs are in order, and short). */
function sortPairs(key: Float64Array, x: Float64Array | Uint32Array, y: Uint32Array | null, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    if (key[i] >= key[i - 1]) continue
    const [k, xi, yi] = [key[i], x[i], y ? y[i] : 0]
    let j = i - 1
    for (; j >= a && key[j] > k; j--) {
      key[j + 1] = key[j]
      x[j + 1] = x[j]
      if (y) y[j + 1] = y[j]
    }
    key[j + 1] = k
    x[j + 1] = xi
    if (y) y[j + 1] = yi
  }
}

/**
 * Streams a scan's visitors from the columns (`journeyColumns`), each as the scan hands them:
 * sessions and conversions in time order; visitors come in another order (by number, not by
 * id). Answers false (having streamed nothing) while the columns cannot answer.
 *
 * @example
 * if (!journeysFromColumns(db, 'shop', scan, true, onVisitor)) scanVisitors(…)
 */
export function journeysFromColumns(db: Database.Database, site: string, q: AttributionScan, journeys: boolean,
  onVisitor: (sessions: TouchSession[], conversions: ConversionRow[]) => void): boolean {
  const j = journeyColumns(db, site, q, journeys)
  if (!j) return false
  for (let v = 0; v < j.visitors; v++) {
    const touches: TouchSession[] = []
    for (let i = j.sessionStart[v]; i < j.sessionStart[v + 1]; i++) {
      const t = j.touch(j.label[i])
      touches.push({
        started: j.started[i], channel: t.channel, source: t.source, medium: t.medium, campaign: t.campaign, clickIdType: t.clickIdType, referrerHost: t.referrerHost,
      })
    }
    const conversions: ConversionRow[] = []
    for (let i = j.convStart[v]; i < j.convStart[v + 1]; i++) {
      conversions.push({ ts: j.convTs[i], value: Number.isNaN(j.convValue[i]) ? null : j.convValue[i], currency: j.currency(j.convCurrency[i]) })
    }
    onVisitor(touches, conversions)
  }
  return true
}
