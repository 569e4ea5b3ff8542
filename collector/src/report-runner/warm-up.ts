/**
 * Warms a server's report workers once on start, so the first dashboard a marketer opens
 * is answered as fast as the next one. A report over millions of events is mostly memory:
 * the decoded day chunks it reads and the per-visitor arrays it works in. Touched for the
 * first time, that memory costs more than the report's maths on this VM (page faults): at
 * 10M events the 90-day dashboard took 1.2-1.7 s through two fresh workers against 0.4 s
 * through warm ones, and the glob + properties funnel 0.74 s against 0.25 s.
 *
 * The warm-up asks what a marketer opens first, for the busiest sites: the dashboard over
 * the 90-day preset (every section, in the lanes the pool always gives them), the same page
 * under a segment (the segment code and the event chunks it reads), a funnel and data-driven
 * attribution split over every worker (each worker's own arrays), the funnel's strict and
 * by-session modes over the dashboard's default 28 days (their code, and the scratch arrays
 * only they use, touched as far as a month's funnel reaches; by session broken down by
 * landing page, whose labels no other ask reads), and where the page shows an A/B readout,
 * the funnel under its first variant that is not control (the sessions' ends and the
 * visitors' first exposures only a segment by variant reads: at 10M events that case's
 * first run 276-369 ms without, 186-244 with). No figure is kept: the
 * pages are computed with a figure cache of their own (`fresh`), so nothing a later request
 * sees comes from before it. The workers then keep that memory for good
 * (`keepReportMemory`), or a night without reports would let it go again.
 * `FUNNELBEAM_REPORT_WARM_UP=0` turns both off (memory let go after five idle minutes).
 */
import type { Site } from '../model.ts'
import type { ReportRunner } from './runner.ts'
import type { ExperimentReport } from '../reports/types.ts'
import { addDays } from '../reports/dates.ts'
import { todayIn } from '../reports/service.ts'
import { parseAttributionQuery, parseFunnelQuery, parseSummaryQuery } from '../reports/query.ts'
import { DEFAULT_STEPS } from '../dashboard/filters.ts'

/** Days the warm-up reads: the dashboard's longest preset. */
export const WARM_UP_DAYS = 90

/** Sites warmed at most: the workers' chunk cache is bounded, and the busiest site is warmed last, so it is kept. */
export const WARM_UP_SITES = 3

/** The segment the warm-up's second page is under: one every site has. */
const WARM_UP_SEGMENT = 'visitor=new'

export interface WarmedUp {
  /** The sites warmed, busiest last. */
  sites: string[]
  ms: number
}

/**
 * The query string of the 90-day range ending `today`, as the dashboard's preset asks it.
 *
 * @example
 * warmUpRange('2026-10-30') // 'from=2026-08-02&to=2026-10-30'
 */
export function warmUpRange(today: string): string {
  return `from=${addDays(today, -(WARM_UP_DAYS - 1))}&to=${today}`
}

/** The dashboard's default range (28 days), which the funnel's other modes are warmed over. */
const defaultRange = (today: string) => `from=${addDays(today, -27)}&to=${today}`

/**
 * Of `sites` and their sessions over the warm-up's range, the ones to warm: those with any,
 * at most `WARM_UP_SITES`, least busy first (so the busiest is read last and kept).
 *
 * @example
 * sitesToWarm([['a', 10], ['b', 0], ['c', 500]]) // ['a', 'c']
 */
export function sitesToWarm<S>(sites: [site: S, sessions: number][]): S[] {
  return sites
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, WARM_UP_SITES)
    .reverse()
    .map(([s]) => s)
}

/**
 * Warms `runner`'s workers for the busiest of `sites` (see the module comment); answers
 * which sites it warmed and how long it took. A report that fails is logged and the rest
 * go on; once `stopped()` answers true (the server is stopping) it ends quietly.
 *
 * @example
 * const warmed = await warmUp(runner, await store.listSites(), Date.now(), { log })
 * logger.info('report workers warmed', warmed)
 */
export async function warmUp(runner: ReportRunner, sites: Site[], now: number,
  o: { log: (msg: string, err?: unknown) => void; stopped?: () => boolean }): Promise<WarmedUp> {
  const t0 = performance.now()
  const stopped = o.stopped ?? (() => false)
  const quietly = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run()
    } catch (err) {
      if (!stopped()) o.log(`report warm-up: ${what} failed`, err)
      return null
    }
  }
  const busy: [Site, number][] = []
  for (const site of sites) {
    if (stopped()) break
    const today = todayIn(site, now)
    const summary = await quietly(`summary of ${site.id}`, () => runner.run('summary', site, parseSummaryQuery(new URLSearchParams(warmUpRange(today)), today)))
    busy.push([site, summary?.sessions ?? 0])
  }
  const warmed: string[] = []
  const done = () => ({ sites: warmed, ms: Math.round(performance.now() - t0) })
  for (const site of sitesToWarm(busy)) {
    const today = todayIn(site, now)
    const range = warmUpRange(today)
    const funnel = (params: string) => () =>
      runner.run('funnel', site, parseFunnelQuery(new URLSearchParams([...new URLSearchParams(params), ...DEFAULT_STEPS.map((s) => ['step', s])]), today))
    if (stopped()) return done()
    const page = await quietly(`dashboard of ${site.id}`, () => runner.run('dashboard', { site, today, now, params: range, fresh: true }))
    const variant = page?.experiment?.ok ? abVariant(page.experiment.value) : null
    const asks: [string, () => Promise<unknown>][] = [
      ['segmented dashboard', () => runner.run('dashboard', { site, today, now, params: `${range}&${WARM_UP_SEGMENT}`, fresh: true })],
      ['funnel', funnel(range)],
      ['data-driven attribution', () => runner.run('attribution', site, parseAttributionQuery(new URLSearchParams(`${range}&model=data_driven`), today))],
      // The funnel's other modes have code and arrays of their own. Over a week they were
      // compiled but a month's strict funnel still touched new memory (first run at 10M
      // events 308 ms, 247-256 after 28 days here).
      ['strict funnel by channel', funnel(`${defaultRange(today)}&mode=strict&breakdown=channel`)],
      ['funnel by session', funnel(`${defaultRange(today)}&unit=session&breakdown=landing`)],
    ]
    if (variant) asks.push(['funnel under variant', funnel(`${range}&variant=${encodeURIComponent(variant)}`)])
    for (const [what, run] of asks) {
      if (stopped()) return done()
      await quietly(`${what} of ${site.id}`, run)
    }
    warmed.push(site.id)
  }
  return done()
}

/** `experiment:variant` of an A/B readout, its first variant that is not control (else its first); null without variants. */
function abVariant(readout: ExperimentReport): string | null {
  const v = readout.variants.find((r) => r.variant !== readout.control) ?? readout.variants[0]
  return v ? `${readout.experiment}:${v.variant}` : null
}
