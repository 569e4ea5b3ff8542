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
import type { AttributionScan, ConversionRow, TouchAttrs, TouchSession } from './report-types.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'
import { BOT_SESSION, keyDayReader, keyParts, Numbering, sessionParts, sessionSpan, type KeyPart, type SessionColumns } from './sqlite-funnel-chunks.ts'
import { columnsMostlyBuilt, sessionsInSegment } from './sqlite-funnel-columns.ts'

/**
 * Streams a scan's visitors from the columns: with `journeys`, every visitor's sessions
 * (Direct too) and conversions, as data-driven attribution reads them; without, converting
 * visitors' non-Direct sessions, as the rule models do. Answers false (having streamed
 * nothing) while most of the range waits to be built (`columnsMostlyBuilt`): the scan
 * answers then.
 *
 * @example
 * if (!journeysFromColumns(db, 'shop', scan, true, onVisitor)) scanVisitors(…)
 */
export function journeysFromColumns(db: Database.Database, site: string, q: AttributionScan, journeys: boolean,
  onVisitor: (sessions: TouchSession[], conversions: ConversionRow[]) => void): boolean {
  const segment = q.segment ?? null
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
    convs = keyParts(db, site, cond, dayFrom, dayTo, numbers, keyDayReader(db), new Set())
    sessions = sessionParts(db, site, sessionDays[0], sessionDays[1], numbers)
    if (segment) inSegment = sessionsInSegment(db, site, segment, sessions, numbers)
    return true
  })()
  if (!built) return false

  const touch = (id: number): TouchAttrs => numbers.entry(id).attrs
  // The rule models' touches leave Direct out.
  const isTouch = journeys ? () => true : (label: number) => touch(label).channel !== 'Direct'
  // Under a segment an event counts only in a session of it: 1 by session number.
  const inSeg = (session: number) => inSegment === null || (session < inSegment.length && inSegment[session] === 1)

  // Conversions in the range by visitor; a conversion without a visitor is a journey of its own.
  let maxVisitor = 0
  for (const p of convs) for (let i = 0; i < p.visitor.length; i++) if (p.visitor[i] > maxVisitor) maxVisitor = p.visitor[i]
  for (const p of sessions) for (let i = 0; i < p.visitor.length; i++) if (p.visitor[i] > maxVisitor) maxVisitor = p.visitor[i]
  // Counted, then placed by visitor (a counting sort): a map of lists would cost an object per converter.
  const converts = new Uint8Array(maxVisitor + 1)
  const convStart = new Uint32Array(maxVisitor + 2)
  const value = (p: KeyPart, i: number) => (p.value && !Number.isNaN(p.value[i]) ? p.value[i] : null)
  for (const p of convs) {
    const { ts, visitor } = p
    for (let i = 0; i < ts.length; i++) {
      if (ts[i] < start || ts[i] >= end || !inSeg(p.session[i])) continue
      if (visitor[i] === 0) onVisitor([], [{ ts: ts[i], value: value(p, i), currency: numbers.labelText(p.label[i]) }])
      else {
        convStart[visitor[i] + 1]++
        converts[visitor[i]] = 1
      }
    }
  }
  for (let v = 1; v < convStart.length; v++) convStart[v] += convStart[v - 1]
  const convTs = new Float64Array(convStart[convStart.length - 1])
  const convValue = new Float64Array(convTs.length)
  const convCurrency = new Uint32Array(convTs.length)
  const convFill = convStart.slice()
  for (const p of convs) {
    const { ts, visitor } = p
    for (let i = 0; i < ts.length; i++) {
      if (ts[i] < start || ts[i] >= end || visitor[i] === 0 || !inSeg(p.session[i])) continue
      const at = convFill[visitor[i]]++
      convTs[at] = ts[i]
      convValue[at] = value(p, i) ?? NaN
      convCurrency[at] = p.label[i]
    }
  }

  // Sessions from the range start minus the lookback for converters, from the range start for the rest (people's only).
  const lookbackStart = start - q.lookbackMs
  const counts = new Uint32Array(maxVisitor + 2)
  const keeps = sessions.map((p) => {
    const { visitor, started: st, flags, session, label } = p
    const keep = new Uint8Array(visitor.length)
    for (let i = 0; i < visitor.length; i++) {
      const t = st[i]
      if ((flags[i] & BOT_SESSION) === 0 && t < end && ((journeys && t >= start) || (t >= lookbackStart && converts[visitor[i]] === 1))
        && inSeg(session[i]) && isTouch(label[i])) {
        keep[i] = 1
        counts[visitor[i] + 1]++
      }
    }
    return keep
  })
  for (let v = 1; v < counts.length; v++) counts[v] += counts[v - 1]
  const total = counts[counts.length - 1]
  const started = new Float64Array(total)
  const labelAt = new Uint32Array(total)
  const fill = counts.slice()
  sessions.forEach((p, k) => {
    const { visitor, started: st, label: lab } = p
    const keep = keeps[k]
    for (let i = 0; i < visitor.length; i++) {
      if (keep[i] === 0) continue
      const at = fill[visitor[i]]++
      started[at] = st[i]
      labelAt[at] = lab[i]
    }
  })
  for (let v = 1; v <= maxVisitor; v++) {
    const [from, to] = [counts[v], counts[v + 1]]
    if (converts[v] === 0 && (!journeys || from === to)) continue
    const touches: TouchSession[] = new Array(to - from)
    let sorted = true
    for (let i = from; i < to; i++) {
      const t = touch(labelAt[i])
      touches[i - from] = {
        started: started[i], channel: t.channel, source: t.source, medium: t.medium, campaign: t.campaign, clickIdType: t.clickIdType, referrerHost: t.referrerHost,
      }
      if (i > from && started[i] < started[i - 1]) sorted = false
    }
    if (!sorted) touches.sort((a, b) => a.started - b.started)
    const conversions: ConversionRow[] = []
    for (let i = convStart[v]; i < convStart[v + 1]; i++) {
      conversions.push({ ts: convTs[i], value: Number.isNaN(convValue[i]) ? null : convValue[i], currency: numbers.labelText(convCurrency[i]) })
    }
    onVisitor(touches, conversions.length > 1 ? conversions.sort((a, b) => a.ts - b.ts) : conversions)
  }
  return true
}
