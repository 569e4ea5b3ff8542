/**
 * Strict funnels from the SQLite columns: whether each step candidate is its unit's very
 * next event after the candidate before it.
 *
 * Strict mode only ever asks this of neighbours in a unit's candidate list (any candidate
 * that does not fill the next step ends the attempt), so the pairs are known before the
 * matching. Each chunk keeps its events' previous events (migration 26): a pair whose later
 * event's previous one is the earlier event is adjacent, and one whose previous event lies in
 * the unit's session, or in a session the segment keeps, is not. The few pairs that leaves
 * open (sessions interleaved, a segment's other sessions between) go to SQLite in one
 * statement: a NOT EXISTS probe per pair, in visitor order. At 10M events that probe cost
 * 1.9 s for the 404,786 pairs of a strict funnel.
 */
import type Database from 'better-sqlite3'
import type { FunnelKey, FunnelScan } from './report-types.ts'
import { keyFillsFilter } from './funnel-filters.ts'
import { binder, eventInSegment } from './segment-sql.ts'
import { SESSION_UNIT, VISITOR_UNIT, type Numbering } from './sqlite-funnel-chunks.ts'

/** Rows a pair insert carries (9 values each: under SQLite's 32,766 bound parameters). */
const PAIRS_A_STATEMENT = 500

/** A unit-grouped funnel's columns, as `groupByUnit` places them for strict mode. */
export interface StrictColumns {
  ts: Float64Array
  seq: Uint32Array
  key: Uint32Array
  visitor: Uint32Array
  session: Uint32Array
  unitStart: Uint32Array
  /** Each event's previous event (`PrevColumns`) as placed: rowid (-1: not known) and session number. */
  prevSeq: Float64Array
  prevSession: Uint32Array
}

/** What the previous events say of a pair: adjacent, not, or ask SQLite. */
const ADJACENT = 1
const APART = 0
const ASK = -1

/**
 * For each event `i`: 1 when event `i + 1` is in the same unit and is its very next stored
 * event of any type (people's, in the segment's sessions, in the same session for the
 * session unit), 0 otherwise. `sessionIn` is the segment's verdict by session number.
 *
 * @example
 * const adjacent = adjacentSuccessors(db, 'shop', scan, grouped, keys, numbers, null)
 * const follows = (i: number, j: number) => j === i + 1 && adjacent[i] === 1
 */
export function adjacentSuccessors(db: Database.Database, site: string, q: FunnelScan, g: StrictColumns, keys: FunnelKey[],
  numbers: Numbering, sessionIn: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(g.ts.length)
  const steps = q.steps.length
  // follows[a * keys + b]: key b can fill the step after one key a can fill (property filters aside: a superset of the pairs asked about).
  const follows = new Uint8Array(keys.length * keys.length)
  keys.forEach((a, i) => keys.forEach((b, j) => {
    for (let s = 0; s + 1 < steps; s++) if (keyFillsFilter(q.steps[s], a) && keyFillsFilter(q.steps[s + 1], b)) follows[i * keys.length + j] = 1
  }))
  const asked = tellPairs(g, follows, keys.length, q.unit === 'session', sessionIn, out)
  if (asked.length > 0) for (const i of probePairs(db, site, q, g, numbers, asked)) out[i] = 1
  return out
}

/** Marks the adjacent pairs the previous events tell in `out`; answers the pairs they leave open (a function of its own: see `maxIn`). */
function tellPairs(g: StrictColumns, follows: Uint8Array, nKeys: number, bySession: boolean, sessionIn: Uint8Array | null, out: Uint8Array): number[] {
  const { unitStart, visitor, key } = g
  const asked: number[] = []
  for (let u = 0; u + 1 < unitStart.length; u++) {
    for (let i = unitStart[u]; i + 1 < unitStart[u + 1]; i++) {
      // An event without a visitor has no known successor.
      if (visitor[i] === 0 || follows[key[i] * nKeys + key[i + 1]] === 0) continue
      const said = fromPrevious(g, i, bySession, sessionIn)
      if (said === ADJACENT) out[i] = 1
      else if (said === ASK) asked.push(i)
    }
  }
  return asked
}

