/**
 * One dashboard page asks the store for the same data several times: the channels table,
 * the campaigns table and the model comparison each scan every converting visitor's
 * touches, and channels and campaigns both group all sessions of the range. Those scans
 * grow with the data; the crediting done on their rows does not. This wrapper, made per
 * page load, runs each distinct scan once and hands later callers the rows it kept, so
 * every section still goes through the reports service and means exactly what the API
 * means.
 *
 * It holds one page's converting visitors (their touches and conversions) in memory,
 * which is small next to the events the scan reads, and is dropped with the page. The
 * journeys scan of data-driven attribution, every visitor of the range, is not shared.
 */
import type { AttributionScan, ConversionRow, JourneyColumns, ReportStore, TouchSession } from '../store/report-types.ts'
import { RULE_MODELS } from '../model.ts'

type Visitor = [touches: TouchSession[], conversions: ConversionRow[]]

/**
 * A report store that shares identical attribution scans, credit sums, session groups
 * and spend totals between its callers; everything else goes straight to `rs`.
 *
 * @example
 * const reports = createReports(sharedScans(store.reports))
 * await Promise.all([reports.channels(site, q), reports.campaigns(site, q)]) // one scan, one grouping
 */
export function sharedScans(rs: ReportStore): ReportStore {
  const scans = new Map<string, Promise<Visitor[]>>()
  const once = new Map<string, Promise<unknown>>()
  const memo = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    let p = once.get(key) as Promise<T> | undefined
    if (!p) once.set(key, (p = run()))
    return p
  }
  const scanKey = (site: string, q: AttributionScan) => JSON.stringify([site, q.range.start, q.range.end, q.lookbackMs, q.conversion, q.segment ?? null])
  async function sharedScan(site: string, q: AttributionScan, onVisitor: (t: TouchSession[], c: ConversionRow[]) => void) {
    const key = scanKey(site, q)
    let visitors = scans.get(key)
    if (!visitors) {
      const kept: Visitor[] = []
      const keep = (touches: TouchSession[], conversions: ConversionRow[]) => { kept.push([touches, conversions]) }
      visitors = rs.scanAttribution(site, q, keep).then(() => kept)
      scans.set(key, visitors)
    }
    // Callers may filter the arrays they get, never mutate them in place; copies keep it so.
    for (const [touches, conversions] of await visitors) onVisitor(touches.slice(), conversions.slice())
  }
  // The same scan as columns (a segment's credit): the store's arrays last until its next
  // read, so the first caller's are copied (a few MB at 10M events) and handed to the rest.
  const columns = new Map<string, Promise<JourneyColumns | null>>()
  async function sharedColumns(site: string, q: AttributionScan, use: (j: JourneyColumns) => void): Promise<boolean> {
    const key = scanKey(site, q)
    let kept = columns.get(key)
    if (!kept) {
      let copy: JourneyColumns | null = null
      kept = rs.attributionColumns!(site, q, (j) => { copy = ownColumns(j) }).then((used) => (used ? copy : null))
      columns.set(key, kept)
    }
    const j = await kept
    if (j) use(j)
    return j !== null
  }
  // Everything not shared here goes straight to `rs` through the prototype.
  const shared: Partial<ReportStore> = {
    ads: rs.ads,
    campaignIds: (site, range, segment) => memo(JSON.stringify(['ids', site, range.start, range.end, segment ?? null]), () => rs.campaignIds(site, range, segment)),
    sessionGroups: (site, range, segment) => memo(JSON.stringify(['groups', site, range.start, range.end, segment ?? null]), () => rs.sessionGroups(site, range, segment)),
    referrerHosts: (site) => memo(JSON.stringify(['hosts', site]), () => rs.referrerHosts(site)),
    spendTotals: (site, from, to) => memo(JSON.stringify(['spend', site, from, to]), () => rs.spendTotals(site, from, to)),
    scanAttribution: (site, q, onVisitor) => sharedScan(site, q, onVisitor),
    attributionColumns: rs.attributionColumns && sharedColumns,
    // Channels, campaigns and the model comparison each sum the credit rollups of one range:
    // every rule model is read once (a grouping of every slot's rows, ~0.1 s at 10M events a
    // range) and each caller keeps its models.
    creditTotals: rs.creditTotals && (async (site, q) => {
      const all = await memo(JSON.stringify(['credit', site, q.range.start, q.range.end, q.conversion]), () => rs.creditTotals!(site, { ...q, models: RULE_MODELS }))
      return all && all.filter((t) => q.models.includes(t.model))
    }),
    // Not the journeys scan: every visitor of the range kept, and copied for each caller, cost
    // more than scanning again (SQLite at 10M events, 90 days: about 1 s a scan, 2-3 s to keep
    // and replay), and only data-driven attribution reads it.
  }
  return Object.assign(Object.create(rs) as ReportStore, shared)
}

/** Journey columns in arrays of their own (the store's are scratch arrays, valid until its next read). */
function ownColumns(j: JourneyColumns): JourneyColumns {
  return {
    ...j, sessionStart: j.sessionStart.slice(), started: j.started.slice(), label: j.label.slice(),
    convStart: j.convStart.slice(), convTs: j.convTs.slice(), convValue: j.convValue.slice(), convCurrency: j.convCurrency.slice(),
  }
}
