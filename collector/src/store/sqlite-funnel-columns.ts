/**
 * A funnel's candidate events from the SQLite funnel columns: the chunks of every key its
 * steps may match, and for a (key, day) noted since its chunk was built, that day's events
 * read from the table. All of it is read in one transaction, so it is one moment's.
 *
 * The events are then grouped by unit with a counting sort over the unit numbers and put in
 * time then arrival order within each unit, in typed arrays: no per-row object, no SQL sort.
 */
import type Database from 'better-sqlite3'
import type { FunnelColumns, FunnelKey, FunnelScan, SegmentCond, StepFilter, VisitorShare } from './report-types.ts'
import { ENTRY_COLS, entryAttrs } from './derived-rows.ts'
import { experimentsOf, segmentMatches } from './segment-match.ts'
import type { EventType, Props } from './types.ts'
import { adjacentSuccessors } from './sqlite-funnel-strict.ts'
import { parseProps } from './sqlite-funnel.ts'
import { sqlGlob } from '../reports/steps.ts'
import { distinctStepFilters, keyRoles } from './funnel-filters.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'
import { chunkCache, type ReadTurn } from './chunk-cache.ts'
import { scratchF64, scratchI32, scratchU32, scratchU8 } from './scratch.ts'
import {
  FIRST_SESSION, inShare, inShareOf, keyDayReader, keyParts, mapU32, maxIn, maxInChunks, Numbering, sessionParts, sessionSpan, type ChunkColumns, type KeyPart, type PrevColumns, type PropsColumn, type SessionColumns,
} from './sqlite-funnel-chunks.ts'

interface Part extends ChunkColumns {
  day: number
  key: number
  /** Each event's properties as an entry of the read's dictionary (null: to be looked up by rowid). */
  propsId?: Uint32Array | null
}

/** Packs an opening event's part and index into one number (`groupByUnit`). */
const PART = 2 ** 32

/** A grouped event whose properties the chunks do not hold (a pageview's): looked up by its rowid. */
const PROPS_UNKNOWN = 0xffffffff

/** The SQL condition on `type, name, path` (of `funnel_keys` or `funnel_dirty`) for the keys a step filter may match. */
function keyCondition(f: StepFilter): [string, unknown[]] {
  if (f.pathGlob === null) return ['type = ? AND name = ?', [f.type, f.name]]
  if (!f.pathGlob.includes('*')) return [`type = 'pageview' AND path = ?`, [f.pathGlob]]
  // A superset of the glob's paths, as the scan reads: the report tests each key exactly.
  return [`type = 'pageview' AND path GLOB '${sqlGlob(f.pathGlob).replace(/'/g, "''")}'`, []]
}

/**
 * Hands the funnel's events as columns to `use` inside the read's transaction, and answers
 * true; answers false (`use` not called) while most of the range waits to be built: the
 * scan answers then. A segment keeps the events of its sessions (`sessionsInSegment`).
 * Property filters read the properties the chunks keep (a pageview's are looked up by
 * rowid); strict mode tells adjacent candidates by the previous events the chunks keep.
 *
 * @example
 * useFunnelColumns(db, 'shop', scan, (cols) => { … match each unit's events … })
 */
export function useFunnelColumns(db: Database.Database, site: string, q: FunnelScan, use: (cols: FunnelColumns) => void): boolean {
  const lastTs = q.range.end + q.windowMs
  // A report worker's share of the visitors (null: all).
  const share = q.share ?? null
  const [dayFrom, dayTo] = [Math.floor(q.range.start / DAY_MS), Math.floor(lastTs / DAY_MS)]
  const span = q.withEntry || q.segment ? (sessionSpan(db, site) ?? 0) : 0
  const sessionDays: [number, number] | null = q.withEntry || q.segment ? [dayFrom - Math.ceil(span / DAY_MS) - 1, dayTo] : null
  return db.transaction(() => {
    if (!columnsMostlyBuilt(db, site, distinctStepFilters(q.steps).map(keyCondition), dayFrom, dayTo, sessionDays)) return false
    // Strict mode reads each event's previous event too (`adjacentSuccessors`).
    const read = keyDayReader(db, q.allEvents)
    const keys: FunnelKey[] = []
    const keyAt = new Map<string, number>()
    const parts: Part[] = []
    const numbers = new Numbering(db, site, false)
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
    // Properties the chunks hold, as one dictionary for the read: each distinct text parsed once.
    const propsTexts: (string | null)[] = [null]
    const propsAt = new Map<string, number>()
    const globalProps = (c: PropsColumn | null | undefined): Uint32Array | null => {
      if (c === undefined) return null
      if (c === null) return new Uint32Array(0)
      const ids = mapU32(c.dict, (t) => {
        if (t === null) return 0
        let id = propsAt.get(t)
        if (id === undefined) propsAt.set(t, (id = propsTexts.push(t) - 1))
        return id
      })
      return mapU32(c.idx, (i) => ids[i])
    }
    for (const f of distinctStepFilters(q.steps)) {
      // Overlapping globs share keys: each key is read once.
      // Workers splitting the funnel read its chunks in turns (`turnOrder`), each handing the others what it read.
      for (const whole of keyParts(db, site, keyCondition(f), dayFrom, dayTo, numbers, read, seen, q.withProps, chunkCache(db), q.allEvents, share)) {
        // A share of the visitors (a report worker's half of a funnel) reads only its runs of each chunk.
        for (const p of share ? inShare(whole, share) : [whole]) {
          parts.push({ ...p, key: keyIndex(p.type, p.name, p.path), propsId: q.withProps ? globalProps(p.props) : null })
        }
      }
    }
    const sessions = sessionDays ? sessionParts(db, site, sessionDays[0], sessionDays[1], numbers, share, withEnds(q.segment)) : null
    const entries = sessions && q.withEntry ? entryIds(sessions, share) : null
    // The first exposure of the visitor decides, whenever it was (as the scan's lookups).
    const variants = q.experiment !== null ? firstExposures(db, site, q.experiment, numbers, share) : null
    // A segment keeps the events of its sessions (the sessions that can hold an event of the range are all read).
    const sessionIn = q.segment ? sessionsInSegment(db, site, q.segment, sessions!, numbers, share) : null
    // Ordered mode leaves out the events whose properties fill no step (strict mode reads every event).
    // Each dictionary entry parsed once, for this test and for the report's (`props` below).
    const parsed: (Props | null | undefined)[] = []
    const parsedProps = (id: number) => {
      let p = parsed[id]
      if (p === undefined) parsed[id] = p = parseProps(propsTexts[id])
      return p
    }
    const candidates = q.propsFit && !q.allEvents ? fittingOnly(parts, keys, propsTexts.length, parsedProps, q.propsFit) : parts
    const grouped = groupByUnit(candidates, keyRoles(q.steps, keys), q.unit === 'visitor', q.range.start, q.range.end, lastTs, q.windowMs, !q.allEvents, q.withEntry || q.experiment !== null || q.allEvents, q.withProps || q.allEvents, q.allEvents, sessionIn)
    // Entrants share a few thousand distinct entries (label, first flag, variant): one object each, not one per entrant.
    const made = new Map<number, ReturnType<FunnelColumns['entry']>>()
    const none = entryAttrs([])
    const propsOf = db.prepare('SELECT props FROM events WHERE rowid = ?').pluck()
    const props = new Map<number, Props | null>()
    // Strict mode asks whether a candidate follows its neighbour: answered for all neighbours at once.
    const adjacent = q.allEvents ? adjacentSuccessors(db, site, q, grouped, keys, numbers, sessionIn) : null
    // A session not read (none, or gone) is as the scan finds it: Direct, nothing known (entry 0).
    const entryOf = (s: number) => (entries !== null && s < entries.length ? entries[s] : 0)
    const variantOf = (i: number) => (variants === null ? -1 : Math.max(0, variantBy(variants, grouped.visitor[i], Infinity)))
    // Above the entries' 32 bits: a breakdown by experiment tells entries by variant too.
    const entryId = (i: number) => entryOf(grouped.session[i]) + (variants === null ? 0 : (variantOf(i) + 1) * 0x1_0000_0000)
    use({
      keys, ts: grouped.ts, key: grouped.key, unitStart: grouped.unitStart,
      entryId,
      entry(i) {
        const id = entryId(i)
        let out = made.get(id)
        if (!out) {
          const entry = entryOf(grouped.session[i])
          const [label, first] = [Math.floor(entry / 3), entry % 3]
          const variant = variantOf(i)
          out = {
            ...(first !== 0 ? numbers.entry(label).attrs : none),
            firstSession: first !== 0 ? first === 2 : undefined,
            variant: variant < 0 ? null : numbers.labelText(variant),
          }
          made.set(id, out)
        }
        return out
      },
      props(i) {
        const id = grouped.propsId[i]
        if (id !== PROPS_UNKNOWN) return parsedProps(id)
        const seq = grouped.seq[i]
        let p = props.get(seq)
        if (p === undefined) props.set(seq, (p = parseProps(propsOf.get(seq) as string | null | undefined)))
        return p
      },
      // Any candidate between i and j is an event of the unit between them: only neighbours can follow.
      follows: (i, j) => j === i + 1 && adjacent !== null && adjacent[i] === 1,
    })
    return true
  })()
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
  for (const [kind, days] of [['session', sessionDays], ['event', eventDays]] as const) {
    if (!days) continue
    noted += db.prepare(`SELECT COUNT(*) FROM ${kind}_dirty WHERE site = ? AND day BETWEEN ? AND ?`).pluck().get(site, ...days) as number
    built += db.prepare(`SELECT COUNT(*) FROM ${kind}_chunks WHERE site = ? AND day BETWEEN ? AND ?`).pluck().get(site, ...days) as number
  }
  return noted <= 8 || noted * 4 <= noted + built
}

