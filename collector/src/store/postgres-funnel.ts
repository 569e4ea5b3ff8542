/**
 * The SQL of a funnel scan on PostgreSQL, the same rows the SQLite scan reads: one arm
 * per distinct step filter in ordered mode, every event of the entered units tagged with
 * its filter and successor in strict mode. Row layout: unit, ts, seq, arm, next, (unused),
 * path, props, then the entry's nine session attributes, landing path, whether it is the
 * visitor's first session ('true'/'false'), and its variant.
 */
import type { FunnelScan, StepFilter } from './report-types.ts'
import { distinctStepFilters, stepFilterKey } from './funnel-filters.ts'
import { binder, eventInSegmentRange, segmentSql } from './segment-sql.ts'
import { ENTRY_COLS } from './derived-rows.ts'

export interface FunnelSql {
  sql: string
  args: unknown[]
  /** The distinct step filters; a row's arm indexes this list. */
  filters: StepFilter[]
  /** The arm of step 1: only its rows can be entries. */
  firstArm: number
}

/**
 * Builds the scan for `q` on `site`.
 *
 * @example
 * const { sql, args, filters } = funnelSql('shop', scan) // stream sql with args through a cursor
 */
export function funnelSql(site: string, q: FunnelScan): FunnelSql {
  const args: unknown[] = [site, q.range.start, q.range.end + q.windowMs + 1]
  const arg = (v: unknown) => `$${args.push(v)}`
  const unitCol = q.unit === 'visitor' ? 'e.visitor' : 'e.session_id'
  // Repeated steps share a filter (and an arm).
  const filters = distinctStepFilters(q.steps)
  const firstArm = filters.findIndex((f) => stepFilterKey(f) === stepFilterKey(q.steps[0]))
  // Props live in the heap, outside the covering indexes: read them only where a step tests them.
  const propsCol = (f: StepFilter) => (q.withProps && (f.needsProps ?? true) ? 'e.props' : 'NULL::jsonb')
  const where = (f: StepFilter): string => {
    if (f.pathGlob === null) return `e.type = ${arg(f.type)} AND e.name = ${arg(f.name)}`
    // Under the "C" collation a LIKE with a literal prefix is an index range scan.
    if (!f.pathGlob.includes('*')) return `e.type = 'pageview' AND e.path = ${arg(f.pathGlob)}`
    return `e.type = 'pageview' AND e.path LIKE ${arg(likePattern(f.pathGlob))}`
  }
  // In a segment, only events of its sessions exist for the funnel (strict successors too).
  const inSegment = eventInSegmentRange(q.segment, 'postgres', arg, 'e', site, { start: q.range.start, end: q.range.end + q.windowMs + 1 })
  const base = `e.site = $1 AND e.ts >= $2 AND e.ts < $3 AND NOT e.bot AND ${unitCol} IS NOT NULL AND ${inSegment}`
  // The entry's attributes (session columns, then the variant), joined only to rows of the
  // first step's arm: only those can be entries.
  const nulls = (n: number) => ', NULL::text'.repeat(n)
  const entry = (on: boolean, sid: string, vis: string, only = 'true'): [cols: string, joins: string] => {
    if (!on || (!q.withEntry && q.experiment === null)) return [nulls(12), '']
    let cols = nulls(11)
    let joins = ''
    if (q.withEntry) {
      cols = `, ${ENTRY_COLS.map((c) => `s.${c}`).join(', ')}, CASE WHEN s.id IS NOT NULL
        THEN (${segmentSql({ firstSession: true }, 'postgres', binder('postgres'), 's')})::text END`
      joins += ` LEFT JOIN sessions s ON ${only} AND s.site = $1 AND s.id = ${sid}`
    }
    if (q.experiment === null) return [cols + nulls(1), joins]
    // The visitor's first exposure decides the variant.
    joins += ` LEFT JOIN (SELECT DISTINCT ON (visitor) visitor, props->>'variant' AS variant
      FROM events WHERE site = $1 AND type = 'exposure' AND name = ${arg(q.experiment)} AND NOT bot AND visitor IS NOT NULL
      ORDER BY visitor, ts, seq) x ON x.visitor = ${vis}`
    return [`${cols}, x.variant`, joins]
  }
  let sql: string
  if (q.allEvents) {
    // Strict mode needs what comes right after each event. The database walks every event
    // of the units that entered (step 1 inside the range), tags each with the first filter
    // it meets (or -1) and the seq of the unit's next event; only events some step can
    // match cross into JS.
    const entered = `${unitCol} IN (SELECT ${unitCol} FROM events e WHERE e.site = $1 AND e.ts >= $2 AND e.ts < ${arg(q.range.end)} AND NOT e.bot
      AND ${inSegment} AND ${where(q.steps[0])})`
    const cases = filters.map((f, k) => `WHEN ${where(f)} THEN ${k}`).join(' ')
    const [cols, joins] = entry(true, 't.sid', 't.vis', `t.arm = ${firstArm}`)
    sql = `SELECT t.unit, t.ts, t.seq, t.arm, t.next, NULL::text, t.path, t.props${cols} FROM (
        SELECT ${unitCol} AS unit, e.ts, e.seq, CASE ${cases} ELSE -1 END AS arm,
          CASE WHEN e.type = 'pageview' THEN e.path END AS path, ${q.withProps ? 'e.props' : 'NULL::jsonb'} AS props,
          e.session_id AS sid, e.visitor AS vis,
          LEAD(e.seq) OVER (PARTITION BY ${unitCol} ORDER BY e.ts, e.seq) AS next
        FROM events e WHERE ${base} AND ${entered}) t${joins}
      WHERE t.arm >= 0 ORDER BY 1, 2, 3`
  } else {
    // One arm per distinct step filter, so each can use its index; repeated steps share an
    // arm, and an event that overlapping globs return twice is dropped below by its seq.
    const arms = filters.map((f, k) => {
      const [cols, joins] = entry(k === firstArm, 'e.session_id', 'e.visitor')
      return `SELECT ${unitCol}, e.ts, e.seq, ${k}, NULL::bigint, NULL::text, ${f.pathGlob !== null ? 'e.path' : 'NULL::text'},
          ${propsCol(f)}${cols}
        FROM events e${joins} WHERE ${base} AND ${where(f)}`
    })
    sql = `${arms.join(' UNION ALL ')} ORDER BY 1, 2, 3, 4`
  }
  return { sql, args, filters, firstArm }
}

/**
 * A pageview step's path glob as a LIKE pattern matching a superset of the same paths
 * (`*` and `**` both become `%`); the exact segment test runs in JS afterwards.
 *
 * @example
 * likePattern('/blog/*') // '/blog/%'
 */
export function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*+/g, '%')
}