/**
 * Whether candidate `i + 1` follows candidate `i`, as its previous event tells: that event
 * is `i` (adjacent), or lies in its session (apart: sessions do not share events), or, for a
 * visitor under a segment, in a session the segment keeps (apart).
 */
function fromPrevious(g: StrictColumns, i: number, bySession: boolean, sessionIn: Uint8Array | null): number {
  const before = g.prevSeq[i + 1]
  if (before === g.seq[i]) return ADJACENT
  // Not known (a chunk of an older layout), or none before it where i is (noted, not yet built again).
  if (before <= 0) return ASK
  const s = g.prevSession[i + 1]
  if (bySession) return s !== 0 && s === g.session[i + 1] ? APART : ASK
  if (sessionIn === null) return APART
  return s !== 0 && s < sessionIn.length && sessionIn[s] === 1 ? APART : ASK
}

/** Of the pairs (`i`, `i + 1`) asked about, those with no event of the unit between them, answered by SQLite in one statement. */
function probePairs(db: Database.Database, site: string, q: FunnelScan, g: StrictColumns, numbers: Numbering, asked: number[]): number[] {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS strict_pairs (i INTEGER PRIMARY KEY, v INTEGER NOT NULL, vname TEXT, s INTEGER, sname TEXT,
    ts1 REAL NOT NULL, seq1 INTEGER NOT NULL, ts2 REAL NOT NULL, seq2 INTEGER NOT NULL)`)
  db.exec('DELETE FROM temp.strict_pairs')
  // Many rows a statement: one statement a pair cost about a microsecond each in binding and stepping.
  const cols = '(i, v, vname, s, sname, ts1, seq1, ts2, seq2)'
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?)'
  const insert = (rows: number) => db.prepare(`INSERT INTO temp.strict_pairs ${cols} VALUES ${Array(rows).fill(row).join(', ')}`)
  const full = insert(PAIRS_A_STATEMENT)
  const args: unknown[] = []
  // Numbers given for this read only (rows still noted) have no stored unit: their names go along.
  for (const i of asked) {
    const s = g.session[i]
    args.push(i, g.visitor[i], numbers.tempUnit(VISITOR_UNIT, g.visitor[i]), s === 0 ? null : s, s === 0 ? null : numbers.tempUnit(SESSION_UNIT, s), g.ts[i], g.seq[i], g.ts[i + 1], g.seq[i + 1])
    if (args.length === PAIRS_A_STATEMENT * 9) {
      full.run(args)
      args.length = 0
    }
  }
  if (args.length > 0) insert(args.length / 9).run(args)
  const b = binder('sqlite', [site])
  // The session's name is looked up only where the probe tests it: in visitor mode that
  // join alone cost as much as the rest of building the pairs (400k pairs at 10M events).
  const bySession = q.unit === 'session'
  // Materialized in visitor order: the probes then walk the visitor index from one end to the other.
  const sql = `WITH p AS MATERIALIZED (
      SELECT p.i, p.ts1, p.seq1, p.ts2, p.seq2, COALESCE(p.vname, u.unit) AS vis${bySession ? ', COALESCE(p.sname, su.unit) AS ses' : ''}
      FROM temp.strict_pairs p LEFT JOIN funnel_units u ON u.site = ? AND u.kind = ${VISITOR_UNIT} AND u.n = p.v${bySession ? ` LEFT JOIN funnel_units su ON su.site = ? AND su.kind = ${SESSION_UNIT} AND su.n = p.s` : ''}
      ORDER BY vis, p.ts1)
    SELECT p.i FROM p WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.site = ? AND x.visitor = p.vis
      AND (x.ts, x.rowid) > (p.ts1, p.seq1) AND (x.ts, x.rowid) < (p.ts2, p.seq2) AND x.bot = 0
      ${bySession ? 'AND x.session_id IS p.ses' : ''} AND ${eventInSegment(q.segment, 'sqlite', b, 'x')})`
  const out = db.prepare(sql).pluck().all(site, ...(bySession ? [site] : []), ...b.args) as number[]
  db.exec('DELETE FROM temp.strict_pairs')
  return out
}