/**
 * Which sessions (by number) of `parts` are in the segment: 1 for those in it, tested once
 * per distinct entry label, first flag and, for a segment by variant, variant of the
 * visitor's first exposure by the session's last event (from the exposure chunks).
 *
 * @example
 * const inSegment = sessionsInSegment(db, 'shop', { col: 'device', eq: 'mobile' }, sessionParts(…), numbers)
 */
export function sessionsInSegment(db: Database.Database, site: string, c: SegmentCond, parts: SessionColumns[], numbers: Numbering,
  share: VisitorShare | null = null): Uint8Array {
  const experiments = experimentsOf(c)
  if (experiments.length > 0 && parts.some((p) => p.lastTs === null)) throw new Error('a segment by variant needs its sessions\' ends: sessionParts(…, withEnds)')
  // A share of the visitors (a report worker's part of a funnel) needs only its visitors'
  // verdicts. Verdicts kept for the next report (segments without a variant) serve every
  // report, so those are all worked out.
  const only = experiments.length > 0 ? share : null
  // The sections of a page and the parts of a report test the same segment over overlapping
  // days (the funnel, the summary and the trends of one dashboard lane; credit, then session
  // groups): a connection keeps its last segment's verdicts, by session number, and tests
  // only the chunks it has not tested (a chunk built again is a new object, tested afresh).
  const key = `${site}\n${JSON.stringify(c)}`
  const need = maxInChunks(parts.map((p) => p.session)) + 1
  const last = experiments.length === 0 ? lastSegment.get(db) : undefined
  const kept = last && last.key === key ? last.out.deref() : undefined
  const reuse = kept !== undefined && kept.length >= need
  const todo = reuse ? parts.filter((p) => !last!.marked.has(p)) : parts
  if (reuse && todo.length === 0) return kept
  const out = reuse ? kept : scratchU8('segment.in', need)
  const firsts = experiments.map((e) => firstExposures(db, site, e, numbers, share))
  const matches = (label: number, first: boolean, seen: readonly number[]) => {
    const { values } = numbers.entry(label)
    const variants = new Map(experiments.map((e, n) => [e, seen[n] < 0 ? null : (numbers.labelText(seen[n]) ?? '(none)')]))
    return segmentMatches(c, { col: (col) => values[ENTRY_COLS.indexOf(col)] ?? null, first, variant: (e) => variants.get(e) ?? null })
  }
  // Sessions share a few thousand (label, first-session) pairs, and a segment by variant a
  // few variants each: each combination is numbered (mixed radix over each experiment's
  // variants seen, 0 for none yet), tested once, and its verdict kept in an array by that
  // number. Map lookups per session were most of the cost (2.5M sessions at 10M events).
  const variantIds = firsts.map((f) => numberedLabels(f.label))
  const radix: number[] = []
  let width = 1
  for (const v of variantIds) {
    radix.push(width)
    width *= v.count + 1
  }
  const slots = (2 * maxInChunks(parts.map((p) => p.label)) + 2) * width
  // A segment over an experiment with a great many variants keeps its verdicts in a map instead.
  const verdict = new Int8Array(slots <= 1 << 24 ? slots : 0).fill(-1)
  const known = verdict.length === 0 ? new Map<string, boolean>() : null
  const verdicts: Verdicts = { width, radix, variantIds, firsts, verdict, known, seen: experiments.map(() => -1), matches }
  // One experiment (the usual segment by variant): see `markByVariant`.
  const byVisitor = firsts.length === 1 && known === null && variantIds[0].count < 256 ? variantNumbers(firsts[0], variantIds[0].id) : null
  for (const p of todo) {
    if (byVisitor) markByVariant(p, verdicts, byVisitor, out, only)
    else markInSegment(p, verdicts, out, only)
  }
  // Segments by variant also depend on the exposure chunks: not kept.
  if (experiments.length === 0) {
    const marked = reuse ? last!.marked : new WeakSet<SessionColumns>()
    for (const p of todo) marked.add(p)
    lastSegment.set(db, { key, marked, out: reuse ? last!.out : new WeakRef(out) })
  } else lastSegment.delete(db)
  return out
}

