/**
 * The marketer's cockpit routes under `/api/sites` (issue 11): monthly budgets, their
 * pacing with reallocation hints, trends against the previous period, and goals. Auth, site lookup and JSON/CSV answers are
 * the report routes' (`report-kit.ts`); validation and numbers live in `reports/`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { readJsonBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import { CHANNELS, MONTH, parseBudgets } from '../reports/budgets.ts'
import { parsePacingQuery } from '../reports/pacing-service.ts'
import type { ReportRunner } from '../report-runner/runner.ts'
import { parse, single } from '../reports/query.ts'
import { parseTimeseriesQuery } from '../reports/timeseries-service.ts'
import { todayIn } from '../reports/service.ts'
import type { BudgetScope } from '../store/report-types.ts'
import { reportKit } from './report-kit.ts'
import { GOAL_NAME, parseGoal } from '../reports/goals.ts'
import { backfillGoal } from '../derive/goals.ts'

/** 1,000 budgets of a few hundred bytes each. */
const MAX_BUDGET_BYTES = 256 * 1024
const scopeText = z.string().trim().min(1).max(200)
// Query schemas, also read by the OpenAPI description.
export const budgetListParams = z.object({ month: z.string().regex(MONTH, 'must be YYYY-MM').optional() })
export const budgetDeleteParams = z.object({
  month: z.string({ message: 'month is required (YYYY-MM)' }).regex(MONTH, 'must be YYYY-MM'),
  channel: z.enum(CHANNELS).optional(),
  source: scopeText.transform((s) => s.toLowerCase()).optional(),
  medium: scopeText.transform((s) => s.toLowerCase()).optional(),
  campaign: scopeText.optional(),
})

/**
 * @example
 * app.route('/api/sites', cockpitRoutes(deps))
 * // GET /api/sites/shop/pacing?month=2026-11  (Bearer admin token)
 */
export function cockpitRoutes(deps: AppDeps & { runner: ReportRunner }): Hono {
  const app = new Hono()
  const { clock, admin, reader, siteOf, formatParam, answer, params } = reportKit(deps)
  const rs = deps.store.reports

  app.put('/:site/budgets', admin, async function putBudgets(c) {
    const site = await siteOf(c)
    const parsed = parseBudgets(await readJsonBody(c, MAX_BUDGET_BYTES), site.currency)
    if ('message' in parsed) throw apiError(400, 'invalid_budgets', parsed.message, parsed.issues.length ? parsed.issues : undefined)
    return c.json({ upserted: await rs.upsertBudgets(site.id, parsed.budgets) })
  })

  app.get('/:site/budgets', admin, formatParam, async function getBudgets(c) {
    const site = await siteOf(c)
    const { month } = parse(budgetListParams, single(params(c), ['month']))
    const budgets = await rs.budgets(site.id, month ?? null)
    return answer(c, site, 'budgets', month ?? 'all', { budgets }, () => budgets as unknown as Record<string, unknown>[])
  })

  app.delete('/:site/budgets', admin, async function deleteBudgets(c) {
    const site = await siteOf(c)
    const q = parse(budgetDeleteParams, single(params(c), ['month', 'channel', 'source', 'medium', 'campaign']))
    const named = q.channel !== undefined || q.source !== undefined
    if (q.channel !== undefined && (q.source ?? q.medium ?? q.campaign) !== undefined) {
      throw apiError(400, 'invalid_query', 'name either a channel or a source (with medium and campaign optional)', [{ path: 'channel', message: 'channel with source' }])
    }
    if (!named && (q.medium ?? q.campaign) !== undefined) {
      throw apiError(400, 'invalid_query', 'medium and campaign need a source', [{ path: 'source', message: 'required with medium or campaign' }])
    }
    const scope: BudgetScope | null = named
      ? { channel: q.channel ?? null, source: q.source ?? null, medium: q.medium ?? null, campaign: q.campaign ?? null }
      : null
    return c.json({ deleted: await rs.deleteBudgets(site.id, q.month, scope) })
  })

  app.get('/:site/pacing', reader, formatParam, async function pacingReport(c) {
    const site = await siteOf(c)
    const q = parsePacingQuery(params(c), todayIn(site, clock.now()))
    // Through the runner: derivation catches up first, and on SQLite it runs off this thread.
    const r = await deps.runner.run('pacing', site, q)
    return answer(c, site, 'pacing', `${q.month}-as-of-${q.asOf}`, r, () => r.rows as unknown as Record<string, unknown>[])
  })

  app.put('/:site/goals/:name', admin, async function putGoal(c) {
    const site = await siteOf(c)
    const goal = parseGoal(c.req.param('name'), await readJsonBody(c), site.currency)
    if ('message' in goal) throw apiError(400, 'invalid_goal', goal.message, goal.issues)
    const version = await deps.store.goals.putGoal(site.id, goal)
    // Goals apply to past events too: the events derived so far, now; those still pending
    // are derived with the new goal (a step planned before it is refused and planned again).
    const conversions = await backfillGoal(deps.store.goals, site.id, goal, version)
    return c.json({ goal, conversions })
  })

  app.get('/:site/goals', admin, formatParam, async function listGoals(c) {
    const site = await siteOf(c)
    const goals = await deps.store.goals.goals(site.id)
    return answer(c, site, 'goals', 'all', { goals }, () => goals.map((g) => ({ ...g, props: JSON.stringify(g.props) })))
  })

  app.delete('/:site/goals/:name', admin, async function deleteGoal(c) {
    const site = await siteOf(c)
    const name = c.req.param('name')
    if (!GOAL_NAME.test(name) || (await deps.store.goals.deleteGoal(site.id, name)) === null) throw apiError(404, 'goal_not_found', 'No such goal')
    return c.json({ deleted: name })
  })

  app.get('/:site/timeseries', reader, formatParam, async function trends(c) {
    const site = await siteOf(c)
    const q = parseTimeseriesQuery(params(c), todayIn(site, clock.now()))
    const r = await deps.runner.run('timeseries', site, q)
    return answer(c, site, 'timeseries', `${q.from}-${q.to}`, r, () => r.points as unknown as Record<string, unknown>[])
  })

  return app
}
