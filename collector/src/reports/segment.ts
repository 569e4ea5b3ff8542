/**
 * Segments (issue 11): query-string filters such as `channel=Paid Search&device=mobile`
 * turned into a condition on sessions that both stores translate to SQL. The meaning of
 * each value is the meaning the reports give it when they group by that dimension
 * (`dimensions.ts`): `source=google` keeps the sessions the channels and attribution
 * tables would show as source `google`, whether a utm parameter or a Google referrer
 * said so; `campaign=(not set)` and `device=(unknown)` keep what those labels stand for.
 */
import { z } from 'zod'
import type { ReportStore, SegmentColumn, SegmentCond, SpendTotal, TouchAttrs } from '../store/report-types.ts'
import { channelOf } from '../ingest/channel.ts'
import { DIRECT_CHANNEL, DIRECT_VALUE, NOT_SET, UNKNOWN, dimensionValue } from './dimensions.ts'
import { NO_MEDIUM, sourceMediumOf } from '../ingest/traffic-source.ts'
import { parse } from './query.ts'
import type { DateRangeQuery, SegmentFilters } from './types.ts'

/** Dimensions filtered by value, in the order the dashboard shows them. */
export const SEGMENT_DIMENSIONS = ['channel', 'source', 'medium', 'campaign', 'device', 'browser', 'country', 'landing'] as const
type ValueDimension = (typeof SEGMENT_DIMENSIONS)[number]

const value = z.string().min(1).max(200)
const values = z.array(value).max(20, 'at most 20 values per filter').optional()