/**
 * Each connection's last segment without a variant: the verdicts of the session chunks it
 * has tested (`marked`), in its scratch array, which only `sessionsInSegment` writes. Held
 * weakly: chunks the connection's cache lets go, and a scratch array the pool lets go, are
 * not kept alive by this.
 */
const lastSegment = new WeakMap<Database.Database, { key: string; marked: WeakSet<SessionColumns>; out: WeakRef<Uint8Array> }>()

/** What `markInSegment` tests sessions with: verdicts by combination number (see `sessionsInSegment`). */
interface Verdicts {
  width: number
  radix: number[]
  variantIds: { id: Int32Array }[]
  firsts: FirstExposures[]
  verdict: Int8Array
  known: Map<string, boolean> | null
  /** Each experiment's variant label of the session at hand (-1: none by its end). */
  seen: number[]
  matches: (label: number, first: boolean, seen: readonly number[]) => boolean
}

/**
 * Whether a segment's sessions are read with their ends (`sessionParts`): a segment by
 * variant tests the exposures by each session's last event.
 *
 * @example
 * sessionParts(db, site, from, to, numbers, null, withEnds(q.segment))
 */
export function withEnds(c: SegmentCond | null | undefined): boolean {
  return c != null && experimentsOf(c).length > 0
}

/** Writes each session of chunk `p` its verdict in `out` (1: in the segment; a function of its own: see `maxIn`). */
function markInSegment(p: SessionColumns, v: Verdicts, out: Uint8Array, share: VisitorShare | null): void {
  const { width, radix, variantIds, firsts, verdict, known, seen } = v
  for (let i = 0; i < p.session.length; i++) {
    if (share !== null && !inShareOf(p.visitor[i], share)) continue
    const pair = 2 * p.label[i] + ((p.flags[i] & FIRST_SESSION) !== 0 ? 1 : 0)
    let at = pair * width
    for (let e = 0; e < firsts.length; e++) {
      seen[e] = variantBy(firsts[e], p.visitor[i], p.lastTs![i])
      if (seen[e] >= 0) at += radix[e] * variantIds[e].id[seen[e]]
    }
    // Past the array's bound the number may outgrow exact integers: the map is keyed by text.
    const key = known === null ? '' : `${pair} ${seen.join(' ')}`
    let inIt = known === null ? verdict[at] : known.has(key) ? Number(known.get(key)) : -1
    if (inIt < 0) {
      inIt = v.matches(p.label[i], (pair & 1) === 1, seen) ? 1 : 0
      if (known === null) verdict[at] = inIt
      else known.set(key, inIt === 1)
    }
    // Both verdicts written: a chunk built again overwrites what its older version said.
    out[p.session[i]] = inIt
  }
}

/** Each visitor's first exposure as its variant's number (`ids`; 0: never exposed), a byte per visitor. */
function variantNumbers(f: FirstExposures, ids: Int32Array): { number: Uint8Array; labelOf: number[] } {
  const number = scratchU8('segment.variantNumber', f.label.length, null)
  const labelOf: number[] = [-1]
  for (let v = 0; v < f.label.length; v++) {
    const l = f.label[v]
    number[v] = l < 0 ? 0 : ids[l]
    if (l >= 0) labelOf[ids[l]] = l
  }
  return { number, labelOf }
}

/**
 * `markInSegment` for a segment over one experiment: a session's verdict is looked up
 * with no variant and with its visitor's first one (by number, a byte per visitor, mostly
 * in cache); only where the two differ is the exposure's time read (8 bytes a visitor, a
 * cache miss) to see whether it came by the session's end. For `variant=checkout:b`, the
 * visitors who saw another variant need no time.
 */
function markByVariant(p: SessionColumns, v: Verdicts, byVisitor: { number: Uint8Array; labelOf: number[] }, out: Uint8Array,
  share: VisitorShare | null): void {
  const { width, verdict } = v
  const { number, labelOf } = byVisitor
  const ts = v.firsts[0].ts
  // The chunk's columns in locals: read once per session, not through the object.
  const { session, visitor: visitors, label, flags } = p
  const lastTs = p.lastTs!
  for (let i = 0; i < session.length; i++) {
    if (share !== null && !inShareOf(visitors[i], share)) continue
    const l = label[i]
    const first = (flags[i] & FIRST_SESSION) !== 0 ? 1 : 0
    const base = (2 * l + first) * width
    const none = verdict[base] >= 0 ? verdict[base] : decide(v, base, l, first, -1)
    const vis = visitors[i]
    const k = vis < number.length ? number[vis] : 0
    let inIt = none
    if (k !== 0) {
      const seen = verdict[base + k] >= 0 ? verdict[base + k] : decide(v, base + k, l, first, labelOf[k])
      if (seen !== none && ts[vis] <= lastTs[i]) inIt = seen
    }
    out[session[i]] = inIt
  }
}

/** Tests the segment for one combination (`markByVariant`'s first sight of it: its visitor's variant) and keeps the verdict at `at`. */
function decide(v: Verdicts, at: number, label: number, first: number, variant: number): number {
  v.seen[0] = variant
  v.verdict[at] = v.matches(label, first === 1, v.seen) ? 1 : 0
  return v.verdict[at]
}

/** Labels (-1: none) numbered 1 to `count` in order of their value: `id[label]`. */
function numberedLabels(labels: Int32Array): { id: Int32Array; count: number } {
  let max = -1
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i]
  const id = new Int32Array(max + 1)
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) id[labels[i]] = 1
  let count = 0
  for (let l = 0; l < id.length; l++) if (id[l] === 1) id[l] = ++count
  return { id, count }
}

