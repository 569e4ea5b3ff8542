/**
 * Everything a report reader can be asked: the six reports and the dashboard's data. One
 * table serves both the in-process runner and the report workers, so a report means the
 * same wherever it runs.
 */
import type { Site } from '../model.ts'
import type { ReportStore } from '../store/report-types.ts'
import { createReports, type ReportService, type Reports } from '../reports/service.ts'
import { loadDashboard } from '../dashboard/load.ts'
import { ReportCache } from '../dashboard/report-cache.ts'
import type { DashboardData } from '../dashboard/page.tsx'
import { pacing, type PacingQuery, type PacingReport } from '../reports/pacing-service.ts'
import { timeseries, type TimeseriesQuery } from '../reports/timeseries-service.ts'
import type { TimeseriesReport } from '../reports/timeseries.ts'
import type { RefusalCount } from '../http/refusals.ts'
import type { Section } from '../dashboard/lanes.ts'

export interface DashboardRequest {
  site: Site
  today: string
  now: number
  /** The page's query string. */
  params: string
  /** The main thread's refusal counters: a report worker has its own (empty) metrics. */
  refusals?: RefusalCount[]
  /** Only these sections (the pool splits a page over its workers: `dashboard/lanes.ts`); default all. */
  sections?: Section[]
  /** Every figure computed and none kept in the figure cache: the warm-up's pages (`warm-up.ts`). */
  fresh?: boolean
}

export type ReportTasks = {
  [K in keyof Reports]: Reports[K]
} & {
  dashboard(req: DashboardRequest): Promise<DashboardData>
  /** Budget pacing (issue 11; `reports/pacing-service.ts`). */
  pacing(site: Site, q: PacingQuery): Promise<PacingReport>
  /** Trends against the previous period (issue 11; `reports/timeseries-service.ts`). */
  timeseries(site: Site, q: TimeseriesQuery): Promise<TimeseriesReport>
  /** A funnel over a share of its visitors (the pool splits one funnel over its workers: `reports/funnel-shares.ts`). */
  funnelShare: ReportService['funnelShare']
  /** Data-driven attribution over a share of its visitors (the pool splits one such report: `reports/data-driven-shares.ts`). */
  attributionShare: ReportService['attributionShare']
}

export type TaskName = keyof ReportTasks

/**
 * The tasks over one report store. The dashboard's figure cache lives here, per reader:
 * clicking through filters recomputes only what the click changed.
 *
 * @example
 * const tasks = reportTasks(store.reports, () => Date.now(), console.error)
 * await tasks.summary(site, q)
 */
export function reportTasks(rs: ReportStore, now: () => number, log: (msg: string, err?: unknown) => void): ReportTasks {
  const reports = createReports(rs)
  const cache = new ReportCache(now)
  return {
    summary: (site, q) => reports.summary(site, q),
    funnel: (site, q) => reports.funnel(site, q),
    funnelShare: (site, q, share) => reports.funnelShare(site, q, share),
    attributionShare: (site, q, share) => reports.attributionShare(site, q, share),
    channels: (site, q) => reports.channels(site, q),
    campaigns: (site, q) => reports.campaigns(site, q),
    attribution: (site, q) => reports.attribution(site, q),
    experiment: (site, name, q) => reports.experiment(site, name, q),
    pacing: (site, q) => pacing(rs, site, q),
    timeseries: (site, q) => timeseries(rs, site, q),
    dashboard: async (req) => ({
      ...await loadDashboard({ reports: rs, cache: req.fresh ? new ReportCache(now) : cache, site: req.site, today: req.today, now: req.now, params: new URLSearchParams(req.params), log, sections: req.sections }),
      refusals: req.refusals ?? [],
    }),
  }
}