/** The segment parameters every report takes (also read by the OpenAPI description). */
export const segmentParams = z.object({
  channel: values, source: values, medium: values, campaign: values,
  device: values, browser: values, country: values,
  landing: z.array(z.string().min(1).max(300).regex(/^\//, 'must be a path starting with /')).max(20).optional(),
  visitor: z.enum(['new', 'returning']).optional(),
  variant: z.array(z.string().max(401).regex(/^[^:]{1,200}:.{1,200}$/, 'must be <experiment>:<variant>')).max(20).optional(),
})

/**
 * Reads the segment filters of a query string; undefined when there are none. A
 * dimension may repeat (`device=mobile&device=tablet`: either); dimensions combine.
 *
 * @example
 * parseSegment(new URLSearchParams('channel=Paid Search&visitor=new&variant=checkout:b'))
 * // { channel: ['Paid Search'], visitor: 'new', variant: [{ experiment: 'checkout', variant: 'b' }] }
 */
export function parseSegment(params: URLSearchParams): SegmentFilters | undefined {
  const raw: Record<string, unknown> = {}
  for (const d of SEGMENT_PARAMS.filter((d) => d !== 'visitor')) {
    const all = params.getAll(d)
    if (all.length) raw[d] = all
  }
  const visitor = params.getAll('visitor')
  if (visitor.length) raw.visitor = visitor.length === 1 ? visitor[0] : visitor
  const p = parse(segmentParams, raw)
  const out: SegmentFilters = {}
  for (const d of SEGMENT_DIMENSIONS) if (p[d]?.length) out[d] = [...new Set(p[d])]
  if (p.visitor) out.visitor = p.visitor
  if (p.variant?.length) {
    out.variant = p.variant.map((s) => {
      const i = s.indexOf(':')
      return { experiment: s.slice(0, i), variant: s.slice(i + 1) }
    })
  }
  return Object.keys(out).length ? out : undefined
}

/** The query parameters a segment is asked with. */
const SEGMENT_PARAMS = [...SEGMENT_DIMENSIONS, 'visitor', 'variant'] as const

/**
 * Whether a query string asks for a segment (a filter parameter with a value), without
 * validating it (`parseSegment` does).
 *
 * @example
 * asksForSegment('?from=2026-11-01&device=mobile') // true
 */
export function asksForSegment(query: string): boolean {
  const p = new URLSearchParams(query)
  return SEGMENT_PARAMS.some((k) => p.getAll(k).some((v) => v !== ''))
}

const isNull = (col: SegmentColumn): SegmentCond => ({ col, isNull: true })
const notNull = (col: SegmentColumn): SegmentCond => ({ not: isNull(col) })
const eq = (col: SegmentColumn, v: string): SegmentCond => ({ col, eq: v })
const empty = (col: SegmentColumn): SegmentCond => ({ any: [isNull(col), eq(col, '')] })

/** A touch (`dimensions.ts` isTouch): not Direct, and some campaign parameter, click id or referrer. */
const TOUCH: SegmentCond = {
  all: [{ not: eq('channel', DIRECT_CHANNEL) }, { any: (['source', 'medium', 'campaign', 'click_id_type', 'referrer_host'] as const).map(notNull) }],
}
/** Campaign parameters name the source or medium (`traffic-source.ts` sourceMediumOf). */
const TAGGED: SegmentCond = { any: [{ not: empty('source') }, { not: empty('medium') }] }
const UNTAGGED: SegmentCond = { not: TAGGED }

/**
 * Sessions whose source (or medium) reads `v` in the reports. `hosts` are the site's
 * referrer hosts: which of them a referral or search engine name stands for is worked out
 * here, by the same function that labels them in reports.
 */
function sourceOrMedium(dim: 'source' | 'medium', v: string, hosts: string[]): SegmentCond {
  const tagged = v === NOT_SET ? { any: [isNull(dim), eq(dim, v)] } : eq(dim, v)
  const referred = hosts.filter((h) => h !== '' && sourceMediumOf({ source: null, medium: null, referrerHost: h })[dim] === v)
  const arms: SegmentCond[] = [{ all: [TAGGED, tagged] }]
  if (referred.length) arms.push({ all: [UNTAGGED, { col: 'referrer_host', in: referred }] })
  // A touch with neither tags nor referrer (a click id alone) is `(direct) / (none)`.
  if (v === (dim === 'source' ? DIRECT_VALUE : NO_MEDIUM)) arms.push({ all: [UNTAGGED, empty('referrer_host')] })
  const touch: SegmentCond = { all: [TOUCH, { any: arms }] }
  return v === DIRECT_VALUE ? { any: [{ not: TOUCH }, touch] } : touch
}

function valueCond(d: ValueDimension, v: string, hosts: string[]): SegmentCond {
  switch (d) {
    case 'channel': return eq('channel', v)
    case 'source': case 'medium': return sourceOrMedium(d, v, hosts)
    case 'campaign': {
      // A utm_campaign may itself read `(not set)` or `(direct)`: it shows as that too.
      const touch: SegmentCond = { all: [TOUCH, v === NOT_SET ? { any: [isNull('campaign'), eq('campaign', v)] } : eq('campaign', v)] }
      return v === DIRECT_VALUE ? { any: [{ not: TOUCH }, touch] } : touch
    }
    case 'device': case 'browser': case 'country':
      return v === UNKNOWN ? { any: [isNull(d), eq(d, v)] } : eq(d, v)
    case 'landing':
      return v.includes('*') ? { col: 'landing_path', glob: v } : eq('landing_path', v)
  }
}

/**
 * The condition sessions of the segment meet, or null for no filter. `hosts` must hold the
 * site's referrer hosts when the segment filters on source or medium (see `needsHosts`).
 *
 * @example
 * segmentCondition({ device: ['mobile', 'tablet'], visitor: 'new' }, [])
 * // { all: [{ any: [{ col: 'device', eq: 'mobile' }, { col: 'device', eq: 'tablet' }] }, { firstSession: true }] }
 */
export function segmentCondition(f: SegmentFilters | undefined, hosts: string[]): SegmentCond | null {
  if (!f) return null
  const parts: SegmentCond[] = []
  for (const d of SEGMENT_DIMENSIONS) {
    const vs = f[d]
    if (!vs?.length) continue
    const ors = vs.map((v) => valueCond(d, v, hosts))
    parts.push(ors.length === 1 ? ors[0] : { any: ors })
  }
  if (f.visitor) parts.push({ firstSession: f.visitor === 'new' })
  if (f.variant?.length) {
    const ors: SegmentCond[] = f.variant.map((v) => ({ experiment: v.experiment, variant: v.variant }))
    parts.push(ors.length === 1 ? ors[0] : { any: ors })
  }
  if (!parts.length) return null
  return parts.length === 1 ? parts[0] : { all: parts }
}

/** Whether the segment needs the site's referrer hosts to be resolved. */
export function needsHosts(f: SegmentFilters | undefined): boolean {
  return !!(f?.source?.length || f?.medium?.length)
}

/**
 * The store condition of a query's segment, reading the site's referrer hosts only when
 * a source or medium filter needs them.
 *
 * @example
 * const segment = await resolveSegment(store.reports, 'shop', q.segment)
 * await store.reports.summary('shop', range, segment)
 */
export async function resolveSegment(rs: Pick<ReportStore, 'referrerHosts'>, site: string, f: SegmentFilters | undefined): Promise<SegmentCond | null> {
  if (!f) return null
  return segmentCondition(f, needsHosts(f) ? await rs.referrerHosts(site) : [])
}

/**
 * Whether the segment would need spend split by what imported spend does not record: it
 * is known per source, medium and campaign only, so a segment by device, browser, country,
 * landing page, new or returning visitors or variant cannot say what part of it was spent
 * on that segment, and reports leave spend out.
 *
 * @example
 * segmentSplitsSpend({ device: ['mobile'] }) // true
 * segmentSplitsSpend({ channel: ['Paid Search'] }) // false
 */
export function segmentSplitsSpend(f: SegmentFilters | undefined): boolean {
  return spendlessFilter(f) !== null
}

/** The first filter of the segment that imported spend cannot be split by, or null. */
export function spendlessFilter(f: SegmentFilters | undefined): 'device' | 'browser' | 'country' | 'landing' | 'visitor' | 'variant' | null {
  if (!f) return null
  return (['device', 'browser', 'country', 'landing', 'visitor', 'variant'] as const).find((k) => f[k] !== undefined) ?? null
}

/**
 * Whether a touch (a session's acquisition attributes, or a spend row's source, medium
 * and campaign) meets the segment's channel, source, medium and campaign filters, by the
 * labels the reports show. Spend rows are kept or dropped with it.
 *
 * @example
 * acquisitionMatches({ channel: ['Paid Search'] }, { channel: 'Paid Search', source: 'google', medium: 'cpc', … }) // true
 */
export function acquisitionMatches(f: SegmentFilters | undefined, t: TouchAttrs): boolean {
  if (!f) return true
  return (['channel', 'source', 'medium', 'campaign'] as const).every((d) => !f[d]?.length || f[d]!.includes(dimensionValue(d, t)))
}

/**
 * The spend rows a segment keeps: those its channel, source, medium and campaign filters
 * match, and none under a segment spend cannot be split by.
 *
 * @example
 * spendInSegment({ channel: ['Paid Search'] }, rows) // the Google Ads rows, not the Meta ones
 */
export function spendInSegment<R extends Pick<SpendTotal, 'source' | 'medium' | 'campaign'>>(f: SegmentFilters | undefined, rows: R[]): R[] {
  if (!f) return rows
  if (segmentSplitsSpend(f)) return []
  return rows.filter((r) => acquisitionMatches(f, spendTouch(r)))
}

/** A spend row as the touch it paid for: classified by the ingest's channel rules. */
export function spendTouch(s: Pick<SpendTotal, 'source' | 'medium' | 'campaign'>): TouchAttrs {
  const t = { source: s.source, medium: s.medium, campaign: s.campaign, referrerHost: null }
  return { ...t, channel: channelOf(t), clickIdType: null }
}

/**
 * The segment a report answers for, echoed in its JSON; for a report that shows spend,
 * under a segment spend cannot be split by, a note saying why cost, CPA and ROAS are missing.
 */
export function segmentOf(q: DateRangeQuery, showsSpend = false): { segment?: SegmentFilters; spendNote?: string } {
  if (!q.segment) return {}
  if (!showsSpend || !segmentSplitsSpend(q.segment)) return { segment: q.segment }
  return { segment: q.segment, spendNote: SPEND_NOTE }
}

const SPEND_NOTE = 'Imported spend is known per source, medium and campaign only, so it is left out of segments by device, browser, country, landing page, new or returning visitors, or variant.'