/**
 * Each exposed visitor's first exposure to the experiment (time order, then arrival), by
 * visitor number: its time and variant label (0: it named none; -1 for a visitor never exposed).
 */
export interface FirstExposures {
  ts: Float64Array
  label: Int32Array
}

/**
 * Reads `FirstExposures` from the exposure chunks of every day, into scratch arrays named
 * after the experiment: a funnel broken down by an experiment and segmented by its variants
 * reads the same first exposures twice, into the same memory (the same values), and a
 * report after one over the same experiment finds that memory touched (12 MB at 10M events).
 */
export function firstExposures(db: Database.Database, site: string, experiment: string, numbers: Numbering, turn: ReadTurn | null = null): FirstExposures {
  const slot = `exposures.${experiment}`
  const parts = keyParts(db, site, ["type = 'exposure' AND name = ?", [experiment]], 0, Number.MAX_SAFE_INTEGER, numbers, keyDayReader(db), new Set(), false, chunkCache(db),
    false, turn)
  const max = maxInChunks(parts.map((p) => p.visitor))
  const out = { ts: scratchF64(`${slot}.ts`, max + 1, null), label: scratchI32(`${slot}.label`, max + 1, -1) }
  for (const p of parts.sort((a, b) => a.day - b.day)) keepFirstExposures(p, out)
  return out
}

/** Keeps each visitor's first exposure of chunk `p` where `out` has none yet (chunks come in day order). */
function keepFirstExposures(p: KeyPart, out: FirstExposures): void {
  const base = p.day * DAY_MS
  for (let i = 0; i < p.visitor.length; i++) {
    const v = p.visitor[i]
    if (v !== 0 && out.label[v] < 0) {
      out.ts[v] = base + p.inDay[i]
      out.label[v] = p.label[i]
    }
  }
}

/** The variant label of the visitor's first exposure if it came by `by` (-1: none by then). */
function variantBy(f: FirstExposures, visitor: number, by: number): number {
  return visitor < f.label.length && f.label[visitor] >= 0 && f.ts[visitor] <= by ? f.label[visitor] : -1
}

/**
 * Each session's entry as one number by session number: its label × 3, plus 2 when it is its
 * visitor's first session and 1 when not; 0 when not read. A breakdown reads it once per
 * entrant, far apart in memory: one array, so one cache miss, not two.
 */
function entryIds(parts: SessionColumns[], share: VisitorShare | null): Uint32Array {
  const max = maxInChunks(parts.map((p) => p.session))
  const out = scratchU32('funnel.entry', max + 1)
  for (const p of parts) {
    for (let i = 0; i < p.session.length; i++) {
      // A share's events are its visitors' (`inShare`): the other sessions' entries are never asked for.
      if (share !== null && !inShareOf(p.visitor[i], share)) continue
      out[p.session[i]] = p.label[i] * 3 + (p.flags[i] & FIRST_SESSION ? 2 : 1)
    }
  }
  return out
}

/**
 * Groups the parts' events from `from` to `to` (inclusive) by unit, in time then arrival
 * order within each; events without the unit (no session) are left out, and so are those
 * no step can use. Of the events that can only open the funnel (`keyRoles` 1), a unit keeps
 * just its first before `entryEnd`, found in one pass that compares, unless a later one
 * could open a better attempt: in ordered mode, when an event of a later step comes more
 * than the window after that first one (an attempt from a later one sees a subset of the
 * same events, and starts later); in strict mode, whenever the unit has an event of a later
 * step. Visitor and session numbers (`withUnits`), properties (`withSeq`) and previous
 * events (`withPrev`, strict mode) are placed only when asked for.
 *
 * A chunk holds its events by visitor (`inVisitorOrder`), so the runs are placed a block of
 * visitors at a time (`placeRuns`) with no merge by time. Each unit's events then come in
 * day order, keys one after the other within a day, and are put in time order unit by unit
 * (`placeFirsts`). Sessions are grouped through their visitors (`groupBySession`).
 */
function groupByUnit(allParts: Part[], roles: Uint8Array, byVisitor: boolean, from: number, entryEnd: number, to: number,
  windowMs: number, ordered: boolean, withUnits: boolean, withSeq: boolean, withPrev: boolean, sessionIn: Uint8Array | null) {
  // Keys that fill no step are dropped, and so are events outside the segment.
  const stepParts = allParts.filter((p) => roles[p.key] !== 0)
  const parts = (sessionIn ? inSegmentOnly(stepParts, sessionIn) : stepParts).sort((a, b) => a.day - b.day)
  if (!byVisitor) return groupBySession(parts, from, to, withSeq, withPrev)
  // Plain column lists: the hot loops below must not read properties of differently shaped part objects.
  const unitCols = parts.map((p) => p.visitor)
  const inDayCols = parts.map((p) => p.inDay)
  const bases = parts.map((p) => p.day * DAY_MS)
  const seqCols = parts.map((p) => p.seq)
  const openers = parts.flatMap((p, k) => (roles[p.key] === 1 ? [k] : []))
  const laters = parts.flatMap((p, k) => (roles[p.key] === 1 ? [] : [k]))
  const maxUnit = maxIn(unitCols)
  // Per unit: its events of later steps, how many and (ordered mode) the latest.
  const later = scratchU32('funnel.later', maxUnit + 1)
  const lastLater = scratchF64('funnel.lastLater', ordered ? maxUnit + 1 : 0, null)
  for (const k of laters) countLater(unitCols[k], inDayCols[k], bases[k], from, to, later, ordered ? lastLater : null)
  // Per unit: the first opening-only event in the entry range (time, then arrival), as its
  // part's place among the openers times 2^32 plus its index. Parts come day by day: a unit
  // found on an earlier day (state 2) is passed over with one byte read, one found today (1)
  // is compared.
  const state = scratchU8('funnel.state', maxUnit + 1)
  const best = scratchF64('funnel.best', maxUnit + 1, null)
  // Its time beside it: read by unit number, where the event's own column is far away in memory.
  const bestTs = scratchF64('funnel.bestTs', maxUnit + 1, null)
  const today = scratchU32('funnel.today', maxUnit + 1, null)
  let found = 0
  for (let o = 0; o < openers.length; o++) {
    const k = openers[o]
    found = firstOpeners(o, unitCols[k], inDayCols[k], bases[k], seqCols[k], from, entryEnd, state, best, bestTs, today, found, openers, seqCols)
    if (o + 1 === openers.length || parts[openers[o + 1]].day !== parts[k].day) {
      settle(today, found, state)
      found = 0
    }
  }
  // Which units keep all their opening-only events (`all`, then counted), where each unit's
  // events start (a counting sort) and how many units keep any.
  const all = scratchU8('funnel.all', maxUnit + 1)
  const counts = scratchU32('funnel.counts', maxUnit + 2)
  const fill = scratchU32('funnel.fill', maxUnit + 2, null)
  let ones: Uint32Array | null = null
  const anyAll = markAll(maxUnit, later, state, lastLater, bestTs, all, ordered, windowMs)
  if (anyAll) {
    ones = scratchU32('funnel.ones', maxUnit + 1)
    for (const k of openers) countAll(unitCols[k], inDayCols[k], bases[k], from, to, all, ones)
  }
  const units = startAll(maxUnit, later, state, all, ones, counts, fill)
  const kept = counts[counts.length - 1]
  const ts = scratchF64('funnel.ts', kept, null)
  const key = scratchU32('funnel.key', kept, null)
  // Arrival order: for putting each unit in order, strict mode and properties.
  const seq = scratchU32('funnel.seq', kept, null)
  // Visitor and session numbers only where entries are looked up.
  const visitor = scratchU32('funnel.visitor', withUnits ? kept : 0, null)
  const session = scratchU32('funnel.session', withUnits ? kept : 0, null)
  const propsId = scratchU32('funnel.propsId', withSeq ? kept : 0, null)
  // Each event's previous one, for strict mode (-1: not known, SQLite is asked).
  const prevSeq = scratchF64('funnel.prevSeq', withPrev ? kept : 0, null)
  const prevSession = scratchU32('funnel.prevSession', withPrev ? kept : 0, null)
  const runsOf = (ks: number[]) => runsOfParts(ks.map((k) => parts[k]))
  const grouped: GroupedColumns = { ts, key, visitor, session, seq, propsId, prevSeq, prevSession }
  placeRuns(runsOf(laters), grouped, fill, null, from, to, withUnits, withSeq)
  const openerRuns = runsOf(openers)
  // The units that keep all get their opening events too.
  if (anyAll) placeRuns(openerRuns, grouped, fill, all, from, to, withUnits, withSeq)
  const unitStart = scratchU32('funnel.unitStart', units + 1, null)
  const unitOf = scratchU32('funnel.unitOf', units, null)
  const n = startsOf(maxUnit, counts, unitStart, unitOf)
  unitStart[n] = kept
  placeFirsts(n, unitStart, unitOf, all, state, best, openerRuns, grouped, withUnits, withSeq)
  return { ...grouped, unitStart }
}

