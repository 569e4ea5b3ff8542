/**
 * Report routes under `/api/sites`: summary, funnel, channels, campaigns, attribution,
 * experiments (JSON, or CSV with `?format=csv`). All need the admin token or the site's
 * report token (or a dashboard session for the site). The spend
 * import is in `spend.ts`. Validation lives in `reports/query.ts`, the numbers in
 * `reports/service.ts`; this file only wires HTTP to them.
 *
 * Each route carries its own auth middleware instead of a `use('/:site/*')`, so this
 * sub-app never runs on another engineer's paths under `/api/sites`.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import type { ReportRunner } from '../report-runner/runner.ts'
import { apiError } from '../http/errors.ts'
import {
  parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery,
  parseFunnelQuery, parseSummaryQuery, todayIn, type ExperimentReport, type FunnelReport,
} from '../reports/service.ts'
import type { Site } from '../model.ts'
import { runnerReports } from '../report-runner/reports.ts'
import { reportKit } from './report-kit.ts'


/**
 * The report routes, to mount at `/api/sites`.
 *
 * @example
 * app.route('/api/sites', reportRoutes(deps))
 * // GET /api/sites/shop/funnel?step=pageview:/pricing&step=conversion:purchase  (Bearer admin token)
 */
export function reportRoutes(deps: AppDeps & { runner: ReportRunner }): Hono {
  const app = new Hono()
  const reports = runnerReports(deps.runner)
  const kit = reportKit(deps)
  const { clock, reader, siteOf, formatParam, params } = kit
  /** Answers JSON, or `rows` as CSV named after the site, report and range. */
  const answer = (c: Context, site: Site, name: string, q: { from: string; to: string }, json: object, rows: () => Record<string, unknown>[]) =>
    kit.answer(c, site, name, `${q.from}-${q.to}`, json, rows)

  app.get('/:site/summary', reader, formatParam, async function summary(c) {
    const site = await siteOf(c)
    const q = parseSummaryQuery(params(c), todayIn(site, clock.now()))
    const r = await reports.summary(site, q)
    return answer(c, site, 'summary', q, r, () => [r as unknown as Record<string, unknown>])
  })

  app.get('/:site/funnel', reader, formatParam, async function funnel(c) {
    const site = await siteOf(c)
    const q = parseFunnelQuery(params(c), todayIn(site, clock.now()))
    const r = await reports.funnel(site, q)
    return answer(c, site, 'funnel', q, r, () => funnelRows(r))
  })

  app.get('/:site/channels', reader, formatParam, async function channels(c) {
    const site = await siteOf(c)
    const q = parseChannelsQuery(params(c), todayIn(site, clock.now()))
    const r = await reports.channels(site, q)
    return answer(c, site, 'channels', q, r, () => r.rows as unknown as Record<string, unknown>[])
  })

  app.get('/:site/campaigns', reader, formatParam, async function campaigns(c) {
    const site = await siteOf(c)
    const q = parseCampaignsQuery(params(c), todayIn(site, clock.now()))
    const r = await reports.campaigns(site, q)
    return answer(c, site, 'campaigns', q, r, () => r.rows as unknown as Record<string, unknown>[])
  })

  app.get('/:site/attribution', reader, formatParam, async function attribution(c) {
    const site = await siteOf(c)
    const q = parseAttributionQuery(params(c), todayIn(site, clock.now()))
    const r = await reports.attribution(site, q)
    return answer(c, site, 'attribution', q, r, () => r.rows as unknown as Record<string, unknown>[])
  })

  app.get('/:site/experiments/:name', reader, formatParam, async function experiment(c) {
    const site = await siteOf(c)
    const name = z.string().min(1).max(200).safeParse(c.req.param('name'))
    if (!name.success) throw apiError(400, 'invalid_query', 'experiment name must be 1-200 characters')
    const q = parseExperimentQuery(params(c), todayIn(site, clock.now()))
    const r = await reports.experiment(site, name.data, q)
    return answer(c, site, `experiment-${name.data}`, q, r, () => variantRows(r))
  })

  return app
}

/** Step rows of the whole funnel, then of each breakdown value, with a `breakdown` column. */
function funnelRows(r: FunnelReport): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = r.steps.map((s) => ({ breakdown: '(all)', ...s }))
  for (const [value, steps] of Object.entries(r.breakdown)) for (const s of steps) rows.push({ breakdown: value, ...s })
  return rows
}

/** Variant rows with the intervals as low/high columns, the same on every row. */
function variantRows(r: ExperimentReport): Record<string, unknown>[] {
  return r.variants.map(({ absoluteLiftCI, relativeLiftCI, ...v }) => ({
    ...v,
    absoluteLiftLow: absoluteLiftCI?.[0] ?? null, absoluteLiftHigh: absoluteLiftCI?.[1] ?? null,
    relativeLiftLow: relativeLiftCI?.[0] ?? null, relativeLiftHigh: relativeLiftCI?.[1] ?? null,
    control: v.variant === r.control,
  }))
}