/**
 * Each unit's first opening event (`best`: its opener's place times 2^32 plus its index)
 * goes to the place kept for it, before the unit's other events; then each unit with more
 * than one event is put in time then arrival order (`sortUnit`: most are in order already,
 * or nearly).
 */
function placeFirsts(n: number, unitStart: Uint32Array, unitOf: Uint32Array, all: Uint8Array, state: Uint8Array, best: Float64Array,
  openers: DayRuns, g: GroupedColumns, withUnits: boolean, withSeq: boolean): void {
  for (let f = 0; f < n; f++) {
    const a = unitStart[f]
    const b = unitStart[f + 1]
    const u = unitOf[f]
    if (all[u] === 0 && state[u] !== 0) {
      const o = (best[u] / PART) >>> 0
      writeEvent(g, a, openers, o, best[u] - o * PART, withUnits, withSeq)
    }
    if (b - a > 1) sortUnit(g, a, b)
  }
}

/** Parts as runs for the placing functions: plain lists of typed arrays, one shape (units by visitor). */
function runsOfParts(ps: Part[]): DayRuns {
  return {
    unit: ps.map((p) => p.visitor), inDay: ps.map((p) => p.inDay), base: ps.map((p) => p.day * DAY_MS), seq: ps.map((p) => p.seq), session: ps.map((p) => p.session),
    props: ps.map((p) => p.propsId ?? null), key: ps.map((p) => p.key), prev: ps.map((p) => p.prev ?? null),
  }
}

/**
 * `groupByUnit` by session. A chunk's sessions are scattered (numbered as first seen, each
 * visitor's among everyone's), so their places would be a cache miss an event; a session is
 * one visitor's, so its events are placed by visitor (`placeRuns`), put in session, time
 * then arrival order within each visitor, and each session's run is a unit. Every
 * candidate in [from, to] with a session is kept: the opening events a session does not need
 * cost less here than finding each session's first would, at its place by session number.
 */
function groupBySession(parts: Part[], from: number, to: number, withSeq: boolean, withPrev: boolean) {
  const runs = runsOfParts(parts)
  const maxVisitor = maxIn(runs.unit)
  const counts = scratchU32('funnel.counts', maxVisitor + 2)
  for (let r = 0; r < parts.length; r++) countWithSession(runs.unit[r], runs.session[r], runs.inDay[r], runs.base[r], from, to, counts)
  const fill = scratchU32('funnel.fill', maxVisitor + 2, null)
  const kept = prefixStarts(maxVisitor, counts, fill)
  const grouped: GroupedColumns = {
    ts: scratchF64('funnel.ts', kept, null), seq: scratchU32('funnel.seq', kept, null), key: scratchU32('funnel.key', kept, null),
    visitor: scratchU32('funnel.visitor', kept, null), session: scratchU32('funnel.session', kept, null),
    propsId: scratchU32('funnel.propsId', withSeq ? kept : 0, null),
    prevSeq: scratchF64('funnel.prevSeq', withPrev ? kept : 0, null), prevSession: scratchU32('funnel.prevSession', withPrev ? kept : 0, null),
  }
  placeRuns(runs, grouped, fill, null, from, to, true, withSeq, true)
  const unitStart = scratchU32('funnel.unitStart', kept + 1, null)
  const n = sessionStarts(maxVisitor, counts, grouped, unitStart)
  return { ...grouped, unitStart: unitStart.subarray(0, n + 1) }
}

/** Counts each visitor's events in [from, to] that have a session (by visitor, at `counts[v + 1]`). */
function countWithSession(visitors: Uint32Array, sessions: Uint32Array, inDay: Uint32Array, base: number, from: number, to: number, counts: Uint32Array): void {
  for (let i = 0; i < visitors.length; i++) {
    const t = base + inDay[i]
    if (sessions[i] !== 0 && t >= from && t <= to) counts[visitors[i] + 1]++
  }
}

/** Turns counts by unit (at `counts[u + 1]`) into starts, each unit's next place in `fill`; answers the total. */
function prefixStarts(maxUnit: number, counts: Uint32Array, fill: Uint32Array): number {
  for (let u = 1; u <= maxUnit + 1; u++) counts[u] += counts[u - 1]
  fill.set(counts.subarray(0, maxUnit + 1))
  return counts[maxUnit + 1]
}

/**
 * Puts each visitor's events in session, time then arrival order, and writes where each
 * session's start (`unitStart`, and the end after the last); answers how many sessions.
 */
function sessionStarts(maxVisitor: number, counts: Uint32Array, g: GroupedColumns, unitStart: Uint32Array): number {
  const { session } = g
  let n = 0
  for (let v = 1; v <= maxVisitor; v++) {
    const a = counts[v]
    const b = counts[v + 1]
    if (a === b) continue
    if (b - a > 1) sortUnit(g, a, b, true)
    for (let i = a; i < b; i++) if (i === a || session[i] !== session[i - 1]) unitStart[n++] = i
  }
  unitStart[n] = counts[maxVisitor + 1]
  return n
}

/**
 * The parts' events whose session is in the segment (`sessionIn`), as parts over scratch
 * memory; parts left empty are dropped. A segment keeps a fraction of a funnel's candidates
 * (a fifth for Paid Search in the bench shop), and every pass after this reads only those,
 * where marking the others as unit-less left each pass reading them all.
 */
function inSegmentOnly(parts: Part[], sessionIn: Uint8Array): Part[] {
  return keptOnly(parts, 'funnel.segment', (p) => [sessionIn, p.session])
}

/**
 * In ordered mode, the events whose properties can fill a step of their key
 * (`FunnelScan.propsFit`), as parts over scratch memory: an event no step can use changes
 * no attempt, and a property filter keeps a fraction of its key's events (the bench's
 * `signup?plan=pro`: 30%). Each distinct properties text is tested once per key. A pageview
 * key's parts are kept whole: the chunks do not hold their properties.
 */
function fittingOnly(parts: Part[], keys: FunnelKey[], entries: number, propsOf: (id: number) => Props | null,
  fit: (key: FunnelKey, props: Props | null) => boolean): Part[] {
  const verdicts = new Map<number, Uint8Array | null>()
  // Each key's verdict by properties entry; null where every entry fits.
  const verdictOf = (k: number) => {
    if (!verdicts.has(k)) {
      const v = new Uint8Array(entries)
      for (let id = 0; id < entries; id++) v[id] = fit(keys[k], propsOf(id)) ? 1 : 0
      verdicts.set(k, v.every((x) => x === 1) ? null : v)
    }
    return verdicts.get(k)!
  }
  // A part whose chunk holds no properties: every event's are none (entry 0).
  const fitting = parts.filter((p) => !p.propsId || p.propsId.length > 0 || (verdictOf(p.key)?.[0] ?? 1) === 1)
  return keptOnly(fitting, 'funnel.fit', (p) => {
    const keep = p.propsId && p.propsId.length > 0 ? verdictOf(p.key) : null
    return keep && [keep, p.propsId!]
  })
}

/**
 * The events of each part that `keepOf` keeps (event i where `keep[by[i]]` is 1; a part it
 * answers null for is kept whole), copied to scratch memory named after `slot`; parts left
 * empty are dropped. The scratch arrays have room for every candidate, in one pass: memory
 * is touched only where a kept event is written.
 */
function keptOnly(parts: Part[], slot: string, keepOf: (p: Part) => [keep: Uint8Array, by: Uint32Array] | null): Part[] {
  const tests = parts.map(keepOf)
  const room = parts.reduce((n, p, k) => n + (tests[k] ? p.inDay.length : 0), 0)
  if (room === 0) return parts
  const hasProps = parts.some((p) => p.propsId && p.propsId.length > 0)
  const hasPrev = parts.some((p) => p.prev)
  const to: Kept = {
    inDay: scratchU32(`${slot}.inDay`, room, null), seq: scratchU32(`${slot}.seq`, room, null),
    visitor: scratchU32(`${slot}.visitor`, room, null), session: scratchU32(`${slot}.session`, room, null),
    props: scratchU32(`${slot}.props`, hasProps ? room : 0, null),
    prevSeq: scratchU32(`${slot}.prevSeq`, hasPrev ? room : 0, null), prevSession: scratchU32(`${slot}.prevSession`, hasPrev ? room : 0, null),
  }
  const out: Part[] = []
  let at = 0
  parts.forEach((p, k) => {
    const test = tests[k]
    if (test === null) return void out.push(p)
    const known = p.propsId && p.propsId.length > 0 ? p.propsId : null
    const n = keepIn(test[0], test[1], p, known, p.prev ?? null, to, at)
    if (n === 0) return
    out.push({
      day: p.day, key: p.key, label: NO_LABELS, value: null,
      inDay: to.inDay.subarray(at, at + n), seq: to.seq.subarray(at, at + n), visitor: to.visitor.subarray(at, at + n), session: to.session.subarray(at, at + n),
      propsId: known ? to.props.subarray(at, at + n) : p.propsId,
      prev: p.prev ? { seq: to.prevSeq.subarray(at, at + n), session: to.prevSession.subarray(at, at + n) } : p.prev,
    })
    at += n
  })
  return out
}

const NO_LABELS = new Uint32Array(0)

/** Where `keptOnly` copies the kept events. */
interface Kept {
  inDay: Uint32Array
  seq: Uint32Array
  visitor: Uint32Array
  session: Uint32Array
  props: Uint32Array
  prevSeq: Uint32Array
  prevSession: Uint32Array
}

/** Copies the events `i` of `from` where `keep[by[i]]` is 1 to `to` from `at`; answers how many. */
function keepIn(keep: Uint8Array, by: Uint32Array, from: Part, props: Uint32Array | null, prev: PrevColumns | null, to: Kept, at: number): number {
  const { inDay, seq, visitor, session } = from
  let j = at
  for (let i = 0; i < session.length; i++) {
    const b = by[i]
    if (!(b < keep.length && keep[b] === 1)) continue
    to.inDay[j] = inDay[i]
    to.seq[j] = seq[i]
    to.visitor[j] = visitor[i]
    to.session[j] = session[i]
    if (props !== null) to.props[j] = props[i]
    if (prev !== null) {
      to.prevSeq[j] = prev.seq[i]
      to.prevSession[j] = prev.session[i]
    }
    j++
  }
  return j - at
}

/** Events grouped by unit, column by column (visitor, session, properties and previous events empty where not asked for). */
interface GroupedColumns {
  ts: Float64Array
  /** Rowids, 32-bit as the chunks keep them (`rowidsU32`): 4 bytes an event less of fresh memory on a cold read. */
  seq: Uint32Array
  key: Uint32Array
  visitor: Uint32Array
  session: Uint32Array
  propsId: Uint32Array
  prevSeq: Float64Array
  prevSession: Uint32Array
}

/** Puts events `a` to `b` of `g` in time then arrival order (`bySession`: in session order first). */
function sortUnit(g: GroupedColumns, a: number, b: number, bySession = false): void {
  const { ts, seq, session } = g
  let sorted = true
  for (let i = a + 1; i < b && sorted; i++) if (comesAfter(g, i - 1, bySession ? session[i] : 0, ts[i], seq[i], bySession)) sorted = false
  if (sorted) return
  if (b - a <= 32) insertionSort(g, a, b, bySession)
  else {
    const order = Array.from({ length: b - a }, (_, i) => a + i).sort((i, j) => (bySession ? session[i] - session[j] : 0) || ts[i] - ts[j] || seq[i] - seq[j])
    for (const col of [ts, seq, g.key, g.visitor, session, g.propsId, g.prevSeq, g.prevSession]) {
      if (col.length === 0) continue
      const moved = order.map((i) => col[i])
      for (let i = 0; i < moved.length; i++) col[a + i] = moved[i]
    }
  }
}

/** Whether event `j` of `g` comes after session `e` (with `bySession`), time `t` and arrival `s`. */
function comesAfter(g: GroupedColumns, j: number, e: number, t: number, s: number, bySession: boolean): boolean {
  if (bySession && g.session[j] !== e) return g.session[j] > e
  return g.ts[j] > t || (g.ts[j] === t && g.seq[j] > s)
}

/** `sortUnit` for a small unit: most are in order but for an event or two of another key the same day. */
function insertionSort(g: GroupedColumns, a: number, b: number, bySession: boolean): void {
  const { ts, seq, key, visitor, session, propsId, prevSeq, prevSession } = g
  const [units, props, prev] = [visitor.length > 0, propsId.length > 0, prevSeq.length > 0]
  for (let i = a + 1; i < b; i++) {
    const t = ts[i]
    const s = seq[i]
    const e = units ? session[i] : 0
    if (!comesAfter(g, i - 1, e, t, s, bySession)) continue
    const k = key[i]
    const v = units ? visitor[i] : 0
    const p = props ? propsId[i] : 0
    const ps = prev ? prevSeq[i] : 0
    const pe = prev ? prevSession[i] : 0
    let j = i - 1
    for (; j >= a && comesAfter(g, j, e, t, s, bySession); j--) {
      ts[j + 1] = ts[j]
      seq[j + 1] = seq[j]
      key[j + 1] = key[j]
      if (units) {
        visitor[j + 1] = visitor[j]
        session[j + 1] = session[j]
      }
      if (props) propsId[j + 1] = propsId[j]
      if (prev) {
        prevSeq[j + 1] = prevSeq[j]
        prevSession[j + 1] = prevSession[j]
      }
    }
    ts[j + 1] = t
    seq[j + 1] = s
    key[j + 1] = k
    if (units) {
      visitor[j + 1] = v
      session[j + 1] = e
    }
    if (props) propsId[j + 1] = p
    if (prev) {
      prevSeq[j + 1] = ps
      prevSession[j + 1] = pe
    }
  }
}

// The loops over every event or every unit number live in small functions of typed arrays:
// inside groupByUnit, which runs once a report, V8 ran them several times slower (see `maxIn`).

/** Counts each unit's events of a later step in [from, to], and keeps the latest one's time (`lastLater`, for the first pass). */
function countLater(units: Uint32Array, inDay: Uint32Array, base: number, from: number, to: number, later: Uint32Array, lastLater: Float64Array | null): void {
  for (let i = 0; i < units.length; i++) {
    const u = units[i]
    const t = base + inDay[i]
    if (u === 0 || t < from || t > to) continue
    const first = later[u]++ === 0
    if (lastLater !== null && (first || t > lastLater[u])) lastLater[u] = t
  }
}

/**
 * The first pass over opener part `o` (its columns `units`, `inDay` from `base`, `seqs`): each unit not
 * found on an earlier day (state 2) keeps its first event in the entry range in `best` (part
 * place times 2^32 plus index) and its time in `bestTs`; units found for the first time go
 * to `today`. Answers how many `today` holds.
 */
function firstOpeners(o: number, units: Uint32Array, inDay: Uint32Array, base: number, seqs: Uint32Array, from: number, entryEnd: number,
  state: Uint8Array, best: Float64Array, bestTs: Float64Array, today: Uint32Array, found: number, openers: number[], seqCols: Uint32Array[]): number {
  for (let i = 0; i < units.length; i++) {
    const u = units[i]
    if (state[u] === 2 || u === 0) continue
    const t = base + inDay[i]
    if (t < from || t >= entryEnd) continue
    if (state[u] === 0) {
      state[u] = 1
      today[found++] = u
    } else if (t >= bestTs[u]) {
      if (t > bestTs[u]) continue
      // A tie: arrival order decides (the kept event's rowid looked up only here).
      const o2 = (best[u] / PART) >>> 0
      if (seqs[i] > seqCols[openers[o2]][best[u] - o2 * PART]) continue
    }
    best[u] = o * PART + i
    bestTs[u] = t
  }
  return found
}

/** Marks the units found today (`today`, `found` of them) as found on an earlier day (state 2). */
function settle(today: Uint32Array, found: number, state: Uint8Array): void {
  for (let f = 0; f < found; f++) state[today[f]] = 2
}

/**
 * Marks the units that keep all their opening-only events (`all`): in ordered mode, those
 * whose latest event of a later step comes more than the window after their first opening
 * event; in strict mode, any with a later step's event. Answers whether any does.
 */
function markAll(maxUnit: number, later: Uint32Array, state: Uint8Array, lastLater: Float64Array, bestTs: Float64Array, all: Uint8Array,
  ordered: boolean, windowMs: number): boolean {
  let any = false
  for (let u = 1; u <= maxUnit; u++) {
    if (later[u] === 0) continue
    if (ordered && (state[u] === 0 || !(lastLater[u] > bestTs[u] + windowMs))) continue
    all[u] = 1
    any = true
  }
  return any
}

/** With some units keeping all: how many opening-only events each of them has in [from, to]. */
function countAll(units: Uint32Array, inDay: Uint32Array, base: number, from: number, to: number, all: Uint8Array, ones: Uint32Array): void {
  for (let i = 0; i < units.length; i++) {
    if (all[units[i]] !== 1 || units[i] === 0) continue
    const t = base + inDay[i]
    if (t >= from && t <= to) ones[units[i]]++
  }
}

/**
 * Each unit's start (`counts`, a prefix sum: unit u's events go from counts[u] to
 * counts[u + 1]) and where its placing begins (`fill`: one past the start where the first
 * opening event takes the start). Answers how many units keep any event.
 */
function startAll(maxUnit: number, later: Uint32Array, state: Uint8Array, all: Uint8Array, ones: Uint32Array | null,
  counts: Uint32Array, fill: Uint32Array): number {
  let units = 0
  for (let u = 1; u <= maxUnit; u++) {
    const first = state[u] !== 0 && all[u] === 0 ? 1 : 0
    const n = later[u] + (all[u] === 1 ? (ones === null ? 0 : ones[u]) : first)
    counts[u + 1] = counts[u] + n
    fill[u] = counts[u] + first
    if (n > 0) units++
  }
  return units
}

/** The starts of the units that keep any event, in unit order, with their numbers in `unitOf`. Answers how many. */
function startsOf(maxUnit: number, counts: Uint32Array, unitStart: Uint32Array, unitOf: Uint32Array): number {
  let n = 0
  for (let u = 1; u <= maxUnit; u++) {
    if (counts[u] === counts[u + 1]) continue
    unitOf[n] = u
    unitStart[n++] = counts[u]
  }
  return n
}

/** Runs as the placing functions read them (the later steps' keys, or the opening keys): each run's columns and key. */
interface DayRuns {
  /** Each event's visitor (the unit placed by). */
  unit: Uint32Array[]
  /** Times in the run's day, from its start (`base`). */
  inDay: Uint32Array[]
  base: number[]
  seq: Uint32Array[]
  session: Uint32Array[]
  props: (Uint32Array | null)[]
  key: number[]
  prev: (PrevColumns | null)[]
}

/**
 * Places every event in [from, to] of the runs at its unit's next place (`fill`); with
 * `mark`, only the events of units marked 1; with `sessionsOnly`, only events with a
 * session (`groupBySession`).
 *
 * Runs hold their events by unit (visitor), but a run (a key's day) is a few percent of all
 * units: placed run after run, each write would land on a cache line of its own in every
 * column. So units are placed a block at a time, each run from where it stopped up to the
 * block's end, and a block's places stay in the cache while every run writes there.
 */
function placeRuns(d: DayRuns, out: GroupedColumns, fill: Uint32Array, mark: Uint8Array | null, from: number, to: number,
  withUnits: boolean, withSeq: boolean, sessionsOnly = false): void {
  const cursor = new Uint32Array(d.unit.length)
  for (let end = PLACE_BLOCK, more = true; more; end += PLACE_BLOCK) {
    more = false
    for (let r = 0; r < d.unit.length; r++) {
      if (cursor[r] === d.unit[r].length) continue
      // A run's own arrays in the loop, not the lists of runs.
      const props = withSeq ? d.props[r] : null
      const prev = out.prevSeq.length > 0 ? d.prev[r] : null
      cursor[r] = placeRun(d.unit[r], d.session[r], d.inDay[r], d.base[r], d.seq[r], d.key[r], props, prev, cursor[r], end, out, fill, mark, from, to, withUnits, withSeq,
        sessionsOnly)
      if (cursor[r] < d.unit[r].length) more = true
    }
  }
}

/**
 * Units a block of `placeRuns`: about 2,000 places at 10M events (2 events a visitor), 50
 * bytes each with every column placed. 1,024 and 4,096 measured alike (strict, 10M).
 */
const PLACE_BLOCK = 1024

/**
 * `placeRuns` for one run of key `key` from event `i` on, while its unit is below `end`,
 * with its properties and previous events where placed; answers where it stopped.
 */
function placeRun(units: Uint32Array, sessions: Uint32Array, inDay: Uint32Array, base: number, seqs: Uint32Array, key: number, props: Uint32Array | null,
  prev: PrevColumns | null, i: number, end: number, out: GroupedColumns, fill: Uint32Array, mark: Uint8Array | null, from: number, to: number,
  withUnits: boolean, withSeq: boolean, sessionsOnly: boolean): number {
  const { ts, seq, key: keys, visitor, session, propsId, prevSeq, prevSession } = out
  const withPrev = prevSeq.length > 0
  for (; i < units.length; i++) {
    const u = units[i]
    if (u >= end) break
    const t = base + inDay[i]
    if (u === 0 || t < from || t > to || (mark !== null && mark[u] !== 1) || (sessionsOnly && sessions[i] === 0)) continue
    const at = fill[u]++
    ts[at] = t
    seq[at] = seqs[i]
    keys[at] = key
    if (withUnits) {
      // Units are visitors.
      visitor[at] = u
      session[at] = sessions[i]
    }
    if (withSeq) propsId[at] = propsAt(props, i)
    if (withPrev) {
      prevSeq[at] = prevSeqAt(prev, i)
      prevSession[at] = prevSessionAt(prev, i)
    }
  }
  return i
}

/** Writes event `i` of run `r` at place `at` of the grouped columns (units, properties and previous events where asked for). */
function writeEvent(out: GroupedColumns, at: number, d: DayRuns, r: number, i: number, withUnits: boolean, withSeq: boolean): void {
  out.ts[at] = d.base[r] + d.inDay[r][i]
  out.key[at] = d.key[r]
  out.seq[at] = d.seq[r][i]
  if (withUnits) {
    out.visitor[at] = d.unit[r][i]
    out.session[at] = d.session[r][i]
  }
  if (withSeq) out.propsId[at] = propsAt(d.props[r], i)
  if (out.prevSeq.length > 0) {
    out.prevSeq[at] = prevSeqAt(d.prev[r], i)
    out.prevSession[at] = prevSessionAt(d.prev[r], i)
  }
}

/** Event `i`'s properties as placed: a run's properties not kept (a pageview's) are looked up by rowid; an empty column means none. */
const propsAt = (props: Uint32Array | null, i: number) => (props === null ? PROPS_UNKNOWN : props.length === 0 ? 0 : props[i])

/** Event `i`'s previous event as placed: its rowid (-1: not known, SQLite is asked) and session. */
const prevSeqAt = (prev: PrevColumns | null, i: number) => (prev === null ? -1 : prev.seq[i])
const prevSessionAt = (prev: PrevColumns | null, i: number) => (prev === null ? 0 : prev.session[i])
